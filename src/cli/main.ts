#!/usr/bin/env node
/** The clfsload command line: parses arguments and hands off to one command module each. */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { EXIT, EXIT_CODE_HELP, exitCodeFor } from './exit-codes.js';
import { ClfsError } from '../errors.js';
import { redactCredentials } from '../store/redact.js';
import { registerCommands } from './commands/index.js';
import { findUp } from '../util/find-up.js';
import { applyHeapPolicy } from './heap-policy.js';
import { escapeText } from '../util/escape-name.js';

/** Reads our package.json version; searched upward so it works from src/ (tsx) and dist/src/ (tsc). */
function packageVersion(): string {
  const pkg = findUp(import.meta.url, 'package.json');
  return pkg ? (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version : 'unknown';
}

/** Builds the program; exported so tests can drive it in-process. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('clfsload')
    .description('Load a local tree into Azure Blob Storage in the Avere CLFS format, and read, verify and export CLFS containers.')
    .version(packageVersion(), '-v, --version')
    .addHelpText('after', `\n${EXIT_CODE_HELP}`)
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

/** Runs the CLI; resolves to the exit code. Errors become one line on stderr. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  // Commands report a non-zero outcome through process.exitCode; capture it and restore the caller's
  // value so in-process callers (tests) are not left with a failing exit code.
  const callerExitCode = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    // one line: a path in the message (a source name, an argument) may hold a newline or an escape
    const message = err instanceof ClfsError ? `${escapeText(err.message)} [${err.code}]` : `internal error: ${(err as Error)?.stack ?? String(err)}`;
    process.stderr.write(`clfsload: ${redactCredentials(message)}\n`);
    return exitCodeFor(err);
  } finally {
    process.exitCode = callerExitCode;
  }
}

/** True when this file is the process entry point (directly, or through the npm bin symlink). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // A closed or full stderr (EPIPE, ENOSPC) must not crash the process with an unhandled 'error'
  // event: the exit code still tells the outcome. stdout is guarded by each command's writer.
  process.stderr.on('error', () => undefined);
  applyHeapPolicy();
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
