/*
 * tmf.c: the generic TMF v4 resource handlers (see tmf.h): create, get,
 * list, merge-patch and delete of any resource kind described by a
 * bss_tmf_resource row. Reads run on the loop's connection; each write is
 * one group-commit writer job that reads, validates (the kind's prepare
 * hook), stores (db/resource.h) and records its event (bss_outbox_add) in
 * one transaction, and runs the kind's after_store hook there (derived
 * rows such as the search index). Reads of personal_data kinds by audited
 * keys are recorded in the access audit (customer/audit.h); their writes
 * are refused when the document holds a card number (core/pan.h). The list
 * planner that splits filters between SQL and memory lives in tmf_list.c.
 */
#include "api/tmf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/query.h"
#include "core/id.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/pan.h"
#include "customer/audit.h"
#include "events/events.h"

#define MAX_PATH_ID 64

static const bss_tmf_resource *res_of(const bss_req *r)
{
    return (const bss_tmf_resource *)r->route->data;
}

bss_err bss_tmf_register(bss_router *rt, const bss_tmf_resource *res)
{
    if (!res->table || !res->type || !res->collection_path || !res->item_path || !res->api)
        return BSS_E_INVALID;
    bss_err rc = bss_resource_table_prepare(res->table);
    if (rc)
        return rc;
    const bss_route rows[5] = {
        {"GET", res->collection_path, res->handle_list ? res->handle_list : bss_tmf_handle_list,
         res->read_roles, res->route_names[0], res},
        {"GET", res->item_path, res->handle_get ? res->handle_get : bss_tmf_handle_get, res->read_roles,
         res->route_names[1], res},
        {"POST", res->collection_path, bss_tmf_handle_create, res->write_roles, res->route_names[2], res},
        {"PATCH", res->item_path, bss_tmf_handle_patch, res->write_roles, res->route_names[3], res},
        {"DELETE", res->item_path, bss_tmf_handle_delete, res->write_roles, res->route_names[4], res},
    };
    for (int i = 0; i < (res->allow_delete ? 5 : 4); i++)
        if ((rc = bss_router_add(rt, &rows[i])))
            return rc;
    return BSS_OK;
}

bss_err bss_tmf_check_required(const bss_tmf_resource *res, const json_t *doc, bss_errinfo *ei)
{
    for (const char *const *p = res->required; p && *p; p++) {
        const json_t *v = bss_json_path(doc, *p);
        if (!v || json_is_null(v))
            return bss_fail(ei, BSS_E_INVALID, *p, "%s is required", *p);
    }
    return BSS_OK;
}

bss_err bss_tmf_check_patch_type(const char *ct, size_t len, bss_errinfo *ei)
{
    if (!ct || len == 0)
        return BSS_OK;
    size_t n = 0;
    while (n < len && ct[n] != ';' && ct[n] != ' ')
        n++;
    static const char *const ok[] = {"application/json", "application/merge-patch+json"};
    for (int i = 0; i < 2; i++)
        if (strlen(ok[i]) == n && strncasecmp(ct, ok[i], n) == 0)
            return BSS_OK;
    return bss_fail(
        ei, BSS_E_UNSUPPORTED, "Content-Type",
        "PATCH takes a JSON merge patch (application/merge-patch+json or application/json), not %.*s",
        (int)(n > 80 ? 80 : n), ct);
}

static void make_href(const bss_tmf_ctx *ctx, const char *id, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%s/%s", ctx->base_url ? ctx->base_url : "", ctx->res->collection_path, id);
}

/* A new object: id, href, the body's other members in order, @type if the body had none. */
static bss_err new_doc(const bss_tmf_ctx *ctx, const char *id, const json_t *body, json_t **out,
                       bss_errinfo *ei)
{
    char href[1024];
    make_href(ctx, id, href, sizeof href);
    json_t *doc = json_object();
    int bad = !doc || json_object_set_new(doc, "id", json_string(id)) ||
              json_object_set_new(doc, "href", json_string(href));
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)body, key, val)
    {
        if (bad)
            break;
        if (strcmp(key, "id") != 0 && strcmp(key, "href") != 0)
            bad = json_object_set_new(doc, key, json_deep_copy(val));
    }
    if (!bad && !json_object_get(doc, "@type"))
        bad = json_object_set_new(doc, "@type", json_string(ctx->res->type));
    if (bad) {
        json_decref(doc);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    *out = doc;
    return BSS_OK;
}

static bss_err add_event(const bss_tmf_ctx *ctx, const char *what, const json_t *doc, bss_errinfo *ei)
{
    char type[128];
    snprintf(type, sizeof type, "%s%s", ctx->res->type, what);
    return bss_outbox_add(ctx->db, ctx->now_ms, ctx->res->api, type, ctx->res->event_key, doc, ei);
}

/*
 * Card numbers are never stored (core/pan.h): the whole document of a
 * personal_data kind (after the merge patch, before the prepare hook, so
 * the field path is the client's: "note[0].text") is refused with 400.
 */
static bss_err check_personal(const bss_tmf_resource *res, const json_t *doc, bss_errinfo *ei)
{
    return res->personal_data ? bss_pan_reject_json(doc, ei) : BSS_OK;
}

bss_err bss_tmf_create_doc(const bss_tmf_ctx *ctx, const char *id, const json_t *body, json_t **out,
                           bss_errinfo *ei)
{
    json_t *doc;
    *out = NULL;
    if (!json_is_object(body))
        return bss_fail(ei, BSS_E_INVALID, NULL, "the request body must be a JSON object");
    bss_err rc = new_doc(ctx, id, body, &doc, ei);
    if (rc)
        return rc;
    if (!(rc = bss_tmf_check_required(ctx->res, doc, ei)))
        rc = check_personal(ctx->res, doc, ei);
    if (!rc && ctx->res->prepare)
        rc = ctx->res->prepare(ctx, doc, NULL, ei);
    if (!rc)
        rc = bss_resource_insert(ctx->db, ctx->res->table, id, doc, ctx->now_ms, ei);
    if (!rc && ctx->res->after_store)
        rc = ctx->res->after_store(ctx, id, doc, ei);
    if (!rc)
        rc = add_event(ctx, "CreateEvent", doc, ei);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return BSS_OK;
}

/* Reads the stored row and parses it. */
static bss_err load(const bss_tmf_ctx *ctx, const char *id, json_t **doc, int64_t *version, bss_errinfo *ei)
{
    bss_res_doc row;
    bss_err rc = bss_resource_get(ctx->db, ctx->res->table, id, &row, ei);
    if (rc == BSS_E_NOT_FOUND)
        return bss_fail(ei, rc, "id", "no %s with id %s", ctx->res->segment, id);
    if (rc)
        return rc;
    rc = bss_json_parse(row.doc, row.doc_len, doc, ei);
    if (rc)
        rc = bss_fail(ei, BSS_E_INTERNAL, NULL, "stored %s %s is not valid JSON", ctx->res->segment, id);
    *version = row.row_version;
    bss_resource_doc_free(&row);
    return rc;
}

/* id and href cannot be patched to another value (their current values may be sent back). */
static bss_err check_fixed(const json_t *patch, const json_t *old, bss_errinfo *ei)
{
    static const char *const fixed[] = {"id", "href"};
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(patch, fixed[i]);
        if (v && !json_equal((json_t *)v, json_object_get(old, fixed[i])))
            return bss_fail(ei, BSS_E_INVALID, fixed[i], "%s is assigned by the server and cannot be changed",
                            fixed[i]);
    }
    return BSS_OK;
}

/* Which kinds of change a patch made: bit 1 = an attribute, bit 2 = the status. */
static int change_kind(const bss_tmf_resource *res, const json_t *patch, const json_t *old, const json_t *doc)
{
    int kind = 0;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)patch, key, val)
    {
        if (res->status_field && strcmp(key, res->status_field) == 0)
            continue;
        if (!json_equal(json_object_get(old, key), json_object_get(doc, key)))
            kind |= 1;
    }
    if (res->status_field &&
        !json_equal(json_object_get(old, res->status_field), json_object_get(doc, res->status_field)))
        kind |= 2;
    return kind;
}

bss_err bss_tmf_patch_doc(const bss_tmf_ctx *ctx, const char *id, const json_t *patch, json_t **out,
                          bss_errinfo *ei)
{
    json_t *old = NULL, *doc = NULL;
    int64_t version = 0;
    *out = NULL;
    if (!json_is_object(patch))
        return bss_fail(ei, BSS_E_INVALID, NULL, "a merge patch must be a JSON object");
    bss_err rc = load(ctx, id, &old, &version, ei);
    if (!rc)
        rc = check_fixed(patch, old, ei);
    if (!rc && !(doc = json_deep_copy(old)))
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (!rc && (rc = bss_json_merge_patch(doc, patch)))
        rc = bss_fail(ei, rc, NULL, "could not apply the merge patch");
    if (!rc)
        rc = bss_tmf_check_required(ctx->res, doc, ei);
    if (!rc)
        rc = check_personal(ctx->res, doc, ei);
    if (!rc && ctx->res->prepare)
        rc = ctx->res->prepare(ctx, doc, old, ei);
    int kind = rc ? 0 : change_kind(ctx->res, patch, old, doc);
    if (!rc && kind == 0) { /* nothing changed: nothing written */
        json_decref(doc);
        *out = old;
        return BSS_OK;
    }
    if (!rc)
        rc = bss_resource_update(ctx->db, ctx->res->table, id, doc, ctx->now_ms, version, NULL, ei);
    if (!rc && ctx->res->after_store)
        rc = ctx->res->after_store(ctx, id, doc, ei);
    if (!rc && (kind & 1))
        rc = add_event(ctx, "AttributeValueChangeEvent", doc, ei);
    if (!rc && (kind & 2))
        rc = add_event(ctx, "StateChangeEvent", doc, ei);
    json_decref(old);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return BSS_OK;
}

bss_err bss_tmf_delete_doc(const bss_tmf_ctx *ctx, const char *id, bss_errinfo *ei)
{
    json_t *old = NULL;
    int64_t version = 0;
    bss_err rc = load(ctx, id, &old, &version, ei);
    if (!rc && ctx->res->delete_guard)
        rc = ctx->res->delete_guard(ctx, id, old, ei);
    if (!rc)
        rc = bss_resource_delete(ctx->db, ctx->res->table, id, version, ei);
    if (!rc && ctx->res->after_store)
        rc = ctx->res->after_store(ctx, id, NULL, ei);
    if (!rc)
        rc = add_event(ctx, "DeleteEvent", old, ei);
    json_decref(old);
    return rc;
}

/* ---- HTTP handlers -------------------------------------------------------- */

enum { JOB_CREATE, JOB_PATCH, JOB_DELETE };

typedef struct tmf_job {
    const bss_tmf_resource *res;
    bss_app *app;
    int kind;
    int64_t now_ms;
    char base_url[512];
    bss_principal who;
    bool has_who;
    char id[MAX_PATH_ID + 1];
    json_t *input;  /* body (create) or patch */
    json_t *result; /* the stored document (create, patch) */
} tmf_job;

static void job_free(tmf_job *job)
{
    json_decref(job->input);
    json_decref(job->result);
    bss_free(job);
}

/* Runs on the writer thread, possibly more than once (batch retry). */
static bss_err job_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    tmf_job *job = arg;
    bss_tmf_ctx ctx = {job->res, db, job->now_ms, job->base_url, job->has_who ? &job->who : NULL};
    json_decref(job->result);
    job->result = NULL;
    switch (job->kind) {
    case JOB_CREATE:
        return bss_tmf_create_doc(&ctx, job->id, job->input, &job->result, ei);
    case JOB_PATCH:
        return bss_tmf_patch_doc(&ctx, job->id, job->input, &job->result, ei);
    default:
        return bss_tmf_delete_doc(&ctx, job->id, ei);
    }
}

/* Back on the loop thread after the commit. */
static void job_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    tmf_job *job = arg;
    if (!rc && job->res->after_commit && job->app)
        job->res->after_commit(job->app);
    if (r && rc) {
        bss_http_send_error(r, rc, ei);
    } else if (r) {
        if (job->kind == JOB_CREATE) {
            const char *href = json_string_value(json_object_get(job->result, "href"));
            if (href)
                bss_http_add_header(r, "Location", href);
            bss_http_send_json(r, 201, job->result);
            job->result = NULL;
        } else if (job->kind == JOB_PATCH) {
            bss_http_send_json(r, 200, job->result);
            job->result = NULL;
        } else {
            bss_http_send_empty(r, 204);
        }
    }
    job_free(job);
}

static tmf_job *job_new(bss_req *r, int kind)
{
    tmf_job *job = bss_calloc(1, sizeof *job);
    if (!job)
        return NULL;
    job->res = res_of(r);
    job->app = r->app;
    job->kind = kind;
    job->now_ms = bss_clock_now(&r->app->clock);
    snprintf(job->base_url, sizeof job->base_url, "%s", bss_http_base_url(r));
    if (r->who) {
        job->who = *r->who;
        job->has_who = true;
    }
    return job;
}

static void send_fail(bss_req *r, bss_err code, const char *field, const char *msg)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_fail(&ei, code, field, "%s", msg);
    bss_http_send_error(r, code, &ei);
}

/* The {id} path parameter, or NULL after answering 404 for one no resource can have. */
static const char *path_id(bss_req *r)
{
    const char *id = bss_http_param(r, "id");
    if (!id || !*id || strlen(id) > MAX_PATH_ID) {
        bss_errinfo ei;
        bss_errinfo_clear(&ei);
        bss_fail(&ei, BSS_E_NOT_FOUND, "id", "no %s with id %.64s", res_of(r)->segment, id ? id : "");
        bss_http_send_error(r, BSS_E_NOT_FOUND, &ei);
        return NULL;
    }
    return id;
}

/*
 * GET by id with a query: TMF630 attribute selection (fields=) applies to
 * a single resource too. Other list parameters (filters, paging) have no
 * meaning here and are ignored; a malformed query is still a 400.
 */
static void send_projected(bss_req *r, const bss_res_doc *row)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_query q;
    bss_err rc = bss_query_parse(r->query, r->query_len, &q, &ei);
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return;
    }
    json_t *doc = NULL;
    if (!q.has_fields || bss_json_parse(row->doc, row->doc_len, &doc, &ei) != BSS_OK) {
        /* no fields= (or a stored document we cannot parse: send it as stored) */
        bss_http_send_text(r, 200, BSS_TMF_JSON_CT, row->doc, row->doc_len);
        bss_query_free(&q);
        return;
    }
    json_t *shown = bss_query_project(&q, doc);
    json_decref(doc);
    bss_query_free(&q);
    if (shown == NULL) {
        send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return;
    }
    bss_http_send_json(r, 200, shown);
}

int bss_tmf_handle_get(bss_req *r)
{
    const bss_tmf_resource *res = res_of(r);
    const char *id = path_id(r);
    if (!id)
        return 0;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_res_doc row;
    bss_err rc = bss_resource_get(r->db, res->table, id, &row, &ei);
    if (rc == BSS_E_NOT_FOUND)
        bss_fail(&ei, rc, "id", "no %s with id %s", res->segment, id);
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    if (res->personal_data) /* access audit of personal data (customer/audit.h): queued, not waited for */
        bss_audit_submit(r->app, r->who, "read", res->segment, id, strlen(id));
    if (r->query == NULL || r->query_len == 0) {
        bss_http_send_text(r, 200, BSS_TMF_JSON_CT, row.doc, row.doc_len);
        bss_resource_doc_free(&row);
        return 0;
    }
    send_projected(r, &row);
    bss_resource_doc_free(&row);
    return 0;
}

int bss_tmf_handle_create(bss_req *r)
{
    json_t *body = bss_http_json_body(r, true);
    if (!body)
        return 0;
    tmf_job *job = job_new(r, JOB_CREATE);
    if (!job) {
        json_decref(body);
        send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    job->input = body;
    bss_id_new(job->now_ms, job->id);
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_tmf_check_required(job->res, body, &ei); /* cheap 400 before queueing */
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        job_free(job);
        return 0;
    }
    bss_http_write(r, job_run, job, job_done);
    return 0;
}

int bss_tmf_handle_patch(bss_req *r)
{
    const char *id = path_id(r);
    if (!id)
        return 0;
    size_t ct_len = 0;
    const char *ct = bss_http_header(r, "Content-Type", &ct_len);
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_tmf_check_patch_type(ct, ct_len, &ei);
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    json_t *patch = bss_http_json_body(r, true);
    if (!patch)
        return 0;
    tmf_job *job = job_new(r, JOB_PATCH);
    if (!job) {
        json_decref(patch);
        send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    job->input = patch;
    snprintf(job->id, sizeof job->id, "%s", id);
    bss_http_write(r, job_run, job, job_done);
    return 0;
}

int bss_tmf_handle_delete(bss_req *r)
{
    const char *id = path_id(r);
    if (!id)
        return 0;
    tmf_job *job = job_new(r, JOB_DELETE);
    if (!job) {
        send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    snprintf(job->id, sizeof job->id, "%s", id);
    bss_http_write(r, job_run, job, job_done);
    return 0;
}

bss_err bss_tmf_check_period(const json_t *vf, const char *path, bss_errinfo *ei)
{
    if (!vf || json_is_null(vf))
        return BSS_OK;
    if (!json_is_object(vf))
        return bss_fail(ei, BSS_E_INVALID, path, "%s must be an object {startDateTime, endDateTime}", path);
    char fs[160], fe[160];
    snprintf(fs, sizeof fs, "%s.startDateTime", path);
    snprintf(fe, sizeof fe, "%s.endDateTime", path);
    int64_t start = INT64_MIN, end = INT64_MAX;
    bss_err rc = bss_json_get_time(vf, "startDateTime", fs, false, &start, ei);
    if (!rc)
        rc = bss_json_get_time(vf, "endDateTime", fe, false, &end, ei);
    if (!rc && start > end)
        rc = bss_fail(ei, BSS_E_INVALID, fe, "%s is before %s", fe, fs);
    return rc;
}
