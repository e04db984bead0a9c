/*
 * tmf639.c: the resource inventory over HTTP (inventory.h does the work;
 * docs/inventory.md):
 *
 *   GET   {TMF639}/resource            readers. SIMs and numbers as TMF639
 *         Resources; filters @type (SimCard, MSISDN), resourceStatus,
 *         category, prefix, batch, profileType; offset, limit, fields.
 *         X-Total-Count / X-Result-Count. Runs on a worker.
 *   GET   {TMF639}/resource/{id}       readers. id: an ICCID or a number's
 *         E.164 digits without '+'.
 *   PATCH {TMF639}/resource/{id}       admin, agent. {"resourceStatus",
 *         "statusReason"}: staff's moves only (lost, stolen, retired, a
 *         release); any other member is 400.
 *   GET   {TMF639}/resource/{id}/history   admin.
 *   POST  /api/v1/inventory/reservations   admin, agent, integration.
 *         {"resourceType": "MSISDN" | "SimCard", "number"?, "category"?,
 *         "prefix"?, "iccid"?, "profile"?, "minutes"?} -> 201 {id, resource,
 *         heldUntil}: the resource held for that many minutes (default
 *         --reservation-minutes).
 *   DELETE /api/v1/inventory/reservations/{id}  the same roles: 204, or 404
 *         when it holds nothing (any more).
 *   POST  /api/v1/inventory/sims/{id}/codes  admin, agent. {"reason"}: the
 *         PIN/PUK codes, once.
 *   POST  /admin/v1/inventory/sims/import?partial=&dryRun=&batch=  admin.
 *         Body: the SIM batch file (Content-Type text/csv). 200 with the
 *         report; 422 with the TMF error body and the report in "report"
 *         when rows were rejected and partial was not asked.
 *   POST  /admin/v1/inventory/ranges   admin. {"from", "to", "category"?} -> 201
 *   GET   /admin/v1/inventory/ranges   admin, readonly.
 *   PUT   /admin/v1/inventory/categories/{name}  admin. {"priceId"?, "description"?}
 *   GET   /admin/v1/inventory/categories  readers.
 *   GET   /admin/v1/inventory/stats    admin, readonly.
 * Every write is one group-commit writer job; every read runs on a worker.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/errmap.h"
#include "api/http.h"
#include "api/query.h"
#include "api/routes.h"
#include "api/tmf.h"
#include "core/id.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/pan.h"
#include "core/parse.h"
#include "inventory/inventory.h"

#define RESOURCE BSS_TMF639_BASE "/resource"
#define WRITERS (BSS_ROLE_ADMIN | BSS_ROLE_AGENT)
#define RESERVERS (BSS_ROLE_ADMIN | BSS_ROLE_AGENT | BSS_ROLE_INTEGRATION)
#define ADMIN_READERS (BSS_ROLE_ADMIN | BSS_ROLE_READONLY)

static bss_inv_config inv_config(const bss_app *app)
{
    bss_inv_config c = {
        .seal = &app->secrets,
        .keys = strcmp(app->cfg.sim_keys, "hss") == 0 ? BSS_SIM_KEYS_HSS : BSS_SIM_KEYS_STORE,
        .quarantine_days = app->cfg.msisdn_quarantine_days,
        .hold_minutes = app->cfg.reservation_minutes,
        .warn_left = app->cfg.inventory_warn,
    };
    return c;
}

/* ---- one job struct for every route ---- */

typedef struct inv_job inv_job;
typedef bss_err (*inv_fn)(bss_db *db, inv_job *j, bss_errinfo *ei);

struct inv_job {
    bss_app *app;
    inv_fn fn;
    bss_principal who;
    bool has_who;
    int64_t now_ms;
    char base_url[512];
    char id[128];
    char s1[128], s2[128], s3[128], s4[128]; /* route-specific strings */
    char reason[BSS_INV_REASON_MAX + 1];
    bool has_s1, has_s2, has_s3, has_s4, flag1, flag2;
    int64_t n1;
    bss_inv_filter filter;
    bss_query q;
    char *data; /* a file's bytes */
    size_t len;
    json_t *out;
    int64_t total;
    int status; /* of a success */
};

static void job_free(void *arg)
{
    inv_job *j = arg;
    if (!j)
        return;
    json_decref(j->out);
    bss_query_free(&j->q);
    if (j->data) {
        explicit_bzero(j->data, j->len);
        bss_free(j->data);
    }
    bss_free(j);
}

static inv_job *job_new(bss_req *r, inv_fn fn)
{
    inv_job *j = bss_calloc(1, sizeof *j);
    if (!j) {
        bss_http_send_error(r, BSS_E_NOMEM, NULL);
        return NULL;
    }
    j->app = r->app;
    j->fn = fn;
    j->now_ms = bss_clock_now(&r->app->clock);
    if (r->who) {
        j->who = *r->who;
        j->has_who = true;
    }
    snprintf(j->base_url, sizeof j->base_url, "%s", bss_http_base_url(r));
    const char *id = bss_http_param(r, "id");
    if (id)
        snprintf(j->id, sizeof j->id, "%s", id);
    j->status = 200;
    return j;
}

static bss_inv_actor actor(const inv_job *j)
{
    return (bss_inv_actor){.who = j->has_who ? &j->who : NULL, .now_ms = j->now_ms};
}

static bss_err run_write(bss_db *db, void *arg, bss_errinfo *ei)
{
    inv_job *j = arg;
    json_decref(j->out); /* a batch retry runs the job again */
    j->out = NULL;
    return j->fn(db, j, ei);
}

static void write_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    inv_job *j = arg;
    if (r)
        bss_http_reply(r, rc, ei, j->status, &j->out);
    job_free(j);
}

static bss_err run_read(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    inv_job *j = arg;
    bss_err rc = j->fn(db, j, ei);
    if (rc == BSS_OK) {
        *out = j->out;
        j->out = NULL;
    }
    return rc;
}

static void send_bad(bss_req *r, inv_job *j, bss_err rc, const bss_errinfo *ei)
{
    bss_http_send_error(r, rc, ei);
    job_free(j);
}

/* A write handler's start: its JSON body and its job (NULL after answering). */
static inv_job *body_job(bss_req *r, inv_fn fn, json_t **body)
{
    *body = bss_http_json_body(r, true);
    if (!*body)
        return NULL;
    inv_job *j = job_new(r, fn);
    if (!j) {
        json_decref(*body);
        *body = NULL;
    }
    return j;
}

/* A write handler's end: done with the body; a problem is the answer, else the job goes to the writer. */
static int write_or_fail(bss_req *r, inv_job *j, json_t *body, bss_err rc, const bss_errinfo *ei,
                         bss_http_write_done_fn done)
{
    json_decref(body);
    if (rc != BSS_OK) {
        send_bad(r, j, rc, ei);
        return 0;
    }
    bss_http_write(r, run_write, j, done);
    return 0;
}

/* A string member of body into buf (absent: *has false); 400 when not a string or too long. */
static bss_err opt_str(const json_t *body, const char *name, char *buf, size_t cap, bool *has, bss_errinfo *ei)
{
    const json_t *v = json_object_get(body, name);
    *has = false;
    if (!v || json_is_null(v))
        return BSS_OK;
    if (!json_is_string(v))
        return bss_fail(ei, BSS_E_INVALID, name, "%s must be a string", name);
    if (json_string_length(v) >= cap)
        return bss_fail(ei, BSS_E_INVALID, name, "%s must be at most %zu bytes", name, cap - 1);
    snprintf(buf, cap, "%s", json_string_value(v));
    *has = true;
    return BSS_OK;
}

/* Members of body other than allowed: 400 naming the first. */
static bss_err only_members(const json_t *body, const char *const *allowed, bss_errinfo *ei)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(k, allowed[i]) == 0;
        if (!ok) {
            char list[200] = "";
            for (size_t i = 0; allowed[i]; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", allowed[i]);
            return bss_fail(ei, BSS_E_INVALID, k, "%.64s cannot be set here (the members are %s)", k, list);
        }
    }
    return BSS_OK;
}

/* ---- GET resource ---- */

static bss_err do_get(bss_db *db, inv_job *j, bss_errinfo *ei)
{
    return bss_inv_get(db, j->now_ms, j->base_url, j->id, &j->out, ei);
}

static int h_get(bss_req *r)
{
    inv_job *j = job_new(r, do_get);
    if (j)
        bss_http_read_json(r, run_read, j, job_free, NULL);
    return 0;
}

/* ---- list ---- */

static bss_err do_list(bss_db *db, inv_job *j, bss_errinfo *ei)
{
    json_t *page = NULL;
    bss_err rc = bss_inv_list(db, j->now_ms, j->base_url, &j->filter, &page, &j->total, ei);
    if (rc != BSS_OK)
        return rc;
    if (j->q.has_fields) {
        size_t i;
        json_t *d;
        json_array_foreach(page, i, d)
        {
            json_t *p = bss_query_project(&j->q, d);
            if (p)
                json_array_set_new(page, i, p);
        }
    }
    j->out = page;
    return BSS_OK;
}

static bss_err list_work(bss_db *db, void *arg, bss_errinfo *ei)
{
    return do_list(db, arg, ei);
}

static void list_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    inv_job *j = arg;
    bss_tmf_send_page(r, rc, ei, j->total, &j->out);
    job_free(j);
}

static const char *const list_filters[] = {"@type", "resourceStatus", "category", "prefix", "batch", "profileType", NULL};

static int h_list(bss_req *r)
{
    inv_job *j = job_new(r, do_list);
    if (!j)
        return 0;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_query_parse(r->query, r->query_len, &j->q, &ei);
    if (rc == BSS_OK && j->q.nsort)
        rc = bss_fail(&ei, BSS_E_INVALID, "sort", "resource lists are in id order; sort is not supported");
    char *slots[] = {j->s1, j->s2, j->s3, j->s4, j->reason, j->id};
    const char **targets[] = {&j->filter.type, &j->filter.status, &j->filter.category, &j->filter.prefix,
                              &j->filter.batch, &j->filter.profile};
    for (size_t i = 0; rc == BSS_OK && i < j->q.nfilters; i++) {
        const bss_query_filter *f = &j->q.filters[i];
        int which = -1;
        for (int k = 0; list_filters[k]; k++)
            if (strcmp(f->attr, list_filters[k]) == 0)
                which = k;
        if (which < 0)
            rc = bss_fail(&ei, BSS_E_INVALID, f->param,
                          "resources are filtered by @type, resourceStatus, category, prefix, batch and "
                          "profileType; not by %.64s",
                          f->param);
        else if (f->op != BSS_QOP_EQ || f->nvalues != 1)
            rc = bss_fail(&ei, BSS_E_INVALID, f->param, "%s takes one value to equal", list_filters[which]);
        else if (strlen(f->values[0]) >= 128)
            rc = bss_fail(&ei, BSS_E_INVALID, f->param, "%s is too long", list_filters[which]);
        else {
            snprintf(slots[which], 128, "%s", f->values[0]);
            *targets[which] = slots[which];
        }
    }
    if (rc == BSS_OK && j->filter.type && strcmp(j->filter.type, BSS_INV_TYPE_SIM) != 0 &&
        strcmp(j->filter.type, BSS_INV_TYPE_MSISDN) != 0)
        rc = bss_fail(&ei, BSS_E_INVALID, "@type", "@type is SimCard or MSISDN");
    if (rc != BSS_OK) {
        send_bad(r, j, rc, &ei);
        return 0;
    }
    j->filter.offset = j->q.offset;
    j->filter.limit = j->q.limit;
    bss_http_read(r, list_work, j, list_done);
    return 0;
}

/* ---- PATCH resource: staff's status changes ---- */

static bss_err do_patch(bss_db *db, inv_job *j, bss_errinfo *ei)
{
    bss_inv_actor by = actor(j);
    return bss_inv_set_status(db, &by, j->base_url, j->id, j->s1, j->reason[0] ? j->reason : NULL, &j->out, ei);
}

static int h_patch(bss_req *r)
{
    json_t *body = NULL;
    inv_job *j = body_job(r, do_patch, &body);
    if (!j)
        return 0;
    static const char *const allowed[] = {"resourceStatus", "statusReason", "id", "href", "@type", NULL};
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bool has = false, has_reason = false;
    bss_err rc = only_members(body, allowed, &ei);
    if (rc == BSS_OK)
        rc = opt_str(body, "resourceStatus", j->s1, sizeof j->s1, &has, &ei);
    if (rc == BSS_OK && !has)
        rc = bss_fail(&ei, BSS_E_INVALID, "resourceStatus", "resourceStatus is required");
    if (rc == BSS_OK)
        rc = opt_str(body, "statusReason", j->reason, sizeof j->reason, &has_reason, &ei);
    if (rc == BSS_OK && has_reason)
        rc = bss_pan_reject_text(j->reason, strlen(j->reason), "statusReason", &ei);
    return write_or_fail(r, j, body, rc, &ei, write_done);
}

/* ---- history ---- */

static bss_err do_history(bss_db *db, inv_job *j, bss_errinfo *ei)
{
    json_t *probe = NULL;
    bss_err rc = bss_inv_get(db, j->now_ms, NULL, j->id, &probe, ei);
    json_decref(probe);
    return rc == BSS_OK ? bss_inv_history(db, j->id, j->n1, &j->out, ei) : rc;
}

static int h_history(bss_req *r)
{
    inv_job *j = job_new(r, do_history);
    if (!j)
        return 0;
    char buf[16];
    bool present = false;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    j->n1 = 100;
    bss_err rc = bss_query_param(r->query, r->query_len, "limit", buf, sizeof buf, &present, &ei);
    if (rc == BSS_OK && present) {
        if (bss_parse_int64(buf, strlen(buf), BSS_NUM_DIGITS, 1, 1000, &j->n1) != BSS_OK)
            rc = bss_fail(&ei, BSS_E_INVALID, "limit", "limit must be 1..1000");
    }
    if (rc != BSS_OK) {
        send_bad(r, j, rc, &ei);
        return 0;
    }
    bss_http_read_json(r, run_read, j, job_free, NULL);
    return 0;
}

/* ---- reservations ---- */

static bss_err do_reserve(bss_db *db, inv_job *j, bss_errinfo *ei)
{
    bss_inv_actor by = actor(j);
    bss_inv_pick pick = {
        .holder = j->id,
        .hold_ms = j->n1 * 60000,
        .base_url = j->base_url,
    };
    bss_err rc;
    json_t *res = NULL;
    if (j->flag1) { /* a SIM */
        pick.iccid = j->has_s1 ? j->s1 : NULL;
        pick.profile = j->has_s2 ? j->s2 : NULL;
        rc = bss_inv_sim_reserve(db, &by, &pick, &res, ei);
    } else {
        pick.number = j->has_s1 ? j->s1 : NULL;
        pick.category = j->has_s2 ? j->s2 : NULL;
        pick.prefix = j->has_s3 ? j->s3 : NULL;
        rc = bss_inv_msisdn_reserve(db, &by, &pick, &res, ei);
    }
    if (rc != BSS_OK)
        return rc;
    char href[700];
    snprintf(href, sizeof href, "%s/api/v1/inventory/reservations/%s", j->base_url, j->id);
    j->out = json_pack("{s:s, s:s, s:o}", "id", j->id, "href", href, "resource", res);
    if (j->out)
        bss_json_set_time(j->out, "heldUntil", j->now_ms + j->n1 * 60000);
    return j->out ? BSS_OK : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
}

static int h_reserve(bss_req *r)
{
    json_t *body = NULL;
    inv_job *j = body_job(r, do_reserve, &body);
    if (!j)
        return 0;
    static const char *const allowed[] = {"resourceType", "number", "category", "prefix", "iccid", "profile",
                                          "minutes", NULL};
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    char type[32];
    bool has_type = false;
    bss_err rc = only_members(body, allowed, &ei);
    if (rc == BSS_OK)
        rc = opt_str(body, "resourceType", type, sizeof type, &has_type, &ei);
    if (rc == BSS_OK && (!has_type || (strcmp(type, BSS_INV_TYPE_SIM) != 0 && strcmp(type, BSS_INV_TYPE_MSISDN) != 0)))
        rc = bss_fail(&ei, BSS_E_INVALID, "resourceType", "resourceType is required: MSISDN or SimCard");
    j->flag1 = rc == BSS_OK && strcmp(type, BSS_INV_TYPE_SIM) == 0;
    const char *const *names = j->flag1 ? (const char *const[]){"iccid", "profile", NULL}
                                        : (const char *const[]){"number", "category", "prefix", NULL};
    const char *const *others = j->flag1 ? (const char *const[]){"number", "category", "prefix", NULL}
                                         : (const char *const[]){"iccid", "profile", NULL};
    char *slots[] = {j->s1, j->s2, j->s3};
    bool *has[] = {&j->has_s1, &j->has_s2, &j->has_s3};
    for (size_t i = 0; rc == BSS_OK && names[i]; i++)
        rc = opt_str(body, names[i], slots[i], sizeof j->s1, has[i], &ei);
    for (size_t i = 0; rc == BSS_OK && others[i]; i++)
        if (json_object_get(body, others[i]))
            rc = bss_fail(&ei, BSS_E_INVALID, others[i], "%s does not apply to a %s reservation", others[i], type);
    j->n1 = r->app->cfg.reservation_minutes;
    const json_t *mins = json_object_get(body, "minutes");
    if (rc == BSS_OK && mins) {
        if (!json_is_integer(mins) || json_integer_value(mins) < 1 || json_integer_value(mins) > BSS_INV_HOLD_MAX_MIN)
            rc = bss_fail(&ei, BSS_E_INVALID, "minutes", "minutes must be an integer 1..%d", BSS_INV_HOLD_MAX_MIN);
        else
            j->n1 = json_integer_value(mins);
    }
    json_decref(body);
    if (rc != BSS_OK) {
        send_bad(r, j, rc, &ei);
        return 0;
    }
    bss_id_new(j->now_ms, j->id);
    j->status = 201;
    bss_http_write(r, run_write, j, write_done);
    return 0;
}

static bss_err do_release(bss_db *db, inv_job *j, bss_errinfo *ei)
{
    bss_inv_actor by = actor(j);
    int64_t n = 0;
    bss_err rc = bss_inv_release(db, &by, j->id, "reservation released", &n, ei);
    if (rc == BSS_OK && n == 0)
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "reservation %.64s holds nothing (released, expired or used)", j->id);
    return rc;
}

static void release_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    if (r && rc != BSS_OK)
        bss_http_send_error(r, rc, ei);
    else if (r)
        bss_http_send_empty(r, 204);
    job_free(arg);
}

static int h_release(bss_req *r)
{
    inv_job *j = job_new(r, do_release);
    if (j)
        bss_http_write(r, run_write, j, release_done);
    return 0;
}

/* ---- SIM codes ---- */

static bss_err do_codes(bss_db *db, inv_job *j, bss_errinfo *ei)
{
    bss_inv_actor by = actor(j);
    bss_inv_config cfg = inv_config(j->app);
    return bss_inv_sim_codes(db, &cfg, &by, j->id, j->reason, &j->out, ei);
}

static int h_codes(bss_req *r)
{
    json_t *body = NULL;
    inv_job *j = body_job(r, do_codes, &body);
    if (!j)
        return 0;
    static const char *const allowed[] = {"reason", NULL};
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bool has = false;
    bss_err rc = only_members(body, allowed, &ei);
    if (rc == BSS_OK)
        rc = opt_str(body, "reason", j->reason, sizeof j->reason, &has, &ei);
    bss_http_add_header(r, "Cache-Control", "no-store");
    return write_or_fail(r, j, body, rc, &ei, write_done);
}

/* ---- SIM batch import ---- */

static bss_err do_import(bss_db *db, inv_job *j, bss_errinfo *ei)
{
    bss_inv_actor by = actor(j);
    bss_inv_config cfg = inv_config(j->app);
    bss_inv_import in = {.data = j->data, .len = j->len, .batch = j->has_s1 ? j->s1 : NULL, .partial = j->flag1,
                         .dry_run = j->flag2};
    bss_err rc = bss_inv_sim_import(db, &cfg, &by, &in, &j->out, ei);
    if (rc == BSS_E_UNPROCESSABLE && j->out) {
        /* keep the report for the answer; the transaction's writes (none) roll back with the job */
        return rc;
    }
    return rc;
}

static void import_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    inv_job *j = arg;
    if (r && rc == BSS_OK) {
        json_t *rep = j->out;
        bss_log(BSS_LOG_INFO, "inventory.sims_imported", "batch", json_string_value(json_object_get(rep, "batch")),
                "by", r->who ? r->who->name : NULL, NULL);
        bss_http_reply(r, rc, ei, 200, &j->out);
    } else if (r && rc == BSS_E_UNPROCESSABLE && j->out) {
        json_t *body = bss_errmap_body(rc, ei, bss_http_base_url(r));
        if (body) {
            json_object_set(body, "report", j->out);
            bss_http_send_json(r, bss_http_status_of(rc), body);
        } else
            bss_http_send_error(r, BSS_E_NOMEM, NULL);
    } else if (r)
        bss_http_send_error(r, rc, ei);
    job_free(j);
}

static bool flag_param(bss_req *r, const char *name, bool *out, bss_errinfo *ei, bss_err *rc)
{
    char buf[8];
    bool present = false;
    *rc = bss_query_param(r->query, r->query_len, name, buf, sizeof buf, &present, ei);
    if (*rc != BSS_OK)
        return false;
    if (!present)
        return true;
    if (strcmp(buf, "true") == 0 || strcmp(buf, "") == 0)
        *out = true;
    else if (strcmp(buf, "false") == 0)
        *out = false;
    else {
        *rc = bss_fail(ei, BSS_E_INVALID, name, "%s must be true or false", name);
        return false;
    }
    return true;
}

static int h_import(bss_req *r)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    size_t ctlen = 0;
    const char *ct = bss_http_header(r, "content-type", &ctlen);
    if (!ct || !(ctlen >= 8 && strncasecmp(ct, "text/csv", 8) == 0 && (ctlen == 8 || ct[8] == ';' || ct[8] == ' '))) {
        bss_http_send_fail(r, BSS_E_UNSUPPORTED, "Content-Type", "a SIM batch file is sent as text/csv");
        return 0;
    }
    inv_job *j = job_new(r, do_import);
    if (!j)
        return 0;
    bss_err rc = BSS_OK;
    if (flag_param(r, "partial", &j->flag1, &ei, &rc) && flag_param(r, "dryRun", &j->flag2, &ei, &rc)) {
        bool present = false;
        rc = bss_query_param(r->query, r->query_len, "batch", j->s1, BSS_INV_NAME_MAX + 1, &present, &ei);
        j->has_s1 = present;
    }
    h2o_iovec_t body = bss_http_body(r);
    if (rc == BSS_OK && body.len == 0)
        rc = bss_fail(&ei, BSS_E_INVALID, "line 1", "line 1: the file is empty; a header row is expected");
    if (rc == BSS_OK && !(j->data = bss_malloc(body.len + 1)))
        rc = bss_fail(&ei, BSS_E_NOMEM, NULL, "out of memory");
    if (rc != BSS_OK) {
        send_bad(r, j, rc, &ei);
        return 0;
    }
    memcpy(j->data, body.base, body.len);
    j->data[body.len] = '\0';
    j->len = body.len;
    bss_http_write(r, run_write, j, import_done);
    return 0;
}

/* ---- ranges, categories, stats ---- */

static bss_err do_range_add(bss_db *db, inv_job *j, bss_errinfo *ei)
{
    bss_inv_actor by = actor(j);
    return bss_inv_range_add(db, &by, j->s1, j->s2, j->has_s3 ? j->s3 : NULL, &j->out, ei);
}

static int h_range_add(bss_req *r)
{
    json_t *body = NULL;
    inv_job *j = body_job(r, do_range_add, &body);
    if (!j)
        return 0;
    static const char *const allowed[] = {"from", "to", "category", NULL};
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = only_members(body, allowed, &ei);
    if (rc == BSS_OK)
        rc = opt_str(body, "from", j->s1, sizeof j->s1, &j->has_s1, &ei);
    if (rc == BSS_OK)
        rc = opt_str(body, "to", j->s2, sizeof j->s2, &j->has_s2, &ei);
    if (rc == BSS_OK)
        rc = opt_str(body, "category", j->s3, sizeof j->s3, &j->has_s3, &ei);
    if (rc == BSS_OK && (!j->has_s1 || !j->has_s2))
        rc = bss_fail(&ei, BSS_E_INVALID, j->has_s1 ? "to" : "from", "%s is required", j->has_s1 ? "to" : "from");
    j->status = 201;
    return write_or_fail(r, j, body, rc, &ei, write_done);
}

static bss_err do_ranges(bss_db *db, inv_job *j, bss_errinfo *ei)
{
    return bss_inv_range_list(db, j->now_ms, &j->out, ei);
}

static bss_err do_category_put(bss_db *db, inv_job *j, bss_errinfo *ei)
{
    bss_inv_actor by = actor(j);
    return bss_inv_category_put(db, &by, j->id, j->has_s1 ? j->s1 : NULL, j->has_s2 ? j->reason : NULL, &j->out,
                                ei);
}

static int h_category_put(bss_req *r)
{
    json_t *body = NULL;
    inv_job *j = body_job(r, do_category_put, &body);
    if (!j)
        return 0;
    snprintf(j->id, sizeof j->id, "%s", bss_http_param(r, "name"));
    static const char *const allowed[] = {"name", "priceId", "description", NULL};
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = only_members(body, allowed, &ei);
    if (rc == BSS_OK)
        rc = opt_str(body, "priceId", j->s1, sizeof j->s1, &j->has_s1, &ei);
    if (rc == BSS_OK)
        rc = opt_str(body, "description", j->reason, sizeof j->reason, &j->has_s2, &ei);
    const json_t *name = json_object_get(body, "name");
    if (rc == BSS_OK && name && !(json_is_string(name) && strcmp(json_string_value(name), j->id) == 0))
        rc = bss_fail(&ei, BSS_E_INVALID, "name", "name must be the path's (%s)", j->id);
    return write_or_fail(r, j, body, rc, &ei, write_done);
}

static bss_err do_categories(bss_db *db, inv_job *j, bss_errinfo *ei)
{
    (void)j;
    return bss_inv_category_list(db, &j->out, ei);
}

static bss_err do_stats(bss_db *db, inv_job *j, bss_errinfo *ei)
{
    bss_inv_config cfg = inv_config(j->app);
    return bss_inv_stats(db, &cfg, j->now_ms, &j->out, ei);
}

static int read_route(bss_req *r, inv_fn fn)
{
    inv_job *j = job_new(r, fn);
    if (j)
        bss_http_read_json(r, run_read, j, job_free, NULL);
    return 0;
}

static int h_ranges(bss_req *r)
{
    return read_route(r, do_ranges);
}

static int h_categories(bss_req *r)
{
    return read_route(r, do_categories);
}

static int h_stats(bss_req *r)
{
    return read_route(r, do_stats);
}

static const bss_route routes[] = {
    {"GET", RESOURCE, h_list, BSS_ROLES_READERS, "tmf639.resource.list", NULL},
    {"GET", RESOURCE "/{id}", h_get, BSS_ROLES_READERS, "tmf639.resource.get", NULL},
    {"PATCH", RESOURCE "/{id}", h_patch, WRITERS, "tmf639.resource.patch", NULL},
    {"GET", RESOURCE "/{id}/history", h_history, BSS_ROLE_ADMIN, "tmf639.resource.history", NULL},
    {"POST", "/api/v1/inventory/reservations", h_reserve, RESERVERS, "inventory.reservation.create", NULL},
    {"DELETE", "/api/v1/inventory/reservations/{id}", h_release, RESERVERS, "inventory.reservation.delete", NULL},
    {"POST", "/api/v1/inventory/sims/{id}/codes", h_codes, WRITERS, "inventory.sim.codes", NULL},
    {"POST", "/admin/v1/inventory/sims/import", h_import, BSS_ROLE_ADMIN, "inventory.sims.import", NULL},
    {"POST", "/admin/v1/inventory/ranges", h_range_add, BSS_ROLE_ADMIN, "inventory.ranges.create", NULL},
    {"GET", "/admin/v1/inventory/ranges", h_ranges, ADMIN_READERS, "inventory.ranges.list", NULL},
    {"PUT", "/admin/v1/inventory/categories/{name}", h_category_put, BSS_ROLE_ADMIN, "inventory.categories.put", NULL},
    {"GET", "/admin/v1/inventory/categories", h_categories, BSS_ROLES_READERS, "inventory.categories.list", NULL},
    {"GET", "/admin/v1/inventory/stats", h_stats, ADMIN_READERS, "inventory.stats", NULL},
};

bss_err bss_tmf639_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    return bss_router_add_all(rt, routes, sizeof routes / sizeof routes[0]);
}
