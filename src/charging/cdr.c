/*
 * cdr.c: the CDR file reader (charging.h): the header's columns found once,
 * then each row checked field by field into a typed record, or rejected
 * with its line, the reason and its original text. Nothing is allocated
 * per record (the CSV reader's buffer holds the fields), so the import's
 * speed is the CSV scan's and the rater's, not malloc's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "charging/charging.h"
#include "core/parse.h"
#include "core/time.h"

enum { C_RECORD_ID, C_START_TIME, C_MSISDN, C_SERVICE, C_DESTINATION, C_QUANTITY, C_UNIT, C_RATING_GROUP, C_VISITED_PLMN, C_COUNT };

static const char *const column_names[C_COUNT] = {
    "record_id", "start_time", "msisdn", "service", "destination", "quantity", "unit", "rating_group", "visited_plmn",
};

static const struct {
    const char *name;
    bss_cdr_service service;
    bss_cdr_unit unit;
} services[] = {
    {"voice", BSS_CDR_VOICE, BSS_CDR_SECONDS}, {"sms", BSS_CDR_SMS, BSS_CDR_MESSAGES},
    {"mms", BSS_CDR_MMS, BSS_CDR_MESSAGES},    {"data", BSS_CDR_DATA, BSS_CDR_BYTES},
    {"content", BSS_CDR_CONTENT, BSS_CDR_EVENTS},
};

static const char *const unit_names[] = {"", "s", "msg", "byte", "event"};

const char *bss_cdr_service_name(bss_cdr_service s)
{
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if (services[i].service == s)
            return services[i].name;
    return "";
}

bss_cdr_service bss_cdr_service_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof services / sizeof services[0]; i++)
        if (strcmp(name, services[i].name) == 0)
            return services[i].service;
    return 0;
}

bool bss_usage_id_ok(const char *id, size_t n)
{
    if (n == 0 || n > BSS_CDR_RECORD_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == ':' || c == '~' || c == '-'))
            return false;
    }
    return true;
}

const char *bss_cdr_unit_name(bss_cdr_unit u)
{
    return u >= BSS_CDR_SECONDS && u <= BSS_CDR_EVENTS ? unit_names[u] : "";
}

bss_cdr_limits bss_cdr_limits_default(int64_t now_ms)
{
    return (bss_cdr_limits){.max_seconds = 86400,
                            .max_messages = 1000,
                            .max_bytes = INT64_C(1000000000000),
                            .max_events = 1000000,
                            .now_ms = now_ms,
                            .future_ms = 300000};
}

/* Whether s[0..n) is valid UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
static bool utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0 || i + len > n || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4))
            return false;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        if (len == 3 && ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0)))
            return false;
        if (len == 4 && ((c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90)))
            return false;
        i += len;
    }
    return true;
}

static bool digits(const char *s, size_t n, size_t min, size_t max)
{
    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bss_err bss_cdr_open(bss_cdr_reader *r, const char *data, size_t len, const bss_cdr_limits *limits, bss_errinfo *ei)
{
    memset(r->col, -1, sizeof r->col);
    memset(r->known, 0, sizeof r->known);
    r->limits = *limits;
    r->ncols = 0;
    bss_csv_init(&r->csv, data, len);
    int64_t line = 0;
    bss_err rc = bss_csv_next(&r->csv, &line, ei);
    if (rc == BSS_E_DONE)
        return bss_fail(ei, BSS_E_INVALID, "line 1", "line 1: the file is empty; a header row is expected");
    if (rc != BSS_OK)
        return rc;
    char lf[24]; /* the header's line: 1 unless blank lines come first */
    snprintf(lf, sizeof lf, "line %lld", (long long)line);
    r->ncols = r->csv.nfields;
    for (size_t i = 0; i < r->ncols; i++) {
        const char *f = r->csv.field[i];
        size_t n = r->csv.len[i];
        while (n && *f == ' ')
            f++, n--;
        while (n && f[n - 1] == ' ')
            n--;
        if (n == 0 || n >= sizeof r->names[i] || !utf8_ok((const unsigned char *)f, n))
            return bss_fail(ei, BSS_E_INVALID, lf, "%s: column %zu has no usable name", lf, i + 1);
        snprintf(r->names[i], sizeof r->names[i], "%.*s", (int)n, f);
        for (int c = 0; c < C_COUNT; c++)
            if (strcmp(r->names[i], column_names[c]) == 0) {
                if (r->col[c] >= 0)
                    return bss_fail(ei, BSS_E_INVALID, lf, "%s: column %s appears twice", lf, column_names[c]);
                r->col[c] = (int)i;
                r->known[i] = true;
            }
        for (size_t k = 0; k < i && !r->known[i]; k++)
            if (strcmp(r->names[k], r->names[i]) == 0)
                return bss_fail(ei, BSS_E_INVALID, lf, "%s: column %s appears twice", lf, r->names[i]);
    }
    for (int c = 0; c <= C_UNIT; c++)
        if (r->col[c] < 0)
            return bss_fail(ei, BSS_E_INVALID, lf, "%s: missing column %s (a CDR file has %s)", lf, column_names[c],
                            "record_id,start_time,msisdn,service,destination,quantity,unit,rating_group,visited_plmn");
    return BSS_OK;
}

static bss_err reject(bss_errinfo *ei, int64_t line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bss_err reject(bss_errinfo *ei, int64_t line, const char *field, const char *fmt, ...)
{
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return bss_fail(ei, BSS_E_INVALID, field, "line %lld: %s", (long long)line, why);
}

bss_err bss_cdr_next(bss_cdr_reader *r, bss_cdr *out, const char **raw, size_t *raw_len, bss_errinfo *ei)
{
    int64_t line = 0;
    bss_err rc = bss_csv_next(&r->csv, &line, ei);
    out->line = line ? line : r->csv.line;
    *raw = r->csv.raw;
    *raw_len = r->csv.raw_len;
    if (rc != BSS_OK)
        return rc;
    bss_csv *c = &r->csv;
    if (c->nfields != r->ncols) {
        char a[24], b[24];
        snprintf(a, sizeof a, "%zu", c->nfields);
        snprintf(b, sizeof b, "%zu", r->ncols);
        return reject(ei, line, "line", "the row has %s fields, the header %s (a truncated file?)", a, b);
    }
    for (size_t i = 0; i < c->nfields; i++)
        if (!utf8_ok((const unsigned char *)c->field[i], c->len[i]))
            return reject(ei, line, r->names[i], "%s is not UTF-8 text", r->names[i]);
#define F(k) (c->field[r->col[k]])
#define L(k) (c->len[r->col[k]])
    const char *id = F(C_RECORD_ID);
    if (L(C_RECORD_ID) == 0 || L(C_RECORD_ID) > BSS_CDR_RECORD_ID_MAX)
        return reject(ei, line, "record_id", "record_id must be 1 to 128 bytes");
    if (!bss_usage_id_ok(id, L(C_RECORD_ID)))
        return reject(ei, line, "record_id", "record_id holds a character other than A-Z a-z 0-9 . _ : ~ -");
    out->record_id = id;
    if (bss_time_parse(F(C_START_TIME), L(C_START_TIME), &out->start_ms, NULL) != BSS_OK)
        return reject(ei, line, "start_time", "start_time %.40s is not an RFC 3339 time", F(C_START_TIME));
    if (out->start_ms > r->limits.now_ms + r->limits.future_ms)
        return reject(ei, line, "start_time", "start_time %.40s is in the future", F(C_START_TIME));
    if (!digits(F(C_MSISDN), L(C_MSISDN), 6, 15))
        return reject(ei, line, "msisdn", "msisdn %.32s is not 6 to 15 digits (E.164 without '+')", F(C_MSISDN));
    out->msisdn = F(C_MSISDN);
    int s = -1;
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if (strcmp(F(C_SERVICE), services[i].name) == 0)
            s = (int)i;
    if (s < 0)
        return reject(ei, line, "service", "unknown service %.32s (voice, sms, mms, data, content)", F(C_SERVICE));
    out->service = services[s].service;
    int u = -1;
    for (int i = BSS_CDR_SECONDS; i <= BSS_CDR_EVENTS; i++)
        if (strcmp(F(C_UNIT), unit_names[i]) == 0)
            u = i;
    if (u < 0)
        return reject(ei, line, "unit", "unknown unit %.32s (s, msg, byte, event)", F(C_UNIT));
    if ((bss_cdr_unit)u != services[s].unit)
        return reject(ei, line, "unit", "unit %s does not fit service %s", unit_names[u], services[s].name);
    out->unit = (bss_cdr_unit)u;
    int64_t max = u == BSS_CDR_SECONDS ? r->limits.max_seconds
                  : u == BSS_CDR_MESSAGES ? r->limits.max_messages
                  : u == BSS_CDR_BYTES    ? r->limits.max_bytes
                                          : r->limits.max_events;
    if (bss_parse_int64(F(C_QUANTITY), L(C_QUANTITY), BSS_NUM_DIGITS, 0, INT64_MAX, &out->quantity) != BSS_OK)
        return reject(ei, line, "quantity", "quantity %.32s is not a whole number >= 0", F(C_QUANTITY));
    if (out->quantity > max) {
        char m[24];
        snprintf(m, sizeof m, "%lld", (long long)max);
        return reject(ei, line, "quantity", "quantity %.32s is more than the most a record may hold (%s)", F(C_QUANTITY), m);
    }
    bool calls = out->service == BSS_CDR_VOICE || out->service == BSS_CDR_SMS || out->service == BSS_CDR_MMS;
    if (calls && !digits(F(C_DESTINATION), L(C_DESTINATION), 1, 20))
        return reject(ei, line, "destination", "destination %.32s is not 1 to 20 digits", F(C_DESTINATION));
    if (!calls && L(C_DESTINATION) > 0)
        return reject(ei, line, "destination", "destination must be empty for %s", services[s].name);
    out->destination = F(C_DESTINATION);
    out->rating_group = -1;
    if (r->col[C_RATING_GROUP] >= 0 && L(C_RATING_GROUP) > 0) {
        if (out->service != BSS_CDR_DATA)
            return reject(ei, line, "rating_group", "rating_group is for data records only");
        if (bss_parse_int64(F(C_RATING_GROUP), L(C_RATING_GROUP), BSS_NUM_DIGITS, 0, INT64_C(4294967295),
                            &out->rating_group) != BSS_OK)
            return reject(ei, line, "rating_group", "rating_group %.32s is not an integer 0..4294967295",
                          F(C_RATING_GROUP));
    }
    out->visited_plmn = "";
    if (r->col[C_VISITED_PLMN] >= 0 && L(C_VISITED_PLMN) > 0) {
        const char *v = F(C_VISITED_PLMN);
        size_t n = L(C_VISITED_PLMN);
        if (!(n >= 6 && n <= 7 && digits(v, 3, 3, 3) && v[3] == '-' && digits(v + 4, n - 4, 2, 3)))
            return reject(ei, line, "visited_plmn", "visited_plmn %.16s is not MCC-MNC (234-15)", v);
        out->visited_plmn = v;
    }
#undef F
#undef L
    out->nextra = 0;
    for (size_t i = 0; i < c->nfields && out->nextra < BSS_CDR_EXTRA_MAX; i++)
        if (!r->known[i] && c->len[i] > 0) {
            out->extra[out->nextra].name = r->names[i];
            out->extra[out->nextra].value = c->field[i];
            out->nextra++;
        }
    return BSS_OK;
}

/* ---- chunks ---- */

bss_err bss_cdr_split_open(bss_cdr_split *s, const char *data, size_t len, bss_errinfo *ei)
{
    memset(s, 0, sizeof *s);
    s->data = data;
    s->len = len;
    bss_csv_init(&s->csv, data, len);
    int64_t line = 0;
    bss_err rc = bss_csv_next(&s->csv, &line, ei);
    if (rc == BSS_E_DONE)
        return bss_fail(ei, BSS_E_INVALID, "line 1", "line 1: the file is empty; a header row is expected");
    if (rc != BSS_OK)
        return rc;
    s->header = s->csv.raw;
    s->header_len = s->csv.raw_len;
    s->pos = (size_t)(s->csv.p - data);
    return BSS_OK;
}

bool bss_cdr_split_next(bss_cdr_split *s, int max_rows, size_t max_bytes, const char **chunk, size_t *chunk_len,
                        int64_t *first_line, int *rows)
{
    if (s->done)
        return false;
    size_t start = s->pos;
    *first_line = s->csv.line;
    int n = 0;
    while (n < max_rows && (size_t)(s->csv.p - s->data) - start < max_bytes) {
        int64_t line = 0;
        if (bss_csv_next(&s->csv, &line, NULL) == BSS_E_DONE) {
            s->done = true;
            break;
        }
        n++;
    }
    s->pos = (size_t)(s->csv.p - s->data);
    *chunk = s->data + start;
    *chunk_len = s->pos - start;
    *rows = n;
    return n > 0 || *chunk_len > 0 || !s->done;
}
