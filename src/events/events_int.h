/*
 * events_int.h: what the files of src/events share with each other and with
 * their unit tests, and nobody else: the hub query filter (parsed in
 * outbox.c, validated by bss_hub_parse when a subscription is created), the wall
 * clock used for delivery scheduling and event ids, and test knobs of the
 * dispatcher. Other modules include events/events.h only.
 */
#ifndef BSS_EVENTS_EVENTS_INT_H
#define BSS_EVENTS_EVENTS_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "events/events.h"

/* A bound text parameter from a char array (BSS_DB_STR warns on arrays). */
#define EV_TEXT(a) BSS_DB_STRN((a), strlen(a))

#define BSS_HUB_QUERY_MAX 1024    /* longest query accepted */

/*
 * Checks a subscription query: "" (all events), or "eventType=A" or
 * "eventType=A,B,..." (spaces around '=' and ',' allowed; names are
 * letters and digits). Anything else is BSS_E_INVALID naming "query".
 */
bss_err bss__hub_query_check(const char *query, bss_errinfo *ei);

/* True if event_type passes the (already checked) query; "" passes all. */
bool bss__hub_query_match(const char *query, const char *event_type);

/*
 * The listener URL of an event: callback without trailing '/', then
 * "/listener/" and the event type with its first letter lowered
 * ("CategoryCreateEvent" -> ".../listener/categoryCreateEvent").
 * Returns a bss_malloc'd string, NULL on OOM.
 */
char *bss__events_listener_url(const char *callback, const char *event_type);

/* Wall-clock ms (CLOCK_REALTIME): delivery scheduling and event ids, never business time. */
int64_t bss__events_wall_ms(void);

/*
 * The retry delay after `attempts` failed attempts: min(2^attempts s, 1 h)
 * scaled by base_ms/1000, plus up to 25% random jitter.
 */
int64_t bss__events_backoff_ms(int64_t base_ms, int64_t attempts);

/* Test knob: the backoff unit (1000 ms by default; tests use a few ms). Thread-safe. */
void bss__events_set_backoff_unit(bss_events *ev, int64_t unit_ms);
/* Deletes ended deliveries and served events older than the retention (run every minute by the
 * dispatcher). */
void bss__events_sweep(bss_events *ev, int64_t now_wall_ms);

#endif
