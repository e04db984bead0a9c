/*
 * customer.h: the seams between the parts of customer management that
 * live in different files: privacy (export and erasure of a party, in
 * party_privacy.c) needs the interactions and trouble tickets that mention
 * the party (interaction.c, ticket.c); the customer view and search
 * (view.c, search.c) read what the others store. Each function runs on the
 * connection given, inside the caller's transaction when it writes.
 *
 * Table names (resource.h layout: id, doc, created_ms, updated_ms,
 * row_version + typed columns): tmf632_individual, tmf632_organization,
 * tmf629_customer, tmf666_billing_account, tmf666_party_account,
 * tmf666_financial_account, tmf666_settlement_account, tmf666_bill_format,
 * tmf666_billing_cycle_spec, tmf666_bill_presentation_media,
 * party_consent, interaction, tmf621_trouble_ticket, search_index,
 * access_audit.
 */
#ifndef BSS_CUSTOMER_CUSTOMER_H
#define BSS_CUSTOMER_CUSTOMER_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

/* Appends to `out` (a JSON array) every interaction / ticket that names the party (export). */
bss_err bss_interactions_export_party(bss_db *db, const char *party_id, json_t *out, bss_errinfo *ei);
bss_err bss_tickets_export_party(bss_db *db, const char *party_id, json_t *out, bss_errinfo *ei);

/*
 * Erasure: replaces personal text (notes, descriptions, names, contact
 * details) in every interaction / ticket that names the party with
 * "[erased]" and the party reference with the pseudonym; keeps ids, times,
 * channels, types and statuses. Returns how many rows changed in *changed.
 */
bss_err bss_interactions_erase_party(bss_db *db, const char *party_id, const char *pseudonym, int64_t *changed,
                                     bss_errinfo *ei);
bss_err bss_tickets_erase_party(bss_db *db, const char *party_id, const char *pseudonym, int64_t *changed,
                                bss_errinfo *ei);

/*
 * The search index (search.c): terms of a document (names folded to
 * lower-case ASCII without accents, e-mail, E.164 phone, account number,
 * MSISDN, ICCID, ids) for the customer it belongs to. Replaces the
 * document's previous terms; doc NULL removes them.
 */
bss_err bss_search_index_doc(bss_db *db, const char *kind, const char *id, const char *customer_id,
                             const json_t *doc, bss_errinfo *ei);

/* Records one read of personal data by an agent (audit.c): who, which resource, when. */
bss_err bss_audit_record(bss_db *db, int64_t now_ms, const char *key_id, const char *key_name,
                         const char *action, const char *resource_kind, const char *resource_id,
                         bss_errinfo *ei);

#endif
