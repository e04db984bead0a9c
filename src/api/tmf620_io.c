/*
 * tmf620_io.c: the catalog file over HTTP (catalog.h, the catalog file, does the
 * work, including the importJob/exportJob kinds and the run of an import
 * job; see docs/catalog.md):
 *
 *   POST /admin/v1/catalog/import?dryRun=true|false   admin. Body: the catalog
 *        document. 200 with the report {dryRun, created, updated, unchanged};
 *        a bad document is the error its kind's rules give (400/409/422) with
 *        field "productOfferings[3].<path>" and nothing is written.
 *   GET  /admin/v1/catalog/export                     admin, readonly. 200 with
 *        the document, indented, stable (ids in order, href/lastUpdate stripped).
 *   POST {TMF620}/importJob  admin. Body {"content": <catalog document>,
 *        "contentType"?: "application/json"}: 201 with the job in status
 *        "Running"; the import runs on a background worker, then the job
 *        becomes "Succeeded" (with "report") or "Failed" (with "errorLog":
 *        the message and field path) and gets a completionDate.
 *   POST {TMF620}/exportJob  admin, readonly. 201 with a job that has already
 *        "Succeeded": its "url" is this server's /admin/v1/catalog/export.
 *   GET  {TMF620}/importJob[/{id}], exportJob[/{id}]: the generic TMF reads.
 *
 * Imports and exports run on the background workers (bss_http_work): a
 * large catalog never holds an event loop. Job contents are not stored in
 * the job (only their size).
 */
#include <stdio.h>
#include <string.h>

#include "api/http.h"
#include "api/query.h"
#include "api/routes.h"
#include "api/tmf.h"
#include "catalog/catalog.h"
#include "core/id.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"

static const bss_tmf_binding import_job_binding = {
    .kind = &bss_import_job_kind,
    BSS_TMF_PATHS(BSS_TMF620_BASE, "importJob"),
    .read_roles = BSS_ROLE_ADMIN | BSS_ROLE_READONLY | BSS_ROLE_CATALOG,
    .write_roles = BSS_ROLES_CATALOG_WRITE,
    BSS_TMF_NAMES("tmf620.importJob"),
};

static const bss_tmf_binding export_job_binding = {
    .kind = &bss_export_job_kind,
    BSS_TMF_PATHS(BSS_TMF620_BASE, "exportJob"),
    .read_roles = BSS_ROLE_ADMIN | BSS_ROLE_READONLY | BSS_ROLE_CATALOG,
    .write_roles = BSS_ROLES_CATALOG_WRITE, /* a job is a write: readonly keys read exports, they do not make jobs */
    BSS_TMF_NAMES("tmf620.exportJob"),
};

/* ---- import and export --------------------------------------------------- */

typedef struct io_job {
    bss_app *app;
    json_t *doc; /* the catalog document (import) */
    bool dry_run;
    char base_url[512];
    char id[BSS_ID_LEN + 1]; /* importJob id */
    json_t *result;          /* report (import) or document (export) */
    char by[128];            /* the caller's key name, for the log */
    bss_principal who;       /* the caller, for the change history */
    bool has_who;
    char *text;              /* export text */
    size_t text_len;
} io_job;

static void io_job_free(io_job *job)
{
    if (!job)
        return;
    json_decref(job->doc);
    json_decref(job->result);
    bss_free(job->text);
    bss_free(job);
}

static io_job *io_job_new(bss_req *r)
{
    io_job *job = bss_calloc(1, sizeof *job);
    if (job) {
        job->app = r->app;
        snprintf(job->base_url, sizeof job->base_url, "%s", bss_http_base_url(r));
        snprintf(job->by, sizeof job->by, "%s", r->who ? r->who->name : "-");
        if (r->who) {
            job->who = *r->who;
            job->has_who = true;
        }
    }
    return job;
}

static void send_nomem(bss_req *r)
{
    bss_errinfo ei;
    bss_fail(&ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_http_send_error(r, BSS_E_NOMEM, &ei);
}

/* dryRun=true|false from the query (absent: false); -1 after answering 400. */
static int dry_run_of(bss_req *r)
{
    char v[64];
    bool present = false;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_query_param(r->query, r->query_len, "dryRun", v, sizeof v, &present, &ei);
    if (!rc && present && strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
        rc = bss_fail(&ei, BSS_E_INVALID, "dryRun", "dryRun must be true or false");
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return -1;
    }
    return present && strcmp(v, "true") == 0;
}

static bss_err work_import(bss_db *db, void *arg, bss_errinfo *ei)
{
    (void)db;
    io_job *job = arg;
    return bss_catalog_import_run(job->app, job->doc, job->dry_run, job->base_url, job->has_who ? &job->who : NULL,
                                  &job->result, ei);
}

static void done_json(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    io_job *job = arg;
    if (rc == BSS_OK && job->result && json_object_get(job->result, "unchanged"))
        bss_logf(BSS_LOG_INFO, "catalog.imported", "dryRun=%s created=%zu updated=%zu unchanged=%lld by=%s",
                 job->dry_run ? "true" : "false", json_array_size(json_object_get(job->result, "created")),
                 json_array_size(json_object_get(job->result, "updated")),
                 (long long)json_integer_value(json_object_get(job->result, "unchanged")), job->by);
    bss_http_reply(r, rc, ei, 200, &job->result);
    io_job_free(job);
}

static int h_import(bss_req *r)
{
    int dry = dry_run_of(r);
    if (dry < 0)
        return 0;
    json_t *doc = bss_http_json_body(r, true);
    if (!doc)
        return 0;
    io_job *job = io_job_new(r);
    if (!job) {
        json_decref(doc);
        send_nomem(r);
        return 0;
    }
    job->doc = doc;
    job->dry_run = dry == 1;
    bss_http_work(r, work_import, job, done_json);
    return 0;
}

static bss_err work_export(bss_db *db, void *arg, bss_errinfo *ei)
{
    io_job *job = arg;
    json_t *doc = NULL;
    bss_err rc = bss_catalog_export(db, &doc, ei);
    if (rc)
        return rc;
    job->text = bss_catalog_export_text(doc, &job->text_len);
    json_decref(doc);
    return job->text ? BSS_OK : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
}

static void done_export(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    io_job *job = arg;
    if (rc == BSS_OK)
        bss_log(BSS_LOG_INFO, "catalog.exported", "by", job->by, NULL);
    if (r && rc)
        bss_http_send_error(r, rc, ei);
    else if (r)
        bss_http_send_text(r, 200, BSS_TMF_JSON_CT, job->text, job->text_len);
    io_job_free(job);
}

static int h_export(bss_req *r)
{
    io_job *job = io_job_new(r);
    if (!job) {
        send_nomem(r);
        return 0;
    }
    bss_http_work(r, work_export, job, done_export);
    return 0;
}

/* ---- TMF620 importJob / exportJob ---------------------------------------- */

typedef struct job_write {
    const bss_doc_kind *kind;
    io_job *io;
    json_t *body; /* the job to create */
} job_write;

static bss_err job_write_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    job_write *w = arg;
    io_job *job = w->io;
    bss_doc_ctx ctx = {w->kind, db, bss_clock_now(&job->app->clock), job->base_url, job->has_who ? &job->who : NULL, NULL, NULL, false, NULL};
    json_t *out = NULL;
    bss_err rc = bss_doc_create(&ctx, job->id, w->body, &out, ei);
    json_decref(job->result);
    job->result = out;
    return rc;
}

/* On a worker: the import itself, then the job's final state (catalog.h: the catalog file). */
static bss_err import_job_bg(bss_db *db, void *arg, bss_errinfo *ei)
{
    (void)db;
    io_job *job = arg;
    return bss_catalog_import_job_finish(job->app, job->id, job->doc, job->base_url, job->has_who ? &job->who : NULL,
                                         ei);
}

static void import_job_bg_done(void *arg, bss_err rc, const bss_errinfo *ei)
{
    io_job *job = arg;
    if (rc)
        bss_log(BSS_LOG_ERROR, "catalog.import_job", "id", job->id, "error", ei ? ei->message : "", NULL);
    else
        bss_log(BSS_LOG_INFO, "catalog.import_job", "id", job->id, "status", "done", "by", job->by, NULL);
    io_job_free(job);
}

static void import_job_created(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    job_write *w = arg;
    io_job *job = w->io;
    json_decref(w->body);
    bss_free(w);
    json_t *shown = json_incref(job->result);
    bss_http_reply(r, rc, ei, 201, &shown);
    json_decref(shown); /* what the reply did not take (no client, or an error) */
    if (rc) {
        io_job_free(job);
        return;
    }
    bss_workers_submit(job->app->workers, import_job_bg, job, import_job_bg_done);
}

static int h_import_job(bss_req *r)
{
    json_t *req = bss_http_json_body(r, true);
    if (!req)
        return 0;
    json_t *content = NULL, *body = NULL;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_catalog_import_job_body(req, bss_clock_now(&r->app->clock), &body, &content, &ei);
    json_decref(req);
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    io_job *job = io_job_new(r);
    job_write *w = job ? bss_calloc(1, sizeof *w) : NULL;
    if (!w) {
        io_job_free(job);
        json_decref(body);
        json_decref(content);
        send_nomem(r);
        return 0;
    }
    job->doc = content;
    bss_id_new(bss_clock_now(&r->app->clock), job->id);
    *w = (job_write){&bss_import_job_kind, job, body};
    bss_http_write(r, job_write_run, w, import_job_created);
    return 0;
}

static void export_job_created(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    job_write *w = arg;
    io_job *job = w->io;
    bss_http_reply(r, rc, ei, 201, &job->result);
    json_decref(w->body);
    bss_free(w);
    io_job_free(job);
}

static int h_export_job(bss_req *r)
{
    h2o_iovec_t raw = bss_http_body(r);
    json_t *req = raw.len ? bss_http_json_body(r, true) : json_object();
    if (!req)
        return 0;
    json_decref(req); /* nothing to choose: the export is always the whole catalog */
    io_job *job = io_job_new(r);
    job_write *w = job ? bss_calloc(1, sizeof *w) : NULL;
    char url[700];
    snprintf(url, sizeof url, "%s/admin/v1/catalog/export", bss_http_base_url(r));
    int64_t now = bss_clock_now(&r->app->clock);
    json_t *body = NULL;
    if (!w || bss_catalog_export_job_body(url, now, &body, NULL) != BSS_OK) {
        bss_free(w);
        io_job_free(job);
        send_nomem(r);
        return 0;
    }
    bss_id_new(now, job->id);
    *w = (job_write){&bss_export_job_kind, job, body};
    bss_http_write(r, job_write_run, w, export_job_created);
    return 0;
}

/* ---- routes -------------------------------------------------------------- */

#define JOBS_BASE BSS_TMF620_BASE

static const bss_route io_routes[] = {
    {"POST", "/admin/v1/catalog/import", h_import, BSS_ROLES_CATALOG_WRITE, "admin.catalog.import", NULL},
    {"GET", "/admin/v1/catalog/export", h_export, BSS_ROLE_ADMIN | BSS_ROLE_READONLY | BSS_ROLE_CATALOG, "admin.catalog.export",
     NULL},
    {"POST", JOBS_BASE "/importJob", h_import_job, BSS_ROLES_CATALOG_WRITE, "tmf620.importJob.create",
     &import_job_binding},
    {"GET", JOBS_BASE "/importJob", bss_tmf_handle_list, BSS_ROLE_ADMIN | BSS_ROLE_READONLY | BSS_ROLE_CATALOG,
     "tmf620.importJob.list", &import_job_binding},
    {"GET", JOBS_BASE "/importJob/{id}", bss_tmf_handle_get, BSS_ROLE_ADMIN | BSS_ROLE_READONLY | BSS_ROLE_CATALOG,
     "tmf620.importJob.get", &import_job_binding},
    {"POST", JOBS_BASE "/exportJob", h_export_job, BSS_ROLES_CATALOG_WRITE,
     "tmf620.exportJob.create", &export_job_binding},
    {"GET", JOBS_BASE "/exportJob", bss_tmf_handle_list, BSS_ROLE_ADMIN | BSS_ROLE_READONLY | BSS_ROLE_CATALOG,
     "tmf620.exportJob.list", &export_job_binding},
    {"GET", JOBS_BASE "/exportJob/{id}", bss_tmf_handle_get, BSS_ROLE_ADMIN | BSS_ROLE_READONLY | BSS_ROLE_CATALOG,
     "tmf620.exportJob.get", &export_job_binding},
};

bss_err bss_tmf620_io_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    bss_err rc = bss_resource_table_prepare(bss_import_job_kind.table);
    if (!rc)
        rc = bss_resource_table_prepare(bss_export_job_kind.table);
    for (size_t i = 0; !rc && i < sizeof io_routes / sizeof io_routes[0]; i++)
        rc = bss_router_add(rt, &io_routes[i]);
    return rc;
}
