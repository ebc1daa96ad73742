import type { Command } from 'commander';
import { register as registerLoad } from './load.js';
import { register as registerVerify } from './verify.js';
import { register as registerExport } from './export.js';

/** Each command module exports `register(program)`; add new commands here. */
export function registerCommands(program: Command): void {
  // commands are registered by their modules (load, verify, ls, cat, export)
  registerLoad(program);
  registerVerify(program);
  registerExport(program);
}
