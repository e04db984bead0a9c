/*
 * csv.c: the RFC 4180 reader of csv.h.
 */
#include "core/csv.h"

#include <stdio.h>
#include <string.h>

void bss_csv_init(bss_csv *c, const char *data, size_t len)
{
    memset(c, 0, sizeof *c);
    c->p = data;
    c->end = data + len;
    c->line = 1;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        c->p += 3;
}

/* Skips to the start of the next line (after an error). */
static void skip_line(bss_csv *c)
{
    while (c->p < c->end && *c->p != '\n')
        c->p++;
    if (c->p < c->end) {
        c->p++;
        c->line++;
    }
}

/* The raw text of the record that began at rs and ended just before c->p, without its line end. */
static void set_raw(bss_csv *c, const char *rs)
{
    const char *e = c->p;
    if (e > rs && e[-1] == '\n')
        e--;
    if (e > rs && e[-1] == '\r')
        e--;
    c->raw = rs;
    c->raw_len = (size_t)(e - rs);
}

static bss_err bad(bss_csv *c, int64_t line, const char *rs, bss_errinfo *ei, const char *why)
{
    char where[32];
    snprintf(where, sizeof where, "line %lld", (long long)line);
    skip_line(c);
    set_raw(c, rs);
    return bss_fail(ei, BSS_E_INVALID, where, "line %lld: %s", (long long)line, why);
}

bss_err bss_csv_next(bss_csv *c, int64_t *line, bss_errinfo *ei)
{
    for (;;) { /* blank lines */
        if (c->p >= c->end)
            return BSS_E_DONE;
        if (*c->p == '\n') {
            c->p++;
            c->line++;
        } else if (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n') {
            c->p += 2;
            c->line++;
        } else {
            break;
        }
    }
    int64_t start = c->line;
    const char *rs = c->p;
    *line = start;
    c->nfields = 0;
    size_t used = 0;
    for (;;) {
        if (c->nfields == BSS_CSV_MAX_FIELDS)
            return bad(c, start, rs, ei, "more than 64 fields");
        char *out = c->buf + used;
        size_t n = 0;
        bool quoted = c->p < c->end && *c->p == '"';
        if (quoted) {
            c->p++;
            for (;;) {
                if (c->p >= c->end) { /* the rest of the file is not one field: go on at the record's next line */
                    c->p = rs;
                    c->line = start;
                    return bad(c, start, rs, ei, "a quoted field is never closed");
                }
                char ch = *c->p++;
                if (ch == '"') {
                    if (c->p < c->end && *c->p == '"') {
                        c->p++;
                    } else {
                        break;
                    }
                } else if (ch == '\n') {
                    c->line++;
                } else if (ch == '\0') {
                    return bad(c, start, rs, ei, "a NUL byte");
                }
                if (n == BSS_CSV_MAX_FIELD || used + n + 1 >= sizeof c->buf)
                    return bad(c, start, rs, ei, "a field longer than 4096 bytes");
                out[n++] = ch;
            }
            if (c->p < c->end && *c->p != ',' && *c->p != '\n' && !(*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n') )
                return bad(c, start, rs, ei, "text after a closing quote");
        } else {
            while (c->p < c->end && *c->p != ',' && *c->p != '\n' &&
                   !(*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')) {
                if (*c->p == '\0')
                    return bad(c, start, rs, ei, "a NUL byte");
                if (*c->p == '"')
                    return bad(c, start, rs, ei, "a quote inside an unquoted field (quote the whole field)");
                if (n == BSS_CSV_MAX_FIELD || used + n + 1 >= sizeof c->buf)
                    return bad(c, start, rs, ei, "a field longer than 4096 bytes");
                out[n++] = *c->p++;
            }
        }
        out[n] = '\0';
        c->field[c->nfields] = out;
        c->len[c->nfields++] = n;
        used += n + 1;
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '\r')
            c->p++;
        if (c->p < c->end && *c->p == '\n') {
            c->p++;
            c->line++;
        }
        set_raw(c, rs);
        return BSS_OK;
    }
}

int bss_csv_column(const bss_csv *header, const char *name)
{
    for (size_t i = 0; i < header->nfields; i++) {
        const char *f = header->field[i];
        size_t n = header->len[i];
        while (n && *f == ' ') {
            f++;
            n--;
        }
        while (n && f[n - 1] == ' ')
            n--;
        if (n == strlen(name) && memcmp(f, name, n) == 0)
            return (int)i;
    }
    return -1;
}

void bss_csv_write_field(FILE *f, const char *s)
{
    if (!s)
        s = "";
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
