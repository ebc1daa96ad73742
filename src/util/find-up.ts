/** Finding our own files from a module's location, whether it runs from src/ (tsx) or dist/src/ (tsc). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The first `<dir>/<relative>` that exists, for dir = the module's directory and then each parent up to the root. */
export function findUp(moduleUrl: string, relative: string): string | undefined {
  let dir = path.dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const candidate = path.join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
