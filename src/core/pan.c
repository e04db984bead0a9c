/*
 * pan.c: finds card numbers (PANs) in free text and JSON documents (see
 * pan.h for what counts as one). One left-to-right pass over the text:
 * each maximal run of digits joined by single spaces or dashes is judged
 * once (length, boundaries, issuer prefix, Luhn), so a megabyte of text
 * costs one scan. Used by the generic TMF write path and the customer
 * module; pure, no allocation.
 */
#include "core/pan.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PAN_MIN 13
#define PAN_MAX 19
#define UUID_LEN 36
#define MAX_DEPTH 64

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Letters and '_' glue a digit run into an identifier ("pm_4111...", "ab4111..."). */
static bool is_word(char c)
{
    return is_letter(c) || c == '_';
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

/* Whether the run text[start..end) lies inside a UUID (an id or an href). */
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

/* Prefixes that are never card numbers: see pan.h. */
static bool excluded_prefix(const char *digits, size_t n)
{
    if (digits[0] == '0' || (digits[0] == '8' && digits[1] == '9'))
        return true; /* phone numbers with a trunk or 00 prefix; ICCIDs */
    if (n == 15) {   /* IMEIs */
        static const char *const imei[] = {"35", "86", "99"};
        for (size_t i = 0; i < sizeof imei / sizeof imei[0]; i++)
            if (digits[0] == imei[i][0] && digits[1] == imei[i][1])
                return true;
    }
    return false;
}

/* Ends the run that starts at text[start] (a digit): returns its end, its first digits in buf and the digit
 * count. */
static size_t scan_run(const char *text, size_t len, size_t start, char buf[PAN_MAX + 1], size_t *ndigits)
{
    size_t j = start, n = 0;
    for (;;) {
        while (j < len && is_digit(text[j])) {
            if (n <= PAN_MAX)
                buf[n] = text[j];
            n++;
            j++;
        }
        if (j + 1 < len && (text[j] == ' ' || text[j] == '-') && is_digit(text[j + 1]))
            j++;
        else
            break;
    }
    *ndigits = n;
    return j;
}

bool bss_pan_find(const char *text, size_t len, size_t *at, size_t *span)
{
    char digits[PAN_MAX + 1];
    size_t i = 0;
    while (text && i < len) {
        if (!is_digit(text[i])) {
            i++;
            continue;
        }
        size_t n = 0, start = i, end = scan_run(text, len, start, digits, &n);
        i = end;
        if (n < PAN_MIN || n > PAN_MAX)
            continue;
        if (start > 0 && (is_word(text[start - 1]) || text[start - 1] == '+'))
            continue;
        if (end < len && is_word(text[end]))
            continue;
        if (excluded_prefix(digits, n) || !bss_pan_luhn(digits, n) || inside_uuid(text, len, start, end))
            continue;
        if (at)
            *at = start;
        if (span)
            *span = end - start;
        return true;
    }
    return false;
}

static bool text_has_pan(const char *s, size_t len)
{
    return bss_pan_find(s, len, NULL, NULL);
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

static bool find_in(const json_t *v, char *path, size_t cap, int depth)
{
    if (!v || depth > MAX_DEPTH)
        return false;
    if (json_is_string(v))
        return text_has_pan(json_string_value(v), json_string_length(v));
    if (json_is_integer(v)) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        return n > 0 && text_has_pan(buf, (size_t)n);
    }
    if (json_is_object(v)) {
        const char *key;
        json_t *child;
        json_object_foreach((json_t *)v, key, child)
        {
            size_t old = path_push(path, cap, key, 0);
            if (text_has_pan(key, strlen(key)) || find_in(child, path, cap, depth + 1))
                return true;
            path[old] = '\0';
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child)
        {
            size_t old = path_push(path, cap, NULL, i);
            if (find_in(child, path, cap, depth + 1))
                return true;
            path[old] = '\0';
        }
    }
    return false;
}

bss_err bss_pan_reject_json(const json_t *doc, bss_errinfo *ei)
{
    char path[256] = "";
    if (find_in(doc, path, sizeof path, 0))
        return bss_fail(ei, BSS_E_INVALID, path,
                        "%s: card numbers are not stored; use a payment method token", path);
    return BSS_OK;
}
