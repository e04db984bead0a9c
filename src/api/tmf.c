/*
 * tmf.c: the generic TMF v4 resource handlers (see tmf.h): create, get,
 * list, merge-patch and delete of any document kind bound by a
 * bss_tmf_binding row. Reads run on the loop's connection; each write is
 * one group-commit writer job running the kind's write path (doc/doc.h:
 * rules, derived rows and event in one transaction), and after its commit
 * the kind's after_commit hook. Reads of personal_data kinds by audited
 * keys are handed to the access audit (bss_tmf_read_audit, wired in
 * routes.c). The list planner that splits filters between SQL and memory
 * lives in tmf_list.c.
 */
#include "api/tmf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/query.h"
#include "core/id.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/parse.h"

static const bss_doc_kind *kind_of(const bss_req *r)
{
    return bss_tmf_binding_of(r)->kind;
}

bss_err bss_tmf_register(bss_router *rt, const bss_tmf_binding *b)
{
    const bss_doc_kind *k = b->kind;
    if (!k || !k->table || !k->type || !k->api || !k->name || !k->path || !b->collection_path ||
        !b->item_path || strcmp(k->path, b->collection_path) != 0)
        return BSS_E_INVALID;
    bss_err rc = bss_resource_table_prepare(k->table);
    if (rc)
        return rc;
    const bss_route history = {"GET", b->history_path, bss_tmf_handle_history,
                                 BSS_ROLES_HISTORY | (b->write_roles & BSS_ROLE_CATALOG), b->route_names[5], b};
    if (b->history_path && (rc = bss_router_add(rt, &history)))
        return rc;
    const bss_route rows[5] = {
        {"GET", b->collection_path, b->handle_list ? b->handle_list : bss_tmf_handle_list, b->read_roles,
         b->route_names[0], b},
        {"GET", b->item_path, b->handle_get ? b->handle_get : bss_tmf_handle_get, b->read_roles,
         b->route_names[1], b},
        {"POST", b->collection_path, b->handle_create ? b->handle_create : bss_tmf_handle_create, b->write_roles,
         b->route_names[2], b},
        {"PATCH", b->item_path, bss_tmf_handle_patch, b->write_roles, b->route_names[3], b},
        {"DELETE", b->item_path, bss_tmf_handle_delete, b->write_roles, b->route_names[4], b},
    };
    for (int i = 0; i < (b->allow_delete ? 5 : 4); i++)
        if ((rc = bss_router_add(rt, &rows[i])))
            return rc;
    return BSS_OK;
}

bss_err bss_tmf_register_all(bss_router *rt, const bss_tmf_binding *const *list)
{
    for (; *list; list++) {
        bss_err rc = bss_tmf_register(rt, *list);
        if (rc)
            return rc;
    }
    return BSS_OK;
}

bss_err bss_tmf_check_patch_type(const char *ct, size_t len, bss_errinfo *ei)
{
    return bss_http_check_body_type(ct, len, true, ei);
}

/* ---- HTTP handlers -------------------------------------------------------- */

enum { JOB_CREATE, JOB_PATCH, JOB_DELETE };

typedef struct tmf_job {
    const bss_doc_kind *kind;
    bss_app *app;
    int op; /* JOB_* */
    int64_t now_ms;
    char base_url[512];
    bss_principal who;
    bool has_who;
    bss_doc_limits limits; /* the server's (--doc-max-*) */
    char id[BSS_ID_MAX + 1];
    bool confirmed; /* ?confirmDuplicate=true on a create */
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
    bss_doc_ctx ctx = {job->kind,   db, job->now_ms, job->base_url, job->has_who ? &job->who : NULL,
                       &job->limits, NULL, job->confirmed, NULL};
    json_decref(job->result);
    job->result = NULL;
    switch (job->op) {
    case JOB_CREATE:
        return bss_doc_create(&ctx, job->id, job->input, &job->result, ei);
    case JOB_PATCH:
        return bss_doc_patch(&ctx, job->id, job->input, &job->result, ei);
    default:
        return bss_doc_delete(&ctx, job->id, ei);
    }
}

/* Back on the loop thread after the commit. */
static void job_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    tmf_job *job = arg;
    if (!rc && job->kind->after_commit && job->app)
        job->kind->after_commit(job->app);
    if (r && !rc && job->op == JOB_DELETE)
        bss_http_send_empty(r, 204);
    else
        bss_http_reply(r, rc, ei, job->op == JOB_CREATE ? 201 : 200, &job->result);
    job_free(job);
}

static tmf_job *job_new(bss_req *r, int op)
{
    tmf_job *job = bss_calloc(1, sizeof *job);
    if (!job)
        return NULL;
    job->kind = kind_of(r);
    job->app = r->app;
    job->op = op;
    job->now_ms = bss_clock_now(&r->app->clock);
    snprintf(job->base_url, sizeof job->base_url, "%s", bss_http_base_url(r));
    job->limits = (bss_doc_limits){r->app->cfg.doc_max_bytes, r->app->cfg.doc_max_string, r->app->cfg.doc_max_array};
    if (r->who) {
        job->who = *r->who;
        job->has_who = true;
    }
    return job;
}

const char *bss_tmf_path_id(bss_req *r, const char *what)
{
    const char *id = bss_http_param(r, "id");
    if (!id || !*id || strlen(id) > BSS_ID_MAX) {
        bss_http_send_fail(r, BSS_E_NOT_FOUND, "id", "no %s with id %.64s", what, id ? id : "");
        return NULL;
    }
    return id;
}

static const char *path_id(bss_req *r)
{
    return bss_tmf_path_id(r, kind_of(r)->name);
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
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return;
    }
    bss_http_send_json(r, 200, shown);
}

int bss_tmf_handle_get(bss_req *r)
{
    const bss_doc_kind *kind = kind_of(r);
    const char *id = path_id(r);
    if (!id)
        return 0;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_res_doc row;
    bss_err rc = bss_resource_get(r->db, kind->table, id, &row, &ei);
    if (rc == BSS_E_NOT_FOUND)
        bss_fail(&ei, rc, "id", "no %s with id %s", kind->name, id);
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    if (kind->personal_data && bss_tmf_read_audit.wants(r->who)) /* queued, not waited for */
        bss_tmf_read_audit.submit(r->app, r->who, "read", kind->name, id, strlen(id));
    if (r->query == NULL || r->query_len == 0) {
        bss_http_send_text(r, 200, BSS_TMF_JSON_CT, row.doc, row.doc_len);
        bss_resource_doc_free(&row);
        return 0;
    }
    send_projected(r, &row);
    bss_resource_doc_free(&row);
    return 0;
}

typedef struct history_args {
    const bss_doc_kind *kind;
    char id[BSS_ID_MAX + 1];
    int64_t limit;
} history_args;

static bss_err history_read(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    const history_args *ha = arg;
    bss_err rc = bss_doc_history_list(db, ha->kind, ha->id, ha->limit, out, ei);
    if (rc || json_array_size(*out) > 0)
        return rc;
    bool found = false;
    if ((rc = bss_doc_exists(db, ha->kind, ha->id, &found, ei)))
        return rc;
    if (!found) {
        json_decref(*out);
        *out = NULL;
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "no %s with id %s, and none ever changed", ha->kind->name, ha->id);
    }
    return BSS_OK; /* stored before the history began: no rows yet */
}

int bss_tmf_handle_history(bss_req *r)
{
    const char *id = path_id(r);
    if (!id)
        return 0;
    char v[16];
    bool present = false;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    int64_t limit = 100;
    bss_err rc = bss_query_param(r->query, r->query_len, "limit", v, sizeof v, &present, &ei);
    if (!rc && present && bss_parse_int64(v, strlen(v), BSS_NUM_DIGITS, 1, 1000, &limit) != BSS_OK)
        rc = bss_fail(&ei, BSS_E_INVALID, "limit", "limit must be an integer from 1 to 1000");
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    history_args *ha = bss_calloc(1, sizeof *ha);
    if (!ha) {
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    ha->kind = kind_of(r);
    snprintf(ha->id, sizeof ha->id, "%s", id);
    ha->limit = limit;
    bss_http_read_json(r, history_read, ha, bss_free, NULL);
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
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    job->input = body;
    bss_id_new(job->now_ms, job->id);
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    char v[8];
    bool present = false;
    bss_err rc = bss_query_param(r->query, r->query_len, "confirmDuplicate", v, sizeof v, &present, &ei);
    if (!rc && present && strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
        rc = bss_fail(&ei, BSS_E_INVALID, "confirmDuplicate", "confirmDuplicate must be true or false");
    job->confirmed = present && strcmp(v, "true") == 0;
    if (!rc)
        rc = bss_doc_check_required(job->kind, body, &ei); /* cheap 400 before queueing */
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
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
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
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    snprintf(job->id, sizeof job->id, "%s", id);
    bss_http_write(r, job_run, job, job_done);
    return 0;
}
