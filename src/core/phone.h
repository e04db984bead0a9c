/*
 * phone.h: phone numbers through libphonenumber (Google's metadata for
 * every country's numbering plan, Debian's libphonenumber), behind a C
 * interface (phone.cc is the one C++ file of bss).
 *
 * A number is accepted in international form (+31 6 1234 5678,
 * 0031 6 ...) or, when the operator's default country is set
 * (--default-country NL), in that country's national forms (0686665420,
 * 06-86 66 54 20, +31 (0)6 ...); spaces, dashes, dots and parentheses are
 * allowed. It is stored and searched as E.164: "+31686665420".
 */
#ifndef BSS_CORE_PHONE_H
#define BSS_CORE_PHONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define BSS_PHONE_E164_MAX 16 /* '+' and at most 15 digits */

/* Sets the default country (ISO 3166-1 alpha-2, "" = none) for every later call. Call before threads start. */
void bss_phone_set_default_country(const char *cc);
const char *bss_phone_default_country(void);

/* Whether cc is a region libphonenumber knows (upper case, "NL"). */
bool bss_phone_country_ok(const char *cc);

/*
 * Normalises text to E.164 into out (BSS_PHONE_E164_MAX + 1 bytes).
 * BSS_E_INVALID with a message naming field when it is not a valid number
 * (too short, too long, not a number of any plan, or national without a
 * default country).
 */
bss_err bss_phone_e164(const char *text, size_t len, const char *field, char *out, bss_errinfo *ei);

/* The same without a message: true and out filled when text is a valid number. */
bool bss_phone_try_e164(const char *text, size_t len, char *out);

/*
 * A range of numbers FROM..TO (a block an operator adds to its MSISDN pool),
 * each in any form bss_phone_e164 takes: both valid numbers, of the same
 * length, FROM <= TO, at most max numbers. from_out/to_out get the E.164
 * forms, *count the size. BSS_E_INVALID naming "from" or "to" otherwise.
 */
bss_err bss_phone_range(const char *from, const char *to, int64_t max, char *from_out, char *to_out, int64_t *count,
                        bss_errinfo *ei);

#endif
