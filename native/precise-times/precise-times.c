/*
 * Sets file times to the nanosecond. Node's utimes/futimes/lutimes take seconds as a double and
 * libuv truncates them to microseconds; the CLFS container holds nanoseconds, so `export` calls
 * futimens/utimensat here directly. Synchronous on purpose: one metadata syscall per object.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <node_api.h>
#include <uv.h> /* uv_err_name: errno -> "ENOENT", as Node names its own fs errors */

#define MAX_SAFE 9007199254740991.0 /* 2^53 - 1: beyond it a JS number is not an exact integer */

/* Throws a TypeError/RangeError and returns 0 when the argument is not what is expected. */
static int get_int(napi_env env, napi_value v, const char *what, double lo, double hi, double *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s must be a number", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return 0;
  }
  double d;
  napi_get_value_double(env, v, &d);
  /* d != d: NaN; the trunc test rejects fractions and infinities */
  if (d != d || d < lo || d > hi || (double)(int64_t)d != d) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s must be an integer in %.0f..%.0f", what, lo, hi);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return 0;
  }
  *out = d;
  return 1;
}

/* args[first..first+3] = atimeSec, atimeNsec, mtimeSec, mtimeNsec */
static int get_times(napi_env env, napi_value *args, struct timespec ts[2]) {
  static const char *names[4] = { "atimeSec", "atimeNsec", "mtimeSec", "mtimeNsec" };
  for (int i = 0; i < 4; i++) {
    double d;
    int nsec = i % 2 == 1;
    if (!get_int(env, args[i], names[i], nsec ? 0 : -MAX_SAFE, nsec ? 999999999.0 : MAX_SAFE, &d)) return 0;
    if (nsec) ts[i / 2].tv_nsec = (long)d;
    else ts[i / 2].tv_sec = (time_t)d;
  }
  return 1;
}

/* Throws an Error shaped like Node's fs errors: message, errno (negative), code, syscall[, path]. */
static void throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  const char *code = uv_err_name(-err);
  size_t len = strlen(code) + strlen(uv_strerror(-err)) + strlen(syscall) + (path ? strlen(path) : 0) + 16;
  char *msg = malloc(len);
  if (!msg) {
    napi_throw_error(env, code, uv_strerror(-err));
    return;
  }
  if (path) snprintf(msg, len, "%s: %s, %s '%s'", code, uv_strerror(-err), syscall, path);
  else snprintf(msg, len, "%s: %s, %s", code, uv_strerror(-err), syscall);
  napi_value m, c, e, n, s;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  free(msg);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
  napi_create_error(env, c, m, &e);
  napi_create_int32(env, -err, &n);
  napi_set_named_property(env, e, "errno", n);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, e, "syscall", s);
  if (path) {
    napi_value p;
    napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &p); /* invalid UTF-8 becomes U+FFFD */
    napi_set_named_property(env, e, "path", p);
  }
  napi_throw(env, e);
}

/* futimens(fd, atimeSec, atimeNsec, mtimeSec, mtimeNsec) */
static napi_value js_futimens(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != 5) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "futimens takes 5 arguments");
    return NULL;
  }
  double fd;
  struct timespec ts[2];
  if (!get_int(env, args[0], "fd", 0, 2147483647.0, &fd) || !get_times(env, args + 1, ts)) return NULL;
  if (futimens((int)fd, ts) != 0) throw_errno(env, errno, "futimens", NULL);
  return NULL;
}

/* lutimens(pathBuffer, atimeSec, atimeNsec, mtimeSec, mtimeNsec): never follows a final symlink */
static napi_value js_lutimens(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  bool is_buf = false;
  if (argc != 5 || napi_is_buffer(env, args[0], &is_buf) != napi_ok || !is_buf) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "lutimens takes (path: Buffer, 4 numbers)");
    return NULL;
  }
  struct timespec ts[2];
  if (!get_times(env, args + 1, ts)) return NULL;
  void *data;
  size_t len;
  napi_get_buffer_info(env, args[0], &data, &len);
  /* export paths are raw bytes: copy and NUL-terminate; an embedded NUL would name another path */
  if (len == 0 || memchr(data, 0, len) != NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "path must be non-empty and contain no NUL byte");
    return NULL;
  }
  char *path = malloc(len + 1);
  if (!path) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  memcpy(path, data, len);
  path[len] = 0;
  if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) != 0) throw_errno(env, errno, "utimensat", path);
  free(path);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    { "futimens", NULL, js_futimens, NULL, NULL, NULL, napi_enumerable, NULL },
    { "lutimens", NULL, js_lutimens, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, 2, props);
  return exports;
}
