import type { Command } from 'commander';
import { register as registerLoad } from './load.js';
import { register as registerVerify } from './verify.js';
import { register as registerExport } from './export.js';
import { register as registerLs } from './ls.js';
import { register as registerCat } from './cat.js';

/** Each command module exports `register(program)`; add new commands here. */
export function registerCommands(program: Command): void {
  // commands are registered by their modules (load, verify, ls, cat, export)
  registerLoad(program);
  registerVerify(program);
  registerExport(program);
  registerLs(program);
  registerCat(program);
}
