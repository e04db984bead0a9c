/*
 * customer_int.h: what the files of src/customer share with each other
 * (and with their unit tests and fuzz targets) and no other module may
 * include: the rules customers and accounts share, the care records'
 * references, notes and erasure, the per-kind halves of export and erasure,
 * the search's term extraction, and the store functions of
 * customer_store.c. Other modules include customer/customer.h.
 *
 * Error convention of the account rules: a member of the wrong shape is
 * BSS_E_INVALID (400); a well-formed reference to something that does not
 * exist, or a rule between documents (same currency, no cycles), is
 * BSS_E_UNPROCESSABLE (422); a forbidden state change is BSS_E_STATE (409).
 * Every error names the field. With no store (ctx->db NULL, fuzzing and
 * pure tests) reference checks pass.
 */
#ifndef BSS_CUSTOMER_CUSTOMER_INT_H
#define BSS_CUSTOMER_CUSTOMER_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "customer/customer.h"

/* ---- customers and accounts (account_common.c) ---- */

#define BSS__ACCT_MAX_DEPTH 32 /* levels of a corporate account hierarchy */

/*
 * Checks a party reference {id, @referredType} at path: the id is a
 * non-empty string and names an Individual or Organization; with no
 * @referredType both are tried and the one found is written into ref.
 * Another @referredType is 400 unless allow_other (then it is not checked).
 * Absent: 422.
 */
bss_err bss__acct_check_party(const bss_doc_ctx *ctx, json_t *ref, const char *path, bool allow_other,
                              bss_errinfo *ei);

/*
 * Checks a {id} reference at path to a document of kind (422 when absent).
 * If out is not NULL it receives the parsed target (caller decrefs; NULL
 * without a store).
 */
bss_err bss__acct_check_ref(const bss_doc_ctx *ctx, const bss_doc_kind *kind, const json_t *ref,
                            const char *path, json_t **out, bss_errinfo *ei);

/*
 * relatedParty: an array of objects with an id; entries referring to an
 * Individual or Organization must exist, entries referring to a Customer
 * must be a stored customer. Sets *owner_index to the first entry whose role
 * is "owner" or "bill receiver"/"billReceiver" (case-insensitive), -1 if none.
 */
bss_err bss__acct_check_related(const bss_doc_ctx *ctx, json_t *doc, int *owner_index, bss_errinfo *ei);

/*
 * The customer the account belongs to, kept in the documented member
 * "customer" {id, href, @referredType "Customer"}: as posted (must exist),
 * else a relatedParty entry with @referredType "Customer", else the first
 * customer whose engagedParty is the owner party. Unchanged when none.
 */
bss_err bss__acct_link_customer(const bss_doc_ctx *ctx, json_t *doc, int owner_index, bss_errinfo *ei);

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

/* Keeps the stored accountNumber on patch; on create takes the next "<prefix>-NNNNNN". */
bss_err bss__acct_number(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, const char *prefix,
                         bss_errinfo *ei);

/* contact[]: TMF666 Contact objects whose contactMedium[] is checked (paths contact[i].contactMedium). */
bss_err bss__acct_check_contacts(const json_t *doc, bss_errinfo *ei);

/* ---- care records: interactions and tickets (care_ref.c) ---- */

#define BSS__CARE_REFS_MAX 32 /* ids one record may name (more are not indexed) */

/*
 * Replaces the care_ref rows of one record (kind "interaction" | "ticket")
 * from the references in doc (relatedParty, relatedEntity, interactionItem
 * items, customer, billingAccount, ...), adding the engaged party of each
 * named customer and the owners of each named billing account; doc NULL
 * removes them. sort_ms orders the records of one subject (newest first).
 */
bss_err bss__care_refs_store(bss_db *db, const char *kind, const char *entity_id, const json_t *doc,
                             int64_t sort_ms, bss_errinfo *ei);

/*
 * Notes (TMF note {text, author, date}) on patch: the stored notes are
 * always kept; each note of the patched document that is not already
 * stored (same text, author and date) is appended, so a client may send
 * only its new notes or the whole list. A note without date gets now and
 * without author the key's name. BSS_E_INVALID for a note without text.
 */
bss_err bss__care_notes_merge(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

/*
 * Whether a reference {id} of @referredType type names a stored record: true
 * when it does, when the type is not one bss checks, or when its table does
 * not exist yet (a module that has not landed). Used by interactions and
 * tickets for relatedParty and relatedEntity.
 */
bool bss__care_ref_exists(bss_db *db, const char *type, const char *id);

/*
 * relatedParty / relatedEntity (key) of a care record: an array of
 * references whose id is required (400 "key[i].id") and, for the types
 * bss__care_ref_exists checks, names a stored record (422).
 */
bss_err bss__care_check_refs(const bss_doc_ctx *ctx, const json_t *doc, const char *key, bss_errinfo *ei);

/*
 * Keeps an erased party erased (erased.c): a customer or account may not
 * newly name an erased party, change a reference to one, or change
 * anything but its status when it is the erased party's own record.
 * BSS_E_CONFLICT naming the member. Called by the customer and account
 * prepare hooks (old NULL on create).
 */
bss_err bss__erased_guard(const bss_doc_ctx *ctx, const json_t *doc, const json_t *old, bss_errinfo *ei);

/* The erasure of one record's personal text and party references (shared with ticket.c). */
int64_t bss__care_erase_doc(json_t *doc, const char *party_id, const char *const *also, size_t nalso,
                            const char *pseudonym, const char *const *text_keys);

/* Export / erasure of the records of a kind that name party_id (interaction.c; ticket.c uses them). */
bss_err bss__care_export(bss_db *db, const bss_doc_kind *kind, const char *ref_kind, const char *party_id,
                         json_t *out, bss_errinfo *ei);
bss_err bss__care_erase(bss_db *db, const bss_doc_kind *kind, const char *ref_kind,
                        const char *const *text_keys, const char *party_id, const char *const *also, size_t nalso,
                        const char *pseudonym, int64_t *changed, bss_errinfo *ei);

/* Appends to `out` (a JSON array) every interaction / ticket that names the party (export). */
bss_err bss__interactions_export_party(bss_db *db, const char *party_id, json_t *out, bss_errinfo *ei);
bss_err bss__tickets_export_party(bss_db *db, const char *party_id, json_t *out, bss_errinfo *ei);

/*
 * Erasure: replaces personal text (notes, descriptions, reasons, names,
 * contact details) in every interaction / ticket that names the party with
 * "[erased]" and the party reference with the pseudonym; references to the
 * person's own records (also[0..nalso): their customers and accounts) keep
 * their ids and lose their names; keeps ids, times, channels, types and
 * statuses. Returns how many rows changed in *changed.
 */
bss_err bss__interactions_erase_party(bss_db *db, const char *party_id, const char *const *also, size_t nalso,
                                      const char *pseudonym, int64_t *changed, bss_errinfo *ei);
bss_err bss__tickets_erase_party(bss_db *db, const char *party_id, const char *const *also, size_t nalso,
                                 const char *pseudonym, int64_t *changed, bss_errinfo *ei);

/*
 * The individuals and organizations whose document names id (as a JSON
 * string anywhere): fn(kind, their id) for each (erasure: a child
 * organization's parent, a contact person). A scan; tables not there yet
 * are skipped.
 */
typedef bss_err (*bss__party_fn)(const bss_doc_kind *kind, const char *id, void *arg, bss_errinfo *ei);
bss_err bss__store_parties_naming(bss_db *db, const char *id, bss__party_fn fn, void *arg, bss_errinfo *ei);

/* ---- tickets (ticket.c): pure rules, reached by the tests ---- */

/*
 * severity -> SLA: critical 4 h, major 24 h, minor 72 h, low 7 days from
 * creationDate (the one table sla_table in ticket.c), stored as
 * expectedResolutionDate and recomputed when the severity changes. -1 for
 * an unknown severity (case-insensitive).
 */
int64_t bss__ticket_sla_ms(const char *severity);

/*
 * status: acknowledged -> inProgress; inProgress <-> pending; inProgress |
 * pending -> resolved; resolved -> inProgress (reopen) | closed; closed is
 * final (equal is allowed; unknown names are not).
 */
bool bss__ticket_transition_ok(const char *from, const char *to);
/* "; from <from> it may become: ..." for a 409 (doc.h bss_doc_next_states). */
const char *bss__ticket_next_states(const char *from, char *buf, size_t cap);

/* ---- search (search.c) ---- */

typedef void (*bss__search_term_fn)(void *arg, const char *term, const char *field);

/*
 * The terms of doc (id: the entity id) as bss_search_index_doc writes them,
 * deduplicated, each at most BSS_SEARCH_TERM_MAX - 1 bytes; display (at
 * least BSS_SEARCH_TERM_MAX bytes) receives the display name. BSS_E_NOMEM only.
 */
bss_err bss__search_doc_terms(const json_t *doc, const char *id, char *display, bss__search_term_fn fn,
                              void *arg);

/* The exact-match form of a query or value: ASCII lower-cased, spaces and tabs trimmed, cut to
 * cap - 1 bytes. */
size_t bss__search_lower(const char *s, char *out, size_t cap);

/* ---- the access audit (audit.c) ---- */

/* Records one access to personal data in the caller's transaction: who, which resource, when. */
bss_err bss__audit_record(bss_db *db, int64_t now_ms, const char *key_id, const char *key_name,
                          const char *action, const char *resource_kind, const char *resource_id,
                          bss_errinfo *ei);

/* The rows about one resource (export): a new JSON array, oldest first. */
bss_err bss__audit_export(bss_db *db, const char *resource_id, json_t **out, bss_errinfo *ei);

/* ---- the store (customer_store.c) ---- */

/*
 * Every SQL statement of the module. Errors are the store's (db/db.h)
 * unless the comment names more. A callback gets the caller's ei; its error
 * stops the read and is returned. The strings of a row handed to a
 * callback are valid during the call only.
 */

/* Whether table exists; false when it does not or the check fails (modules not landed yet). */
bool bss__store_table_exists(bss_db *db, const char *table);

/* One party_consent row. recorded_by and note may be NULL. */
typedef struct bss__consent_row {
    const char *id, *party_id, *purpose, *channel;
    int64_t granted; /* 1 given, 0 withdrawn */
    int64_t at_ms;
    const char *source, *wording_version, *recorded_by, *note;
} bss__consent_row;
typedef bss_err (*bss__consent_row_fn)(const bss__consent_row *row, void *arg, bss_errinfo *ei);

/* Reads party_consent: granted of the latest (party, purpose, channel) decision; BSS_E_NOT_FOUND: none. */
bss_err bss__store_consent_granted(bss_db *db, const char *party_id, const char *purpose, const char *channel,
                                   int64_t *granted, bss_errinfo *ei);
/* Writes party_consent: decision in as row id at now_ms, the next seq of its (party, purpose, channel). */
bss_err bss__store_consent_insert(bss_db *db, const char *id, int64_t now_ms, const bss_consent_input *in,
                                  bss_errinfo *ei);
/* Reads party_consent: fn for the row with that id, if there is one. */
bss_err bss__store_consent_get(bss_db *db, const char *id, bss__consent_row_fn fn, void *arg,
                               bss_errinfo *ei);
/* Reads party_consent: fn per decision (history) or latest per purpose/channel; "could not read consents". */
bss_err bss__store_consent_list(bss_db *db, const char *party_id, bool history, bss__consent_row_fn fn,
                                void *arg, bss_errinfo *ei);
/* Writes party_consent (erasure): the party's notes become "[erased]"; *changed (may be NULL) = rows. */
bss_err bss__store_consent_erase(bss_db *db, const char *party_id, int64_t *changed, bss_errinfo *ei);

/* One access_audit row. */
typedef struct bss__audit_row {
    const char *id;
    int64_t at_ms;
    const char *key_id, *key_name, *action, *resource_kind, *resource_id;
} bss__audit_row;
typedef bss_err (*bss__audit_row_fn)(const bss__audit_row *row, void *arg, bss_errinfo *ei);

/* Writes access_audit: one row (id not NULL). */
bss_err bss__store_audit_insert(bss_db *db, const bss__audit_row *row, bss_errinfo *ei);
/* Reads access_audit: fn per row about resource_id, oldest first; "could not read the access audit". */
bss_err bss__store_audit_of(bss_db *db, const char *resource_id, bss__audit_row_fn fn, void *arg,
                            bss_errinfo *ei);
/* Reads access_audit: fn per row, newest first, by resource_id and key_id (NULL: any); errors as above. */
bss_err bss__store_audit_list(bss_db *db, const char *resource_id, const char *key_id, int64_t offset,
                              int64_t limit, bss__audit_row_fn fn, void *arg, bss_errinfo *ei);

/* Writes party_identification: removes the party's rows. */
bss_err bss__store_ident_drop(bss_db *db, const char *party_id, bss_errinfo *ei);
/* Reads party_identification: *taken when a party holds (type, number, country) (none NULL). */
bss_err bss__store_ident_taken(bss_db *db, const char *type, const char *number, const char *country,
                               bool *taken, bss_errinfo *ei);
/* Writes party_identification: the party holds the triple; BSS_E_EXISTS when another one does. */
bss_err bss__store_ident_insert(bss_db *db, const char *party_id, const char *party_kind, const char *type,
                                const char *number, const char *country, bss_errinfo *ei);

/* Writes tmf666_account_seq: *n = prefix's counter, incremented; BSS_E_NOT_FOUND: no such counter. */
bss_err bss__store_account_seq_next(bss_db *db, const char *prefix, int64_t *n, bss_errinfo *ei);

/* Writes care_ref: removes the rows of one record (kind "interaction" | "ticket"). */
bss_err bss__store_care_refs_drop(bss_db *db, const char *kind, const char *entity_id, bss_errinfo *ei);
/* Writes care_ref: the record names ref_id, of ref_type (both not NULL), sorted by sort_ms. */
bss_err bss__store_care_ref_add(bss_db *db, const char *kind, const char *entity_id, const char *ref_id,
                                const char *ref_type, int64_t sort_ms, bss_errinfo *ei);
/* Reads care_ref: fn per record of kind naming ref_id, newest first, at most limit (< 0: all). */
typedef bss_err (*bss__care_ref_fn)(const char *entity_id, int64_t sort_ms, void *arg);
bss_err bss__store_care_refs_find(bss_db *db, const char *kind, const char *ref_id, int64_t limit,
                                  bss__care_ref_fn fn, void *arg, bss_errinfo *ei);
/* Writes care_ref (erasure): the records of kind naming from_id name to_id instead. */
bss_err bss__store_care_refs_rename(bss_db *db, const char *kind, const char *from_id, const char *to_id,
                                    bss_errinfo *ei);
/* Reads the table of @referredType type: *n rows with id; BSS_E_NOT_FOUND: type unchecked or no table. */
bss_err bss__store_ref_count(bss_db *db, const char *type, const char *id, int64_t *n);

/* The tables whose documents may name a party (export and erasure), in this order. */
typedef enum bss__related {
    BSS__REL_CUSTOMER,   /* tmf629_customer */
    BSS__REL_BILLING,    /* tmf666_billing_account */
    BSS__REL_PARTY_ACC,  /* tmf666_party_account */
    BSS__REL_FINANCIAL,  /* tmf666_financial_account */
    BSS__REL_SETTLEMENT, /* tmf666_settlement_account */
    BSS__REL_COUNT
} bss__related;
typedef bss_err (*bss__related_fn)(const char *doc, size_t len, size_t id_index, void *arg, bss_errinfo *ei);

/* Reads table t: fn per document whose text holds "ids[k]", for each k (none without the table). */
bss_err bss__store_related_scan(bss_db *db, bss__related t, const char *const *ids, size_t nids,
                                bss__related_fn fn, void *arg, bss_errinfo *ei);
/* Writes table t: document id gets doc_text, name, updated_ms and row_version + 1. */
bss_err bss__store_related_update(bss_db *db, bss__related t, const char *id, const char *doc_text,
                                  const char *name, int64_t now_ms, bss_errinfo *ei);
/* Reads product: fn(id, status) per product on the account, by id (status may be NULL). */
typedef bss_err (*bss__product_state_fn)(const char *id, const char *status, void *arg, bss_errinfo *ei);
bss_err bss__store_product_states(bss_db *db, const char *account_id, bss__product_state_fn fn, void *arg,
                                  bss_errinfo *ei);

/* One search_index row as a query reads it. */
typedef struct bss__search_row {
    const char *term, *kind, *entity_id, *customer_id, *display;
} bss__search_row;
typedef bss_err (*bss__search_row_fn)(const bss__search_row *row, void *arg, bss_errinfo *ei);

/* Writes search_index: one term of a document. */
bss_err bss__store_search_put(bss_db *db, const char *term, const char *field, const char *kind,
                              const char *id, const char *customer_id, const char *display, bss_errinfo *ei);
/* Writes search_index: removes the terms of one document. */
bss_err bss__store_search_drop(bss_db *db, const char *kind, const char *id, bss_errinfo *ei);
/* Reads search_index: fn per row of a non-name term, until *full (fn sets it); "search failed". */
bss_err bss__store_search_exact(bss_db *db, const char *term, const bool *full, bss__search_row_fn fn,
                                void *arg, bss_errinfo *ei);
/* Reads search_index: a page of name terms starting with prefix, until *full; *nrows read; as above. */
bss_err bss__store_search_names(bss_db *db, const char *prefix, int64_t limit, int64_t offset,
                                const bool *full, bss__search_row_fn fn, void *arg, int64_t *nrows,
                                bss_errinfo *ei);
/* Reads tmf629_customer: *customer_id = the first customer engaging the party, a JSON string or NULL. */
bss_err bss__store_party_customer(bss_db *db, const char *party_id, json_t **customer_id, bss_errinfo *ei);

/* Reads tmf666_billing_account: appends the customer's billing accounts, by id, at most limit. */
bss_err bss__store_customer_accounts(bss_db *db, const char *customer_id, int64_t limit, json_t *arr,
                                     bss_errinfo *ei);
/* Reads product: appends the documents of the account's products, by id, at most limit. */
/* The account's orders not yet ended (table tmf622_product_order of the order module), oldest first. */
bss_err bss__store_account_open_orders(bss_db *db, const char *account_id, int64_t limit, json_t *arr,
                                       bss_errinfo *ei);
bss_err bss__store_account_products(bss_db *db, const char *account_id, int64_t limit, json_t *arr,
                                    bss_errinfo *ei);
/*
 * The account's active buckets (table bucket of the charging module), by
 * line: {id, usageType, units, bucketSource, remaining | unlimited,
 * initial?, msisdn?, productId?, validTo?}; money in currency units, the
 * rest in base units (s, msg, byte, event).
 */
bss_err bss__store_account_buckets(bss_db *db, const char *account_id, int64_t limit, json_t *arr, bss_errinfo *ei);
/*
 * The customer view's usage part from the charging module's running totals
 * (usage_total): per line and service in the account's latest bill period,
 * {productId, service, currency, billPeriodStart, events, ratedUnits,
 * charge, lastUsageAt, lastUsageId}.
 */
bss_err bss__store_account_usage(bss_db *db, const char *account_id, int64_t limit, json_t *arr, bss_errinfo *ei);

#endif
