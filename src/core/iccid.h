/*
 * iccid.h: SIM card numbers (ITU-T E.118 Integrated Circuit Card IDs): the
 * check every SIM batch file, order and SIM swap runs before an ICCID is
 * stored. An ICCID is 19 or 20 digits: the major industry identifier 89
 * (telecommunications), a country code, the issuer, the card's number and
 * a Luhn check digit over the rest. Operators write it with spaces or
 * dashes in groups, and some print an "F" filler at the end of an odd
 * length: both are accepted and dropped. Stored as the digits only.
 */
#ifndef BSS_CORE_ICCID_H
#define BSS_CORE_ICCID_H

#include <stddef.h>

#include "core/err.h"

#define BSS_ICCID_MAX 20

/*
 * Normalises text to the ICCID's digits into out (BSS_ICCID_MAX + 1 bytes).
 * BSS_E_INVALID naming field when it is not one: other characters, a length
 * other than 19 or 20 digits, not starting with 89, or a wrong check digit
 * (the message gives the digit the number needs).
 */
bss_err bss_iccid_normalize(const char *text, size_t len, const char *field, char *out, bss_errinfo *ei);

/* The Luhn check digit ('0'..'9') for the digits of body (n digits, no check digit). */
char bss_iccid_check_digit(const char *body, size_t n);

#endif
