/*
 * consent.c: consent of parties to be contacted (customer.h): parsing a
 * decision, recording it (bss_consent_decide checks the party first: one
 * that does not exist is 404, an erased one takes no new decisions, 409),
 * the current state or the history of a party, and the allows check the
 * senders of messages ask. The routes are src/api/tmf632.c's. The free text
 * of a decision never holds a card number (core/pan.h, 400). The rows are
 * in party_consent (migration 0007), read and written (erasure of the free
 * text included) by customer_store.c.
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
    return bss__store_consent_granted(db, party_id, p, c, &granted, NULL) == BSS_OK && granted == 1;
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
    bss_err rc = in->wording_version
                     ? bss_pan_reject_text(in->wording_version, strlen(in->wording_version), "wordingVersion", ei)
                     : BSS_OK;
    if (!rc && in->note)
        rc = bss_pan_reject_text(in->note, strlen(in->note), "note", ei);
    return rc;
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

static json_t *row_json(const bss__consent_row *row)
{
    char at[32];
    bss_time_format(row->at_ms, at);
    json_t *o =
        json_pack("{s:s?, s:s?, s:s?, s:s?, s:b, s:s, s:s?, s:s?}", "id", row->id, "partyId", row->party_id,
                  "purpose", row->purpose, "channel", row->channel, "granted", (int)row->granted,
                  "recordedAt", at, "source", row->source, "wordingVersion", row->wording_version);
    if (o && row->recorded_by && json_object_set_new(o, "recordedBy", json_string(row->recorded_by)))
        goto oom;
    if (o && row->note && json_object_set_new(o, "note", json_string(row->note)))
        goto oom;
    return o;
oom:
    json_decref(o);
    return NULL;
}

/* bss__consent_row_fn: appends the row to the array arg. */
static bss_err collect(const bss__consent_row *row, void *arg, bss_errinfo *ei)
{
    json_t *o = row_json(row);
    if (!o || json_array_append_new(arg, o))
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

/* bss__consent_row_fn: the row into *(json_t **)arg (NULL when out of memory). */
static bss_err take(const bss__consent_row *row, void *arg, bss_errinfo *ei)
{
    (void)ei;
    *(json_t **)arg = row_json(row);
    return BSS_OK;
}

bss_err bss_consent_record(bss_db *db, int64_t now_ms, const bss_consent_input *in, json_t **out,
                           bss_errinfo *ei)
{
    char id[BSS_ID_LEN + 1];
    bss_id_new(now_ms, id);
    bss_err rc = bss__store_consent_insert(db, id, now_ms, in, ei);
    if (rc || !out)
        return rc;
    *out = NULL;
    rc = bss__store_consent_get(db, id, take, out, ei);
    if (!rc && !*out)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return rc;
}

bss_err bss_consent_list(bss_db *db, const char *party_id, bool history, json_t **out, bss_errinfo *ei)
{
    *out = json_array();
    if (!*out)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = bss__store_consent_list(db, party_id, history, collect, *out, ei);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
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
