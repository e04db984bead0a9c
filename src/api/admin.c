/*
 * admin.c: the operational routes of bss serve (bss_admin_routes):
 *   GET  /health              public; 200 {"status":"ok","version","db"} or 503
 *   GET  /metrics             public (Prometheus scrapers rarely carry keys;
 *                             keep the port off the internet, see docs/operations.md)
 *   GET  /admin/v1/clock      admin; only with --test-clock
 *   PUT  /admin/v1/clock      admin; only with --test-clock: {"now": RFC 3339}
 *   POST /admin/v1/test/sleep?ms=N  any key; only with --test-clock: a read that
 *                             holds a worker N ms (0..10000), so tests can fill
 *                             the queues the in-flight limits guard
 *   POST /admin/v1/keys       admin; {name, role} -> 201 with the key, shown once
 *   GET  /admin/v1/keys       admin; no secrets
 *   DELETE /admin/v1/keys/{id} admin; revoke -> 204
 * /health is the benchmark's hot path: its body is a constant, and the store
 * is queried at most every BSS_HEALTH_RECHECK_MS per loop.
 */
#include <sodium.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "api/errmap.h"
#include "api/http_int.h"
#include "api/metrics.h"
#include "api/query.h"
#include "api/router.h"
#include "api/routes.h"
#include "charging/charging.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/parse.h"
#include "events/events.h"
#include "order/order.h"
#include "version.h"

#define JSON_CT "application/json;charset=utf-8"
#define HEALTH_BODY(db) "{\"status\":\"ok\",\"version\":\"" BSS_VERSION "\",\"db\":\"" db "\"}"

static const char health_sqlite[] = HEALTH_BODY("sqlite");
static const char health_postgres[] = HEALTH_BODY("postgres");

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- health and metrics ---- */

static _Atomic int64_t started_ms; /* when the routes were registered: the server's start */

static int h_health(bss_req *r)
{
    bss_loop *loop = r->loop;
    int64_t now = mono_ms();
    bss_errinfo ei;
    if (now - loop->health_checked_ms >= BSS_HEALTH_RECHECK_MS) {
        loop->health_rc = bss_db_ping(r->db, NULL);
        loop->health_checked_ms = now;
    }
    if (loop->health_rc != BSS_OK) {
        bss_fail(&ei, BSS_E_BUSY, NULL, "the store is unreachable: %s", bss_strerror(loop->health_rc));
        bss_http_send_error(r, BSS_E_BUSY, &ei);
        return 0;
    }
    if (bss_db_kind(r->db) == BSS_DB_POSTGRES)
        bss_http_send_text(r, 200, JSON_CT, health_postgres, sizeof(health_postgres) - 1);
    else
        bss_http_send_text(r, 200, JSON_CT, health_sqlite, sizeof(health_sqlite) - 1);
    return 0;
}

static int h_metrics(bss_req *r)
{
    bss_metrics_gauges g = {0};
    if (r->app->events != NULL) {
        g.outbox_backlog = bss_events_backlog(r->app->events);
        bss_events_counts(r->app->events, &g.events_delivered, &g.events_retried, &g.events_dead);
    }
    if (r->app->writer != NULL) {
        bss_writer_stats ws;
        bss_writer_get_stats(r->app->writer, &ws);
        g.writer_queue = ws.queue_len;
        g.writer_failures = ws.failures;
        g.writer_jobs = ws.jobs;
        g.writer_batches = ws.batches;
        for (int b = 0; b < 10 && b < BSS_WRITER_BATCH_BUCKETS; b++)
            g.writer_batch_le[b] = ws.batch_le[b];
    }
    bss_lines_stats ls;
    bss_lines_get_stats(r->app->lines, &ls);
    g.lines_resident = ls.resident;
    g.lines_hits = ls.hits;
    g.lines_misses = ls.misses;
    g.lines_forgotten = ls.forgotten;
    g.lines_resets = ls.resets;
    g.lines_mismatches = ls.mismatches;
    g.bucket_hits = ls.bucket_hits;
    g.bucket_misses = ls.bucket_misses;
    g.sessions_resident = ls.sessions;
    g.session_hits = ls.session_hits;
    g.session_misses = ls.session_misses;
    g.uptime_ms = mono_ms() - started_ms;
    bss_order_runner_stats(r->app->orders, &g.tasks_done, &g.tasks_failed, &g.tasks_retried);
    g.orders_overdue = bss_order_runner_overdue(r->app->orders);
    g.version = BSS_VERSION;
    size_t len = 0;
    char *text = bss_metrics_render(r->loop->srv->metrics, &g, &len);
    if (text == NULL) {
        bss_http_send_error(r, BSS_E_NOMEM, NULL);
        return 0;
    }
    bss_http_send_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    bss_free(text);
    return 0;
}

/* The page every referenceError points at (errmap.c). */
static int h_error_page(bss_req *r)
{
    size_t len = 0;
    char *page = bss_errmap_page(&len);
    if (!page) {
        bss_http_send_error(r, BSS_E_NOMEM, NULL);
        return 0;
    }
    bss_http_send_text(r, 200, "text/html; charset=utf-8", page, len);
    bss_free(page);
    return 0;
}

/* ---- test clock ---- */

static void send_clock(bss_req *r)
{
    json_t *body = json_object();
    if (body != NULL)
        bss_json_set_time(body, "now", bss_clock_now(&r->app->clock));
    bss_http_send_json(r, 200, body);
}

static int h_clock_get(bss_req *r)
{
    send_clock(r);
    return 0;
}

static int h_clock_put(bss_req *r)
{
    json_t *body = bss_http_json_body(r, true);
    if (body == NULL)
        return 0;
    int64_t ms = 0;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_json_get_time(body, "now", "now", true, &ms, &ei);
    json_decref(body);
    if (rc == BSS_OK)
        rc = bss_clock_set(&r->app->clock, ms);
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    send_clock(r);
    return 0;
}

/* ---- a slow read, for the tests of the in-flight limits ---- */

static bss_err sleep_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    (void)db;
    (void)ei;
    int64_t ms = (int64_t)(intptr_t)arg;
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0)
        ;
    return BSS_OK;
}

static void sleep_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    (void)arg;
    if (!r)
        return;
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, ei);
        return;
    }
    bss_http_send_text(r, 200, JSON_CT, "{\"slept\":true}", 14);
}

static int h_test_sleep(bss_req *r)
{
    char v[16];
    bool present = false;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    int64_t ms = 0;
    bss_err rc = bss_query_param(r->query, r->query_len, "ms", v, sizeof v, &present, &ei);
    if (rc == BSS_OK && (!present || bss_parse_int64(v, strlen(v), BSS_NUM_DIGITS, 0, 10000, &ms) != BSS_OK))
        rc = bss_fail(&ei, BSS_E_INVALID, "ms", "ms must be an integer from 0 to 10000");
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    bss_http_read(r, sleep_run, (void *)(intptr_t)ms, sleep_done);
    return 0;
}

/* ---- API keys ---- */

typedef struct new_key {
    bss_api_key row;
    char key[BSS_AUTH_KEY_LEN + 1];
    char hash[BSS_AUTH_HASH_HEX_LEN + 1];
} new_key;

static json_t *key_json(const bss_api_key *k)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "id", json_string(k->id));
    json_object_set_new(o, "name", json_string(k->name));
    json_object_set_new(o, "role", json_string(bss_auth_role_name(k->role)));
    json_object_set_new(o, "prefix", json_string(k->prefix));
    bss_json_set_time(o, "createdAt", k->created_ms);
    if (k->revoked_ms != 0)
        bss_json_set_time(o, "revokedAt", k->revoked_ms);
    if (k->last_used_ms != 0)
        bss_json_set_time(o, "lastUsedAt", k->last_used_ms);
    json_object_set_new(o, "active", json_boolean(k->revoked_ms == 0));
    return o;
}

static bss_err key_insert_job(bss_db *db, void *arg, bss_errinfo *ei)
{
    new_key *nk = arg;
    return bss_auth_key_insert(db, &nk->row, nk->hash, ei);
}

static void free_new_key(new_key *nk)
{
    sodium_memzero(nk, sizeof(*nk));
    bss_free(nk);
}

static void key_insert_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    new_key *nk = arg;
    if (r == NULL) {
        free_new_key(nk);
        return;
    }
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, ei);
        free_new_key(nk);
        return;
    }
    bss_log(BSS_LOG_INFO, "auth.key_created", "id", nk->row.id, "name", nk->row.name, "role",
            bss_auth_role_name(nk->row.role), "by", r->who ? r->who->name : NULL, NULL);
    json_t *body = key_json(&nk->row);
    if (body != NULL)
        json_object_set_new(body, "key", json_string(nk->key));
    char loc[700];
    snprintf(loc, sizeof(loc), "%s/admin/v1/keys/%s", bss_http_base_url(r), nk->row.id);
    bss_http_add_header(r, "Location", loc);
    bss_http_send_json(r, 201, body);
    free_new_key(nk);
}

static int h_keys_create(bss_req *r)
{
    json_t *body = bss_http_json_body(r, true);
    if (body == NULL)
        return 0;
    const char *name = NULL, *role_name = NULL;
    unsigned role = 0;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_json_get_str(body, "name", "name", true, &name, &ei);
    if (rc == BSS_OK)
        rc = bss_json_get_str(body, "role", "role", true, &role_name, &ei);
    if (rc == BSS_OK)
        rc = bss_auth_role_parse(role_name, &role, &ei);
    new_key *nk = NULL;
    if (rc == BSS_OK && (nk = bss_calloc(1, sizeof(*nk))) == NULL)
        rc = bss_fail(&ei, BSS_E_NOMEM, NULL, NULL);
    if (rc == BSS_OK)
        rc = bss_auth_key_new(bss_clock_now(&r->app->clock), name, role, &nk->row, nk->key, nk->hash, &ei);
    json_decref(body);
    if (rc != BSS_OK) {
        bss_free(nk);
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    bss_http_write(r, key_insert_job, nk, key_insert_done);
    return 0;
}

static void add_key(const bss_api_key *k, void *arg)
{
    json_t *o = key_json(k);
    if (o != NULL)
        json_array_append_new((json_t *)arg, o);
}

static int h_keys_list(bss_req *r)
{
    json_t *list = json_array();
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = list ? bss_auth_key_list(r->db, add_key, list, &ei) : BSS_E_NOMEM;
    if (rc != BSS_OK) {
        json_decref(list);
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    char n[24];
    snprintf(n, sizeof(n), "%zu", json_array_size(list));
    bss_http_add_header(r, "X-Total-Count", n);
    bss_http_add_header(r, "X-Result-Count", n);
    bss_http_send_json(r, 200, list);
    return 0;
}

typedef struct revoke_job {
    char id[BSS_ID_LEN + 1];
    int64_t now_ms;
} revoke_job;

static bss_err key_revoke_job(bss_db *db, void *arg, bss_errinfo *ei)
{
    revoke_job *rv = arg;
    return bss_auth_key_revoke(db, rv->id, rv->now_ms, ei);
}

static void key_revoke_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    revoke_job *rv = arg;
    if (rc == BSS_OK)
        bss_log(BSS_LOG_INFO, "auth.key_revoked", "id", rv->id, "by", r && r->who ? r->who->name : NULL, NULL);
    bss_free(arg);
    if (r == NULL)
        return;
    if (rc != BSS_OK)
        bss_http_send_error(r, rc, ei);
    else
        bss_http_send_empty(r, 204);
}

static int h_keys_revoke(bss_req *r)
{
    const char *id = bss_http_param(r, "id");
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    if (id == NULL || !bss_id_valid(id, strlen(id))) {
        bss_fail(&ei, BSS_E_NOT_FOUND, "id", "no API key with id %s", id ? id : "");
        bss_http_send_error(r, BSS_E_NOT_FOUND, &ei);
        return 0;
    }
    revoke_job *rv = bss_calloc(1, sizeof(*rv));
    if (rv == NULL) {
        bss_http_send_error(r, BSS_E_NOMEM, NULL);
        return 0;
    }
    memcpy(rv->id, id, BSS_ID_LEN);
    rv->now_ms = bss_clock_now(&r->app->clock);
    bss_http_write(r, key_revoke_job, rv, key_revoke_done);
    return 0;
}

static const bss_route admin_routes[] = {
    {"GET", "/health", h_health, BSS_ROLES_PUBLIC, "admin.health", NULL},
    {"GET", "/metrics", h_metrics, BSS_ROLES_PUBLIC, "admin.metrics", NULL},
    {"GET", "/docs/errors", h_error_page, BSS_ROLES_PUBLIC, "docs.errors", NULL},
    {"POST", "/admin/v1/keys", h_keys_create, BSS_ROLE_ADMIN, "admin.keys.create", NULL},
    {"GET", "/admin/v1/keys", h_keys_list, BSS_ROLE_ADMIN, "admin.keys.list", NULL},
    {"DELETE", "/admin/v1/keys/{id}", h_keys_revoke, BSS_ROLE_ADMIN, "admin.keys.revoke", NULL},
};

static const bss_route clock_routes[] = {
    {"GET", "/admin/v1/clock", h_clock_get, BSS_ROLE_ADMIN, "admin.clock.get", NULL},
    {"PUT", "/admin/v1/clock", h_clock_put, BSS_ROLE_ADMIN, "admin.clock.put", NULL},
    {"POST", "/admin/v1/test/sleep", h_test_sleep, BSS_ROLES_ANY, "admin.test.sleep", NULL},
};

bss_err bss_admin_routes(bss_router *rt, const bss_app *app)
{
    atomic_store(&started_ms, mono_ms());
    for (size_t i = 0; i < sizeof(admin_routes) / sizeof(admin_routes[0]); i++) {
        bss_err rc = bss_router_add(rt, &admin_routes[i]);
        if (rc != BSS_OK)
            return rc;
    }
    if (!app->cfg.test_clock)
        return BSS_OK; /* without --test-clock the clock routes do not exist */
    for (size_t i = 0; i < sizeof(clock_routes) / sizeof(clock_routes[0]); i++) {
        bss_err rc = bss_router_add(rt, &clock_routes[i]);
        if (rc != BSS_OK)
            return rc;
    }
    return BSS_OK;
}
