/**
 * Loads the system liblz4's compressor (native/lz4-block) and gives it to the codec (lz4-frame.ts,
 * which does no I/O of its own) for every frame: the same bytes as the reference's python-lz4
 * (liblz4 1.9), half lz4-napi's CPU on text and ~10x less on data that does not compress.
 * Optional: when the helper is not built, or CLFSLOAD_NO_NATIVE_LZ4=1 (read once, at first use),
 * the codec uses lz4-napi for every block.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { findUp } from '../util/find-up.js';
import { setNativeBlockCompressor, type NativeLz4 } from '../format/lz4-frame.js';

const ADDON = path.join('native', 'lz4-block', 'build', 'Release', 'lz4_block.node');

let loaded: { native?: NativeLz4; reason?: string } | undefined;

function load(): { native?: NativeLz4; reason?: string } {
  if (loaded) return loaded;
  if (process.env.CLFSLOAD_NO_NATIVE_LZ4 === '1') return (loaded = { reason: 'disabled by CLFSLOAD_NO_NATIVE_LZ4=1' });
  const file = findUp(import.meta.url, ADDON);
  if (!file) return (loaded = { reason: `native helper not built (${ADDON} missing; run npm ci or npm rebuild)` });
  try {
    return (loaded = { native: createRequire(import.meta.url)(file) as NativeLz4 });
  } catch (err) {
    return (loaded = { reason: `native helper failed to load: ${(err as Error).message}` });
  }
}

/** The native block compressor, or undefined (then `nativeLz4Reason()` says why). */
export function nativeLz4(): NativeLz4 | undefined {
  return load().native;
}

/** Hands the native compressor to the codec when it is built; idempotent. Returns whether it is in use. */
export function useNativeLz4(): boolean {
  const native = load().native;
  setNativeBlockCompressor(native);
  return native !== undefined;
}

export function nativeLz4Reason(): string | undefined {
  return load().reason;
}
