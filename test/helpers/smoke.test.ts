import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceDir } from './paths.js';
import { existsSync } from 'node:fs';
test('shared fixtures are reachable', () => { assert.ok(existsSync(referenceDir), referenceDir); });
