/*
 * buf.c: the capped growable buffer (after curl's dynbuf). Every buffer that
 * holds input from the network or a file is created with a maximum, and an
 * append that would pass it fails with BSS_E_TOO_BIG and leaves the buffer as
 * it was (no partial appends). Storage doubles from MIN_ALLOC up to max + 1.
 *
 * Until the first append, data points at a shared empty string (so data is
 * always a valid NUL-terminated string) and cap is 0; nothing is ever written
 * through that pointer. bss_buf_take always returns bss_malloc'd memory.
 */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

#define MIN_ALLOC 64

static char empty[1];

void bss_buf_init(bss_buf *b, size_t max)
{
    b->data = empty;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

/* Makes room for `extra` more bytes plus the NUL. */
static bss_err reserve(bss_buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return BSS_E_TOO_BIG;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return BSS_OK;
    size_t limit = b->max == SIZE_MAX ? SIZE_MAX : b->max + 1;
    size_t cap = b->cap ? b->cap : MIN_ALLOC;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
    if (cap > limit)
        cap = limit;
    char *p = bss_realloc(b->cap ? b->data : NULL, cap);
    if (p == NULL)
        return BSS_E_NOMEM;
    if (b->cap == 0)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return BSS_OK;
}

bss_err bss_buf_append(bss_buf *b, const void *data, size_t len)
{
    if (len == 0)
        return BSS_OK;
    bss_err e = reserve(b, len);
    if (e)
        return e;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return BSS_OK;
}

bss_err bss_buf_appends(bss_buf *b, const char *s)
{
    return bss_buf_append(b, s, strlen(s));
}

bss_err bss_buf_appendf(bss_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    bss_err e = BSS_OK;
    if (n < 0)
        e = BSS_E_INVALID;
    else if (n > 0 && (e = reserve(b, (size_t)n)) == BSS_OK) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
    return e;
}

bss_err bss_buf_append_json_str(bss_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t start_len = b->len;
    bss_err e = bss_buf_append(b, "\"", 1);
    size_t run = 0; /* start of the current run of bytes that need no escape */
    for (size_t i = 0; i < len && e == BSS_OK; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (ch) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[ch >> 4];
            esc[5] = hex[ch & 0xF];
            n = 6;
        }
        if ((e = bss_buf_append(b, s + run, i - run)) == BSS_OK)
            e = bss_buf_append(b, esc, n);
        run = i + 1;
    }
    if (e == BSS_OK)
        e = bss_buf_append(b, s + run, len - run);
    if (e == BSS_OK)
        e = bss_buf_append(b, "\"", 1);
    if (e != BSS_OK && b->cap) {
        b->len = start_len; /* all or nothing */
        b->data[b->len] = '\0';
    }
    return e;
}

void bss_buf_reset(bss_buf *b)
{
    b->len = 0;
    if (b->cap)
        b->data[0] = '\0';
}

void bss_buf_free(bss_buf *b)
{
    if (b->cap)
        bss_free(b->data);
    bss_buf_init(b, b->max);
}

char *bss_buf_take(bss_buf *b, size_t *len)
{
    char *p = b->cap ? b->data : bss_strdup("");
    if (len)
        *len = p ? b->len : 0;
    bss_buf_init(b, b->max);
    return p;
}
