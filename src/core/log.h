/*
 * log.h: structured log lines, one event a line, key=value:
 *   ts=2026-11-22T01:40:08.123Z level=info event=http.listen req=... addr=127.0.0.1:8080
 * Values with spaces, quotes or '=' are double-quoted with escapes. The
 * request id of the current thread (set by the HTTP layer per request) is
 * added as req=... when set. Lines go to stderr (or the file given to
 * bss_log_open) with one write() each, so threads never interleave.
 */
#ifndef BSS_CORE_LOG_H
#define BSS_CORE_LOG_H

#include <stdbool.h>

#include "core/err.h"

typedef enum bss_log_level { BSS_LOG_DEBUG, BSS_LOG_INFO, BSS_LOG_WARN, BSS_LOG_ERROR } bss_log_level;

/* "debug" | "info" | "warn" | "error" -> level; BSS_E_INVALID otherwise. */
bss_err bss_log_level_parse(const char *name, bss_log_level *out);
void bss_log_set_level(bss_log_level level);
bool bss_log_enabled(bss_log_level level);
/* Log to this file (appending) instead of stderr; NULL returns to stderr. */
bss_err bss_log_open(const char *path);

/* The request id added to this thread's lines; NULL clears it. The string is copied. */
void bss_log_set_request_id(const char *id);

/*
 * bss_log(BSS_LOG_INFO, "http.listen", "addr", addr, "threads", "2", NULL);
 * Pairs of key, value strings, NULL-terminated. A NULL value prints as -.
 */
void bss_log(bss_log_level level, const char *event, ...) __attribute__((sentinel));

/* bss_logf(BSS_LOG_WARN, "db.retry", "attempt=%d backend=%s", n, name): preformatted pairs. */
void bss_logf(bss_log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
