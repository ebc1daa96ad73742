/** Little-endian byte writer and bounds-checked reader shared by the codecs. */
import { FormatError, type FormatErrorCode } from '../errors.js';

function range(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new FormatError('CLFS_BAD_VALUE', `${what} value ${v} out of range`);
}

/** Growable little-endian writer. Out-of-range values throw CLFS_BAD_VALUE instead of wrapping. */
export class ByteWriter {
  private buf: Uint8Array;
  private dv: DataView;
  length = 0;
  /**
   * `headroom` zero bytes are reserved before the content (not counted in `length`) so a caller
   * can prepend a small header to the finished bytes without copying them (see envelope.ts).
   */
  constructor(
    initial = 256,
    private readonly headroom = 0,
  ) {
    this.buf = this.allocate(initial);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }
  /**
   * Unzeroed memory (small sizes come from Node's shared pool: a zeroed ArrayBuffer per handle
   * cost more than encoding it): the writer writes every byte up to `length` itself, and only
   * the headroom is zeroed. The headroom is part of this allocation, so views keep it in front.
   */
  private allocate(cap: number): Uint8Array {
    const mem = Buffer.allocUnsafe(this.headroom + cap);
    mem.fill(0, 0, this.headroom);
    return new Uint8Array(mem.buffer, mem.byteOffset + this.headroom, cap);
  }
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = Math.max(this.buf.length * 2, 16);
    while (cap < this.length + n) cap *= 2;
    const next = this.allocate(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.dv = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }
  u8(v: number): void {
    range(v, 0xff, 'u8');
    this.ensure(1);
    this.buf[this.length++] = v;
  }
  u16(v: number): void {
    range(v, 0xffff, 'u16');
    this.ensure(2);
    this.dv.setUint16(this.length, v, true);
    this.length += 2;
  }
  u32(v: number): void {
    range(v, 0xffffffff, 'u32');
    this.ensure(4);
    this.dv.setUint32(this.length, v, true);
    this.length += 4;
  }
  u64(v: bigint): void {
    if (typeof v !== 'bigint' || v < 0n || v >= 1n << 64n) throw new FormatError('CLFS_BAD_VALUE', `u64 value ${v} out of range`);
    this.ensure(8);
    this.dv.setBigUint64(this.length, v, true);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }
  /** `u16 len` + bytes: how ids are stored inside objects. */
  id(b: Uint8Array): void {
    if (b.length > 0xffff) throw new FormatError('CLFS_BAD_VALUE', `id of ${b.length} bytes is too long`);
    this.u16(b.length);
    this.bytes(b);
  }
  /** `u32 len` + bytes. */
  lenBytes(b: Uint8Array): void {
    this.u32(b.length);
    this.bytes(b);
  }
  /** Position-addressed u32 store, for back-patching headers. */
  setU32(at: number, v: number): void {
    this.dv.setUint32(at, v >>> 0, true);
  }
  /** The written bytes: a view of the writer's memory, not a copy. */
  finish(): Uint8Array {
    return this.length === this.buf.length ? this.buf : this.buf.subarray(0, this.length);
  }
}

/** Bounds-checked little-endian reader: every length is checked before anything is allocated. */
export class ByteReader {
  pos = 0;
  private readonly dv: DataView;
  constructor(
    readonly buf: Uint8Array,
    readonly blob?: string,
    readonly what = 'data',
  ) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  get left(): number {
    return this.buf.length - this.pos;
  }
  fail(code: FormatErrorCode, msg: string): FormatError {
    return new FormatError(code, `${this.what}: ${msg}`, { blob: this.blob, data: { offset: this.pos } });
  }
  need(n: number): void {
    if (n > this.left) throw this.fail('CLFS_TRUNCATED', `need ${n} bytes at offset ${this.pos}, have ${this.left}`);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  u16(): number {
    this.need(2);
    const v = this.dv.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.dv.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  /** A copy of the next n bytes. */
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  id(): Uint8Array {
    return this.bytes(this.u16());
  }
  lenBytes(): Uint8Array {
    return this.bytes(this.u32());
  }
  /** Throw CLFS_BAD_HANDLE unless every byte was consumed. */
  end(): void {
    if (this.left !== 0) throw this.fail('CLFS_BAD_HANDLE', `${this.left} unexpected trailing bytes`);
  }
}

/** Bytes the codec reserves in front of an encoded payload: the blob envelope (§5). */
export const ENVELOPE_HEADROOM = 4;
const withHeadroom = new WeakSet<Uint8Array>();

/** Record that the ENVELOPE_HEADROOM bytes in front of `b` belong to the codec (a writer's headroom, a frame's room). */
export function markHeadroom(b: Uint8Array): Uint8Array {
  if (b.byteOffset >= ENVELOPE_HEADROOM) withHeadroom.add(b);
  return b;
}

/** True if the ENVELOPE_HEADROOM bytes before `b` are codec-owned: the envelope may be written there. */
export function hasHeadroom(b: Uint8Array): boolean {
  return withHeadroom.has(b);
}
