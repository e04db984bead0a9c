/*
 * money.h: amounts are int64 micro-units (1e-6 of the currency's major unit)
 * with an ISO 4217 code. Never floating point. This module parses amounts
 * from decimal text and JSON (number or string), formats them exactly, and
 * rounds to a currency's minor unit half-up (away from zero on .5).
 *
 * JSON numbers reach us through jansson as doubles; a number is accepted only
 * when it has at most 15 significant digits (so the double holds it exactly
 * as text) and at most 6 decimals. Anything else is BSS_E_INVALID / BSS_E_RANGE
 * with a message, never a silent rounding. Strings ("12.50") are parsed
 * digit by digit and have no such limit besides the int64 range.
 */
#ifndef BSS_CORE_MONEY_H
#define BSS_CORE_MONEY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define BSS_MICROS_PER_UNIT INT64_C(1000000)
/* Largest accepted magnitude: 9,223,372,036,854.775807 is int64's; we stop at 10^12 major units. */
#define BSS_MONEY_MAX_MICROS (INT64_C(1000000000000) * BSS_MICROS_PER_UNIT)

typedef struct bss_currency {
    const char *code;  /* "EUR" */
    int minor_units;   /* 2 for EUR, 0 for JPY, 3 for KWD */
    const char *name;  /* "Euro" */
} bss_currency;

/* Looks up an ISO 4217 code (exactly 3 upper-case letters). NULL if unknown. */
const bss_currency *bss_currency_find(const char *code);

/* Parses "-12.345678", "12", "0.5" (no exponent, no '+', no spaces) into micros. */
bss_err bss_money_parse(const char *text, size_t len, int64_t *out_micros, bss_errinfo *ei);

/* Reads a JSON number or numeric string as micros; `field` names it in errors. */
bss_err bss_money_from_json(const json_t *value, const char *field, int64_t *out_micros, bss_errinfo *ei);

/* Shortest exact decimal text: 12500000 -> "12.5", -1 -> "-0.000001", 0 -> "0". Returns length. */
size_t bss_money_format(int64_t micros, char buf[32]);

/*
 * A JSON number that prints exactly as bss_money_format's text. Returns a new
 * reference (NULL on OOM). Dump JSON with BSS_JSON_DUMP_FLAGS (core/json.h).
 */
json_t *bss_money_to_json(int64_t micros);

/*
 * Rounds micros to the currency's minor unit, half-up (half away from zero:
 * 0.005 EUR -> 0.01, -0.005 -> -0.01). minor_units in 0..6.
 */
int64_t bss_money_round(int64_t micros, int minor_units);

/* Checked arithmetic: false on int64 overflow (out untouched). */
bool bss_money_add(int64_t a, int64_t b, int64_t *out);
bool bss_money_mul(int64_t micros, int64_t factor, int64_t *out);
/*
 * micros * num / den with half-up rounding of the exact rational result
 * (128-bit intermediate); false on overflow or den == 0. Used for proration,
 * percentage discounts and per-unit prices.
 */
bool bss_money_muldiv(int64_t micros, int64_t num, int64_t den, int64_t *out);

#endif
