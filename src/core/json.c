/*
 * json.c: the jansson helpers every interface uses. Parsing rejects
 * duplicate keys, trailing data and nesting deeper than MAX_DEPTH (checked
 * on the parsed tree, so a hostile body costs one linear walk) and reports
 * line and column; any JSON value is accepted at the top level, callers check
 * the type they need. Typed getters name the member's path in their errors;
 * merge patch follows RFC 7396; dumping uses BSS_JSON_DUMP_FLAGS into
 * bss_malloc'd memory.
 *
 * bss_json_merge_patch works in place, so it needs an object target and an
 * object patch; any other shape (which under RFC 7396 would replace the
 * whole document) is BSS_E_INVALID.
 */
#include "core/json.h"

#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/time.h"

#define MAX_DEPTH 64

/* True if v nests no deeper than `left` levels (a scalar is depth 0). */
static bool depth_ok(const json_t *v, int left)
{
    if (!json_is_object(v) && !json_is_array(v))
        return true;
    if (left == 0)
        return false;
    if (json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach((json_t *)v, i, item) if (!depth_ok(item, left - 1)) return false;
        return true;
    }
    const char *key;
    json_t *member;
    json_object_foreach((json_t *)v, key, member) if (!depth_ok(member, left - 1)) return false;
    return true;
}

/*
 * ---- exact numbers ----
 *
 * jansson reads a number with a fraction or an exponent into a double, which
 * silently rounds what it cannot hold: 999999999999.9999999 becomes 1e12,
 * 1.0000000000000001 becomes 1 and 1e-400 becomes 0. A double holds every
 * decimal of at most 15 significant digits exactly (DBL_DIG), so a real
 * whose text has at most 15 significant digits and a magnitude within
 * 1e-300..1e300 survives the double and can be read back exactly (money.c
 * does, through "%.15g"); any other real is refused here, naming the member,
 * before any reader sees a rounded value. The check runs on the body's text,
 * after jansson has accepted it as JSON, in one linear pass that tracks the
 * member path. Integers are exact in jansson (int64, larger ones are a parse
 * error) and are not judged here. Nothing here computes with the double:
 * money.c turns the real's decimal text into int64 micro-units and every
 * amount is integer arithmetic from then on.
 */

#define MAX_REAL_DIGITS 15
#define MAX_REAL_EXP10 300

typedef struct {
    bool array;
    size_t index;
    const char *key; /* raw text between the quotes */
    size_t key_len;
} num_frame;

/* Writes the member path of the frames (up to depth) into out, e.g. "items[2].price.value". */
static void frames_path(const num_frame *f, int depth, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < depth && o + 1 < cap; i++) {
        int n;
        if (f[i].array)
            n = snprintf(out + o, cap - o, "[%zu]", f[i].index);
        else
            n = snprintf(out + o, cap - o, "%s%.*s", o ? "." : "", (int)(f[i].key_len > 64 ? 64 : f[i].key_len),
                         f[i].key ? f[i].key : "");
        if (n < 0 || (size_t)n >= cap - o)
            break;
        o += (size_t)n;
    }
}

/*
 * Judges one number literal p[0..n) (valid JSON number syntax). Returns NULL
 * when it is exact, else the reason.
 */
static const char *real_inexact(const char *p, size_t n)
{
    const char *end = p + n;
    if (p < end && *p == '-')
        p++;
    bool real = false, point = false;
    long idx = 0, int_digits = 0, first_nz = -1, last_nz = -1; /* over the mantissa's digits */
    for (; p < end && (*p == '.' || (*p >= '0' && *p <= '9')); p++) {
        if (*p == '.') {
            point = real = true;
            continue;
        }
        if (!point)
            int_digits++;
        if (*p != '0') {
            if (first_nz < 0)
                first_nz = idx;
            last_nz = idx;
        }
        idx++;
    }
    long exp10 = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        real = true;
        p++;
        bool neg = false;
        if (p < end && (*p == '+' || *p == '-'))
            neg = *p++ == '-';
        for (; p < end && *p >= '0' && *p <= '9'; p++)
            if (exp10 < 1000000)
                exp10 = exp10 * 10 + (*p - '0');
        if (neg)
            exp10 = -exp10;
    }
    if (!real || first_nz < 0) /* integers are exact in jansson; zero is zero */
        return NULL;
    if (last_nz - first_nz + 1 > MAX_REAL_DIGITS)
        return "has more than 15 significant digits and cannot be held exactly; send fewer digits";
    long lead = int_digits - 1 - first_nz + exp10; /* the power of ten of the leading digit */
    if (lead > MAX_REAL_EXP10 || lead < -MAX_REAL_EXP10)
        return "is out of range: a number's magnitude must be 0 or from 1e-300 to 1e300";
    return NULL;
}

static bss_err check_reals(const char *text, size_t len, bss_errinfo *ei)
{
    num_frame f[MAX_DEPTH + 1];
    int depth = 0;
    bool want_key = false;
    const char *p = text, *end = text + len;
    while (p < end) {
        char c = *p;
        if (c == '{' || c == '[') {
            if (depth > MAX_DEPTH) /* cannot happen: depth_ok ran first */
                return BSS_OK;
            f[depth++] = (num_frame){.array = c == '[', .index = 0, .key = NULL, .key_len = 0};
            want_key = c == '{';
            p++;
        } else if (c == '}' || c == ']') {
            if (depth > 0)
                depth--;
            want_key = false;
            p++;
        } else if (c == ',') {
            if (depth > 0 && f[depth - 1].array)
                f[depth - 1].index++;
            else
                want_key = true;
            p++;
        } else if (c == '"') {
            const char *s = ++p;
            while (p < end && *p != '"')
                p += *p == '\\' ? 2 : 1;
            if (want_key && depth > 0) {
                f[depth - 1].key = s;
                f[depth - 1].key_len = (size_t)(p - s);
                want_key = false;
            }
            p++;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            const char *s = p;
            while (p < end && (*p == '-' || *p == '+' || *p == '.' || *p == 'e' || *p == 'E' ||
                               (*p >= '0' && *p <= '9')))
                p++;
            const char *why = real_inexact(s, (size_t)(p - s));
            if (why) {
                char path[256];
                frames_path(f, depth, path, sizeof(path));
                int shown = (int)(p - s > 40 ? 40 : p - s);
                return bss_fail(ei, BSS_E_INVALID, path, "%s%s%.*s%s %s", path, path[0] ? ": " : "", shown, s,
                                p - s > 40 ? "..." : "", why);
            }
        } else {
            p++;
        }
    }
    return BSS_OK;
}

/* jansson's own words for two errors name its flags; say it in ours. */
static const char *parse_error_text(const json_error_t *jerr)
{
    switch (json_error_code(jerr)) {
    case json_error_null_character:
        return "a \\u0000 (NUL) character is not allowed in a string";
    case json_error_null_byte_in_key:
        return "a \\u0000 (NUL) character is not allowed in a member name";
    default:
        return jerr->text;
    }
}

bss_err bss_json_parse(const char *text, size_t len, json_t **out, bss_errinfo *ei)
{
    json_error_t jerr;
    json_t *v = json_loadb(text ? text : "", text ? len : 0, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (v == NULL) {
        /* jansson leaves the error unset (line -1, no text) when it cannot allocate its lexer */
        if (json_error_code(&jerr) == json_error_out_of_memory || jerr.text[0] == '\0')
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory while parsing JSON");
        return bss_fail(ei, BSS_E_PARSE, NULL, "malformed JSON at line %d, column %d: %s", jerr.line,
                        jerr.column, parse_error_text(&jerr));
    }
    if (!depth_ok(v, MAX_DEPTH)) {
        json_decref(v);
        return bss_fail(ei, BSS_E_PARSE, NULL, "malformed JSON: nesting deeper than %d", MAX_DEPTH);
    }
    bss_err rc = check_reals(text ? text : "", text ? len : 0, ei);
    if (rc != BSS_OK) {
        json_decref(v);
        return rc;
    }
    *out = v;
    return BSS_OK;
}

static int dump_cb(const char *chunk, size_t size, void *data)
{
    return bss_buf_append(data, chunk, size) == BSS_OK ? 0 : -1;
}

char *bss_json_dump(const json_t *v, size_t *len)
{
    bss_buf b;
    bss_buf_init(&b, SIZE_MAX - 1);
    if (json_dump_callback(v, dump_cb, &b, BSS_JSON_DUMP_FLAGS | JSON_ENCODE_ANY) != 0) {
        bss_buf_free(&b);
        return NULL;
    }
    return bss_buf_take(&b, len);
}

json_t *bss_json_path(const json_t *root, const char *dotted)
{
    if (root == NULL || dotted == NULL || *dotted == '\0')
        return NULL;
    const json_t *v = root;
    const char *p = dotted;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n == 0 || !json_is_object(v))
            return NULL;
        v = json_object_getn(v, p, n);
        if (v == NULL || dot == NULL)
            return (json_t *)v;
        p = dot + 1;
    }
}

/* The member, or NULL if missing or JSON null; BSS_E_INVALID if required and absent. */
static bss_err member(const json_t *obj, const char *key, const char *path, bool required, json_t **out,
                      bss_errinfo *ei)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (json_is_null(v))
        v = NULL;
    *out = v;
    if (v == NULL && required)
        return bss_fail(ei, BSS_E_INVALID, path, "%s: is required", path);
    return BSS_OK;
}

static bss_err wrong_type(const char *path, const char *expected, bss_errinfo *ei)
{
    return bss_fail(ei, BSS_E_INVALID, path, "%s: expected %s", path, expected);
}

bss_err bss_json_get_str(const json_t *obj, const char *key, const char *path, bool required,
                         const char **out, bss_errinfo *ei)
{
    json_t *v;
    path = path ? path : key;
    bss_err e = member(obj, key, path, required, &v, ei);
    if (e || v == NULL)
        return e;
    if (!json_is_string(v))
        return wrong_type(path, "a string", ei);
    *out = json_string_value(v);
    return BSS_OK;
}

bss_err bss_json_get_int(const json_t *obj, const char *key, const char *path, bool required, int64_t *out,
                         bss_errinfo *ei)
{
    json_t *v;
    path = path ? path : key;
    bss_err e = member(obj, key, path, required, &v, ei);
    if (e || v == NULL)
        return e;
    if (!json_is_integer(v))
        return wrong_type(path, "an integer", ei);
    *out = (int64_t)json_integer_value(v);
    return BSS_OK;
}

bss_err bss_json_get_bool(const json_t *obj, const char *key, const char *path, bool required, bool *out,
                          bss_errinfo *ei)
{
    json_t *v;
    path = path ? path : key;
    bss_err e = member(obj, key, path, required, &v, ei);
    if (e || v == NULL)
        return e;
    if (!json_is_boolean(v))
        return wrong_type(path, "true or false", ei);
    *out = json_is_true(v);
    return BSS_OK;
}

bss_err bss_json_get_time(const json_t *obj, const char *key, const char *path, bool required,
                          int64_t *out_ms, bss_errinfo *ei)
{
    json_t *v;
    path = path ? path : key;
    bss_err e = member(obj, key, path, required, &v, ei);
    if (e || v == NULL)
        return e;
    if (!json_is_string(v))
        return wrong_type(path, "an RFC 3339 date-time string", ei);
    bss_errinfo tei;
    int64_t ms;
    if (bss_time_parse(json_string_value(v), json_string_length(v), &ms, &tei) != BSS_OK)
        return bss_fail(ei, BSS_E_INVALID, path, "%s: %s", path, tei.message);
    *out_ms = ms;
    return BSS_OK;
}

int bss_json_set_time(json_t *obj, const char *key, int64_t ms)
{
    char text[32];
    bss_time_format(ms, text);
    return json_object_set_new(obj, key, json_string(text));
}

static bss_err merge(json_t *target, const json_t *patch)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)patch, key, value)
    {
        if (json_is_null(value)) {
            json_object_del(target, key);
            continue;
        }
        if (!json_is_object(value)) {
            if (json_object_set_new(target, key, json_deep_copy(value)) != 0)
                return BSS_E_NOMEM;
            continue;
        }
        json_t *sub = json_object_get(target, key);
        if (!json_is_object(sub)) {
            if (json_object_set_new(target, key, json_object()) != 0)
                return BSS_E_NOMEM;
            sub = json_object_get(target, key);
        }
        bss_err e = merge(sub, value);
        if (e)
            return e;
    }
    return BSS_OK;
}

bss_err bss_json_merge_patch(json_t *target, const json_t *patch)
{
    if (!json_is_object(target) || !json_is_object(patch))
        return BSS_E_INVALID;
    return merge(target, patch);
}
