/**
 * Parsers for the commands' flag values. Every number is checked against a documented range and
 * refused (exit 2, commander's "error: option ... argument ... is invalid") rather than clamped:
 * a typo must not silently change what a long job does.
 */
import { InvalidArgumentError } from 'commander';

/** The documented limits (also shown in each flag's help). */
export const LIMITS = {
  /** verify/export: objects handled at once */
  workers: { min: 1, max: 256 },
  /** load: objects written at once */
  concurrency: { min: 1, max: 1024 },
  /** load: 0 = never stop */
  maxErrors: { min: 0, max: Number.MAX_SAFE_INTEGER },
  /** load: megabits per second; below 0.01 a single 8 MiB blob would take over 90 minutes */
  capMbps: { min: 0.01, max: 1_000_000 },
} as const;

export function parseBool(v: string | undefined): boolean {
  if (v === undefined || v === '' || /^true$/i.test(v)) return true;
  if (/^false$/i.test(v)) return false;
  throw new InvalidArgumentError('expected true or false');
}

/** A whole number in decimal digits only (no sign, exponent, hex or spaces), within [min, max]. */
export function parseCount(min: number, max: number) {
  return (v: string): number => {
    const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `expected a whole number >= ${min}` : `expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** A decimal number (e.g. 100, 0.5, 1e3), within [min, max]. */
export function parseRange(min: number, max: number) {
  return (v: string): number => {
    const n = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v) ? Number(v) : NaN;
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected a number from ${min} to ${max}`);
    return n;
  };
}
