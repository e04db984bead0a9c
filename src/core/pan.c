/*
 * pan.c: finds card numbers (PANs) in free text and JSON documents (see
 * pan.h for what counts as one). One left-to-right pass over the text cuts
 * it into runs of digit groups (digits joined by at most three separator
 * characters); a run keeps only its first and last six groups, and at its
 * end the whole run and the spans of whole groups at its start and its
 * end are judged (issuer digit, exclusions, Luhn): a bounded amount of work
 * per run, so a megabyte of text costs one scan. Pure, no allocation;
 * doc/doc.c runs the JSON walk on every document of every kind.
 */
#include "core/pan.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PAN_MIN 13
#define PAN_MAX 19
#define GROUP_MIN 3 /* a group of 1 or 2 digits is a list of numbers, a date or a time, not a card */
#define MAX_SEP 3 /* separator characters allowed between two groups ("4111 - 1111") */
#define UUID_LEN 36
#define MAX_DEPTH 64

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool bss_pan_luhn(const char *digits, size_t n)
{
    if (n == 0)
        return false;
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++) {
        char c = digits[n - 1 - i];
        if (!is_digit(c))
            return false;
        unsigned d = (unsigned)(c - '0');
        if (i % 2 == 1) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return sum % 10 == 0;
}

/*
 * The length in bytes of a separator at text[p] (0 if there is none): ASCII
 * space, tab, '-', '.', '/', '_', and the Unicode spaces people paste
 * between digit groups (no-break, figure, thin, narrow no-break, ideographic
 * space, zero-width space).
 */
static size_t separator_at(const char *text, size_t len, size_t p)
{
    unsigned char c = (unsigned char)text[p];
    if (c == ' ' || c == '\t' || c == '-' || c == '.' || c == '/' || c == '_')
        return 1;
    if (c == 0xC2 && p + 1 < len && (unsigned char)text[p + 1] == 0xA0)
        return 2; /* U+00A0 */
    if (p + 2 >= len)
        return 0;
    unsigned char c1 = (unsigned char)text[p + 1], c2 = (unsigned char)text[p + 2];
    if (c == 0xE2 && c1 == 0x80 && (c2 == 0x87 || c2 == 0x89 || c2 == 0x8B || c2 == 0xAF))
        return 3; /* U+2007, U+2009, U+200B, U+202F */
    if (c == 0xE3 && c1 == 0x80 && c2 == 0x80)
        return 3; /* U+3000 */
    return 0;
}

/* Whether text[p..p+36) is a UUID: 8-4-4-4-12 hex digits. */
static bool uuid_at(const char *text, size_t len, size_t p)
{
    if (p + UUID_LEN > len)
        return false;
    for (size_t k = 0; k < UUID_LEN; k++) {
        bool dash = k == 8 || k == 13 || k == 18 || k == 23;
        if (dash ? text[p + k] != '-' : !is_hex(text[p + k]))
            return false;
    }
    return true;
}

/* Whether the span text[start..end) lies inside a UUID (an id or an href). */
static bool inside_uuid(const char *text, size_t len, size_t start, size_t end)
{
    if (end - start > UUID_LEN)
        return false;
    size_t first = end > UUID_LEN ? end - UUID_LEN : 0;
    for (size_t p = first; p <= start; p++)
        if (uuid_at(text, len, p))
            return true;
    return false;
}

/*
 * Digits that are never a card number: see pan.h. Card numbers of the
 * schemes people pay with start with 2 to 6 (Mastercard, Amex, Diners,
 * JCB, Visa, Discover, UnionPay, Maestro); a leading 0 is a phone number's
 * trunk or 00 prefix, 1 a millisecond timestamp, 89 an ICCID, and a
 * 15-digit run from 35, 86 or 99 an IMEI.
 */
static bool excluded(const char *digits, size_t n)
{
    if (digits[0] < '2' || digits[0] > '6')
        return true;
    if (n == 15) {
        static const char *const imei[] = {"35", "86", "99"};
        for (size_t i = 0; i < sizeof imei / sizeof imei[0]; i++)
            if (digits[0] == imei[i][0] && digits[1] == imei[i][1])
                return true;
    }
    return false;
}

/* One group of a run: where its digits are. */
typedef struct group {
    size_t start, end; /* text[start..end) are its digits */
} group;

#define EDGE_GROUPS (PAN_MAX / GROUP_MIN) /* a span of whole groups of 3+ digits has at most 6 */

/* A run of digit groups: its first and last EDGE_GROUPS groups, how many it has. */
typedef struct run {
    const char *text;
    size_t len;
    group head[EDGE_GROUPS], tail[EDGE_GROUPS];
    size_t ngroups;
    bool long_group; /* a group of more than PAN_MAX digits: no card number in this run */
} run;

static void run_add(run *r, size_t start, size_t end)
{
    if (end - start > PAN_MAX)
        r->long_group = true;
    if (r->ngroups < EDGE_GROUPS)
        r->head[r->ngroups] = (group){start, end};
    r->tail[r->ngroups % EDGE_GROUPS] = (group){start, end};
    r->ngroups++;
}

/* The k-th of the last groups (0 = the last one). */
static const group *tail_at(const run *r, size_t k)
{
    return &r->tail[(r->ngroups - 1 - k) % EDGE_GROUPS];
}

/* Judges one span of whole groups, text[s..e) holding the digits of groups gs[0..n). */
static bool judge(const run *r, const group *const *gs, size_t n, size_t *at, size_t *span)
{
    char digits[PAN_MAX];
    size_t total = 0;
    for (size_t k = 0; k < n; k++) {
        size_t gl = gs[k]->end - gs[k]->start;
        if (total + gl > PAN_MAX)
            return false;
        memcpy(digits + total, r->text + gs[k]->start, gl);
        total += gl;
    }
    size_t s = gs[0]->start, e = gs[n - 1]->end;
    if (total < PAN_MIN || (s > 0 && r->text[s - 1] == '+')) /* too short, or an E.164 phone number */
        return false;
    if (excluded(digits, total) || !bss_pan_luhn(digits, total) || inside_uuid(r->text, r->len, s, e))
        return false;
    if (at)
        *at = s;
    if (span)
        *span = e - s;
    return true;
}

/*
 * The card numbers a run may hold: the whole run, or a span of whole
 * groups at its start or at its end ("ref 123456 4111 1111 1111 1111",
 * "4111 1111 1111 1111 123"), each of groups of at least GROUP_MIN digits
 * when there are several. A grouped ICCID (89..., 18 to 22 digits) is one.
 */
static bool judge_run(const run *r, size_t *at, size_t *span)
{
    if (r->ngroups == 0 || r->long_group)
        return false;
    const group *gs[EDGE_GROUPS];
    if (r->ngroups == 1) {
        gs[0] = &r->head[0];
        return judge(r, gs, 1, at, span);
    }
    const char *first = r->text + r->head[0].start;
    size_t total = tail_at(r, 0)->end - r->head[0].start; /* with separators: an upper bound */
    if (first[0] == '8' && r->head[0].end - r->head[0].start >= 2 && first[1] == '9' && total <= 30)
        return false; /* a grouped ICCID */
    size_t edge = r->ngroups < EDGE_GROUPS ? r->ngroups : EDGE_GROUPS;
    for (size_t n = 1; n <= edge; n++) { /* spans at the start */
        if (r->head[n - 1].end - r->head[n - 1].start < GROUP_MIN)
            break;
        for (size_t k = 0; k < n; k++)
            gs[k] = &r->head[k];
        if (judge(r, gs, n, at, span))
            return true;
    }
    for (size_t n = 1; n <= edge; n++) { /* spans at the end */
        if (tail_at(r, n - 1)->end - tail_at(r, n - 1)->start < GROUP_MIN)
            break;
        for (size_t k = 0; k < n; k++)
            gs[k] = tail_at(r, n - 1 - k);
        if (judge(r, gs, n, at, span))
            return true;
    }
    return false;
}

bool bss_pan_find(const char *text, size_t len, size_t *at, size_t *span)
{
    size_t i = 0;
    while (text && i < len) {
        if (!is_digit(text[i])) {
            i++;
            continue;
        }
        run r = {.text = text, .len = len};
        for (;;) { /* one run: groups joined by at most MAX_SEP separator characters */
            size_t start = i;
            while (i < len && is_digit(text[i]))
                i++;
            run_add(&r, start, i);
            size_t j = i, seps = 0;
            while (j < len && seps < MAX_SEP) {
                size_t w = separator_at(text, len, j);
                if (w == 0)
                    break;
                j += w;
                seps++;
            }
            if (seps == 0 || j >= len || !is_digit(text[j]))
                break;
            i = j;
        }
        if (judge_run(&r, at, span))
            return true;
    }
    return false;
}

static bool text_has_pan(const char *s, size_t len)
{
    return bss_pan_find(s, len, NULL, NULL);
}

/*
 * Members whose values are numbers that look like card numbers by design
 * and are checked by their own rules: SIM and handset identities (ICCID,
 * EID, IMSI, IMEI), phone numbers, and the E.164 prefixes of zone tables.
 * Their string and integer values (and the elements of arrays under them)
 * are not judged; their names and any object under them are. The same
 * holds for the "value" of a TMF characteristic whose "name" is one of
 * them ({"name": "IMSI", "value": "204..."}).
 */
static bool exempt_member(const char *key)
{
    static const char *const names[] = {"iccid", "eid", "imsi", "imei", "msisdn", "phoneNumber",
                                        "faxNumber", "prefix", "prefixes"};
    for (size_t i = 0; key && i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(key, names[i]) == 0)
            return true;
    return false;
}

/* Appends ".key" or "[i]" to path (truncated at cap); returns the old length to restore. */
static size_t path_push(char *path, size_t cap, const char *key, size_t index)
{
    size_t old = strlen(path);
    if (key)
        snprintf(path + old, cap - old, "%s%s", old ? "." : "", key);
    else
        snprintf(path + old, cap - old, "[%zu]", index);
    return old;
}

/* The digits of a JSON number (integers, and reals that hold a whole number below 10^19). */
static bool number_has_pan(const json_t *v)
{
    char buf[40];
    int n = 0;
    if (json_is_integer(v)) {
        n = snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
    } else {
        double d = json_real_value(v);
        if (d != d || d > 1e19 || d < -1e19 || d != (double)(long long)d)
            return false;
        n = snprintf(buf, sizeof buf, "%lld", (long long)d);
    }
    return n > 0 && text_has_pan(buf, (size_t)n);
}

static bool find_in(const json_t *v, bool exempt, char *path, size_t cap, int depth)
{
    if (!v || depth > MAX_DEPTH)
        return false;
    if (json_is_string(v))
        return !exempt && text_has_pan(json_string_value(v), json_string_length(v));
    if (json_is_number(v))
        return !exempt && number_has_pan(v);
    if (json_is_object(v)) {
        const char *key;
        json_t *child;
        /* a TMF characteristic {"name": "IMSI", "value": ...} is the member it names */
        const char *named = json_string_value(json_object_get(v, "name"));
        bool value_exempt = named && exempt_member(named);
        json_object_foreach((json_t *)v, key, child)
        {
            size_t old = path_push(path, cap, key, 0);
            bool ex = exempt_member(key) || (value_exempt && strcmp(key, "value") == 0);
            if (text_has_pan(key, strlen(key)) || find_in(child, ex, path, cap, depth + 1))
                return true;
            path[old] = '\0';
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child)
        {
            size_t old = path_push(path, cap, NULL, i);
            if (find_in(child, exempt && !json_is_object(child), path, cap, depth + 1))
                return true;
            path[old] = '\0';
        }
    }
    return false;
}

bss_err bss_pan_reject_json(const json_t *doc, bss_errinfo *ei)
{
    char path[256] = "";
    if (find_in(doc, false, path, sizeof path, 0))
        return bss_fail(ei, BSS_E_INVALID, path,
                        "%s: card numbers are not stored; use a payment method token", path);
    return BSS_OK;
}

bss_err bss_pan_reject_text(const char *text, size_t len, const char *field, bss_errinfo *ei)
{
    if (text && text_has_pan(text, len))
        return bss_fail(ei, BSS_E_INVALID, field,
                        "%s: card numbers are not stored; use a payment method token", field);
    return BSS_OK;
}
