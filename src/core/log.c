/*
 * log.c: structured log lines (key=value, one event a line). Each line is
 * built in a stack buffer and handed to the kernel with one write(), so lines
 * from different threads never interleave and logging never allocates (it
 * must work on the out-of-memory path). Lines longer than LINE_MAX_BYTES are
 * cut and end in "...". Timestamps are wall-clock time of the host: a log
 * line records when something happened, not business time.
 *
 * Values are written bare unless they are empty or contain a space, a quote,
 * '=', a backslash or a control character; then they are double-quoted with
 * \" \\ \n \r \t escapes and \xHH for other control bytes.
 */
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/time.h"

#define LINE_MAX_BYTES 8192
#define REQ_ID_MAX 64

static _Atomic int min_level = BSS_LOG_INFO;
static _Atomic int out_fd = STDERR_FILENO;
static _Thread_local char request_id[REQ_ID_MAX];

static const char *const level_names[] = {"debug", "info", "warn", "error"};

bss_err bss_log_level_parse(const char *name, bss_log_level *out)
{
    for (int i = 0; name && i < 4; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (bss_log_level)i;
            return BSS_OK;
        }
    }
    return BSS_E_INVALID;
}

void bss_log_set_level(bss_log_level level)
{
    atomic_store(&min_level, (int)level);
}

bool bss_log_enabled(bss_log_level level)
{
    return (int)level >= atomic_load_explicit(&min_level, memory_order_relaxed);
}

bss_err bss_log_open(const char *path)
{
    int fd = STDERR_FILENO;
    if (path != NULL) {
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (fd < 0)
            return BSS_E_IO;
    }
    int old = atomic_exchange(&out_fd, fd);
    if (old != STDERR_FILENO && old != fd)
        close(old);
    return BSS_OK;
}

void bss_log_set_request_id(const char *id)
{
    if (id == NULL) {
        request_id[0] = '\0';
        return;
    }
    size_t n = strnlen(id, REQ_ID_MAX - 1);
    memcpy(request_id, id, n);
    request_id[n] = '\0';
}

/* ---- line building ---- */

typedef struct line {
    char buf[LINE_MAX_BYTES];
    size_t len;
    bool cut;
} line;

static void put(line *l, const char *s, size_t n)
{
    size_t room = LINE_MAX_BYTES - 4 - l->len; /* keep space for "...\n" */
    if (n > room) {
        n = room;
        l->cut = true;
    }
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void puts_(line *l, const char *s)
{
    put(l, s, strlen(s));
}

static bool needs_quotes(const char *v)
{
    if (*v == '\0')
        return true;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7F)
            return true;
    return false;
}

static void put_value(line *l, const char *v)
{
    if (v == NULL) {
        put(l, "-", 1);
        return;
    }
    if (!needs_quotes(v)) {
        puts_(l, v);
        return;
    }
    put(l, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)v; *p && !l->cut; p++) {
        char esc[5];
        switch (*p) {
        case '"':
            put(l, "\\\"", 2);
            break;
        case '\\':
            put(l, "\\\\", 2);
            break;
        case '\n':
            put(l, "\\n", 2);
            break;
        case '\r':
            put(l, "\\r", 2);
            break;
        case '\t':
            put(l, "\\t", 2);
            break;
        default:
            if (*p < ' ' || *p == 0x7F) {
                snprintf(esc, sizeof(esc), "\\x%02x", *p);
                put(l, esc, 4);
            } else {
                put(l, (const char *)p, 1);
            }
        }
    }
    put(l, "\"", 1);
}

static void begin(line *l, bss_log_level level, const char *event)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char when[32];
    bss_time_format((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, when);
    l->len = 0;
    l->cut = false;
    puts_(l, "ts=");
    puts_(l, when);
    puts_(l, " level=");
    puts_(l, level_names[level]);
    puts_(l, " event=");
    put_value(l, event);
    if (request_id[0]) {
        puts_(l, " req=");
        put_value(l, request_id);
    }
}

static void finish(line *l)
{
    if (l->cut) {
        memcpy(l->buf + l->len, "...", 3);
        l->len += 3;
    }
    l->buf[l->len++] = '\n';
    int fd = atomic_load(&out_fd);
    size_t off = 0;
    while (off < l->len) {
        ssize_t n = write(fd, l->buf + off, l->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        off += (size_t)n;
    }
}

static bool level_ok(bss_log_level level)
{
    return (unsigned)level <= BSS_LOG_ERROR && bss_log_enabled(level);
}

void bss_log(bss_log_level level, const char *event, ...)
{
    if (!level_ok(level))
        return;
    line l;
    begin(&l, level, event);
    va_list ap;
    va_start(ap, event);
    const char *key;
    while ((key = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        put(&l, " ", 1);
        puts_(&l, key);
        put(&l, "=", 1);
        put_value(&l, value);
    }
    va_end(ap);
    finish(&l);
}

void bss_logf(bss_log_level level, const char *event, const char *fmt, ...)
{
    if (!level_ok(level))
        return;
    line l;
    begin(&l, level, event);
    put(&l, " ", 1);
    size_t room = LINE_MAX_BYTES - 4 - l.len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l.buf + l.len, room + 1, fmt, ap);
    va_end(ap);
    if (n > 0) {
        if ((size_t)n > room) {
            n = (int)room;
            l.cut = true;
        }
        l.len += (size_t)n;
    } else {
        l.len--; /* nothing formatted: drop the separator */
    }
    finish(&l);
}
