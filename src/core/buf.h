/*
 * buf.h: a growable byte buffer with a hard cap (curl's dynbuf): every
 * buffer fed from the network or a file is created with the most it may
 * hold, and an append past it fails with BSS_E_TOO_BIG instead of growing.
 * data is always NUL-terminated (the NUL is not counted in len).
 */
#ifndef BSS_CORE_BUF_H
#define BSS_CORE_BUF_H

#include <stddef.h>

#include "core/err.h"

typedef struct bss_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* most bytes it may hold, excluding the NUL */
} bss_buf;

void bss_buf_init(bss_buf *b, size_t max);
bss_err bss_buf_append(bss_buf *b, const void *data, size_t len);
bss_err bss_buf_appends(bss_buf *b, const char *s);
bss_err bss_buf_appendf(bss_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included. */
bss_err bss_buf_append_json_str(bss_buf *b, const char *s, size_t len);
void bss_buf_reset(bss_buf *b); /* len = 0, memory kept */
void bss_buf_free(bss_buf *b);  /* back to empty, memory released */
/* Hands the data to the caller (free with bss_free); b becomes empty. */
char *bss_buf_take(bss_buf *b, size_t *len);

#endif
