/*
 * ratelimit.h: per-key request rates, so that one integration gone wrong
 * cannot starve the care agents. A token bucket per API key, shared by
 * every event loop: a role's rate (requests per second) refills it and
 * twice the rate is the burst. A request that finds the bucket empty is
 * 429 with Retry-After. Rates come from --rate-limit ("agent=100,
 * readonly=50"; 0 = unlimited); roles not named keep their defaults.
 *
 * A rate bounds how fast a key may ask, not how much it may leave queued:
 * a slow list asked 100 times a second piles up on the workers. So each
 * key also has a cap on its requests in flight (deferred to the workers
 * or the writer and not yet answered, --max-inflight, 64 by default, every
 * role): one more is 429 until one of them finishes.
 */
#ifndef BSS_API_RATELIMIT_H
#define BSS_API_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

typedef struct bss_ratelimit bss_ratelimit;

/* The defaults, as --rate-limit text. */
#define BSS_RATELIMIT_DEFAULTS                                                                               \
    "admin=0,agent=100,billing=100,readonly=50,network=0,integration=200,catalog=100,privacy=50"

/*
 * Checks a --rate-limit text: "role=N" entries separated by commas, N
 * requests per second 0..1000000. BSS_E_INVALID naming "rate-limit".
 */
bss_err bss_ratelimit_check(const char *spec, bss_errinfo *ei);

/*
 * The defaults overridden by spec (checked); max_inflight requests in
 * flight per key (0 = unlimited). NULL on OOM.
 */
bss_ratelimit *bss_ratelimit_new(const char *spec, int max_inflight);
void bss_ratelimit_free(bss_ratelimit *rl);

/*
 * Takes one request from the bucket of key_id (of role) at now_ms (a
 * monotonic clock). false when it is empty: *retry_ms = when one token will
 * be there. Thread-safe.
 */
bool bss_ratelimit_take(bss_ratelimit *rl, const char *key_id, unsigned role, int64_t now_ms, int64_t *retry_ms);

/*
 * Counts one more request in flight for key_id. false when the key already
 * has max_inflight (nothing counted; *held = that number). true otherwise:
 * then *counted says whether bss_ratelimit_leave must be called (false when
 * there is no cap, no key, or no room in the table: such a request is not
 * counted rather than refused). Thread-safe.
 */
bool bss_ratelimit_enter(bss_ratelimit *rl, const char *key_id, bool *counted, int *held);

/* Ends a request bss_ratelimit_enter counted. Thread-safe. */
void bss_ratelimit_leave(bss_ratelimit *rl, const char *key_id);

/* Requests in flight for key_id now (for tests and /metrics). */
int bss_ratelimit_inflight(bss_ratelimit *rl, const char *key_id);

#endif
