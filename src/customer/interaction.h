/*
 * interaction.h: the customer-care contact log (src/customer/interaction.c),
 * TMF683 Party Interaction v4 at /tmf-api/partyInteraction/v4/partyInteraction,
 * and the reference table care_ref that interactions and trouble tickets
 * (ticket.c) share: one row per customer, party, account, product, ticket or
 * order id a record names, so the customer view, export and erasure find
 * the records of a subscriber with one indexed lookup.
 *
 * System events: bss_interaction_on_event is a local consumer of the outbox
 * (events.h): every event whose resource names a customer, party or account
 * adds an interaction (channel "system", reason = the event type) in the
 * event's own transaction.
 */
#ifndef BSS_CUSTOMER_INTERACTION_H
#define BSS_CUSTOMER_INTERACTION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/router.h"
#include "api/tmf.h"
#include "core/err.h"
#include "db/db.h"
#include "db/resource.h"

#define BSS_CARE_REFS_MAX 32 /* ids one record may name (more are not indexed) */

extern bss_res_table bss_interaction_table; /* "interaction" */
extern const bss_tmf_resource bss_interaction_resource;

/* Whether a table exists in the store (a later issue's tables may not yet): a catalog lookup, never an error.
 */
bool bss_care_table_exists(bss_db *db, const char *table);

/*
 * Replaces the care_ref rows of one record (kind "interaction" | "ticket")
 * from the references in doc (relatedParty, relatedEntity, interactionItem
 * items, customer, billingAccount, ...), adding the engaged party of each
 * named customer and the owners of each named billing account; doc NULL
 * removes them. sort_ms orders the records of one subject (newest first).
 */
bss_err bss_care_refs_store(bss_db *db, const char *kind, const char *entity_id, const json_t *doc,
                            int64_t sort_ms, bss_errinfo *ei);

/* Calls fn for each record of kind naming ref_id, newest first, at most limit (< 0: all). */
typedef bss_err (*bss_care_ref_fn)(const char *entity_id, int64_t sort_ms, void *arg);
bss_err bss_care_refs_find(bss_db *db, const char *kind, const char *ref_id, int64_t limit,
                           bss_care_ref_fn fn, void *arg, bss_errinfo *ei);

/*
 * Notes (TMF note {text, author, date}) on PATCH: the stored notes are
 * always kept; each note of the patched document that is not already
 * stored (same text, author and date) is appended, so a client may send
 * only its new notes or the whole list. A note without date gets now and
 * without author the key's name. BSS_E_INVALID for a note without text.
 */
bss_err bss_care_notes_merge(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

/* The erasure of one record's personal text and party references (shared with ticket.c). */
int64_t bss_care_erase_doc(json_t *doc, const char *party_id, const char *pseudonym,
                           const char *const *text_keys);

/* Export / erasure of the records of kind in table that name party_id (interaction.c; ticket.c uses them). */
bss_err bss__care_export(bss_db *db, bss_res_table *table, const char *kind, const char *party_id,
                         json_t *out, bss_errinfo *ei);
bss_err bss__care_erase(bss_db *db, bss_res_table *table, const char *kind, const char *const *text_keys,
                        const char *party_id, const char *pseudonym, int64_t *changed, bss_errinfo *ei);

/* Local outbox consumer (events.h): records a system interaction for events naming a customer/party/account.
 */
bss_err bss_interaction_on_event(bss_db *db, int64_t now_ms, const char *api, const char *event_type,
                                 const char *res_key, const json_t *resource, bss_errinfo *ei);

/* Routes of the interaction resource (and its hub). */
bss_err bss_interaction_register_routes(bss_router *rt);

#endif
