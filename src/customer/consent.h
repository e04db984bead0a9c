/*
 * consent.h: what a party agreed to be contacted for (consent.c). One
 * consent is (party, purpose, channel) -> granted or withdrawn, with the
 * time, the source of the decision and the version of the wording the
 * party saw. Every decision is a new row of party_consent (history kept,
 * never updated except for erasure of free text); the current state of a
 * (purpose, channel) is its latest row. No row means no consent (opt-in).
 *
 * Purposes: marketing, profiling, thirdPartySharing.
 * Channels: sms, email, phone, post, push.
 * Sources: channel (the customer answered on the channel itself, e.g. an
 * SMS reply "STOP"), agent (told a care agent), selfCare (web or app).
 *
 * Routes (registered by party.h's bss_tmf632_register_routes):
 *   POST /tmf-api/party/v4/{individual|organization}/{id}/consent
 *        {purpose, channel, granted, source, wordingVersion, note?} -> 201 the row
 *   GET  .../{id}/consent            -> 200 [current state per purpose and channel]
 *   GET  .../{id}/consent?history=true -> 200 [every row, oldest first]
 */
#ifndef BSS_CUSTOMER_CONSENT_H
#define BSS_CUSTOMER_CONSENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

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
 * Reads a POST body into in (strings point into body). BSS_E_INVALID naming
 * the field: purpose, channel, granted (a boolean), source, wordingVersion, note.
 */
bss_err bss_consent_parse(const json_t *body, bss_consent_input *in, bss_errinfo *ei);

/* Appends one decision (in the caller's transaction); *out (may be NULL) = the row as JSON. */
bss_err bss_consent_record(bss_db *db, int64_t now_ms, const bss_consent_input *in, json_t **out,
                           bss_errinfo *ei);

/* The current state (history false) or every row (true) of a party: a new JSON array. */
bss_err bss_consent_list(bss_db *db, const char *party_id, bool history, json_t **out, bss_errinfo *ei);

/* Erasure: replaces the free text of the party's consent rows; *changed = rows touched. */
bss_err bss_consent_erase_party(bss_db *db, const char *party_id, int64_t *changed, bss_errinfo *ei);

#endif
