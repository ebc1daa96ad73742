/** `clfsload verify <container>`: a complete, read-only check of a CLFS container. */
import { Command, Option } from 'commander';
import { LIMITS, parseCount } from '../parse-flags.js';
import type { VerifyFlags } from './verify-action.js';

export function register(program: Command): void {
  program
    .command('verify')
    .description('check every object of a CLFS container (read-only); exit 0 only when no error is found')
    .argument('<container>', 'container URL with SAS, or a local directory holding one file per blob')
    .addOption(new Option('--output-type <type>', 'report format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--workers <n>', `objects checked at once, ${LIMITS.workers.min} to ${LIMITS.workers.max}`).default(8).argParser(parseCount(LIMITS.workers.min, LIMITS.workers.max)))
    .option('--progress', 'print progress on stderr even when it is not a terminal')
    .action(async (location: string, opts: VerifyFlags) => (await import('./verify-action.js')).verifyAction(location, opts));
}
