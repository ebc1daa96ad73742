/*
 * LZ4 blocks compressed by the system's liblz4 exactly as an LZ4 frame compresses them
 * (lz4frame.c, linked blocks, fast mode): one fresh stream per frame, LZ4_compress_fast_continue
 * with acceleration 1 on each 256 KiB block in turn, room for one byte less than the block. That
 * is what the reference's python-lz4 produces, so our blobs are its bytes, and liblz4 is ~2x
 * faster than lz4-napi's lz4_flex on text and ~10x on data that does not compress (it gives up
 * as soon as the output runs out of room). lz4-napi exposes no such streaming call and no npm
 * package binds it, hence this helper.
 *
 * compressBlock (one block, synchronous) is for payloads of at most 64 KiB, where a thread-pool
 * round trip costs more than the compression; compressLinked does a whole payload, synchronously
 * or (compressLinkedAsync) on libuv's thread pool, for file segments of up to 8 MiB.
 *
 * The declarations below are liblz4's stable API (lz4.h, v1.9): the headers (liblz4-dev) are not
 * on a stock system, the library (liblz4.so.1) is on every Debian (apt links it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <node_api.h>

int LZ4_versionNumber(void);
int LZ4_sizeofState(void);
void *LZ4_initStream(void *buffer, size_t size);
int LZ4_compress_fast_continue(void *stream, const char *src, char *dst, int srcSize, int dstCapacity, int acceleration);
int LZ4_saveDict(void *stream, char *safeBuffer, int maxDictSize);
int LZ4_decompress_safe_usingDict(const char *src, char *dst, int srcSize, int dstCapacity, const char *dictStart, int dictSize);

/* LZ4_stream_t is 16416 bytes in v1.9 (LZ4_MEMORY_USAGE 14); checked against LZ4_sizeofState() at load. */
#define STREAM_BYTES 16416
#define BLOCK_MAX (256 * 1024)
#define DICT_MAX (64 * 1024)
/* Far above a segment (8 MiB + its header); keeps every size an int for liblz4. */
#define LINKED_MAX (64 * 1024 * 1024)

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

/* (src, dst, at) → pointers and sizes; dst_room is what follows `at`. Throws and returns 0 on bad arguments. */
static int get_args(napi_env env, napi_callback_info info, const char *name, napi_value *args, uint8_t **src, size_t *src_len,
                    uint8_t **dst, size_t *dst_room) {
  size_t argc = 3;
  uint32_t at;
  size_t dst_len;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != 3) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", name);
    return 0;
  }
  if (!get_bytes(env, args[0], "src must be a Uint8Array", src, src_len) ||
      !get_bytes(env, args[1], "dst must be a Uint8Array", dst, &dst_len))
    return 0;
  if (napi_get_value_uint32(env, args[2], &at) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "at must be a number");
    return 0;
  }
  if (at > dst_len) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "at is past the end of dst");
    return 0;
  }
  *dst += at;
  *dst_room = dst_len - at;
  return 1;
}

/*
 * compressBlock(src: Uint8Array, dst: Uint8Array, at: number): the compressed size written at
 * dst[at..], or 0 when the block does not come out smaller than src (a frame stores it raw).
 * src is at most 256 KiB; dst must have room for src.length - 1 bytes after `at`.
 */
static napi_value js_compress_block(napi_env env, napi_callback_info info) {
  napi_value args[3];
  uint8_t *src, *dst;
  size_t src_len, dst_room;
  if (!get_args(env, info, "compressBlock takes (src, dst, at)", args, &src, &src_len, &dst, &dst_room)) return NULL;
  if (src_len == 0 || src_len > BLOCK_MAX) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "src must hold 1 to 262144 bytes");
    return NULL;
  }
  if (dst_room < src_len - 1) {
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
  int n = LZ4_compress_fast_continue(s, (const char *)src, (char *)dst, (int)src_len, (int)src_len - 1, 1);
  napi_value out;
  napi_create_int32(env, n, &out);
  return out;
}

/*
 * A frame's blocks for all of src, as python-lz4's LZ4FrameCompressor writes them when fed 256 KiB
 * at a time (lz4frame.c's LZ4F_compressUpdate, linked blocks, autoFlush off): each full chunk is
 * compressed in place, then the stream's last 64 KiB are saved aside (LZ4_saveDict) and serve as
 * the dictionary of the next chunk; a final partial chunk is copied right after that saved
 * dictionary and compressed there. Compressing the payload as one contiguous stream instead gives
 * valid but different bytes (checked on the reference's bigfile segments).
 *
 * Writes, for each block in turn, a u32 little-endian size and the block. Returns the bytes
 * written, 0 when a block does not shrink (the frame would store it raw) or the next one does
 * not fit in `room` (the caller sizes `room` so that this means "the frame is no smaller than
 * the payload"), -1 when out of memory. Limiting a block's room changes only whether it fits,
 * never its bytes. Touches no JS state: it runs on the thread pool too.
 */
static int compress_linked(const uint8_t *src, size_t len, uint8_t *dst, size_t room) {
  uint64_t stream[STREAM_BYTES / 8];
  void *s = LZ4_initStream(stream, sizeof stream);
  /* lz4frame's tmpBuff: dictionary, then the partial chunk; a payload of one chunk needs none */
  char *saved = len > BLOCK_MAX ? malloc(DICT_MAX + BLOCK_MAX) : NULL;
  if (!s || (len > BLOCK_MAX && !saved)) {
    free(saved);
    return -1;
  }
  size_t out = 0;
  int dict = 0;
  for (size_t at = 0; at < len; at += BLOCK_MAX) {
    size_t n = len - at < BLOCK_MAX ? len - at : BLOCK_MAX;
    const char *from = (const char *)src + at;
    if (n < BLOCK_MAX && at > 0) {
      memcpy(saved + dict, from, n);
      from = saved + dict;
    }
    size_t cap = room - out > 4 ? room - out - 4 : 0;
    if (cap > n - 1) cap = n - 1;
    int c = cap > 0 ? LZ4_compress_fast_continue(s, from, (char *)dst + out + 4, (int)n, (int)cap, 1) : 0;
    if (c <= 0) {
      out = 0; /* store uncompressed */
      break;
    }
    uint8_t *word = dst + out;
    word[0] = (uint8_t)c;
    word[1] = (uint8_t)(c >> 8);
    word[2] = (uint8_t)(c >> 16);
    word[3] = (uint8_t)(c >> 24);
    out += 4 + (size_t)c;
    if (at + n < len) dict = LZ4_saveDict(s, saved, DICT_MAX); /* only a full chunk has a successor */
  }
  free(saved);
  return (int)out;
}

static int check_linked(napi_env env, size_t src_len, size_t dst_room) {
  if (src_len == 0 || src_len > LINKED_MAX || dst_room > LINKED_MAX + BLOCK_MAX) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "src must hold 1 to 64 MiB, dst at most 64.25 MiB");
    return 0;
  }
  return 1;
}

/* compressLinked(src, dst, at): compress_linked into dst[at..], synchronously. */
static napi_value js_compress_linked(napi_env env, napi_callback_info info) {
  napi_value args[3];
  uint8_t *src, *dst;
  size_t src_len, dst_room;
  if (!get_args(env, info, "compressLinked takes (src, dst, at)", args, &src, &src_len, &dst, &dst_room) ||
      !check_linked(env, src_len, dst_room))
    return NULL;
  int n = compress_linked(src, src_len, dst, dst_room);
  if (n < 0) {
    napi_throw_error(env, "ERR_LZ4_INIT", "LZ4 stream setup failed (out of memory?)");
    return NULL;
  }
  napi_value out;
  napi_create_int32(env, n, &out);
  return out;
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref src_ref, dst_ref; /* keep both arrays alive (and their memory in place) until done */
  const uint8_t *src;
  size_t src_len;
  uint8_t *dst;
  size_t dst_room;
  int result;
} linked_job;

static void linked_execute(napi_env env, void *data) {
  (void)env;
  linked_job *job = data;
  job->result = compress_linked(job->src, job->src_len, job->dst, job->dst_room);
}

static void linked_complete(napi_env env, napi_status status, void *data) {
  linked_job *job = data;
  napi_value value;
  if (status != napi_ok) {
    napi_create_string_utf8(env, "compressLinkedAsync was cancelled", NAPI_AUTO_LENGTH, &value);
    napi_value err;
    napi_create_error(env, NULL, value, &err);
    napi_reject_deferred(env, job->deferred, err);
  } else if (job->result < 0) {
    napi_create_string_utf8(env, "LZ4 stream setup failed (out of memory?)", NAPI_AUTO_LENGTH, &value);
    napi_value err;
    napi_create_error(env, NULL, value, &err);
    napi_reject_deferred(env, job->deferred, err);
  } else {
    napi_create_int32(env, job->result, &value);
    napi_resolve_deferred(env, job->deferred, value);
  }
  napi_delete_reference(env, job->src_ref);
  napi_delete_reference(env, job->dst_ref);
  napi_delete_async_work(env, job->work);
  free(job);
}

/*
 * compressLinkedAsync(src, dst, at): Promise of what compressLinked returns, computed on libuv's
 * thread pool. Neither array may change or shrink until the promise settles.
 */
static napi_value js_compress_linked_async(napi_env env, napi_callback_info info) {
  napi_value args[3];
  uint8_t *src, *dst;
  size_t src_len, dst_room;
  if (!get_args(env, info, "compressLinkedAsync takes (src, dst, at)", args, &src, &src_len, &dst, &dst_room) ||
      !check_linked(env, src_len, dst_room))
    return NULL;
  linked_job *job = calloc(1, sizeof *job);
  if (!job) {
    napi_throw_error(env, "ERR_MEMORY", "out of memory");
    return NULL;
  }
  job->src = src;
  job->src_len = src_len;
  job->dst = dst;
  job->dst_room = dst_room;
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_reference(env, args[0], 1, &job->src_ref);
  napi_create_reference(env, args[1], 1, &job->dst_ref);
  napi_create_string_utf8(env, "clfsload:lz4", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, linked_execute, linked_complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

/*
 * decompressBlock(src, dst, dict?): decodes one LZ4 block into dst, whose length bounds the output,
 * with `dict` (the previous blocks' last bytes, for linked blocks) as history. Returns the decoded
 * size, or -1 for a malformed block (liblz4's safe decoder never reads or writes out of bounds).
 * dict must not overlap dst.
 */
static napi_value js_decompress_block(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3];
  uint8_t *src, *dst, *dict = NULL;
  size_t src_len, dst_len, dict_len = 0;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc < 2) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "decompressBlock takes (src, dst, dict?)");
    return NULL;
  }
  if (!get_bytes(env, args[0], "src must be a Uint8Array", &src, &src_len) ||
      !get_bytes(env, args[1], "dst must be a Uint8Array", &dst, &dst_len))
    return NULL;
  if (argc >= 3) {
    napi_valuetype t;
    napi_typeof(env, args[2], &t);
    if (t != napi_undefined && !get_bytes(env, args[2], "dict must be a Uint8Array or undefined", &dict, &dict_len)) return NULL;
  }
  if (src_len > LINKED_MAX || dst_len > LINKED_MAX || dict_len > LINKED_MAX) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "src, dst and dict must each hold at most 64 MiB");
    return NULL;
  }
  int n = LZ4_decompress_safe_usingDict((const char *)src, (char *)dst, (int)src_len, (int)dst_len, (const char *)dict, (int)dict_len);
  napi_value out;
  napi_create_int32(env, n < 0 ? -1 : n, &out);
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
    { "compressLinked", NULL, js_compress_linked, NULL, NULL, NULL, napi_enumerable, NULL },
    { "compressLinkedAsync", NULL, js_compress_linked_async, NULL, NULL, NULL, napi_enumerable, NULL },
    { "decompressBlock", NULL, js_decompress_block, NULL, NULL, NULL, napi_enumerable, NULL },
    { "version", NULL, NULL, NULL, NULL, version, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, 5, props);
  return exports;
}
