import type { Command } from 'commander';

/** Each command module exports `register(program)`; add new commands here. */
export function registerCommands(_program: Command): void {
  // commands are registered by their modules (load, verify, ls, cat, export)
}
