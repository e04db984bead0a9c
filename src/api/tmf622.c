/*
 * tmf622.c: TMF622 Product Ordering v4 over HTTP (order.h does the work;
 * docs/orders.md):
 *
 *   POST  {TMF622}/productOrder[?dryRun=true]  admin, agent, integration.
 *         201 with the order (inProgress: its provisioning has started);
 *         200 with the first order when the same externalId and content
 *         come again; with dryRun, 200 with the quote and nothing written.
 *         A failing order is 422 (409 for a product state) listing every
 *         problem in details.
 *   GET   {TMF622}/productOrder[/{id}]   readers (the generic TMF reads).
 *   PATCH {TMF622}/productOrder/{id}     the same writers: notes,
 *         description, requested dates; the rest is the server's or fixed.
 *   GET   {TMF622}/productOrder/{id}/tasks  readers: the provisioning steps.
 *   POST  {TMF622}/cancelProductOrder    the same writers: 201 with the
 *         request (state done); 409 for an order that cannot be cancelled.
 *   GET   {TMF622}/cancelProductOrder[/{id}]  readers.
 *   POST  /api/v1/orders/{id}/retry   the same writers: a new order with
 *         the failed items of a failed or partial one (201), "retryOf" it.
 *   POST  /api/v1/provisioning/tasks/{order}/{seq}  admin, network,
 *         integration (the MVNE's key): the outcome of a step the network
 *         accepted, {"status": "done"|"failed", "result"?, "error"?}: 204.
 *   GET   /api/v1/orders/overdue?limit=N  readers: open orders past their
 *         expected completion (their category's SLA), most overdue first:
 *         {total, orders: [{id, category, state, orderDate,
 *         expectedCompletionDate, overdueMinutes, ...}]}.
 * Submissions and cancellations are one writer job each; after one commits
 * the order runner is woken.
 */
#include <stdio.h>
#include <string.h>

#include "api/http.h"
#include "api/query.h"
#include "api/routes.h"
#include "api/tmf.h"
#include "catalog/catalog.h"
#include "core/mem.h"
#include "core/parse.h"
#include "order/order.h"

#define ORDER_WRITERS (BSS_ROLE_ADMIN | BSS_ROLE_AGENT | BSS_ROLE_INTEGRATION)

static int h_submit(bss_req *r);
static int h_cancel(bss_req *r);

static const bss_tmf_binding order_binding = {
    .kind = &bss_product_order_kind,
    BSS_TMF_PATHS(BSS_TMF622_BASE, "productOrder"),
    .read_roles = BSS_ROLES_READERS,
    .write_roles = ORDER_WRITERS,
    BSS_TMF_NAMES("tmf622.productOrder"),
    .handle_create = h_submit,
};

static const bss_tmf_binding cancel_binding = {
    .kind = &bss_cancel_order_kind,
    BSS_TMF_PATHS(BSS_TMF622_BASE, "cancelProductOrder"),
    .read_roles = BSS_ROLES_READERS,
    .write_roles = ORDER_WRITERS,
    BSS_TMF_NAMES("tmf622.cancelProductOrder"),
    .handle_create = h_cancel,
};

typedef struct order_job {
    bss_app *app;
    json_t *body;
    bool dry_run, cancel;
    char retry[BSS_ID_MAX + 1]; /* the order retried ("" for a submission) */
    bss_principal who;
    bool has_who;
    int64_t now_ms;
    char base_url[512];
    json_t *out;
    bss_order_outcome how;
} order_job;

static void job_free(order_job *j)
{
    if (!j)
        return;
    json_decref(j->body);
    json_decref(j->out);
    bss_free(j);
}

static bss_err job_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    order_job *j = arg;
    json_decref(j->out); /* a batch retry runs the job again */
    j->out = NULL;
    const bss_catalog *cat = j->app->catalog ? bss_catalog_acquire(j->app->catalog) : NULL;
    bss_order_env env = {.cat = cat,
                         .who = j->has_who ? &j->who : NULL,
                         .now_ms = j->now_ms,
                         .base_url = j->base_url,
                         .hold_minutes = j->app->cfg.reservation_minutes};
    bss_err rc = j->cancel     ? bss_order_cancel(db, &env, j->body, &j->out, ei)
                 : j->retry[0] ? bss_order_retry(db, &env, j->retry, &j->out, ei)
                               : bss_order_submit(db, &env, j->body, j->dry_run, &j->out, &j->how, ei);
    if (rc == BSS_OK && j->retry[0])
        j->how = BSS_ORDER_CREATED;
    if (cat)
        bss_catalog_release(j->app->catalog, cat);
    return rc;
}

static void job_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    order_job *j = arg;
    if (rc == BSS_OK && (j->cancel || j->how == BSS_ORDER_CREATED))
        bss_order_runner_kick(j->app->orders);
    if (r) {
        int status = j->cancel || j->how == BSS_ORDER_CREATED ? 201 : 200;
        if (rc == BSS_OK && j->how == BSS_ORDER_REPLAYED)
            bss_http_add_header(r, "Idempotent-Replay", "true");
        bss_http_reply(r, rc, ei, status, &j->out);
    }
    job_free(j);
}

static order_job *job_new(bss_req *r, bool cancel)
{
    json_t *body = bss_http_json_body(r, true);
    if (!body)
        return NULL;
    order_job *j = bss_calloc(1, sizeof *j);
    if (!j) {
        json_decref(body);
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return NULL;
    }
    j->app = r->app;
    j->body = body;
    j->cancel = cancel;
    j->now_ms = bss_clock_now(&r->app->clock);
    if (r->who) {
        j->who = *r->who;
        j->has_who = true;
    }
    snprintf(j->base_url, sizeof j->base_url, "%s", bss_http_base_url(r));
    return j;
}

static int h_submit(bss_req *r)
{
    order_job *j = job_new(r, false);
    if (!j)
        return 0;
    char v[8];
    bool present = false;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_query_param(r->query, r->query_len, "dryRun", v, sizeof v, &present, &ei);
    if (rc == BSS_OK && present && strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
        rc = bss_fail(&ei, BSS_E_INVALID, "dryRun", "dryRun must be true or false");
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        job_free(j);
        return 0;
    }
    j->dry_run = present && strcmp(v, "true") == 0;
    bss_http_write(r, job_run, j, job_done);
    return 0;
}

static int h_cancel(bss_req *r)
{
    order_job *j = job_new(r, true);
    if (j)
        bss_http_write(r, job_run, j, job_done);
    return 0;
}

static int h_retry(bss_req *r)
{
    const char *id = bss_tmf_path_id(r, "productOrder");
    if (!id)
        return 0;
    order_job *j = bss_calloc(1, sizeof *j);
    if (!j) {
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    j->app = r->app;
    j->now_ms = bss_clock_now(&r->app->clock);
    if (r->who) {
        j->who = *r->who;
        j->has_who = true;
    }
    snprintf(j->retry, sizeof j->retry, "%s", id);
    snprintf(j->base_url, sizeof j->base_url, "%s", bss_http_base_url(r));
    bss_http_write(r, job_run, j, job_done);
    return 0;
}

/* ---- outcomes reported by the network ---- */

typedef struct report_job {
    bss_app *app;
    char order[BSS_ID_MAX + 1];
    int64_t seq, now_ms;
    json_t *body;
} report_job;

static bss_err report_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    report_job *j = arg;
    return bss_order_task_report(j->app->orders, db, j->order, j->seq, j->body, j->now_ms, ei);
}

static void report_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    report_job *j = arg;
    if (rc == BSS_OK)
        bss_order_runner_kick(j->app->orders);
    if (r && rc != BSS_OK)
        bss_http_send_error(r, rc, ei);
    else if (r)
        bss_http_send_empty(r, 204);
    json_decref(j->body);
    bss_free(j);
}

static int h_report(bss_req *r)
{
    const char *order = bss_tmf_path_id(r, "productOrder");
    if (!order)
        return 0;
    const char *seq = bss_http_param(r, "seq");
    int64_t n = 0;
    if (!seq || bss_parse_int64(seq, strlen(seq), BSS_NUM_DIGITS, 1, 1000000, &n) != BSS_OK) {
        bss_http_send_fail(r, BSS_E_NOT_FOUND, "seq", "no task %.20s of order %.64s", seq ? seq : "", order);
        return 0;
    }
    json_t *body = bss_http_json_body(r, true);
    if (!body)
        return 0;
    report_job *j = bss_calloc(1, sizeof *j);
    if (!j) {
        json_decref(body);
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    j->app = r->app;
    snprintf(j->order, sizeof j->order, "%s", order);
    j->seq = n;
    j->now_ms = bss_clock_now(&r->app->clock);
    j->body = body;
    bss_http_write(r, report_run, j, report_done);
    return 0;
}

/* ---- tasks ---- */

typedef struct tasks_job {
    char id[BSS_ID_MAX + 1];
} tasks_job;

static bss_err tasks_read(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    tasks_job *t = arg;
    bool found = false;
    bss_err rc = bss_doc_exists(db, &bss_product_order_kind, t->id, &found, ei);
    if (rc == BSS_OK && !found)
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "no productOrder with id %.64s", t->id);
    return rc == BSS_OK ? bss_order_tasks(db, t->id, out, ei) : rc;
}

static int h_tasks(bss_req *r)
{
    const char *id = bss_tmf_path_id(r, "productOrder");
    if (!id)
        return 0;
    tasks_job *t = bss_calloc(1, sizeof *t);
    if (!t) {
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    snprintf(t->id, sizeof t->id, "%s", id);
    bss_http_read_json(r, tasks_read, t, bss_free, NULL);
    return 0;
}

/* ---- overdue orders ---- */

typedef struct overdue_req {
    int64_t now_ms, limit, total;
} overdue_req;

static bss_err overdue_read(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    overdue_req *o = arg;
    json_t *list = NULL;
    bss_err rc = bss_order_overdue(db, o->now_ms, o->limit, &list, &o->total, ei);
    if (rc == BSS_OK) {
        *out = json_pack("{s:I, s:o}", "total", (json_int_t)o->total, "orders", list);
        if (!*out)
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    return rc;
}

static int h_overdue(bss_req *r)
{
    overdue_req *o = bss_calloc(1, sizeof *o);
    if (!o) {
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    o->now_ms = bss_clock_now(&r->app->clock);
    o->limit = 100;
    char buf[16];
    bool present = false;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_query_param(r->query, r->query_len, "limit", buf, sizeof buf, &present, &ei);
    if (rc == BSS_OK && present && bss_parse_int64(buf, strlen(buf), BSS_NUM_DIGITS, 1, 1000, &o->limit) != BSS_OK)
        rc = bss_fail(&ei, BSS_E_INVALID, "limit", "limit must be 1..1000");
    if (rc != BSS_OK) {
        bss_free(o);
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    bss_http_read_json(r, overdue_read, o, bss_free, NULL);
    return 0;
}

static const bss_route routes[] = {
    {"GET", "/api/v1/orders/overdue", h_overdue, BSS_ROLES_READERS, "orders.overdue", NULL},
    {"POST", "/api/v1/orders/{id}/retry", h_retry, ORDER_WRITERS, "orders.retry", NULL},
    {"POST", "/api/v1/provisioning/tasks/{id}/{seq}", h_report, BSS_ROLE_ADMIN | BSS_ROLE_NETWORK | BSS_ROLE_INTEGRATION,
     "provisioning.report", NULL},
    {"GET", BSS_TMF622_BASE "/productOrder/{id}/tasks", h_tasks, BSS_ROLES_READERS, "tmf622.productOrder.tasks", NULL},
};

bss_err bss_tmf622_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    bss_err rc = bss_tmf_register(rt, &order_binding);
    if (rc == BSS_OK)
        rc = bss_tmf_register(rt, &cancel_binding);
    for (size_t i = 0; rc == BSS_OK && i < sizeof routes / sizeof routes[0]; i++)
        rc = bss_router_add(rt, &routes[i]);
    return rc;
}
