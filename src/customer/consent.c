/*
 * consent.c: consent of parties to be contacted (see consent.h). The store
 * part (parse, record, list, the allows check, erasure) is plain functions
 * on a connection; the two routes at the end hand the write to the
 * group-commit writer and read on the loop's connection. A party that does
 * not exist is 404; an erased party takes no new decisions (409). The
 * free text of a decision never holds a card number (core/pan.h, 400).
 */
#include "customer/consent.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/http.h"
#include "api/query.h"
#include "core/id.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/pan.h"
#include "core/time.h"
#include "customer/audit.h"
#include "customer/party.h"

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

bss_err bss_consent_erase_party(bss_db *db, const char *party_id, int64_t *changed, bss_errinfo *ei)
{
    return bss_db_exec(db,
                       "UPDATE party_consent SET note = '[erased]' WHERE party_id = ? AND note IS NOT NULL",
                       BSS_DB_ARGS(BSS_DB_STR(party_id)), changed, ei);
}

/* ---- routes ---- */

typedef struct consent_job {
    const bss_tmf_resource *res;
    int64_t now_ms;
    char party_id[72];
    char recorded_by[128];
    json_t *body;
    bss_consent_input in;
    json_t *result;
} consent_job;

static bss_err party_writable(bss_db *db, const bss_tmf_resource *res, const char *id, bss_errinfo *ei)
{
    json_t *doc = NULL;
    bss_err rc = bss_party_load(db, res, id, &doc, NULL, ei);
    if (rc)
        return rc;
    const char *status = json_string_value(json_object_get(doc, "status"));
    if (status && strcmp(status, BSS_PARTY_ERASED) == 0)
        rc = bss_fail(ei, BSS_E_STATE, "id", "%s %.64s was erased: it takes no new consent decisions",
                      res->segment, id);
    json_decref(doc);
    return rc;
}

static bss_err consent_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    consent_job *job = arg;
    json_decref(job->result);
    job->result = NULL;
    bss_err rc = party_writable(db, job->res, job->party_id, ei);
    return rc ? rc : bss_consent_record(db, job->now_ms, &job->in, &job->result, ei);
}

static void consent_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    consent_job *job = arg;
    if (r && rc)
        bss_http_send_error(r, rc, ei);
    else if (r) {
        bss_http_send_json(r, 201, job->result);
        job->result = NULL;
    }
    json_decref(job->result);
    json_decref(job->body);
    bss_free(job);
}

static int h_consent_post(bss_req *r)
{
    const char *id = bss_http_param(r, "id");
    json_t *body = bss_http_json_body(r, true);
    if (!body)
        return 0;
    consent_job *job = bss_calloc(1, sizeof *job);
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = job ? BSS_OK : bss_fail(&ei, BSS_E_NOMEM, NULL, "out of memory");
    if (!rc && strlen(id) >= sizeof job->party_id)
        rc = bss_fail(&ei, BSS_E_NOT_FOUND, "id", "no party with id %.64s", id);
    if (!rc)
        rc = bss_consent_parse(body, &job->in, &ei);
    if (rc) {
        json_decref(body);
        bss_free(job);
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    job->res = r->route->data;
    job->body = body;
    job->now_ms = bss_clock_now(&r->app->clock);
    snprintf(job->party_id, sizeof job->party_id, "%s", id);
    if (r->who)
        snprintf(job->recorded_by, sizeof job->recorded_by, "%s", r->who->name);
    job->in.party_id = job->party_id;
    job->in.recorded_by = r->who ? job->recorded_by : NULL;
    bss_http_write(r, consent_run, job, consent_done);
    return 0;
}

static int h_consent_get(bss_req *r)
{
    const bss_tmf_resource *res = r->route->data;
    const char *id = bss_http_param(r, "id");
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_query q;
    bool history = false;
    bss_err rc = bss_query_parse(r->query, r->query ? r->query_len : 0, &q, &ei);
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    for (size_t i = 0; !rc && i < q.nfilters; i++) {
        const bss_query_filter *f = &q.filters[i];
        if (strcmp(f->attr, "history") == 0 && f->nvalues == 1 &&
            (strcmp(f->values[0], "true") == 0 || strcmp(f->values[0], "false") == 0))
            history = strcmp(f->values[0], "true") == 0;
        else
            rc = bss_fail(&ei, BSS_E_INVALID, f->param, "%s: only history=true|false is understood here",
                          f->param);
    }
    bss_query_free(&q);
    json_t *doc = NULL, *arr = NULL;
    if (!rc)
        rc = bss_party_load(r->db, res, id, &doc, NULL, &ei);
    json_decref(doc);
    if (!rc)
        rc = bss_consent_list(r->db, id, history, &arr, &ei);
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    bss_audit_submit(r->app, r->who, "read", "consent", id, strlen(id));
    bss_http_send_json(r, 200, arr);
    return 0;
}

bss_err bss_consent_register_routes(bss_router *rt)
{
    static const bss_tmf_resource *const parties[] = {&bss_tmf632_individual, &bss_tmf632_organization};
    static const char *const paths[] = {BSS_TMF632_BASE "/individual/{id}/consent",
                                        BSS_TMF632_BASE "/organization/{id}/consent"};
    for (int i = 0; i < 2; i++) {
        const bss_route rows[2] = {
            {"GET", paths[i], h_consent_get, parties[i]->read_roles, "tmf632.consent.get", parties[i]},
            {"POST", paths[i], h_consent_post, parties[i]->write_roles, "tmf632.consent.create", parties[i]},
        };
        for (int k = 0; k < 2; k++) {
            bss_err rc = bss_router_add(rt, &rows[k]);
            if (rc)
                return rc;
        }
    }
    return BSS_OK;
}
