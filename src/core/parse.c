/*
 * parse.c: bounded number parsing (parse.h). Integers are accumulated by
 * hand with an overflow check before every step, so no errno and no
 * strtoll end-pointer conventions leak into callers. Doubles are checked
 * for shape first (the grammar below), then converted by strtod on a
 * NUL-terminated local copy in the "C" numeric form we already checked.
 */
#include "core/parse.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bss_err bss_parse_int64_prefix(const char **cursor, const char *end, unsigned signs, int64_t min, int64_t max,
                               int64_t *out)
{
    const char *p = *cursor;
    bool negative = false;
    if (p < end && *p == '-' && (signs & BSS_NUM_MINUS)) {
        negative = true;
        p++;
    } else if (p < end && *p == '+' && (signs & BSS_NUM_PLUS)) {
        p++;
    }
    if (p == end || !is_digit(*p))
        return BSS_E_INVALID;
    /* accumulate as a negative number: INT64_MIN has no positive twin */
    int64_t v = 0;
    bool overflow = false;
    for (; p < end && is_digit(*p); p++) {
        int d = *p - '0';
        if (v < (INT64_MIN + d) / 10)
            overflow = true;
        else
            v = v * 10 - d;
    }
    if (!overflow && !negative && v == INT64_MIN)
        overflow = true;
    if (overflow)
        return BSS_E_RANGE;
    int64_t n = negative ? v : -v;
    if (n < min || n > max)
        return BSS_E_RANGE;
    *cursor = p;
    *out = n;
    return BSS_OK;
}

bss_err bss_parse_int64(const char *text, size_t len, unsigned signs, int64_t min, int64_t max, int64_t *out)
{
    if (!text)
        return BSS_E_INVALID;
    const char *p = text, *end = text + len;
    int64_t n = 0;
    bss_err rc = bss_parse_int64_prefix(&p, end, signs, INT64_MIN, INT64_MAX, &n);
    if (rc)
        return rc;
    if (p != end)
        return BSS_E_INVALID;
    if (n < min || n > max)
        return BSS_E_RANGE;
    *out = n;
    return BSS_OK;
}

/* [sign] digits [. digits] [(e|E) [sign] digits], with at least one digit in the mantissa. */
static bool decimal_shape(const char *p, const char *end)
{
    if (p < end && (*p == '-' || *p == '+'))
        p++;
    size_t digits = 0;
    for (; p < end && is_digit(*p); p++)
        digits++;
    if (p < end && *p == '.')
        for (p++; p < end && is_digit(*p); p++)
            digits++;
    if (digits == 0)
        return false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '-' || *p == '+'))
            p++;
        if (p == end || !is_digit(*p))
            return false;
        while (p < end && is_digit(*p))
            p++;
    }
    return p == end;
}

bss_err bss_parse_double(const char *text, size_t len, double *out)
{
    if (!text || len == 0 || len > BSS_NUM_TEXT_MAX || !decimal_shape(text, text + len))
        return BSS_E_INVALID;
    char buf[BSS_NUM_TEXT_MAX + 1];
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *stop = NULL;
    double v = strtod(buf, &stop);
    if (stop != buf + len)
        return BSS_E_INVALID;
    if (!isfinite(v))
        return BSS_E_RANGE;
    *out = v;
    return BSS_OK;
}
