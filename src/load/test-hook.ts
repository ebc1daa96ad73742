/**
 * A test-only crash hook: CLFSLOAD_TEST_KILL_AT="point:n" makes the process SIGKILL itself
 * the n-th time it passes the named point (points: see ctx.hook calls). Unset, it does nothing.
 */
export function hookFromEnv(env: NodeJS.ProcessEnv = process.env): (point: string) => void {
  const spec = env.CLFSLOAD_TEST_KILL_AT;
  if (!spec) return () => undefined;
  const [point, nText] = spec.split(':');
  let remaining = Number(nText ?? '1');
  return (p: string) => {
    if (p !== point && point !== '*') return;
    remaining--;
    if (remaining <= 0) process.kill(process.pid, 'SIGKILL');
  };
}
