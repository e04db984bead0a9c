/*
 * query.c: parses a TMF630 list query string (offset, limit, fields, sort
 * and attribute filters) into a bss_query, and evaluates its filters
 * against JSON documents. The grammar and matching rules are in query.h.
 * Everything a parsed query holds lives in one arena, freed at once by
 * bss_query_free. Pure: no I/O, no clock, no globals.
 */
#include "api/query.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/parse.h"
#include "core/time.h"

static const char *const op_names[] = {"eq", "gt", "gte", "lt", "lte"};

const char *bss_query_op_name(bss_query_op op)
{
    return (unsigned)op < 5 ? op_names[op] : "?";
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bss_err bss_query_decode(const char *src, size_t len, char *dst, size_t *out_len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (len - i < 3)
                return BSS_E_INVALID;
            int hi = hexval(src[i + 1]), lo = hexval(src[i + 2]);
            if (hi < 0 || lo < 0)
                return BSS_E_INVALID;
            c = (char)(hi * 16 + lo);
            i += 2;
            if (c == '\0')
                return BSS_E_INVALID;
        } else if (c == '\0') {
            return BSS_E_INVALID;
        }
        dst[n++] = c;
    }
    dst[n] = '\0';
    if (out_len)
        *out_len = n;
    return BSS_OK;
}

bss_err bss_query_param(const char *query, size_t len, const char *name, char *buf, size_t cap, bool *present,
                        bss_errinfo *ei)
{
    *present = false;
    const char *p = query, *end = query ? query + len : NULL;
    while (p && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        const char *kend = eq ? eq : stop;
        char key[64];
        size_t klen = (size_t)(kend - p);
        bool named = klen < sizeof key && bss_query_decode(p, klen, key, NULL) == BSS_OK && strcmp(key, name) == 0;
        if (named) {
            if (*present)
                return bss_fail(ei, BSS_E_INVALID, name, "%s is given more than once", name);
            const char *val = eq ? eq + 1 : stop;
            size_t vlen = (size_t)(stop - val), out = 0;
            /* a decoded value is never longer than its text: check the text against cap first */
            char *tmp = vlen < 4096 ? bss_malloc(vlen + 1) : NULL;
            bss_err rc = tmp ? bss_query_decode(val, vlen, tmp, &out) : BSS_E_INVALID;
            if (rc == BSS_OK && out + 1 > cap)
                rc = BSS_E_INVALID;
            if (rc == BSS_OK)
                memcpy(buf, tmp, out + 1);
            bss_free(tmp);
            if (rc != BSS_OK)
                return bss_fail(ei, BSS_E_INVALID, name, "%s is malformed or longer than %zu bytes", name, cap - 1);
            *present = true;
        }
        p = amp ? amp + 1 : end;
    }
    return BSS_OK;
}

/* Decodes src[0..len) into a new arena string. */
static bss_err decode_dup(bss_arena *a, const char *src, size_t len, const char **out, bss_errinfo *ei,
                          const char *what)
{
    char *dst = bss_arena_alloc(a, len + 1);
    if (!dst)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (bss_query_decode(src, len, dst, NULL) != BSS_OK)
        return bss_fail(ei, BSS_E_INVALID, what, "bad percent-encoding in query parameter '%.*s'",
                        (int)(len > 64 ? 64 : len), src);
    *out = dst;
    return BSS_OK;
}

static bool seg_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '@' || c == '$' || c == '-';
}

/* Splits a dotted attribute path into validated segments. */
static bss_err split_path(bss_arena *a, const char *attr, const char *param, const char ***segs,
                          size_t *nsegs, bss_errinfo *ei)
{
    size_t n = 1;
    for (const char *p = attr; *p; p++)
        n += *p == '.';
    if (n > BSS_QUERY_MAX_DEPTH)
        return bss_fail(ei, BSS_E_INVALID, param, "attribute path '%s' is deeper than %d", attr,
                        BSS_QUERY_MAX_DEPTH);
    const char **out = bss_arena_alloc(a, n * sizeof *out);
    if (!out)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    size_t k = 0;
    const char *start = attr;
    for (const char *p = attr;; p++) {
        if (*p != '.' && *p != '\0') {
            if (!seg_char_ok(*p))
                return bss_fail(ei, BSS_E_INVALID, param,
                                "attribute name '%s' has a character not allowed: '%c'", attr, *p);
            continue;
        }
        if (p == start)
            return bss_fail(ei, BSS_E_INVALID, param, "attribute name '%s' has an empty part", attr);
        char *seg = bss_arena_strndup(a, start, (size_t)(p - start));
        if (!seg)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        out[k++] = seg;
        if (*p == '\0')
            break;
        start = p + 1;
    }
    *segs = out;
    *nsegs = k;
    return BSS_OK;
}

static int op_of(const char *s, size_t len)
{
    for (int i = 0; i < 5; i++)
        if (strlen(op_names[i]) == len && memcmp(op_names[i], s, len) == 0)
            return i;
    return -1;
}

/* Digits only, no sign, within [lo, hi]. */
static bool parse_count(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    size_t len = strlen(s);
    return len <= 12 && bss_parse_int64(s, len, BSS_NUM_DIGITS, lo, hi, out) == BSS_OK;
}

/* Splits raw[0..len) at ',' and decodes each piece. */
static bss_err split_values(bss_arena *a, const char *raw, size_t len, const char *param, const char ***vals,
                            size_t *nvals, bss_errinfo *ei)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += raw[i] == ',';
    if (n > BSS_QUERY_MAX_VALUES)
        return bss_fail(ei, BSS_E_INVALID, param, "%s has more than %d comma-separated values", param,
                        BSS_QUERY_MAX_VALUES);
    const char **out = bss_arena_alloc(a, n * sizeof *out);
    if (!out)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && raw[i] != ',')
            continue;
        bss_err rc = decode_dup(a, raw + start, i - start, &out[k], ei, param);
        if (rc)
            return rc;
        k++;
        start = i + 1;
    }
    *vals = out;
    *nvals = k;
    return BSS_OK;
}

static bss_err parse_fields(bss_query *q, const char *raw, size_t len, bss_errinfo *ei)
{
    const char **vals;
    size_t n;
    bss_err rc = split_values(q->arena, raw, len, "fields", &vals, &n, ei);
    if (rc)
        return rc;
    q->fields = bss_arena_alloc(q->arena, n * sizeof *q->fields);
    if (!q->fields)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char **segs;
        size_t nsegs;
        if (!*vals[i])
            return bss_fail(ei, BSS_E_INVALID, "fields", "fields has an empty attribute name");
        rc = split_path(q->arena, vals[i], "fields", &segs, &nsegs, ei);
        if (rc)
            return rc;
        const char *top = segs[0];
        if (strcmp(top, "id") == 0 || strcmp(top, "href") == 0)
            continue;
        bool dup = false;
        for (size_t j = 0; j < q->nfields; j++)
            dup = dup || strcmp(q->fields[j], top) == 0;
        if (!dup)
            q->fields[q->nfields++] = top;
    }
    q->has_fields = true;
    return BSS_OK;
}

static bss_err parse_sort(bss_query *q, const char *raw, size_t len, bss_errinfo *ei)
{
    const char **vals;
    size_t n;
    bss_err rc = split_values(q->arena, raw, len, "sort", &vals, &n, ei);
    if (rc)
        return rc;
    q->sort = bss_arena_alloc(q->arena, n * sizeof *q->sort);
    if (!q->sort)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *v = vals[i];
        bool desc = false;
        if (*v == '-' || *v == '+' || *v == ' ') {
            desc = *v == '-';
            v++;
        }
        if (!*v)
            return bss_fail(ei, BSS_E_INVALID, "sort", "sort has an empty attribute name");
        const char **segs;
        size_t nsegs;
        rc = split_path(q->arena, v, "sort", &segs, &nsegs, ei);
        if (rc)
            return rc;
        q->sort[q->nsort].attr = v;
        q->sort[q->nsort].desc = desc;
        q->nsort++;
    }
    return BSS_OK;
}

/* Reads the operator off a decoded key: attr[op], attr.op or (given) a trailing '>'/'<'. */
static bss_err split_operator(bss_arena *a, const char *key, int pre_op, const char **attr, bss_query_op *op,
                              bss_errinfo *ei)
{
    size_t len = strlen(key);
    int found = -1;
    size_t attr_len = len;
    if (len > 0 && key[len - 1] == ']') {
        const char *open = memchr(key, '[', len);
        if (!open)
            return bss_fail(ei, BSS_E_INVALID, key, "parameter '%s' has ']' without '['", key);
        size_t olen = (size_t)(key + len - 1 - (open + 1));
        found = op_of(open + 1, olen);
        if (found < 0)
            return bss_fail(ei, BSS_E_INVALID, key,
                            "unknown operator '%.*s' in '%s' (use eq, gt, gte, lt, lte)", (int)olen, open + 1,
                            key);
        attr_len = (size_t)(open - key);
    } else {
        const char *dot = memrchr(key, '.', len);
        if (dot) {
            int o = op_of(dot + 1, (size_t)(key + len - dot - 1));
            if (o >= 0) {
                found = o;
                attr_len = (size_t)(dot - key);
            }
        }
    }
    if (found >= 0 && pre_op >= 0)
        return bss_fail(ei, BSS_E_INVALID, key, "parameter '%s' has two operators", key);
    *op = (bss_query_op)(found >= 0 ? found : pre_op >= 0 ? pre_op : BSS_QOP_EQ);
    if (attr_len == 0)
        return bss_fail(ei, BSS_E_INVALID, key, "parameter '%s' has an empty attribute name", key);
    *attr = bss_arena_strndup(a, key, attr_len);
    return *attr ? BSS_OK : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
}

static bool looks_like_time(const char *s, size_t len);
static bool value_time(const char *v, int64_t *ms);

/* TMF names its instants lastUpdate, *Date and *DateTime (validFor.startDateTime, orderDate, ...). */
static bool time_attribute(const char *name)
{
    size_t n = strlen(name);
    if (strcmp(name, "lastUpdate") == 0)
        return true;
    return (n > 4 && strcmp(name + n - 4, "Date") == 0) || (n > 8 && strcmp(name + n - 8, "DateTime") == 0);
}

/*
 * A filter on a time attribute, and any value shaped like a date
 * (YYYY-...), must be a real RFC 3339 instant: "lastUpdate.gt=yesterday" or
 * "2026-02-30" is a 400, not a filter that silently matches nothing.
 */
static bss_err check_time_values(const bss_query_filter *f, bss_errinfo *ei)
{
    bool want_time = f->nsegs > 0 && time_attribute(f->segs[f->nsegs - 1]);
    for (size_t i = 0; i < f->nvalues; i++) {
        const char *v = f->values[i];
        int64_t ms;
        if ((want_time || looks_like_time(v, strlen(v))) && !value_time(v, &ms))
            return bss_fail(ei, BSS_E_INVALID, f->param, "%s: expected an RFC 3339 time, got '%.60s'",
                            f->param, v);
    }
    return BSS_OK;
}

static bss_err add_filter(bss_query *q, const char *key, int pre_op, const char *raw_val, size_t val_len,
                          bss_errinfo *ei)
{
    bss_query_filter *f = &q->filters[q->nfilters];
    memset(f, 0, sizeof *f);
    f->param = key;
    bss_err rc = split_operator(q->arena, key, pre_op, &f->attr, &f->op, ei);
    for (size_t i = 0; !rc && i < q->nfilters; i++) /* one value list per attribute and operator */
        if (q->filters[i].op == f->op && strcmp(q->filters[i].attr, f->attr) == 0)
            rc = bss_fail(ei, BSS_E_INVALID, key, "%s is given more than once (list values as a=x,y)", key);
    if (!rc)
        rc = split_path(q->arena, f->attr, key, &f->segs, &f->nsegs, ei);
    if (!rc)
        rc = split_values(q->arena, raw_val, val_len, key, &f->values, &f->nvalues, ei);
    if (!rc)
        rc = check_time_values(f, ei);
    if (rc)
        return rc;
    q->nfilters++;
    return BSS_OK;
}

static bss_err parse_reserved(bss_query *q, const char *key, const char *raw_val, size_t val_len,
                              unsigned *seen, bool *handled, bss_errinfo *ei)
{
    static const char *const reserved[] = {"offset", "limit", "fields", "sort"};
    int which = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(key, reserved[i]) == 0)
            which = i;
    *handled = which >= 0;
    if (which < 0)
        return BSS_OK;
    if (*seen & (1u << which))
        return bss_fail(ei, BSS_E_INVALID, key, "%s is given more than once", key);
    *seen |= 1u << which;
    if (which == 2)
        return parse_fields(q, raw_val, val_len, ei);
    if (which == 3)
        return parse_sort(q, raw_val, val_len, ei);
    const char *val;
    bss_err rc = decode_dup(q->arena, raw_val, val_len, &val, ei, key);
    if (rc)
        return rc;
    if (which == 0 && !parse_count(val, 0, BSS_QUERY_MAX_OFFSET, &q->offset))
        return bss_fail(ei, BSS_E_INVALID, "offset", "offset must be an integer from 0 to %lld, got '%.40s'",
                        (long long)BSS_QUERY_MAX_OFFSET, val);
    if (which == 1 && !parse_count(val, 1, BSS_QUERY_MAX_LIMIT, &q->limit))
        return bss_fail(ei, BSS_E_INVALID, "limit", "limit must be an integer from 1 to %d, got '%.40s'",
                        BSS_QUERY_MAX_LIMIT, val);
    return BSS_OK;
}

/* One "key=value" (or "key>value") parameter of raw length len. */
static bss_err parse_param(bss_query *q, const char *p, size_t len, unsigned *seen, bss_errinfo *ei)
{
    const char *eq = memchr(p, '=', len);
    const char *raw_val;
    size_t key_len, val_len;
    int pre_op = -1;
    if (eq) {
        key_len = (size_t)(eq - p);
        raw_val = eq + 1;
        val_len = len - key_len - 1;
    } else {
        const char *gt = memchr(p, '>', len), *lt = memchr(p, '<', len);
        const char *cut = gt && (!lt || gt < lt) ? gt : lt;
        if (!cut)
            return bss_fail(ei, BSS_E_INVALID, "query", "query parameter '%.*s' has no value",
                            (int)(len > 64 ? 64 : len), p);
        pre_op = cut == gt ? BSS_QOP_GT : BSS_QOP_LT;
        key_len = (size_t)(cut - p);
        raw_val = cut + 1;
        val_len = len - key_len - 1;
    }
    const char *key;
    bss_err rc = decode_dup(q->arena, p, key_len, &key, ei, "query");
    if (rc)
        return rc;
    size_t klen = strlen(key);
    if (eq && klen > 0 && (key[klen - 1] == '>' || key[klen - 1] == '<')) {
        pre_op = key[klen - 1] == '>' ? BSS_QOP_GTE : BSS_QOP_LTE;
        ((char *)key)[--klen] = '\0';
    }
    if (klen == 0)
        return bss_fail(ei, BSS_E_INVALID, "query", "query parameter '%.*s' has an empty name",
                        (int)(len > 64 ? 64 : len), p);
    if (pre_op < 0) {
        bool handled;
        rc = parse_reserved(q, key, raw_val, val_len, seen, &handled, ei);
        if (rc || handled)
            return rc;
    }
    return add_filter(q, key, pre_op, raw_val, val_len, ei);
}

bss_err bss_query_parse(const char *raw, size_t len, bss_query *out, bss_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    out->limit = BSS_QUERY_DEFAULT_LIMIT;
    if (!raw || len == 0)
        return BSS_OK;
    size_t nparams = 1;
    for (size_t i = 0; i < len; i++)
        nparams += raw[i] == '&';
    if (nparams > BSS_QUERY_MAX_PARAMS * 4)
        return bss_fail(ei, BSS_E_INVALID, "query", "query has more than %d parameters",
                        BSS_QUERY_MAX_PARAMS);
    out->arena = bss_arena_create(len * 3 + 512);
    if (!out->arena)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    out->filters = bss_arena_alloc(out->arena, nparams * sizeof *out->filters);
    if (!out->filters) {
        bss_query_free(out);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    unsigned seen = 0;
    size_t count = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && raw[i] != '&')
            continue;
        if (i > start) {
            bss_err rc = BSS_OK;
            if (++count > BSS_QUERY_MAX_PARAMS)
                rc = bss_fail(ei, BSS_E_INVALID, "query", "query has more than %d parameters",
                              BSS_QUERY_MAX_PARAMS);
            if (!rc)
                rc = parse_param(out, raw + start, i - start, &seen, ei);
            if (rc) {
                bss_query_free(out);
                return rc;
            }
        }
        start = i + 1;
    }
    return BSS_OK;
}

void bss_query_free(bss_query *q)
{
    if (!q)
        return;
    bss_arena_destroy(q->arena);
    memset(q, 0, sizeof *q);
    q->limit = BSS_QUERY_DEFAULT_LIMIT;
}

/* ---- matching ---------------------------------------------------------- */

static bool looks_like_time(const char *s, size_t len)
{
    return len >= 10 && len < 64 && s[4] == '-' && s[0] >= '0' && s[0] <= '9' && s[3] >= '0' && s[3] <= '9';
}

/* RFC 3339 of a filter value; a ' ' (an unencoded '+' of an offset) is read as '+'. */
static bool value_time(const char *v, int64_t *ms)
{
    size_t len = strlen(v);
    if (!looks_like_time(v, len))
        return false;
    if (bss_time_parse(v, len, ms, NULL) == BSS_OK)
        return true;
    char tmp[64];
    memcpy(tmp, v, len);
    bool changed = false;
    for (size_t i = 0; i < len; i++)
        if (tmp[i] == ' ') {
            tmp[i] = '+';
            changed = true;
        }
    return changed && bss_time_parse(tmp, len, ms, NULL) == BSS_OK;
}

static bool cmp_holds(int cmp, bss_query_op op)
{
    switch (op) {
    case BSS_QOP_EQ:
        return cmp == 0;
    case BSS_QOP_GT:
        return cmp > 0;
    case BSS_QOP_GTE:
        return cmp >= 0;
    case BSS_QOP_LT:
        return cmp < 0;
    case BSS_QOP_LTE:
        return cmp <= 0;
    }
    return false;
}

static int cmp_i64(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

static int cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c)
        return c < 0 ? -1 : 1;
    return alen < blen ? -1 : alen > blen;
}

static bool parse_i64(const char *s, int64_t *out)
{
    return bss_parse_int64(s, strlen(s), BSS_NUM_SIGNED, INT64_MIN, INT64_MAX, out) == BSS_OK;
}

/*
 * The fallback for numbers outside the exact decimal path below (more than
 * 6 decimals, exponents, beyond 10^12): attribute filters only, never
 * arithmetic on amounts.
 */
static bool parse_real(const char *s, double *out)
{
    return bss_parse_double(s, strlen(s), out) == BSS_OK;
}

static bool string_match(const json_t *leaf, bss_query_op op, const char *value)
{
    const char *s = json_string_value(leaf);
    size_t slen = json_string_length(leaf);
    int64_t a_ms, b_ms;
    if (looks_like_time(s, slen) && value_time(value, &b_ms) &&
        bss_time_parse(s, slen, &a_ms, NULL) == BSS_OK)
        return cmp_holds(cmp_i64(a_ms, b_ms), op);
    return cmp_holds(cmp_bytes(s, slen, value, strlen(value)), op);
}

static bool number_match(const json_t *leaf, bss_query_op op, const char *value)
{
    int64_t iv;
    double dv;
    if (json_is_integer(leaf) && parse_i64(value, &iv))
        return cmp_holds(cmp_i64(json_integer_value(leaf), iv), op);
    /* decimals as exact int64 micro-units (how money is read): "price.value.gte=9.99" compares exactly */
    int64_t lm, vm;
    if (bss_money_from_json(leaf, NULL, &lm, NULL) == BSS_OK &&
        bss_money_parse(value, strlen(value), &vm, NULL) == BSS_OK)
        return cmp_holds(cmp_i64(lm, vm), op);
    if (!parse_real(value, &dv))
        return false;
    double lv = json_number_value(leaf);
    return cmp_holds(lv < dv ? -1 : lv > dv, op);
}

bool bss_query_value_match(const json_t *leaf, bss_query_op op, const char *value)
{
    switch (json_typeof(leaf)) {
    case JSON_STRING:
        return string_match(leaf, op, value);
    case JSON_INTEGER:
    case JSON_REAL:
        return number_match(leaf, op, value);
    case JSON_TRUE:
        return op == BSS_QOP_EQ && strcmp(value, "true") == 0;
    case JSON_FALSE:
        return op == BSS_QOP_EQ && strcmp(value, "false") == 0;
    case JSON_NULL:
        return op == BSS_QOP_EQ && strcmp(value, "null") == 0;
    default:
        return false;
    }
}

static bool match_node(const json_t *node, const bss_query_filter *f, size_t i)
{
    if (json_is_array(node)) {
        size_t k;
        const json_t *el;
        json_array_foreach(node, k, el) if (match_node(el, f, i)) return true;
        return false;
    }
    if (i == f->nsegs) {
        for (size_t v = 0; v < f->nvalues; v++)
            if (bss_query_value_match(node, f->op, f->values[v]))
                return true;
        return false;
    }
    if (!json_is_object(node))
        return false;
    const json_t *child = json_object_get(node, f->segs[i]);
    return child && match_node(child, f, i + 1);
}

bool bss_query_filter_match(const bss_query_filter *f, const json_t *doc)
{
    return doc && f->nsegs > 0 && match_node(doc, f, 0);
}

bool bss_query_match(const bss_query *q, const json_t *doc)
{
    for (size_t i = 0; i < q->nfilters; i++)
        if (!bss_query_filter_match(&q->filters[i], doc))
            return false;
    return true;
}

static bool selected(const bss_query *q, const char *key)
{
    if (strcmp(key, "id") == 0 || strcmp(key, "href") == 0)
        return true;
    for (size_t i = 0; i < q->nfields; i++)
        if (strcmp(q->fields[i], key) == 0)
            return true;
    return false;
}

json_t *bss_query_project(const bss_query *q, json_t *doc)
{
    if (!q->has_fields || !json_is_object(doc))
        return json_incref(doc);
    json_t *out = json_object();
    if (!out)
        return NULL;
    const char *key;
    json_t *val;
    json_object_foreach(doc, key, val)
    {
        if (selected(q, key) && json_object_set(out, key, val) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static int kind_rank(const json_t *v)
{
    if (!v)
        return 0;
    switch (json_typeof(v)) {
    case JSON_NULL:
        return 1;
    case JSON_TRUE:
    case JSON_FALSE:
        return 2;
    case JSON_INTEGER:
    case JSON_REAL:
        return 3;
    case JSON_STRING:
        return 4;
    default:
        return 5;
    }
}

static int compare_values(const json_t *a, const json_t *b)
{
    int ra = kind_rank(a), rb = kind_rank(b);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (ra == 2)
        return cmp_i64(json_is_true(a), json_is_true(b));
    if (ra == 3) {
        if (json_is_integer(a) && json_is_integer(b))
            return cmp_i64(json_integer_value(a), json_integer_value(b));
        double x = json_number_value(a), y = json_number_value(b);
        return x < y ? -1 : x > y;
    }
    if (ra == 4) {
        const char *x = json_string_value(a), *y = json_string_value(b);
        size_t xl = json_string_length(a), yl = json_string_length(b);
        int64_t xm, ym;
        if (looks_like_time(x, xl) && looks_like_time(y, yl) && bss_time_parse(x, xl, &xm, NULL) == BSS_OK &&
            bss_time_parse(y, yl, &ym, NULL) == BSS_OK)
            return cmp_i64(xm, ym);
        return cmp_bytes(x, xl, y, yl);
    }
    return 0;
}

int bss_query_compare(const bss_query *q, const json_t *a, const json_t *b)
{
    for (size_t i = 0; i < q->nsort; i++) {
        int c = compare_values(bss_json_path(a, q->sort[i].attr), bss_json_path(b, q->sort[i].attr));
        if (c)
            return q->sort[i].desc ? -c : c;
    }
    return 0;
}

void bss_query_project_page(const bss_query *q, json_t *page)
{
    if (!q->has_fields)
        return;
    size_t i;
    json_t *d;
    json_array_foreach(page, i, d)
    {
        json_t *p = bss_query_project(q, d);
        if (p)
            json_array_set_new(page, i, p);
    }
}

bss_err bss_query_eq_filters(const bss_query *q, const char *what, const char *const *names, const char *skip,
                             char *vals, size_t cap, bool *has, bss_errinfo *ei)
{
    for (size_t i = 0; i < q->nfilters; i++) {
        const bss_query_filter *f = &q->filters[i];
        if (skip && strcmp(f->attr, skip) == 0)
            continue;
        int which = -1;
        size_t n = 0;
        for (; names[n]; n++)
            if (strcmp(f->attr, names[n]) == 0)
                which = (int)n;
        if (which < 0) {
            char list[512] = "";
            size_t at = 0;
            for (size_t k = 0; k < n && at < sizeof list; k++)
                at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", k == 0 ? "" : k + 1 == n && !skip ? " and " : ", ",
                                       names[k]);
            if (skip && at < sizeof list)
                snprintf(list + at, sizeof list - at, " and %s", skip);
            return bss_fail(ei, BSS_E_INVALID, f->param, "%s are filtered by %s; not by %.64s", what, list, f->param);
        }
        if (f->op != BSS_QOP_EQ || f->nvalues != 1)
            return bss_fail(ei, BSS_E_INVALID, f->param, "%s takes one value to equal", names[which]);
        if (strlen(f->values[0]) >= cap)
            return bss_fail(ei, BSS_E_INVALID, f->param, "%s is too long", names[which]);
        snprintf(vals + (size_t)which * cap, cap, "%s", f->values[0]);
        has[which] = true;
    }
    return BSS_OK;
}

bss_err bss_query_time_window(const bss_query *q, const char *attr, int64_t *from_ms, int64_t *to_ms, bss_errinfo *ei)
{
    for (size_t i = 0; i < q->nfilters; i++) {
        const bss_query_filter *f = &q->filters[i];
        int64_t t = 0;
        if (strcmp(f->attr, attr) != 0)
            continue;
        if (f->nvalues != 1 || f->op == BSS_QOP_EQ)
            return bss_fail(ei, BSS_E_INVALID, f->param, "%s takes .gt, .gte, .lt or .lte with one time", attr);
        if (bss_time_parse(f->values[0], strlen(f->values[0]), &t, ei) != BSS_OK)
            return bss_fail(ei, BSS_E_INVALID, f->param, "%s is not an RFC 3339 time", f->param);
        if (f->op == BSS_QOP_GT || f->op == BSS_QOP_GTE)
            *from_ms = f->op == BSS_QOP_GT ? t + 1 : t;
        else
            *to_ms = f->op == BSS_QOP_LT ? t : t + 1;
    }
    return BSS_OK;
}
