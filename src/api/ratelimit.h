/*
 * ratelimit.h: per-key request rates, so that one integration gone wrong
 * cannot starve the care agents. A token bucket per API key, shared by
 * every event loop: a role's rate (requests per second) refills it and
 * twice the rate is the burst. A request that finds the bucket empty is
 * 429 with Retry-After. Rates come from --rate-limit ("agent=100,
 * readonly=50"; 0 = unlimited); roles not named keep their defaults.
 */
#ifndef BSS_API_RATELIMIT_H
#define BSS_API_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

typedef struct bss_ratelimit bss_ratelimit;

/* The defaults, as --rate-limit text. */
#define BSS_RATELIMIT_DEFAULTS "admin=0,agent=100,billing=100,readonly=50,network=0,integration=200"

/*
 * Checks a --rate-limit text: "role=N" entries separated by commas, N
 * requests per second 0..1000000. BSS_E_INVALID naming "rate-limit".
 */
bss_err bss_ratelimit_check(const char *spec, bss_errinfo *ei);

/* The defaults overridden by spec (checked). NULL on OOM. */
bss_ratelimit *bss_ratelimit_new(const char *spec);
void bss_ratelimit_free(bss_ratelimit *rl);

/*
 * Takes one request from the bucket of key_id (of role) at now_ms (a
 * monotonic clock). false when it is empty: *retry_ms = when one token will
 * be there. Thread-safe.
 */
bool bss_ratelimit_take(bss_ratelimit *rl, const char *key_id, unsigned role, int64_t now_ms, int64_t *retry_ms);

#endif
