/*
 * customer.h: the customer management module, as other modules see it.
 * It owns parties (TMF632 individuals and organizations), customers
 * (TMF629), accounts (TMF666), consent, privacy (GDPR export and erasure),
 * the access audit of personal data, the customer-care records
 * (interactions, TMF683, and trouble tickets, TMF621), the customer view
 * and the customer search. Its REST bindings live in src/api (tmf632.c,
 * tmf629.c, tmf666.c, tmf683.c, tmf621.c, care.c); docs/customer.md
 * documents the rules.
 *
 * The document kinds (doc/doc.h; each holds personal data):
 *
 *   kind                              name                       table
 *   bss_individual_kind               individual                 tmf632_individual
 *   bss_organization_kind             organization               tmf632_organization
 *   bss_customer_kind                 customer                   tmf629_customer
 *   bss_billing_account_kind          billingAccount             tmf666_billing_account
 *   bss_party_account_kind            partyAccount               tmf666_party_account
 *   bss_financial_account_kind        financialAccount           tmf666_financial_account
 *   bss_settlement_account_kind       settlementAccount          tmf666_settlement_account
 *   bss_bill_format_kind              billFormat                 tmf666_bill_format
 *   bss_billing_cycle_spec_kind       billingCycleSpecification  tmf666_billing_cycle_spec
 *   bss_bill_presentation_media_kind  billPresentationMedia      tmf666_bill_presentation_media
 *   bss_interaction_kind              partyInteraction           interaction
 *   bss_ticket_kind                   troubleTicket              tmf621_trouble_ticket
 *
 * (billFormat, billingCycleSpecification and billPresentationMedia are
 * configuration, not personal data.) Other tables: party_identification,
 * party_consent, care_ref, search_index, access_audit, tmf666_account_seq,
 * all behind customer_store.c.
 */
#ifndef BSS_CUSTOMER_CUSTOMER_H
#define BSS_CUSTOMER_CUSTOMER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "auth/auth.h"
#include "core/err.h"
#include "core/phone.h"
#include "db/db.h"
#include "doc/doc.h"

#define BSS_TMF632_BASE "/tmf-api/party/v4"
#define BSS_TMF629_BASE "/tmf-api/customerManagement/v4"
#define BSS_TMF666_BASE "/tmf-api/accountManagement/v4"
#define BSS_TMF683_BASE "/tmf-api/partyInteraction/v4"
#define BSS_TMF621_BASE "/tmf-api/troubleTicket/v4"

extern const bss_doc_kind bss_individual_kind;
extern const bss_doc_kind bss_organization_kind;
extern const bss_doc_kind bss_customer_kind;
extern const bss_doc_kind bss_billing_account_kind;
extern const bss_doc_kind bss_party_account_kind;
extern const bss_doc_kind bss_financial_account_kind;
extern const bss_doc_kind bss_settlement_account_kind;
extern const bss_doc_kind bss_bill_format_kind;
extern const bss_doc_kind bss_billing_cycle_spec_kind;
extern const bss_doc_kind bss_bill_presentation_media_kind;
extern const bss_doc_kind bss_interaction_kind;
extern const bss_doc_kind bss_ticket_kind;

/*
 * From the accounts' typed columns, no document parsed (account.c): a
 * billing account's bill cycle day (*day 1..28; 1 when unset or out of
 * range; BSS_E_NOT_FOUND without the account), and its customer's segment
 * (segment "" when none; BSS_E_NOT_FOUND without the account).
 * bss_billing_account_segments calls fn for every billing account with its
 * customer's segment (NULL: none), reading the accounts as one stream; fn
 * returning false stops it.
 */
bss_err bss_billing_account_cycle_day(bss_db *db, const char *id, int *day, bss_errinfo *ei);
bss_err bss_billing_account_segment(bss_db *db, const char *id, char *segment, size_t size, bss_errinfo *ei);
typedef bool (*bss_account_segment_fn)(void *arg, const char *account_id, const char *segment);
bss_err bss_billing_account_segments(bss_db *db, bss_account_segment_fn fn, void *arg, bss_errinfo *ei);

/* The status of an erased party (a bss extension of the TMF states). */
#define BSS_PARTY_ERASED "erased"

/* ---- consent (consent.c) ---- */

/*
 * What a party agreed to be contacted for. One consent is (party, purpose,
 * channel) -> granted or withdrawn, with the time, the source of the
 * decision and the version of the wording the party saw. Every decision is
 * a new row (history kept); the current state of a (purpose, channel) is
 * its latest row. No row means no consent (opt-in).
 *
 * Purposes: marketing, profiling, thirdPartySharing.
 * Channels: sms, email, phone, post, push.
 * Sources: channel (the customer answered on the channel itself, e.g. an
 * SMS reply "STOP"), agent (told a care agent), selfCare (web or app).
 */
#define BSS_CONSENT_WORDING_MAX 64
#define BSS_CONSENT_NOTE_MAX 1000

typedef struct bss_consent_input {
    const char *party_id;
    const char *purpose; /* normalised spelling from the table */
    const char *channel; /* idem */
    bool granted;
    const char *source;          /* idem */
    const char *wording_version; /* 1..64 bytes */
    const char *note;            /* optional free text (erased with the party) */
    const char *recorded_by;     /* the key name that recorded it (NULL: unknown) */
} bss_consent_input;

/*
 * Whether the party's latest decision for (purpose, channel) is a grant.
 * Reads the store every time (no cache), so a withdrawal recorded a moment
 * ago is already in force. false on no row, an unknown purpose/channel or a
 * store error (never send marketing on doubt).
 */
bool bss_consent_allows(bss_db *db, const char *party_id, const char *purpose, const char *channel);

/*
 * Reads a decision {purpose, channel, granted, source, wordingVersion,
 * note?} into in (strings point into body; party_id and recorded_by are the
 * caller's). BSS_E_INVALID naming the field: purpose, channel, granted (a
 * boolean), source, wordingVersion, note; free text never holds a card
 * number (400).
 */
bss_err bss_consent_parse(const json_t *body, bss_consent_input *in, bss_errinfo *ei);

/*
 * Records one decision of the party in->party_id of party_kind (individual
 * or organization) in the caller's transaction: BSS_E_NOT_FOUND when there
 * is no such party, BSS_E_STATE when it was erased (it takes no new
 * decisions). *out (may be NULL) = the row as JSON.
 */
bss_err bss_consent_decide(bss_db *db, const bss_doc_kind *party_kind, int64_t now_ms,
                           const bss_consent_input *in, json_t **out, bss_errinfo *ei);

/* Appends one decision without the party checks (seeding, tests). */
bss_err bss_consent_record(bss_db *db, int64_t now_ms, const bss_consent_input *in, json_t **out,
                           bss_errinfo *ei);

/*
 * The consents of a party of party_kind: the current state per purpose and
 * channel (history false) or every row, oldest first (true): a new JSON
 * array. BSS_E_NOT_FOUND when there is no such party.
 */
bss_err bss_consent_read(bss_db *db, const bss_doc_kind *party_kind, const char *party_id, bool history,
                         json_t **out, bss_errinfo *ei);

/* The same without the party check. */
bss_err bss_consent_list(bss_db *db, const char *party_id, bool history, json_t **out, bss_errinfo *ei);

/* ---- privacy (party_privacy.c) ---- */

/*
 * Everything personal bss holds about a party of party_kind, as one
 * document {partyId, partyType, exportedAt, party, consents, customers,
 * accounts, interactions, troubleTickets, accessAudit}. Reads only.
 * BSS_E_NOT_FOUND when there is no such party.
 */
bss_err bss_party_export(bss_db *db, const bss_doc_kind *party_kind, const char *party_id, int64_t now_ms,
                         json_t **out, bss_errinfo *ei);

/*
 * Erases a party (GDPR) in the caller's transaction: the rules are those of
 * party_privacy.c's header and docs/customer.md. who (may be NULL) is
 * recorded in the access audit and, with reason (required by the API), in
 * the party's change history (doc.h: action "erase", no erased data, the
 * counts of records changed). *out = {id, status: "erased", pseudonym,
 * erasedAt, changed: {consents, customersAndAccounts, interactions,
 * troubleTickets}}; erasing an erased party again gives the same answer.
 * BSS_E_NOT_FOUND when there is no such party; BSS_E_CONFLICT while it has
 * active products or an unpaid balance.
 */
bss_err bss_party_erase(bss_db *db, const bss_doc_kind *party_kind, const char *party_id, int64_t now_ms,
                        const bss_principal *who, const char *reason, json_t **out, bss_errinfo *ei);

/* ---- the access audit of personal data (audit.c) ---- */

/*
 * Every read of a personal_data kind by a staff key other than admin, and
 * every export, consent read and erasure, becomes one row of access_audit:
 * who (key id and name), what (action, resource kind and id), when (at_ms,
 * from the injected clock). Rows are written by the group-commit writer
 * without making the reader wait: a read is answered at once and its audit
 * row follows within one commit window.
 *
 * Which keys are audited: agent, billing and readonly (people and systems
 * reading customers' data in their daily work). Admin keys are not: they
 * are the operator's own keys (set-up, the conformance kits, automation),
 * and every request of any key is in the request log anyway.
 */
#define BSS_AUDIT_ROLES (BSS_ROLE_AGENT | BSS_ROLE_BILLING | BSS_ROLE_READONLY | BSS_ROLE_PRIVACY)
#define BSS_AUDIT_MAX_IDS 1000 /* resource ids recorded for one list read (one page at most) */

/* Whether reads by this principal are recorded (NULL: no). */
bool bss_audit_wants(const bss_principal *who);

/*
 * Queues the audit rows of one access and returns at once: ids holds n
 * resource ids separated by '\n' (len bytes, need not be NUL-terminated),
 * one row each. Everything is copied. Failures are logged, never reported
 * to the reader. No-op when app has no writer or who is not audited.
 */
void bss_audit_submit(bss_app *app, const bss_principal *who, const char *action, const char *kind,
                      const char *ids, size_t len);

/*
 * The audit rows, newest first, of one resource and/or one key (either may
 * be NULL: not filtered), skipping offset and returning at most limit rows
 * {id, at, keyId, keyName, action, resourceKind, resourceId}: a new array.
 */
bss_err bss_audit_list(bss_db *db, const char *resource_id, const char *key_id, int64_t offset, int64_t limit,
                       json_t **out, bss_errinfo *ei);

/* ---- the customer view (view.c) and search (search.c) ---- */

#define BSS_VIEW_INTERACTIONS 20 /* lastInteractions of the view */
#define BSS_VIEW_BILLS 3         /* lastBills of the view */

/*
 * What a care agent opens when a subscriber calls: {customer, party,
 * accounts, subscriptions, balances, lastBills, openOrders, openTickets,
 * lastInteractions}. BSS_E_NOT_FOUND (field "id") if there is no such
 * customer; every other part is empty when it has no data or its table does
 * not exist yet (a module that has not landed). Reads only.
 */
bss_err bss_care_view_build(bss_db *db, const char *customer_id, json_t **out, bss_errinfo *ei);

#define BSS_SEARCH_TERM_MAX 160 /* bytes of one term (longer names are cut at a character boundary) */
#define BSS_SEARCH_LIMIT_MAX 100

/*
 * Finds subscribers (limit 1..BSS_SEARCH_LIMIT_MAX): names are a case- and
 * accent-insensitive prefix match (bss_search_fold), e-mail, phone and
 * MSISDN (E.164), ICCID, account numbers and ids an exact match. *out = a
 * new array [{customerId, kind, id, display, matched}], exact matches
 * first, then names in term order, one row per (kind, id). BSS_E_INVALID
 * for an empty q. Reads only.
 */
bss_err bss_search_run(bss_db *db, const char *q, int limit, json_t **out, bss_errinfo *ei);

/*
 * Folds UTF-8 text to the name-term form: lower-case ASCII letters and
 * digits without accents (é -> e, ß -> ss, ł -> l, Æ -> ae; Latin-1
 * Supplement and Latin Extended-A; other letters kept as they are), words
 * separated by one space, apostrophes dropped ("O'Brien" -> "obrien"),
 * other punctuation a word break. Invalid UTF-8 bytes are skipped. Writes
 * at most cap - 1 bytes plus a NUL (cut at a character boundary); returns
 * the length written.
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

/* One term written directly (bench, tests): field is "name", "email", "phone", "id", "account", "iccid". */
bss_err bss_search_put_term(bss_db *db, const char *term, const char *field, const char *kind, const char *id,
                            const char *customer_id, const char *display, bss_errinfo *ei);

/*
 * The search index of a document (parties, customers, accounts and, later,
 * products put their terms there from their after_store hooks): replaces
 * the document's terms for the customer it belongs to; doc NULL removes
 * them.
 */
bss_err bss_search_index_doc(bss_db *db, const char *kind, const char *id, const char *customer_id,
                             const json_t *doc, bss_errinfo *ei);

/* ---- contact details (contact.c) ---- */

/*
 * Validation of the contact details every customer-management document
 * carries, and that other modules check the same way (a delivery address,
 * a notification's e-mail): E.164 phone numbers, e-mail addresses, ISO
 * 3166-1 alpha-2 country codes, ISO 639-1 language codes, postal addresses
 * and the TMF v4 contactMedium[] array that holds them. Pure functions: no
 * store, no clock. Each check returns BSS_OK or BSS_E_INVALID with ei
 * naming the offending field (the path given by the caller) and saying
 * what shape is expected.
 */
#define BSS_EMAIL_MAX 254      /* RFC 5321 path limit */
#define BSS_EMAIL_LOCAL_MAX 64 /* RFC 5321 local-part limit */

/* Whether code is an assigned ISO 3166-1 alpha-2 code ("DE", "GB"; upper case only). */
bool bss_contact_country_known(const char *code);

/* Whether code is an ISO 639-1 language code ("en", "de"; lower case only). */
bool bss_contact_language_known(const char *code);

/*
 * E.164: "+" then 8..15 digits, nothing else; the leading digits must be an
 * assigned ITU country calling code (0 and spare codes such as +28, +42x,
 * +69x are refused).
 */
bss_err bss_contact_check_phone(const char *s, const char *field, char out[BSS_PHONE_E164_MAX + 1], bss_errinfo *ei);

/*
 * A practical RFC 5322 subset: at most 254 bytes, exactly one '@', a local
 * part of 1..64 printable ASCII bytes without spaces, quotes or brackets and
 * not starting or ending with '.', a domain of dot-separated labels
 * (letters, digits, '-', not at a label's ends, 1..63 bytes) with at least
 * two labels and an alphabetic top-level label of 2+ letters; no ".." anywhere.
 */
bss_err bss_contact_check_email(const char *s, const char *field, bss_errinfo *ei);

/* An ISO 3166-1 alpha-2 code (upper case), e.g. "FR". */
bss_err bss_contact_check_country(const char *s, const char *field, bss_errinfo *ei);

/* An ISO 639-1 code, optionally with a region: "en", "en-GB" (the region is checked as a country). */
bss_err bss_contact_check_language(const char *s, const char *field, bss_errinfo *ei);

/*
 * A postal address object (TMF v4 contact medium characteristic or
 * geographic address): city and country are required, country is an
 * ISO 3166-1 code; street1, street2, postCode, stateOrProvince are strings
 * when present (postCode: 1..16 letters, digits, spaces or '-'). prefix is
 * the path of the object ("contactMedium[2].characteristic").
 */
bss_err bss_contact_check_postal(const json_t *addr, const char *prefix, bss_errinfo *ei);

/*
 * A TMF v4 contactMedium[] array (member = its path, e.g. "contactMedium"):
 * each element an object with a mediumType string, an optional boolean
 * preferred, and a characteristic object. Whatever characteristic members
 * are present are checked (emailAddress, phoneNumber, faxNumber, country,
 * and the postal members); the mediumType asks for its own: "email" needs
 * emailAddress, "phone"/"mobile"/"telephone" need phoneNumber,
 * "postalAddress" needs a postal address (case-insensitive; other types
 * are accepted as they are). Absent or null: BSS_OK.
 */
bss_err bss_contact_check_media(json_t *arr, const char *member, bss_errinfo *ei);

/* ---- events the module consumes (interaction.c; wired in src/modules.c) ---- */

/*
 * An outbox consumer (events/events.h): every event whose resource names a
 * customer, party or account adds a system interaction (channel "system",
 * reason = the event type) in the event's own transaction. Field edits
 * (...AttributeValueChangeEvent) and the interactions' own events are left
 * out, so an agent's timeline stays readable.
 */
bss_err bss_interaction_on_event(bss_db *db, int64_t now_ms, const char *api, const char *event_type,
                                 const char *res_key, const json_t *resource, bss_errinfo *ei);

#endif
