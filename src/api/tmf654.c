/*
 * tmf654.c: TMF654 Prepay Balance Management v4 over HTTP (charging.h does
 * the work; docs/charging.md):
 *
 *   POST  {TMF654}/bucket              admin, agent: 201 with the bucket.
 *   GET   {TMF654}/bucket[/{id}]       readers. Filters (equality, one value):
 *         id, status, usageType, partyAccount.id, product.id,
 *         logicalResource.id (the MSISDN); offset, limit, fields. On a worker.
 *   POST  {TMF654}/topupBalance        admin, agent, integration.
 *   POST  {TMF654}/adjustBalance       admin, agent.
 *   POST  {TMF654}/reserveBalance      admin, integration, network.
 *   POST  {TMF654}/transferBalance     admin, agent, integration.
 *         Each needs an Idempotency-Key header: 201 with the action; 200
 *         with the first one (Idempotent-Replay: true) for the same key and
 *         body; 409 for the key with another body.
 *   GET   {TMF654}/topupBalance|adjustBalance|reserveBalance|transferBalance[/{id}]  readers
 *         (the generic TMF reads).
 *   GET   {TMF654}/accumulatedBalance?partyAccount.id=|logicalResource.id=[&usageType=]
 *         readers: the active buckets summed per usage type and unit. On a worker.
 *   GET   {TMF654}/balanceActionHistory[/{id}]  readers: the balance ledger,
 *         newest first; one of bucket.id, partyAccount.id, logicalResource.id
 *         (or id) is required; action, usageType and confirmationDate.gt/.gte/
 *         .lt/.lte narrow it; offset, limit, fields. On a worker.
 *   POST  /api/v1/charging/price-enquiry   readers and network: what one
 *         event would cost a line now and which buckets it would take
 *         from (charging.h bss_charging_price_enquiry); changes nothing.
 *         200. On a worker.
 * Every write is one group-commit writer job.
 */
#include <stdio.h>
#include <string.h>

#include "api/http.h"
#include "api/query.h"
#include "api/routes.h"
#include "api/tmf.h"
#include "catalog/catalog.h"
#include "charging/charging.h"
#include "core/mem.h"

#define BUCKET BSS_TMF654_BASE "/bucket"
#define BUCKET_WRITERS (BSS_ROLE_ADMIN | BSS_ROLE_AGENT)
#define TOPUP_WRITERS (BSS_ROLE_ADMIN | BSS_ROLE_AGENT | BSS_ROLE_INTEGRATION)
#define ADJUST_WRITERS (BSS_ROLE_ADMIN | BSS_ROLE_AGENT)
#define RESERVE_WRITERS (BSS_ROLE_ADMIN | BSS_ROLE_INTEGRATION | BSS_ROLE_NETWORK)
#define TRANSFER_WRITERS (BSS_ROLE_ADMIN | BSS_ROLE_AGENT | BSS_ROLE_INTEGRATION)
#define IDEM_MAX 128

typedef enum { ACT_BUCKET = 1, ACT_TOPUP, ACT_ADJUST, ACT_RESERVE, ACT_TRANSFER } act;

typedef struct bal_job {
    act what;
    json_t *body;
    bss_principal who;
    bool has_who, replayed;
    int64_t now_ms;
    char base_url[512];
    char idem[IDEM_MAX + 1];
    char id[BSS_ID_MAX + 1];
    char f[6][BSS_ID_MAX + 1]; /* list filters */
    bool has_f[6];
    int64_t from_ms, to_ms; /* balanceActionHistory's confirmationDate window */
    bss_query q;
    json_t *out;
    int64_t total;
} bal_job;

static void job_free(void *arg)
{
    bal_job *j = arg;
    if (!j)
        return;
    json_decref(j->body);
    json_decref(j->out);
    bss_query_free(&j->q);
    bss_free(j);
}

static bal_job *job_new(bss_req *r, act what)
{
    bal_job *j = bss_calloc(1, sizeof *j);
    if (!j) {
        bss_http_send_error(r, BSS_E_NOMEM, NULL);
        return NULL;
    }
    j->what = what;
    j->now_ms = bss_clock_now(&r->app->clock);
    if (r->who) {
        j->who = *r->who;
        j->has_who = true;
    }
    snprintf(j->base_url, sizeof j->base_url, "%s", bss_http_base_url(r));
    return j;
}

static bss_err job_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    bal_job *j = arg;
    json_decref(j->out); /* a batch retry runs the job again */
    j->out = NULL;
    j->replayed = false;
    bss_balance_env env = {.who = j->has_who ? &j->who : NULL, .now_ms = j->now_ms, .base_url = j->base_url,
                           .idem_key = j->idem};
    switch (j->what) {
    case ACT_BUCKET:
        return bss_bucket_create(db, &env, j->body, &j->out, ei);
    case ACT_TOPUP:
        return bss_balance_topup(db, &env, j->body, &j->out, &j->replayed, ei);
    case ACT_ADJUST:
        return bss_balance_adjust(db, &env, j->body, &j->out, &j->replayed, ei);
    case ACT_RESERVE:
        return bss_balance_reserve(db, &env, j->body, &j->out, &j->replayed, ei);
    case ACT_TRANSFER:
        return bss_balance_transfer(db, &env, j->body, &j->out, &j->replayed, ei);
    }
    return bss_fail(ei, BSS_E_INTERNAL, NULL, "unknown balance action");
}

static void job_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    bal_job *j = arg;
    if (r) {
        if (rc == BSS_OK && j->replayed)
            bss_http_add_header(r, "Idempotent-Replay", "true");
        if (rc == BSS_OK && !j->replayed) {
            const char *href = json_string_value(json_object_get(j->out, "href"));
            if (href)
                bss_http_add_header(r, "Location", href);
        }
        bss_http_reply(r, rc, ei, j->replayed ? 200 : 201, &j->out);
    }
    job_free(j);
}

static int write_action(bss_req *r, act what)
{
    size_t len = 0;
    const char *key = what == ACT_BUCKET ? NULL : bss_http_header(r, "idempotency-key", &len);
    if (key && (len == 0 || len > IDEM_MAX)) {
        bss_errinfo ei;
        bss_fail(&ei, BSS_E_INVALID, "Idempotency-Key", "Idempotency-Key is 1..128 printable characters");
        bss_http_send_error(r, BSS_E_INVALID, &ei);
        return 0;
    }
    for (size_t i = 0; key && i < len; i++)
        if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e) {
            bss_errinfo ei;
            bss_fail(&ei, BSS_E_INVALID, "Idempotency-Key", "Idempotency-Key is 1..128 printable characters");
            bss_http_send_error(r, BSS_E_INVALID, &ei);
            return 0;
        }
    json_t *body = bss_http_json_body(r, true);
    if (!body)
        return 0;
    bal_job *j = job_new(r, what);
    if (!j) {
        json_decref(body);
        return 0;
    }
    j->body = body;
    if (key)
        snprintf(j->idem, sizeof j->idem, "%.*s", (int)len, key);
    bss_http_write(r, job_run, j, job_done);
    return 0;
}

static int h_bucket_create(bss_req *r)
{
    return write_action(r, ACT_BUCKET);
}
static int h_topup(bss_req *r)
{
    return write_action(r, ACT_TOPUP);
}
static int h_adjust(bss_req *r)
{
    return write_action(r, ACT_ADJUST);
}
static int h_reserve(bss_req *r)
{
    return write_action(r, ACT_RESERVE);
}
static int h_transfer(bss_req *r)
{
    return write_action(r, ACT_TRANSFER);
}

/* ---- bucket reads ---- */

static bss_err get_run(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    bal_job *j = arg;
    return bss_bucket_get_json(db, j->now_ms, j->base_url, j->id, out, ei);
}

/* A read job for the resource {id} of the path's last segment what; NULL when the answer is sent. */
static bal_job *id_job(bss_req *r, const char *what)
{
    const char *id = bss_tmf_path_id(r, what);
    bal_job *j = id ? job_new(r, ACT_BUCKET) : NULL;
    if (j)
        snprintf(j->id, sizeof j->id, "%s", id);
    return j;
}

static int h_bucket_get(bss_req *r)
{
    bal_job *j = id_job(r, "bucket");
    if (j)
        bss_http_read_json(r, get_run, j, job_free, NULL);
    return 0;
}

/*
 * A list job for r: its query parsed, sort refused with sort_msg (NULL: not
 * checked), the time window on window (NULL: none) and the equality
 * filters; a line's number (logicalResource.id) is taken without its '+'.
 * NULL when the answer (the error) is sent.
 */
static bal_job *list_job(bss_req *r, const char *what, const char *const *filters, const char *sort_msg,
                         const char *window)
{
    bal_job *j = job_new(r, ACT_BUCKET);
    if (!j)
        return NULL;
    j->from_ms = INT64_MIN;
    j->to_ms = INT64_MAX;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_query_parse(r->query, r->query_len, &j->q, &ei);
    if (rc == BSS_OK && sort_msg && j->q.nsort)
        rc = bss_fail(&ei, BSS_E_INVALID, "sort", "%s", sort_msg);
    if (rc == BSS_OK && window)
        rc = bss_query_time_window(&j->q, window, &j->from_ms, &j->to_ms, &ei);
    if (rc == BSS_OK)
        rc = bss_query_eq_filters(&j->q, what, filters, window, &j->f[0][0], sizeof j->f[0], j->has_f, &ei);
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        job_free(j);
        return NULL;
    }
    for (int i = 0; filters[i]; i++)
        if (j->has_f[i] && strcmp(filters[i], "logicalResource.id") == 0 && j->f[i][0] == '+')
            memmove(j->f[i], j->f[i] + 1, strlen(j->f[i]));
    return j;
}

static const char *const list_filters[] = {"id", "status", "usageType", "partyAccount.id", "product.id",
                                           "logicalResource.id", NULL};

static bss_err list_work(bss_db *db, void *arg, bss_errinfo *ei)
{
    bal_job *j = arg;
    bss_bucket_query q = {.offset = j->q.offset, .limit = j->q.limit};
    const char **slots[] = {&q.id, &q.status, &q.usage_type, &q.account_id, &q.product_id, &q.msisdn};
    for (int i = 0; i < 6; i++)
        if (j->has_f[i])
            *slots[i] = j->f[i];
    json_t *page = NULL;
    bss_err rc = bss_bucket_list_json(db, j->now_ms, j->base_url, &q, &page, &j->total, ei);
    if (rc != BSS_OK)
        return rc;
    bss_query_project_page(&j->q, page);
    j->out = page;
    return BSS_OK;
}

static void list_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    bal_job *j = arg;
    bss_tmf_send_page(r, rc, ei, j->total, &j->out);
    job_free(j);
}

static int h_bucket_list(bss_req *r)
{
    bal_job *j = list_job(r, "buckets", list_filters, "bucket lists are in id order; sort is not supported", NULL);
    if (j)
        bss_http_read(r, list_work, j, list_done);
    return 0;
}

/* ---- accumulated balances ---- */

static const char *const acc_filters[] = {"partyAccount.id", "logicalResource.id", "usageType", NULL};

static bss_err acc_run(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    bal_job *j = arg;
    bss_err rc = bss_accumulated_json(db, j->now_ms, j->base_url, j->has_f[0] ? j->f[0] : NULL,
                                      j->has_f[1] ? j->f[1] : NULL,
                                      j->has_f[2] ? j->f[2] : NULL, out, ei);
    if (rc == BSS_OK)
        bss_query_project_page(&j->q, *out);
    return rc;
}

static int h_accumulated(bss_req *r)
{
    bal_job *j = list_job(r, "accumulated balances", acc_filters, NULL, NULL);
    if (j)
        bss_http_read_json(r, acc_run, j, job_free, NULL);
    return 0;
}

/* ---- balance action history (the ledger) ---- */

static const char *const hist_filters[] = {"id", "bucket.id", "partyAccount.id", "logicalResource.id", "action",
                                           "usageType", NULL};

static bss_err hist_work(bss_db *db, void *arg, bss_errinfo *ei)
{
    bal_job *j = arg;
    bss_balance_history_query q = {.from_ms = j->from_ms, .to_ms = j->to_ms, .offset = j->q.offset, .limit = j->q.limit};
    const char **slots[] = {&q.id, &q.bucket_id, &q.account_id, &q.msisdn, &q.action, &q.usage_type};
    for (int i = 0; i < 6; i++)
        if (j->has_f[i])
            *slots[i] = j->f[i];
    json_t *page = NULL;
    bss_err rc = bss_balance_history_json(db, j->base_url, &q, &page, &j->total, ei);
    if (rc != BSS_OK)
        return rc;
    bss_query_project_page(&j->q, page);
    j->out = page;
    return BSS_OK;
}

static int h_history_list(bss_req *r)
{
    bal_job *j = list_job(r, "balance action histories", hist_filters,
                          "a balance history is newest first; sort is not supported", "confirmationDate");
    if (j)
        bss_http_read(r, hist_work, j, list_done);
    return 0;
}

static bss_err hist_get_run(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    bal_job *j = arg;
    bss_err rc = bss_balance_history_get_json(db, j->base_url, j->id, out, ei);
    if (rc == BSS_OK && j->q.has_fields) {
        json_t *p = bss_query_project(&j->q, *out);
        json_decref(*out);
        *out = p;
    }
    return rc;
}

static int h_history_get(bss_req *r)
{
    bal_job *j = id_job(r, "balanceActionHistory");
    if (!j)
        return 0;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_query_parse(r->query, r->query_len, &j->q, &ei);
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        job_free(j);
        return 0;
    }
    bss_http_read_json(r, hist_get_run, j, job_free, NULL);
    return 0;
}

/* ---- price enquiry ---- */

typedef struct enquiry_job {
    bss_app *app;
    json_t *body;
    int64_t now_ms;
} enquiry_job;

static void enquiry_free(void *arg)
{
    enquiry_job *j = arg;
    if (j) {
        json_decref(j->body);
        bss_free(j);
    }
}

static bss_err enquiry_run(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    enquiry_job *j = arg;
    bss_catalog_holder *h = j->app->catalog;
    const bss_catalog *cat = h ? bss_catalog_acquire(h) : NULL;
    bss_err rc = bss_charging_price_enquiry(db, cat, j->body, j->now_ms, out, ei);
    if (cat)
        bss_catalog_release(h, cat);
    return rc;
}

static int h_enquiry(bss_req *r)
{
    json_t *body = bss_http_json_body(r, true);
    if (!body)
        return 0;
    enquiry_job *j = bss_calloc(1, sizeof *j);
    if (!j) {
        json_decref(body);
        bss_http_send_error(r, BSS_E_NOMEM, NULL);
        return 0;
    }
    j->app = r->app;
    j->body = body;
    j->now_ms = bss_clock_now(&r->app->clock);
    bss_http_read_json(r, enquiry_run, j, enquiry_free, NULL);
    return 0;
}

/* ---- the action documents: generic reads, their own create ---- */

/* An action's binding: the generic TMF reads, its own create. */
#define ACTION_BINDING(var, kind_, seg, writers, create)                                                       \
    static const bss_tmf_binding var = {.kind = &kind_,                                                       \
                                        BSS_TMF_PATHS(BSS_TMF654_BASE, seg),                                    \
                                        .read_roles = BSS_ROLES_READERS,                                        \
                                        .write_roles = writers,                                                 \
                                        BSS_TMF_NAMES("tmf654." seg),                                           \
                                        .handle_create = create}

ACTION_BINDING(topup_binding, bss_topup_balance_kind, "topupBalance", TOPUP_WRITERS, h_topup);
ACTION_BINDING(adjust_binding, bss_adjust_balance_kind, "adjustBalance", ADJUST_WRITERS, h_adjust);
ACTION_BINDING(reserve_binding, bss_reserve_balance_kind, "reserveBalance", RESERVE_WRITERS, h_reserve);
ACTION_BINDING(transfer_binding, bss_transfer_balance_kind, "transferBalance", TRANSFER_WRITERS, h_transfer);
static const bss_tmf_binding *const bindings[] = {&topup_binding, &adjust_binding, &reserve_binding, &transfer_binding,
                                                  NULL};

static const bss_route routes[] = {
    {"POST", BUCKET, h_bucket_create, BUCKET_WRITERS, "tmf654.bucket.create", NULL},
    {"GET", BUCKET, h_bucket_list, BSS_ROLES_READERS, "tmf654.bucket.list", NULL},
    {"GET", BUCKET "/{id}", h_bucket_get, BSS_ROLES_READERS, "tmf654.bucket.get", NULL},
    {"GET", BSS_TMF654_BASE "/accumulatedBalance", h_accumulated, BSS_ROLES_READERS, "tmf654.accumulatedBalance.list",
     NULL},
    {"GET", BSS_TMF654_BASE "/balanceActionHistory", h_history_list, BSS_ROLES_READERS,
     "tmf654.balanceActionHistory.list", NULL},
    {"GET", BSS_TMF654_BASE "/balanceActionHistory/{id}", h_history_get, BSS_ROLES_READERS,
     "tmf654.balanceActionHistory.get", NULL},
    {"POST", "/api/v1/charging/price-enquiry", h_enquiry, BSS_ROLES_READERS | BSS_ROLE_NETWORK, "charging.priceEnquiry",
     NULL},
};

bss_err bss_tmf654_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    bss_err rc = bss_router_add_all(rt, routes, sizeof routes / sizeof routes[0]);
    return rc == BSS_OK ? bss_tmf_register_all(rt, bindings) : rc;
}
