/** `clfsload export <container> <dest-dir>`: rebuild the container's tree in a new local directory. */
import { Command, Option } from 'commander';
import { LIMITS, parseCount } from '../parse-flags.js';
import type { ExportFlags } from './export-action.js';

export function register(program: Command): void {
  program
    .command('export')
    .description('rebuild a CLFS container\'s tree (contents, modes, times, owners as root, links, specials) in <dest-dir>, which must be empty or missing')
    .argument('<container>', 'container URL with SAS, or a local directory holding one file per blob')
    .argument('<dest-dir>', 'where to write the tree')
    .addOption(new Option('--output-type <type>', 'report format').choices(['text', 'json']).default('text'))
    .option('--progress', 'print progress on stderr even when it is not a terminal')
    .addOption(new Option('--workers <n>', `objects exported at once, ${LIMITS.workers.min} to ${LIMITS.workers.max}`).default(8).argParser(parseCount(LIMITS.workers.min, LIMITS.workers.max)))
    .action(async (location: string, dest: string, opts: ExportFlags) => (await import('./export-action.js')).exportAction(location, dest, opts));
}
