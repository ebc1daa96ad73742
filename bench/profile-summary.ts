/**
 * `node dist/bench/profile-summary.js FILE.cpuprofile [N]`: the top N functions by self time and by
 * inclusive time of a V8 CPU profile (what `node --cpu-prof`, and `npm run bench -- --profile`, write).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  selfMs: number;
  totalMs: number;
}

function frameName(node: ProfileNode): string {
  const f = node.callFrame;
  const file = f.url ? `${path.basename(f.url.replace(/^file:\/\//, ''))}:${f.lineNumber + 1}` : '(native)';
  return `${f.functionName || '(anonymous)'} ${file}`;
}

/** Self and inclusive milliseconds per function (frames with the same name and location are merged). */
export function summarize(profile: CpuProfile): FunctionTime[] {
  const selfById = new Map<number, number>();
  profile.samples.forEach((id, i) => selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map<string, FunctionTime>();
  const entry = (name: string): FunctionTime => out.get(name) ?? out.set(name, { name, selfMs: 0, totalMs: 0 }).get(name)!;
  for (const [id, ms] of selfById) {
    entry(frameName(byId.get(id)!)).selfMs += ms;
    // Inclusive time: credit each distinct function on the stack once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = frameName(byId.get(cur)!);
      if (!seen.has(name)) entry(name).totalMs += ms;
      seen.add(name);
    }
  }
  return [...out.values()];
}

function main(): void {
  const [file, n = '25'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/profile-summary.js FILE.cpuprofile [N]');
    process.exitCode = 2;
    return;
  }
  const rows = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const total = rows.find((r) => r.name.startsWith('(root)'))?.totalMs ?? 0;
  const show = (title: string, key: 'selfMs' | 'totalMs'): void => {
    console.log(`${title} (of ${total.toFixed(0)} ms sampled)`);
    for (const r of [...rows].sort((a, b) => b[key] - a[key]).slice(0, Number(n))) {
      console.log(`  ${r[key].toFixed(0).padStart(8)} ms  ${((r[key] / total) * 100).toFixed(1).padStart(5)} %  ${r.name}`);
    }
  };
  show('self time', 'selfMs');
  show('inclusive time', 'totalMs');
}

if (import.meta.url === `file://${process.argv[1]}`) main();
