/*
 * events.h: the transactional outbox and TMF688-style event delivery.
 *
 * A module that changes a resource records the event in the SAME
 * transaction with bss_outbox_add (it runs inside a writer job), so a change
 * and its event commit together or not at all. The dispatcher (a background
 * thread with its own store connection) reads committed events, fans them
 * out to the hub subscriptions of their API (POST {api}/hub), and POSTs the
 * TMF v4 envelope to {callback}/listener/{eventType} with libcurl, retrying
 * with exponential backoff; delivery is at least once. A slow or dead
 * callback never blocks the API or other subscribers.
 */
#ifndef BSS_EVENTS_EVENTS_H
#define BSS_EVENTS_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "core/err.h"
#include "core/netallow.h"
#include "core/seal.h"
#include "db/db.h"

typedef struct bss_events bss_events;

/*
 * Records one event inside the caller's open transaction.
 *   api        "productCatalogManagement" (the API whose hub subscribers get it)
 *   event_type "CategoryCreateEvent", "CategoryAttributeValueChangeEvent", "CategoryDeleteEvent", ...
 *   res_key    "category": the member of `event` holding the resource
 *   resource   the resource document as the API returns it (not stolen)
 * The envelope {eventId, eventTime, eventType, correlationId?, domain, title,
 * description, timeOcurred, event: {res_key: resource}} is built here.
 */
bss_err bss_outbox_add(bss_db *db, int64_t now_ms, const char *api, const char *event_type,
                       const char *res_key, const json_t *resource, bss_errinfo *ei);

/*
 * Local consumers: functions that bss_outbox_add calls inside the same
 * transaction, after the event row is inserted, for state kept in step with
 * events in this process (today: the customer-care interaction log, which
 * records a "system" interaction for every event that names a customer,
 * party or account). The events module names no consumer: the table
 * bss_outbox_consumers[] is defined where the modules are wired together
 * (src/modules.c), ended by a row whose fn is NULL, and read in order. A
 * non-OK return fails the event and so the write. A consumer must not call
 * bss_outbox_add itself for the same API (loops).
 */
typedef bss_err (*bss_outbox_local_fn)(bss_db *db, int64_t now_ms, const char *api, const char *event_type,
                                       const char *res_key, const json_t *resource, bss_errinfo *ei);

typedef struct bss_outbox_consumer {
    const char *name; /* "customer.interactions": for logs and the docs */
    bss_outbox_local_fn fn;
} bss_outbox_consumer;

extern const bss_outbox_consumer bss_outbox_consumers[];

/*
 * GDPR erasure: every stored event whose payload names needle (an id, as
 * a JSON string) keeps its envelope but its resource shrinks to {id, href,
 * @type}; deliveries still pending send that. Runs in the caller's
 * transaction. *changed (may be NULL) = events rewritten.
 */
bss_err bss_outbox_redact(bss_db *db, const char *needle, int64_t *changed, bss_errinfo *ei);

/* ---- hub subscriptions (hub.c; served as {base}/hub by src/api/hub.c) ---- */

#define BSS_HUB_CALLBACK_MAX 2048 /* longest callback URL accepted */
#define BSS_HUB_CRED_MAX 256      /* longest user name or password in a callback */

/*
 * A callback URL split for storage. url: the URL without its userinfo, as
 * libcurl's URL parser normalises it (numeric IPv4 spellings such as
 * 0x7f000001 become 127.0.0.1). user and password: the percent-decoded
 * userinfo ("" when absent); the password is sealed before it is stored
 * (core/seal.h) and never shown: a subscription reads back as
 * "http://user:***@host/cb". Wipe it with bss_hub_callback_wipe.
 */
typedef struct bss_hub_callback {
    char url[BSS_HUB_CALLBACK_MAX + 1];
    char host[256]; /* the host as written in the URL, brackets removed for IPv6 */
    char user[BSS_HUB_CRED_MAX + 1];
    char password[BSS_HUB_CRED_MAX + 1];
} bss_hub_callback;

void bss_hub_callback_wipe(bss_hub_callback *cb);

/*
 * Checks and splits a callback: an absolute http:// or https:// URL
 * (libcurl's parser decides what is one) with a host, a port 1..65535 when
 * given, no query, fragment or IPv6 zone, at most BSS_HUB_CALLBACK_MAX
 * bytes, no card number; a host that is an IP literal or "localhost" must
 * pass the outbound policy `allow` (core/netallow.h). Names are judged
 * again, by address, on every delivery. BSS_E_INVALID naming "callback".
 */
bss_err bss_hub_callback_parse(const bss_netallow *allow, const char *callback, bss_hub_callback *out,
                               bss_errinfo *ei);

/*
 * Reads a POST {api}/hub body: callback (required, bss_hub_callback_parse)
 * and query (optional, null = "": all events; else "eventType=A" or
 * "eventType=A,B,..."; *query points into body). BSS_E_INVALID naming
 * "callback" or "query".
 */
bss_err bss_hub_parse(const bss_netallow *allow, const json_t *body, bss_hub_callback *cb, const char **query,
                      bss_errinfo *ei);

/*
 * Records a subscription of api (a writer job); id is the caller's (a new
 * UUIDv7); sealed_password is cb->password sealed for owner id, or NULL
 * when there is none.
 */
bss_err bss_hub_subscribe(bss_db *db, const char *api, const char *id, const bss_hub_callback *cb,
                          const char *sealed_password, const char *query, int64_t now_ms, bss_errinfo *ei);

/*
 * One subscription as {id, callback (masked), query, delivery: {pending,
 * delivered, dead, lastError?, lastAttempt?}}; BSS_E_NOT_FOUND (field "id")
 * when api has none with id.
 */
bss_err bss_hub_get(bss_db *db, const char *api, const char *id, json_t **out, bss_errinfo *ei);
/* Every subscription of api as bss_hub_get shows them (at most 1000, by id). */
bss_err bss_hub_list(bss_db *db, const char *api, json_t **out, bss_errinfo *ei);

/* Removes a subscription and its pending deliveries (a writer job); BSS_E_NOT_FOUND as for bss_hub_get. */
bss_err bss_hub_unsubscribe(bss_db *db, const char *api, const char *id, bss_errinfo *ei);

/* {id, callback, query} with the callback shown as "scheme://user:***@host...": a new reference, NULL on OOM. */
json_t *bss_hub_subscription_json(const char *id, const char *url, const char *user, const char *query);

/*
 * Start-up: subscriptions stored before credentials were kept apart (their
 * callback still holds "user:password@") are split and sealed with key, so
 * no password stays in clear. *fixed counts them.
 */
bss_err bss_hub_seal_legacy(bss_db *db, const bss_seal_key *key, int *fixed, bss_errinfo *ei);

/*
 * Whether this thread recorded an event since the last call (and clears
 * the mark). The writer's after-commit hook uses it to wake the dispatcher
 * once per committed batch that recorded events (src/cli/cmd_serve.c).
 */
bool bss_outbox_take_recorded(void);

/* Starts the dispatcher thread (its own connection from app->cfg.db_url). */
bss_err bss_events_start(bss_app *app, bss_events **out, bss_errinfo *ei);
/* Stops it (in-flight deliveries are abandoned and retried at next start). NULL is a no-op. */
void bss_events_stop(bss_events *ev);
/* Wakes the dispatcher now (after a commit that added events). Thread-safe. */
void bss_events_kick(bss_events *ev);
/* Events committed but not yet delivered to every matching subscriber (for /metrics). */
int64_t bss_events_backlog(bss_events *ev);
/* Delivery attempts since start: delivered (2xx), retried (failed, tried again later), dead (given up). */
void bss_events_counts(bss_events *ev, int64_t *delivered, int64_t *retried, int64_t *dead);

#endif
