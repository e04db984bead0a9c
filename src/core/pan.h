/*
 * pan.h: the card-number (PAN) detector behind the non-negotiable "card
 * numbers are never stored at all". Pure functions, no I/O: the generic
 * TMF write path (api/tmf.c) runs bss_pan_reject_json on every document of
 * a personal_data resource before it is stored, the account rules
 * (customer/account_common.c) and consent notes (customer/consent.c) use
 * it too.
 *
 * A card number is a run of 13..19 digits, optionally grouped by single
 * spaces or dashes ("4111 1111 1111 1111", "5500-0000-0000-0004"), that
 * passes the Luhn check, found anywhere inside free text. The run is the
 * longest such sequence, so these are NOT card numbers:
 *   - a run of 20 or more digits, or of 12 or fewer;
 *   - a run glued to a letter or '_' on either side ("ab4111111111111111",
 *     "pm_4111111111111111", "4111111111111111x": part of an identifier),
 *     or right after '+' (an E.164 phone number);
 *   - a run starting with '0' (no card number does: national and 00-prefixed
 *     phone numbers) or "89" (an ICCID, the Luhn-checked SIM serial);
 *   - a 15-digit run starting with 35, 86 or 99 (an IMEI, also Luhn-checked;
 *     no card scheme issues 15-digit numbers there);
 *   - digits inside a UUID (8-4-4-4-12 hex), i.e. ids and hrefs.
 */
#ifndef BSS_CORE_PAN_H
#define BSS_CORE_PAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* The Luhn check on n ASCII digits (false for n == 0 or a non-digit). */
bool bss_pan_luhn(const char *digits, size_t n);

/*
 * Finds the first card number in text[0..len) (text need not be
 * NUL-terminated). On a hit returns true with *at = its offset and *span =
 * its length in bytes including group separators (either may be NULL).
 * Linear in len.
 */
bool bss_pan_find(const char *text, size_t len, size_t *at /* out */, size_t *span /* out */);

/*
 * Walks every member name, string and integer of doc at any depth: the
 * first card number found is BSS_E_INVALID with field = the member's JSON
 * path ("note[0].text", "" for a bare top-level value) and message
 * "<path>: card numbers are not stored; use a payment method token".
 * BSS_OK when there is none. doc may be NULL.
 */
bss_err bss_pan_reject_json(const json_t *doc, bss_errinfo *ei);

#endif
