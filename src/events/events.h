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
bss_err bss_outbox_add(bss_db *db, int64_t now_ms, const char *api, const char *event_type, const char *res_key,
                       const json_t *resource, bss_errinfo *ei);

/*
 * Local consumers: functions that bss_outbox_add calls inside the same
 * transaction, after the event row is inserted, for state kept in step with
 * events in this process (today: the customer-care interaction log,
 * bss_interaction_on_event in src/customer/interaction.h, which records a
 * "system" interaction for every event that names a customer, party or
 * account). They are listed in one static table in outbox.c
 * (local_consumers[]); a non-OK return fails the event and so the write.
 * A consumer must not call bss_outbox_add itself for the same API (loops).
 */
typedef bss_err (*bss_outbox_local_fn)(bss_db *db, int64_t now_ms, const char *api, const char *event_type,
                                       const char *res_key, const json_t *resource, bss_errinfo *ei);

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

#endif
