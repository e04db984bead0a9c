/*
 * search.h: the customer search (src/customer/search.c). Documents of
 * parties, customers, accounts and products put their terms into the table
 * search_index with bss_search_index_doc (customer.h); agents look a
 * subscriber up with GET /api/v1/search?q=...&limit=20, which runs
 * bss_search_run:
 *
 *   - names: case- and accent-insensitive prefix match. Names are folded
 *     to lower-case ASCII (bss_search_fold: é -> e, ß -> ss, ł -> l, Æ -> ae;
 *     Latin-1 Supplement and Latin Extended-A; other letters kept as they
 *     are), each word and the whole name are terms, and the query prefix is
 *     a byte-ordered range scan on the term index (term >= q AND term <
 *     q || U+10FFFF);
 *   - exact match on e-mail (lower-cased), phone and MSISDN (E.164 "+digits":
 *     spaces, dashes, dots, parentheses dropped, a leading 00 read as +),
 *     ICCID, account numbers and ids (lower-cased).
 *
 * Results: [{customerId, kind, id, display, matched}], exact matches first,
 * then name matches in term order, one row per (kind, id).
 */
#ifndef BSS_CUSTOMER_SEARCH_H
#define BSS_CUSTOMER_SEARCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

#define BSS_SEARCH_TERM_MAX 160 /* bytes of one term (longer names are cut at a character boundary) */
#define BSS_SEARCH_LIMIT_MAX 100

/*
 * Folds UTF-8 text to the name-term form: lower-case ASCII letters and
 * digits without accents, words separated by one space, apostrophes
 * dropped ("O'Brien" -> "obrien"), other punctuation a word break. Invalid
 * UTF-8 bytes are skipped. Writes at most cap - 1 bytes plus a NUL (cut at
 * a character boundary); returns the length written.
 */
size_t bss_search_fold(const char *in, size_t len, char *out, size_t cap);

/*
 * Normalises a phone number or MSISDN to "+digits": drops spaces, dashes,
 * dots, parentheses; "00" prefix -> "+". Returns false if anything else is
 * present or there are fewer than 3 or more than 15 digits. A number
 * without '+' or 00 is returned as "+digits" too (MSISDNs are stored
 * without the plus).
 */
bool bss_search_norm_phone(const char *in, char out[20]);

/* Runs one search (limit 1..BSS_SEARCH_LIMIT_MAX); *out = a new JSON array. BSS_E_INVALID for an empty q. */
bss_err bss_search_run(bss_db *db, const char *q, int limit, json_t **out, bss_errinfo *ei);

/* One term written directly (bench, tests): field is "name", "email", "phone", "id", "account", "iccid". */
bss_err bss_search_put_term(bss_db *db, const char *term, const char *field, const char *kind, const char *id,
                            const char *customer_id, const char *display, bss_errinfo *ei);

#endif
