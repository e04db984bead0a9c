/*
 * consent.c: consent of parties to be contacted (customer.h): parsing a
 * decision, recording it (bss_consent_decide checks the party first: one
 * that does not exist is 404, an erased one takes no new decisions, 409),
 * the current state or the history of a party, the allows check the
 * senders of messages ask, and the erasure of the free text. The routes
 * are src/api/tmf632.c's. The free text of a decision never holds a card
 * number (core/pan.h, 400). Table party_consent (migration 0007).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/id.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/pan.h"
#include "core/time.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

static const char *const purposes[] = {"marketing", "profiling", "thirdPartySharing"};
static const char *const channels[] = {"sms", "email", "phone", "post", "push"};
static const char *const sources[] = {"channel", "agent", "selfCare"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *lookup(const char *const *table, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcasecmp(s, table[i]) == 0)
            return table[i];
    if (s && table == sources && (strcasecmp(s, "self-care") == 0 || strcasecmp(s, "self_care") == 0))
        return "selfCare";
    return NULL;
}

bool bss_consent_allows(bss_db *db, const char *party_id, const char *purpose, const char *channel)
{
    const char *p = lookup(purposes, COUNT(purposes), purpose),
               *c = lookup(channels, COUNT(channels), channel);
    if (!db || !party_id || !p || !c)
        return false;
    int64_t granted = 0;
    bss_err rc =
        bss_db_query_int64(db,
                           "SELECT granted FROM party_consent WHERE party_id = ? AND purpose = ? AND "
                           "channel = ? ORDER BY seq DESC LIMIT 1",
                           BSS_DB_ARGS(BSS_DB_STR(party_id), BSS_DB_STR(p), BSS_DB_STR(c)), &granted, NULL);
    return rc == BSS_OK && granted == 1;
}

static bss_err pick(const json_t *body, const char *key, const char *const *table, size_t n, const char **out,
                    bss_errinfo *ei)
{
    const char *s = json_string_value(json_object_get(body, key));
    *out = lookup(table, n, s);
    if (*out)
        return BSS_OK;
    char list[160] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", table[i]);
    return bss_fail(ei, BSS_E_INVALID, key, "%s is required: one of %s", key, list);
}

/* The free text a consent stores (note, wordingVersion) never holds a card number (core/pan.h). */
static bss_err reject_pan(const bss_consent_input *in, bss_errinfo *ei)
{
    const char *const keys[] = {"wordingVersion", "note"};
    const char *const texts[] = {in->wording_version, in->note};
    for (size_t i = 0; i < COUNT(keys); i++)
        if (texts[i] && bss_pan_find(texts[i], strlen(texts[i]), NULL, NULL))
            return bss_fail(ei, BSS_E_INVALID, keys[i],
                            "%s: card numbers are not stored; use a payment method token", keys[i]);
    return BSS_OK;
}

bss_err bss_consent_parse(const json_t *body, bss_consent_input *in, bss_errinfo *ei)
{
    memset(in, 0, sizeof *in);
    if (!json_is_object(body))
        return bss_fail(ei, BSS_E_INVALID, NULL, "the request body must be a JSON object");
    bss_err rc = pick(body, "purpose", purposes, COUNT(purposes), &in->purpose, ei);
    if (!rc)
        rc = pick(body, "channel", channels, COUNT(channels), &in->channel, ei);
    if (!rc && !json_is_boolean(json_object_get(body, "granted")))
        rc = bss_fail(ei, BSS_E_INVALID, "granted", "granted is required: true (given) or false (withdrawn)");
    in->granted = json_is_true(json_object_get(body, "granted"));
    if (!rc)
        rc = pick(body, "source", sources, COUNT(sources), &in->source, ei);
    const json_t *w = json_object_get(body, "wordingVersion");
    if (!rc &&
        (!json_is_string(w) || json_string_length(w) == 0 || json_string_length(w) > BSS_CONSENT_WORDING_MAX))
        rc = bss_fail(
            ei, BSS_E_INVALID, "wordingVersion",
            "wordingVersion is required: the version of the text the party agreed to (1 to %d characters)",
            BSS_CONSENT_WORDING_MAX);
    in->wording_version = json_string_value(w);
    const json_t *note = json_object_get(body, "note");
    if (!rc && note && !json_is_null(note) &&
        (!json_is_string(note) || json_string_length(note) > BSS_CONSENT_NOTE_MAX))
        rc = bss_fail(ei, BSS_E_INVALID, "note", "note must be a string of at most %d characters",
                      BSS_CONSENT_NOTE_MAX);
    in->note = json_string_value(note);
    if (!rc)
        rc = reject_pan(in, ei);
    return rc;
}

#define CONSENT_COLS                                                                                         \
    "id, party_id, purpose, channel, granted, at_ms, source, wording_version, recorded_by, note"

static json_t *row_json(bss_db_rows *rows)
{
    char at[32];
    bss_time_format(bss_db_col_int64(rows, 5), at);
    const char *by = bss_db_col_text(rows, 8, NULL), *note = bss_db_col_text(rows, 9, NULL);
    json_t *o = json_pack(
        "{s:s?, s:s?, s:s?, s:s?, s:b, s:s, s:s?, s:s?}", "id", bss_db_col_text(rows, 0, NULL), "partyId",
        bss_db_col_text(rows, 1, NULL), "purpose", bss_db_col_text(rows, 2, NULL), "channel",
        bss_db_col_text(rows, 3, NULL), "granted", (int)bss_db_col_int64(rows, 4), "recordedAt", at, "source",
        bss_db_col_text(rows, 6, NULL), "wordingVersion", bss_db_col_text(rows, 7, NULL));
    if (o && by && json_object_set_new(o, "recordedBy", json_string(by)))
        goto oom;
    if (o && note && json_object_set_new(o, "note", json_string(note)))
        goto oom;
    return o;
oom:
    json_decref(o);
    return NULL;
}

static bss_err collect(bss_db_rows *rows, json_t *arr, bss_errinfo *ei)
{
    while (bss_db_next(rows)) {
        json_t *o = row_json(rows);
        if (!o || json_array_append_new(arr, o))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    bss_err rc = bss_db_rows_error(rows);
    return rc ? bss_fail(ei, rc, NULL, "could not read consents") : BSS_OK;
}

bss_err bss_consent_record(bss_db *db, int64_t now_ms, const bss_consent_input *in, json_t **out,
                           bss_errinfo *ei)
{
    int64_t seq = 0;
    char id[BSS_ID_LEN + 1];
    bss_id_new(now_ms, id);
    bss_err rc = bss_db_query_int64(
        db,
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM party_consent WHERE party_id = ? AND "
        "purpose = ? AND channel = ?",
        BSS_DB_ARGS(BSS_DB_STR(in->party_id), BSS_DB_STR(in->purpose), BSS_DB_STR(in->channel)), &seq, ei);
    if (!rc)
        rc = bss_db_exec(
            db,
            "INSERT INTO party_consent (id, party_id, purpose, channel, seq, granted, at_ms, source, "
            "wording_version, recorded_by, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            BSS_DB_ARGS(BSS_DB_STRN(id, strlen(id)), BSS_DB_STR(in->party_id), BSS_DB_STR(in->purpose),
                        BSS_DB_STR(in->channel), BSS_DB_I64(seq), BSS_DB_I64(in->granted ? 1 : 0),
                        BSS_DB_I64(now_ms), BSS_DB_STR(in->source), BSS_DB_STR(in->wording_version),
                        BSS_DB_STR(in->recorded_by), BSS_DB_STR(in->note)),
            NULL, ei);
    if (rc || !out)
        return rc;
    bss_db_rows *rows = NULL;
    *out = NULL;
    rc = bss_db_query(db, "SELECT " CONSENT_COLS " FROM party_consent WHERE id = ?",
                      BSS_DB_ARGS(BSS_DB_STRN(id, strlen(id))), &rows, ei);
    if (!rc && bss_db_next(rows))
        *out = row_json(rows);
    bss_db_rows_close(rows);
    if (!rc && !*out)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return rc;
}

bss_err bss_consent_list(bss_db *db, const char *party_id, bool history, json_t **out, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    *out = json_array();
    if (!*out)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc;
    if (history)
        rc = bss_db_query(db,
                          "SELECT " CONSENT_COLS " FROM party_consent WHERE party_id = ? "
                          "ORDER BY at_ms, purpose, channel, seq",
                          BSS_DB_ARGS(BSS_DB_STR(party_id)), &rows, ei);
    else
        rc = bss_db_query(db,
                          "SELECT " CONSENT_COLS " FROM party_consent c WHERE party_id = ? AND seq = "
                          "(SELECT MAX(d.seq) FROM party_consent d WHERE d.party_id = c.party_id AND "
                          "d.purpose = c.purpose AND d.channel = c.channel) ORDER BY purpose, channel",
                          BSS_DB_ARGS(BSS_DB_STR(party_id)), &rows, ei);
    if (!rc)
        rc = collect(rows, *out, ei);
    bss_db_rows_close(rows);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

bss_err bss__consent_erase_party(bss_db *db, const char *party_id, int64_t *changed, bss_errinfo *ei)
{
    return bss_db_exec(db,
                       "UPDATE party_consent SET note = '[erased]' WHERE party_id = ? AND note IS NOT NULL",
                       BSS_DB_ARGS(BSS_DB_STR(party_id)), changed, ei);
}

/* ---- with the party checks ---- */

/* The party exists (404 otherwise) and was not erased (409). */
static bss_err party_writable(bss_db *db, const bss_doc_kind *kind, const char *id, bss_errinfo *ei)
{
    json_t *doc = NULL;
    bss_err rc = bss_doc_load(db, kind, id, &doc, NULL, ei);
    if (rc)
        return rc;
    const char *status = json_string_value(json_object_get(doc, "status"));
    if (status && strcmp(status, BSS_PARTY_ERASED) == 0)
        rc = bss_fail(ei, BSS_E_STATE, "id", "%s %.64s was erased: it takes no new consent decisions",
                      kind->name, id);
    json_decref(doc);
    return rc;
}

bss_err bss_consent_decide(bss_db *db, const bss_doc_kind *party_kind, int64_t now_ms,
                           const bss_consent_input *in, json_t **out, bss_errinfo *ei)
{
    if (out)
        *out = NULL;
    bss_err rc = party_writable(db, party_kind, in->party_id, ei);
    return rc ? rc : bss_consent_record(db, now_ms, in, out, ei);
}

bss_err bss_consent_read(bss_db *db, const bss_doc_kind *party_kind, const char *party_id, bool history,
                         json_t **out, bss_errinfo *ei)
{
    bool found = false;
    *out = NULL;
    bss_err rc = bss_doc_exists(db, party_kind, party_id, &found, ei);
    if (!rc && !found)
        rc = bss_fail(ei, BSS_E_NOT_FOUND, "id", "no %s with id %.64s", party_kind->name, party_id);
    return rc ? rc : bss_consent_list(db, party_id, history, out, ei);
}
