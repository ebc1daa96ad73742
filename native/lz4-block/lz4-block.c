/*
 * One LZ4 block compressed by the system's liblz4 exactly as an LZ4 frame compresses its first
 * block (lz4frame.c, linked blocks, fast mode): a fresh stream, LZ4_compress_fast_continue with
 * acceleration 1, room for one byte less than the input. That is what the reference's
 * python-lz4 produces for a blob of one chunk (every inode), so our bytes match it, and liblz4
 * is ~10x faster than lz4-napi's lz4_flex on data that does not compress (it gives up as soon
 * as the output runs out of room). lz4-napi has no such call, and no npm package binds this
 * streaming API synchronously, hence this helper. Synchronous on purpose: it is for payloads of
 * at most 64 KiB, where a thread-pool round trip costs more than the compression.
 *
 * The declarations below are liblz4's stable API (lz4.h, v1.9): the headers (liblz4-dev) are not
 * on a stock system, the library (liblz4.so.1) is on every Debian (apt links it).
 */
#include <stdint.h>
#include <string.h>
#include <node_api.h>

int LZ4_versionNumber(void);
int LZ4_sizeofState(void);
void *LZ4_initStream(void *buffer, size_t size);
int LZ4_compress_fast_continue(void *stream, const char *src, char *dst, int srcSize, int dstCapacity, int acceleration);

/* LZ4_stream_t is 16416 bytes in v1.9 (LZ4_MEMORY_USAGE 14); checked against LZ4_sizeofState() at load. */
#define STREAM_BYTES 16416
#define BLOCK_MAX (256 * 1024)

static int get_bytes(napi_env env, napi_value v, const char *what, uint8_t **data, size_t *len) {
  bool is_typed = false;
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, v, &type, len, (void **)data, &ab, &offset) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", what);
    return 0;
  }
  return 1;
}

/*
 * compressBlock(src: Uint8Array, dst: Uint8Array, at: number): the compressed size written at
 * dst[at..], or 0 when the block does not come out smaller than src (a frame stores it raw).
 * src is at most 256 KiB; dst must have room for src.length - 1 bytes after `at`.
 */
static napi_value js_compress_block(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  uint8_t *src, *dst;
  size_t src_len, dst_len;
  uint32_t at;
  if (argc != 3 || !get_bytes(env, args[0], "src must be a Uint8Array", &src, &src_len) ||
      !get_bytes(env, args[1], "dst must be a Uint8Array", &dst, &dst_len)) {
    if (argc != 3) napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "compressBlock takes (src, dst, at)");
    return NULL;
  }
  if (napi_get_value_uint32(env, args[2], &at) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "at must be a number");
    return NULL;
  }
  if (src_len == 0 || src_len > BLOCK_MAX) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "src must hold 1 to 262144 bytes");
    return NULL;
  }
  if (at > dst_len || dst_len - at < src_len - 1) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "dst has no room for src.length - 1 bytes at `at`");
    return NULL;
  }
  /* 8-byte aligned, as LZ4_initStream requires */
  uint64_t stream[STREAM_BYTES / 8];
  void *s = LZ4_initStream(stream, sizeof stream);
  if (!s) {
    napi_throw_error(env, "ERR_LZ4_INIT", "LZ4_initStream failed");
    return NULL;
  }
  int n = LZ4_compress_fast_continue(s, (const char *)src, (char *)dst + at, (int)src_len, (int)src_len - 1, 1);
  napi_value out;
  napi_create_int32(env, n, &out);
  return out;
}

NAPI_MODULE_INIT() {
  if (LZ4_sizeofState() > STREAM_BYTES) {
    napi_throw_error(env, "ERR_LZ4_VERSION", "liblz4's stream state is larger than this helper was built for");
    return NULL;
  }
  napi_value version;
  napi_create_int32(env, LZ4_versionNumber(), &version);
  napi_property_descriptor props[] = {
    { "compressBlock", NULL, js_compress_block, NULL, NULL, NULL, napi_enumerable, NULL },
    { "version", NULL, NULL, NULL, NULL, version, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, 2, props);
  return exports;
}
