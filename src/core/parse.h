/*
 * parse.h: numbers read from text, bounded, in one place (curl's
 * strparse.c is the pattern). Every integer and decimal that arrives as
 * text (query strings, configuration, store columns, lock files, our own
 * formatted output) is read here instead of with strtol/strtod, so each
 * caller states what it accepts (signs, range) and every one checks the end
 * of the number the same way. Nothing here skips white space, reads past
 * len, or depends on the locale.
 *
 * Results: BSS_OK; BSS_E_INVALID when the text is not a number of the
 * shape asked for (empty, a stray character, a sign that is not allowed);
 * BSS_E_RANGE when it is one but lies outside [min, max] (overflow of int64
 * included). *out is written only on BSS_OK. Callers word the message.
 */
#ifndef BSS_CORE_PARSE_H
#define BSS_CORE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Which signs a number may carry: none (digits only), a leading '-', a leading '+', or either. */
enum {
    BSS_NUM_DIGITS = 0,
    BSS_NUM_MINUS = 1u << 0,
    BSS_NUM_PLUS = 1u << 1,
    BSS_NUM_SIGNED = BSS_NUM_MINUS | BSS_NUM_PLUS,
};

#define BSS_NUM_TEXT_MAX 64 /* longest text bss_parse_double reads */

/* The whole of text[0..len) as a decimal integer in [min, max]. */
bss_err bss_parse_int64(const char *text, size_t len, unsigned signs, int64_t min, int64_t max, int64_t *out);

/*
 * The decimal integer at the start of [*cursor, end): on BSS_OK *cursor
 * points just past its last digit (what follows is the caller's).
 */
bss_err bss_parse_int64_prefix(const char **cursor, const char *end, unsigned signs, int64_t min, int64_t max,
                               int64_t *out);

/*
 * The whole of text[0..len) as a finite decimal floating-point number
 * (optional sign, digits, optional fraction, optional exponent; no hex, inf
 * or nan; at most BSS_NUM_TEXT_MAX bytes). For filters and display, never
 * for money (core/money.h reads amounts exactly).
 */
bss_err bss_parse_double(const char *text, size_t len, double *out);

#endif
