/*
 * writeRange(outFd, head, inFd, inOffset, length, tail): writes `head`, then `length` bytes of the
 * file open as `inFd` from `inOffset`, then `tail`, at the current offset of `outFd`, on libuv's
 * thread pool. The file's bytes go from page cache to page cache inside the kernel
 * (copy_file_range), as `cp` copies them, instead of through a buffer in our process: one copy of
 * each byte instead of two. Node has no binding for copy_file_range with offsets, hence this helper.
 *
 * Resolves to the bytes of the range copied: fewer than `length` only when the source file ends
 * early (it shrank), and then the tail is not written. Rejects with an Error carrying `errno`
 * (negative, as Node's) and `syscall`: "read" when reading the source failed, "write" when writing
 * the blob failed. Where copy_file_range cannot copy between these files (another file system on
 * an old kernel, a special file system) or fails, the piece is copied again with pread and write
 * through a buffer, which also tells a source failure from a destination one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <node_api.h>

#define FALLBACK_BUFFER (1024 * 1024)

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref head_ref, tail_ref; /* keep both arrays (and their memory) alive until done */
  const uint8_t *head, *tail;
  size_t head_len, tail_len;
  int in_fd, out_fd;
  int64_t in_offset, length;
  int64_t copied;
  int err;             /* errno of the failure, 0 if none */
  const char *syscall; /* "read" (the source) or "write" (the blob) */
} range_job;

static int write_all(int fd, const uint8_t *p, size_t n, range_job *job) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      job->err = errno;
      job->syscall = "write";
      return 0;
    }
    p += w;
    n -= (size_t)w;
  }
  return 1;
}

/* Copies up to `want` bytes at the source's `*in_off` through a buffer; returns bytes copied (0 at EOF), -1 on failure. */
static int64_t copy_by_buffer(range_job *job, uint8_t **buf, int64_t *in_off, int64_t want) {
  if (!*buf && !(*buf = malloc(FALLBACK_BUFFER))) {
    job->err = ENOMEM;
    job->syscall = "read";
    return -1;
  }
  size_t chunk = want < FALLBACK_BUFFER ? (size_t)want : FALLBACK_BUFFER;
  ssize_t r;
  do r = pread(job->in_fd, *buf, chunk, *in_off);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    job->err = errno;
    job->syscall = "read";
    return -1;
  }
  if (r > 0 && !write_all(job->out_fd, *buf, (size_t)r, job)) return -1;
  *in_off += r;
  return r;
}

static void range_execute(napi_env env, void *data) {
  (void)env;
  range_job *job = data;
  uint8_t *buf = NULL;
  int kernel_copy = 1;
  int64_t in_off = job->in_offset;
  if (!write_all(job->out_fd, job->head, job->head_len, job)) return;
  while (job->copied < job->length) {
    int64_t want = job->length - job->copied;
    int64_t n = -1;
    if (kernel_copy) {
      loff_t off = in_off;
      /* NULL out offset: the blob's own file offset, after the head */
      ssize_t c = copy_file_range(job->in_fd, &off, job->out_fd, NULL, (size_t)want, 0);
      if (c > 0) {
        in_off = off;
        n = c;
      } else if (c == 0) {
        /* the end of the file, or a file system that copies nothing (some return 0, not an
           error, for files they cannot copy): a read says which */
        kernel_copy = 0;
      } else if (errno == EINTR) {
        continue;
      } else if (errno == ENOSPC || errno == EDQUOT || errno == EFBIG) {
        job->err = errno;
        job->syscall = "write";
        break;
      } else {
        kernel_copy = 0; /* EXDEV, EINVAL, EOPNOTSUPP, ENOSYS, or a failure to attribute: buffer from here on */
      }
    }
    if (!kernel_copy) n = copy_by_buffer(job, &buf, &in_off, want);
    if (n < 0) break;
    if (n == 0) break; /* the source ended early */
    job->copied += n;
  }
  free(buf);
  if (job->err == 0 && job->copied == job->length) write_all(job->out_fd, job->tail, job->tail_len, job);
}

static void range_complete(napi_env env, napi_status status, void *data) {
  range_job *job = data;
  napi_value value;
  if (status != napi_ok || job->err != 0) {
    napi_value msg, err, errno_value, syscall;
    const char *text = status != napi_ok ? "writeRange was cancelled" : strerror(job->err);
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &err);
    if (status == napi_ok) {
      napi_create_int32(env, -job->err, &errno_value);
      napi_create_string_utf8(env, job->syscall, NAPI_AUTO_LENGTH, &syscall);
      napi_set_named_property(env, err, "errno", errno_value);
      napi_set_named_property(env, err, "syscall", syscall);
    }
    napi_reject_deferred(env, job->deferred, err);
  } else {
    napi_create_int64(env, job->copied, &value);
    napi_resolve_deferred(env, job->deferred, value);
  }
  napi_delete_reference(env, job->head_ref);
  napi_delete_reference(env, job->tail_ref);
  napi_delete_async_work(env, job->work);
  free(job);
}

static int get_bytes(napi_env env, napi_value v, const uint8_t **data, size_t *len) {
  bool is_typed = false;
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  return napi_is_typedarray(env, v, &is_typed) == napi_ok && is_typed &&
         napi_get_typedarray_info(env, v, &type, len, (void **)data, &ab, &offset) == napi_ok && type == napi_uint8_array;
}

static int get_int(napi_env env, napi_value v, int64_t *out) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && t == napi_number && napi_get_value_int64(env, v, out) == napi_ok && *out >= 0;
}

static napi_value js_write_range(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value args[6];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  range_job *job = calloc(1, sizeof *job);
  if (!job) {
    napi_throw_error(env, "ERR_MEMORY", "out of memory");
    return NULL;
  }
  int64_t out_fd, in_fd;
  if (argc != 6 || !get_int(env, args[0], &out_fd) || !get_bytes(env, args[1], &job->head, &job->head_len) ||
      !get_int(env, args[2], &in_fd) || !get_int(env, args[3], &job->in_offset) || !get_int(env, args[4], &job->length) ||
      !get_bytes(env, args[5], &job->tail, &job->tail_len) || out_fd > INT32_MAX || in_fd > INT32_MAX) {
    free(job);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "writeRange takes (outFd, head, inFd, inOffset, length, tail)");
    return NULL;
  }
  job->out_fd = (int)out_fd;
  job->in_fd = (int)in_fd;
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_reference(env, args[1], 1, &job->head_ref);
  napi_create_reference(env, args[5], 1, &job->tail_ref);
  napi_create_string_utf8(env, "clfsload:copy-range", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, range_execute, range_complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    { "writeRange", NULL, js_write_range, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, 1, props);
  return exports;
}
