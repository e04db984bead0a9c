/*
 * charging.c: the online charging API over HTTP (charging.h session.c
 * does the work; docs/charging.md "Online charging"):
 *
 *   POST /api/v1/charging/requests   network, admin, integration: one
 *        credit-control request (initial, update, terminate, event). 200
 *        with the answer, whose resultCode says what happened (2001, 4012
 *        ... as on Diameter); a retransmission (the same session and
 *        request number) answers the first answer with Idempotent-Replay.
 *        400 for a malformed request, 409 for an initial request of a
 *        session that exists or a request number that does not grow.
 * Each request is one group-commit writer job: its answer leaves only
 * after the changes it made are durable.
 */
#include <stdio.h>
#include <string.h>

#include "api/http.h"
#include "api/routes.h"
#include "catalog/catalog.h"
#include "charging/charging.h"
#include "core/mem.h"

#define CC_ROLES (BSS_ROLE_NETWORK | BSS_ROLE_ADMIN | BSS_ROLE_INTEGRATION)

typedef struct cc_job {
    bss_app *app;
    int64_t now_ms;
    bss_cc_request req;
    json_t *out;
} cc_job;

static bss_err cc_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    cc_job *j = arg;
    json_decref(j->out);
    j->out = NULL;
    bss_catalog_holder *h = j->app->catalog;
    const bss_catalog *cat = h ? bss_catalog_acquire(h) : NULL;
    if (!cat)
        return bss_fail(ei, BSS_E_UNSUPPORTED, NULL, "the catalog is not loaded yet: try again");
    bss_cc_env env = {.cat = cat, .now_ms = j->now_ms, .validity_ms = j->app->cfg.quota_validity_s * 1000,
                      .base_url = j->app->base_url, .bill_shock_micros = j->app->bill_shock_micros,
                      .lines = j->app->lines};
    bss_err rc = bss_cc_handle(db, &env, &j->req, ei);
    bss_catalog_release(h, cat);
    if (rc == BSS_OK && !(j->out = bss_cc_answer_json(&j->req)))
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return rc;
}

static void cc_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    cc_job *j = arg;
    if (r && rc == BSS_OK && j->req.replayed)
        bss_http_add_header(r, "Idempotent-Replay", "true");
    bss_http_reply(r, rc, ei, 200, &j->out);
    json_decref(j->out);
    bss_free(j);
}

static int h_request(bss_req *r)
{
    json_t *body = bss_http_json_body(r, true);
    if (!body)
        return 0;
    cc_job *j = bss_calloc(1, sizeof *j);
    if (!j) {
        json_decref(body);
        bss_http_send_error(r, BSS_E_NOMEM, NULL);
        return 0;
    }
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_cc_from_json(body, &j->req, &ei);
    json_decref(body);
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        bss_free(j);
        return 0;
    }
    j->app = r->app;
    j->now_ms = bss_clock_now(&r->app->clock);
    bss_http_write(r, cc_run, j, cc_done);
    return 0;
}

static const bss_route routes[] = {
    {"POST", "/api/v1/charging/requests", h_request, CC_ROLES, "charging.request", NULL},
};

bss_err bss_charging_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    return bss_router_add_all(rt, routes, sizeof routes / sizeof routes[0]);
}
