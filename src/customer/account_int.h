/*
 * account_int.h: what the customer and account files (customer_res.c,
 * account.c, account_other.c, account_common.c) share and no other module
 * may include: reference checks against the store, the account state
 * machine, Money members, server-assigned account numbers, the card-number
 * (PAN) guard and the customer an account belongs to.
 *
 * Error convention: a member of the wrong shape is BSS_E_INVALID (400); a
 * well-formed reference to something that does not exist, or a rule between
 * documents (same currency, no cycles), is BSS_E_UNPROCESSABLE (422); a
 * forbidden state change is BSS_E_STATE (409). Every error names the field.
 * With no store (ctx->db NULL, fuzzing and pure tests) reference checks pass.
 */
#ifndef BSS_CUSTOMER_ACCOUNT_INT_H
#define BSS_CUSTOMER_ACCOUNT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/tmf.h"
#include "core/err.h"

#define BSS__ACCT_MAX_DEPTH 32 /* levels of a corporate account hierarchy */

/* Reads and parses one stored document of table (BSS_E_NOT_FOUND if absent). */
bss_err bss__acct_load(bss_db *db, bss_res_table *table, const char *id, json_t **out, bss_errinfo *ei);

/*
 * Checks a party reference {id, @referredType} at path: the id is a
 * non-empty string and names a row of tmf632_individual ("Individual") or
 * tmf632_organization ("Organization"); with no @referredType both are
 * tried and the one found is written into ref. Another @referredType is
 * 400 unless allow_other (then it is not checked). Absent: 422.
 */
bss_err bss__acct_check_party(const bss_tmf_ctx *ctx, json_t *ref, const char *path, bool allow_other,
                              bss_errinfo *ei);

/*
 * Checks a {id} reference at path to a row of res (422 when absent). If out
 * is not NULL it receives the parsed target (caller decrefs; NULL without a store).
 */
bss_err bss__acct_check_ref(const bss_tmf_ctx *ctx, const bss_tmf_resource *res, const json_t *ref,
                            const char *path, json_t **out, bss_errinfo *ei);

/*
 * relatedParty: an array of objects with an id; entries referring to an
 * Individual or Organization must exist, entries referring to a Customer
 * must be a stored customer. Sets *owner_index to the first entry whose role
 * is "owner" or "bill receiver"/"billReceiver" (case-insensitive), -1 if none.
 */
bss_err bss__acct_check_related(const bss_tmf_ctx *ctx, json_t *doc, int *owner_index, bss_errinfo *ei);

/*
 * The customer the account belongs to, kept in the documented member
 * "customer" {id, href, @referredType "Customer"}: as posted (must exist),
 * else a relatedParty entry with @referredType "Customer", else the first
 * customer whose engagedParty is the owner party. Unchanged when none.
 */
bss_err bss__acct_link_customer(const bss_tmf_ctx *ctx, json_t *doc, int owner_index, bss_errinfo *ei);

/* state: "active" (default) | "suspended" | "closed", along active<->suspended, -> closed (final). */
bss_err bss__acct_check_state(json_t *doc, const json_t *old, bss_errinfo *ei);

/*
 * A Money member {unit, value} at path: value exact (core/money.h), unit a
 * known ISO 4217 code equal to currency when currency is not NULL; negative
 * values refused unless allow_negative. *micros (may be NULL) gets the value.
 */
bss_err bss__acct_check_money(const json_t *money, const char *path, const char *currency,
                              bool allow_negative, int64_t *micros, bss_errinfo *ei);

/* accountBalance: [{balanceType, amount: Money, validFor}] with amounts in currency (NULL: any known). */
bss_err bss__acct_check_balances(const json_t *doc, const char *currency, bss_errinfo *ei);

/* Keeps the stored accountNumber on PATCH; on create takes the next "<prefix>-NNNNNN" from
 * tmf666_account_seq. */
bss_err bss__acct_number(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, const char *prefix,
                         bss_errinfo *ei);

/*
 * The card-number guard (bss_pan_reject_json, core/pan.h): BSS_E_INVALID
 * "card numbers are not stored; use a payment method token" naming the
 * first member (at any depth) whose name, string or integer value holds a
 * card number anywhere in its text (13..19 digits, spaces and dashes
 * between digit groups allowed, passing Luhn; ICCIDs, IMEIs, phone numbers
 * and UUIDs excluded).
 */
bss_err bss__acct_reject_pan(const json_t *doc, bss_errinfo *ei);

/* The Luhn check on a string of digits (exposed for tests). */
bool bss__acct_luhn(const char *digits, size_t n);

/* contact[]: TMF666 Contact objects whose contactMedium[] is checked by contact.h (paths
 * contact[i].contactMedium). */
bss_err bss__acct_check_contacts(const json_t *doc, bss_errinfo *ei);

/* Strings that must be strings: name, description, @type, @baseType, @schemaLocation; name not empty. */
bss_err bss__acct_check_common(const json_t *doc, bss_errinfo *ei);

/* validFor {startDateTime, endDateTime} at path: RFC 3339, start <= end. */
bss_err bss__acct_check_period(const json_t *vf, const char *path, bss_errinfo *ei);

#endif
