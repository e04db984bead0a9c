/*
 * hub.c: TMF688-style hub subscriptions over HTTP, one hub per TMF API
 * (events/events.h keeps them). routes.c calls bss_hub_routes(rt, api,
 * base) for each API; that adds
 *   POST   {base}/hub       {callback, query} -> 201 {id, callback, query} + Location
 *   GET    {base}/hub/{id}  -> 200 {id, callback, query, delivery} | 404   (a bss extension)
 *   DELETE {base}/hub/{id}  -> 204 | 404
 * Subscriptions send data out of bss to an address a client names, so
 * only admin and integration keys may make, read or remove them
 * (BSS_ROLES_HUB). The callback is checked against --webhook-allow; its
 * password is sealed with the secrets key before the job leaves the loop
 * and is never sent back (callback reads "http://user:***@host/cb").
 * Writes go through the group-commit writer (bss_http_write); a
 * subscription receives the events committed after it.
 *
 * The router keeps pointers to a route's pattern strings, so the patterns
 * built here ("{base}/hub/{id}") live in a small static table of fixed
 * buffers: written once per distinct (api, base) at start-up under a mutex,
 * immutable afterwards, never freed, no heap.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/http.h"
#include "api/router.h"
#include "api/routes.h"
#include "core/id.h"
#include "core/mem.h"
#include "events/events.h"

#define HUB_MAX_APIS 32

typedef struct hub_api {
    char api[96];
    char base[256];
    char pattern_hub[272]; /* {base}/hub */
    char pattern_id[280];  /* {base}/hub/{id} */
} hub_api;

static hub_api hub_apis[HUB_MAX_APIS];
static size_t hub_api_count;
static pthread_mutex_t hub_api_lock = PTHREAD_MUTEX_INITIALIZER;

/* A subscription on its way to the writer and back. */
typedef struct hub_job {
    const hub_api *ha;
    char id[BSS_ID_LEN + 1];
    bss_hub_callback cb; /* password wiped once sealed */
    char *sealed;        /* the password sealed for this id, or NULL */
    char *query;
    int64_t now_ms;
} hub_job;

static void job_free(hub_job *job)
{
    if (!job)
        return;
    bss_hub_callback_wipe(&job->cb);
    bss_free(job->sealed);
    bss_free(job->query);
    bss_free(job);
}

static bss_err job_create(bss_db *db, void *arg, bss_errinfo *ei)
{
    hub_job *job = arg;
    return bss_hub_subscribe(db, job->ha->api, job->id, &job->cb, job->sealed, job->query, job->now_ms, ei);
}

static void create_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    hub_job *job = arg;
    if (r) {
        if (rc != BSS_OK) {
            bss_http_send_error(r, rc, ei);
        } else {
            json_t *body = bss_hub_subscription_json(job->id, job->cb.url, job->cb.user, job->query);
            char location[1200];
            snprintf(location, sizeof location, "%s%s/hub/%s", bss_http_base_url(r), job->ha->base, job->id);
            bss_http_add_header(r, "Location", location);
            if (body)
                bss_http_send_json(r, 201, body);
            else
                bss_http_send_error(r, BSS_E_NOMEM, NULL);
        }
    }
    job_free(job);
}

static int hub_create(bss_req *r)
{
    const hub_api *ha = r->route->data;
    json_t *body = bss_http_json_body(r, true);
    if (!body)
        return 0;
    hub_job *job = bss_calloc(1, sizeof *job);
    if (!job) {
        json_decref(body);
        bss_http_send_error(r, BSS_E_NOMEM, NULL);
        return 0;
    }
    const char *query;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_hub_parse(&r->app->webhook_allow, body, &job->cb, &query, &ei);
    if (rc != BSS_OK) {
        json_decref(body);
        job_free(job);
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    job->ha = ha;
    job->now_ms = bss_clock_now(&r->app->clock);
    bss_id_new(job->now_ms, job->id);
    job->query = bss_strdup(query);
    json_decref(body);
    bool sealed_ok = true;
    if (job->cb.password[0]) {
        job->sealed = bss_seal(&r->app->secrets, job->id, job->cb.password, strlen(job->cb.password));
        sealed_ok = job->sealed != NULL;
        sodium_memzero(job->cb.password, sizeof job->cb.password);
    }
    if (!job->query || !sealed_ok) {
        job_free(job);
        bss_http_send_error(r, BSS_E_NOMEM, NULL);
        return 0;
    }
    bss_http_write(r, job_create, job, create_done);
    return 0;
}

static int hub_get(bss_req *r)
{
    const hub_api *ha = r->route->data;
    const char *id = bss_http_param(r, "id");
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    json_t *body = NULL;
    bss_err rc = bss_hub_get(r->db, ha->api, id, &body, &ei);
    if (rc != BSS_OK)
        bss_http_send_error(r, rc, &ei);
    else
        bss_http_send_json(r, 200, body);
    return 0;
}

static bss_err list_read(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    const hub_api *ha = arg;
    return bss_hub_list(db, ha->api, out, ei);
}

static int hub_list(bss_req *r)
{
    bss_http_read_json(r, list_read, (void *)r->route->data, NULL, NULL);
    return 0;
}

static bss_err job_delete(bss_db *db, void *arg, bss_errinfo *ei)
{
    hub_job *job = arg;
    return bss_hub_unsubscribe(db, job->ha->api, job->id, ei);
}

static void delete_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    if (r) {
        if (rc != BSS_OK)
            bss_http_send_error(r, rc, ei);
        else
            bss_http_send_empty(r, 204);
    }
    job_free(arg);
}

static int hub_delete(bss_req *r)
{
    const hub_api *ha = r->route->data;
    const char *id = bss_http_param(r, "id");
    if (!id || strlen(id) > BSS_ID_LEN) {
        bss_errinfo ei;
        bss_errinfo_clear(&ei);
        bss_fail(&ei, BSS_E_NOT_FOUND, "id", "hub subscription %s not found", id ? id : "");
        bss_http_send_error(r, BSS_E_NOT_FOUND, &ei);
        return 0;
    }
    hub_job *job = bss_calloc(1, sizeof *job);
    if (!job) {
        bss_http_send_error(r, BSS_E_NOMEM, NULL);
        return 0;
    }
    job->ha = ha;
    memcpy(job->id, id, strlen(id) + 1);
    bss_http_write(r, job_delete, job, delete_done);
    return 0;
}

/* The table row for (api, base), added on first use. NULL if full or too long. */
static const hub_api *hub_api_intern(const char *api, const char *base)
{
    const hub_api *found = NULL;
    if (strlen(api) >= sizeof hub_apis[0].api || strlen(base) >= sizeof hub_apis[0].base)
        return NULL;
    pthread_mutex_lock(&hub_api_lock);
    for (size_t i = 0; i < hub_api_count && !found; i++)
        if (strcmp(hub_apis[i].api, api) == 0 && strcmp(hub_apis[i].base, base) == 0)
            found = &hub_apis[i];
    if (!found && hub_api_count < HUB_MAX_APIS) {
        hub_api *ha = &hub_apis[hub_api_count++];
        snprintf(ha->api, sizeof ha->api, "%s", api);
        snprintf(ha->base, sizeof ha->base, "%s", base);
        snprintf(ha->pattern_hub, sizeof ha->pattern_hub, "%s/hub", base);
        snprintf(ha->pattern_id, sizeof ha->pattern_id, "%s/hub/{id}", base);
        found = ha;
    }
    pthread_mutex_unlock(&hub_api_lock);
    return found;
}

bss_err bss_hub_routes(bss_router *rt, const char *api, const char *base)
{
    if (!rt || !api || !*api || !base)
        return BSS_E_INVALID;
    const hub_api *ha = hub_api_intern(api, base);
    if (!ha)
        return BSS_E_RANGE;
    const bss_route rows[] = {
        {"POST", ha->pattern_hub, hub_create, BSS_ROLES_HUB, "hub.create", ha},
        {"GET", ha->pattern_hub, hub_list, BSS_ROLES_HUB, "hub.list", ha},
        {"GET", ha->pattern_id, hub_get, BSS_ROLES_HUB, "hub.get", ha},
        {"DELETE", ha->pattern_id, hub_delete, BSS_ROLES_HUB, "hub.delete", ha},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        bss_err rc = bss_router_add(rt, &rows[i]);
        if (rc != BSS_OK)
            return rc;
    }
    return BSS_OK;
}
