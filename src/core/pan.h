/*
 * pan.h: the card-number (PAN) detector behind the non-negotiable "card
 * numbers are never stored at all". Pure functions, no I/O: the document
 * write path (doc/doc.c) runs bss_pan_reject_json on every document of
 * every kind before it is stored, and the writes that are not documents
 * (consent notes, API-key names, hub callbacks) run it on their text.
 *
 * A card number is 13..19 digits that pass the Luhn check and start with 2
 * to 6 (the industry digits of the payment schemes), found anywhere in text, whatever is
 * glued to it ("cc4111111111111111", "pm_4111111111111111",
 * "4111111111111111x"). Digits may come in groups joined by one to three
 * separators: space, tab, '-', '.', '/', '_', or a Unicode space (no-break,
 * figure, thin, narrow no-break, ideographic, zero-width). Inside a longer
 * run of groups, a card number at its start or at its end counts too
 * ("ref 123456 4111 1111 1111 1111", "4111 1111 1111 1111 123"); groups of
 * one or two digits (dates, times, lists of small numbers) are not part of
 * a grouped card number. These are NOT card numbers:
 *   - a run of 20 or more digits without separators, or of 12 or fewer;
 *   - digits right after '+' (an E.164 phone number);
 *   - digits starting with 0 (national and 00-prefixed phone numbers), 1
 *     (millisecond timestamps: 13 digits until 2286), 7, 8 or 9, and a
 *     grouped run starting with 89 (an ICCID);
 *   - 15 digits starting with 35, 86 or 99 (an IMEI: no card scheme issues
 *     15-digit numbers there);
 *   - digits inside a UUID (8-4-4-4-12 hex), i.e. ids and hrefs.
 * In a JSON document the values of the members that hold such numbers by
 * design (iccid, eid, imsi, imei, msisdn, phoneNumber, faxNumber, prefix,
 * prefixes: checked by their own rules), and the value of a characteristic
 * named so ({"name": "IMSI", "value": ...}), are not judged; every other
 * member's name, string and number is.
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

/* The same for one text (len bytes; NULL is fine): BSS_E_INVALID naming field when it holds a card number. */
bss_err bss_pan_reject_text(const char *text, size_t len, const char *field, bss_errinfo *ei);

#endif
