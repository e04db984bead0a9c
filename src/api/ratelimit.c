/*
 * ratelimit.c: token buckets per API key (ratelimit.h). Tokens are counted
 * in thousandths so refills stay integers. The buckets live in one open-
 * addressed table behind a mutex (a handful of instructions per request);
 * when a probe window is full the bucket seen least recently is reused,
 * which at worst lets a long-idle key start with a full bucket.
 *
 * The requests in flight per key are a second table of the same shape
 * whose entries are freed when their count drops to zero; a lookup always
 * scans the whole probe window, so a freed slot never hides a later one.
 */
#include "api/ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/mem.h"
#include "core/parse.h"

#define SLOTS 4096 /* power of two */
#define PROBE 16
#define MILLI 1000
#define MAX_RATE 1000000

typedef struct bucket {
    char key_id[40]; /* "" = free */
    int64_t milli_tokens;
    int64_t last_ms;
} bucket;

typedef struct flight {
    char key_id[40]; /* "" = free */
    int n;
} flight;

struct bss_ratelimit {
    pthread_mutex_t mu;
    int64_t rate[8]; /* per role bit index: requests per second, 0 = unlimited */
    int max_inflight; /* per key, 0 = unlimited */
    bucket slots[SLOTS];
    flight flights[SLOTS];
};

static int role_index(unsigned role)
{
    for (int i = 0; i < 8; i++)
        if (role == (1u << i))
            return i;
    return -1;
}

/* Applies spec to rate (NULL rate: check only). */
static bss_err apply(const char *spec, int64_t *rate, bss_errinfo *ei)
{
    const char *p = spec ? spec : "";
    while (*p) {
        while (*p == ',' || *p == ' ')
            p++;
        if (!*p)
            break;
        const char *eq = strchr(p, '='), *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        if (!eq || eq > end)
            return bss_fail(ei, BSS_E_INVALID, "rate-limit", "rate-limit: expected role=N, got '%.*s'",
                            (int)(end - p > 40 ? 40 : end - p), p);
        const char *name_end = eq, *v = eq + 1, *v_end = end; /* spaces around the name and the number are fine */
        while (name_end > p && name_end[-1] == ' ')
            name_end--;
        while (*v == ' ' && v < v_end)
            v++;
        while (v_end > v && v_end[-1] == ' ')
            v_end--;
        char name[32];
        unsigned role = 0;
        int found = -1;
        if ((size_t)(name_end - p) < sizeof name) { /* the role names are auth's (bss_auth_role_parse) */
            snprintf(name, sizeof name, "%.*s", (int)(name_end - p), p);
            if (bss_auth_role_parse(name, &role, NULL) == BSS_OK)
                found = role_index(role);
        }
        if (found < 0)
            return bss_fail(ei, BSS_E_INVALID, "rate-limit", "rate-limit: no role '%.*s'",
                            (int)(name_end - p > 40 ? 40 : name_end - p), p);
        int64_t n = 0;
        if (bss_parse_int64(v, (size_t)(v_end - v), BSS_NUM_DIGITS, 0, MAX_RATE, &n) != BSS_OK)
            return bss_fail(ei, BSS_E_INVALID, "rate-limit", "rate-limit: %.*s must be 0..%d requests per second",
                            (int)(name_end - p), p, MAX_RATE);
        if (rate)
            rate[found] = n;
        p = end;
    }
    return BSS_OK;
}

bss_err bss_ratelimit_check(const char *spec, bss_errinfo *ei)
{
    return apply(spec, NULL, ei);
}

bss_ratelimit *bss_ratelimit_new(const char *spec, int max_inflight)
{
    bss_ratelimit *rl = bss_calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    pthread_mutex_init(&rl->mu, NULL);
    rl->max_inflight = max_inflight > 0 ? max_inflight : 0;
    apply(BSS_RATELIMIT_DEFAULTS, rl->rate, NULL);
    if (apply(spec, rl->rate, NULL) != BSS_OK)
        apply(BSS_RATELIMIT_DEFAULTS, rl->rate, NULL);
    return rl;
}

void bss_ratelimit_free(bss_ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->mu);
    bss_free(rl);
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

bool bss_ratelimit_take(bss_ratelimit *rl, const char *key_id, unsigned role, int64_t now_ms, int64_t *retry_ms)
{
    int ri = role_index(role);
    int64_t rate = ri >= 0 ? rl->rate[ri] : 0;
    *retry_ms = 0;
    if (rate <= 0 || !key_id || !*key_id || strlen(key_id) >= sizeof rl->slots[0].key_id)
        return true;
    int64_t burst = rate * 2 * MILLI;
    pthread_mutex_lock(&rl->mu);
    uint32_t h = hash(key_id);
    bucket *b = NULL, *empty = NULL, *oldest = NULL;
    for (int i = 0; i < PROBE && !b; i++) {
        bucket *s = &rl->slots[(h + (uint32_t)i) & (SLOTS - 1)];
        if (strcmp(s->key_id, key_id) == 0)
            b = s;
        else if (s->key_id[0] == '\0' && !empty)
            empty = s;
        else if (s->key_id[0] != '\0' && (!oldest || s->last_ms < oldest->last_ms))
            oldest = s;
    }
    if (!b) {
        b = empty ? empty : oldest;
        snprintf(b->key_id, sizeof b->key_id, "%s", key_id);
        b->milli_tokens = burst;
        b->last_ms = now_ms;
    }
    if (now_ms > b->last_ms) {
        int64_t gained = (now_ms - b->last_ms) * rate; /* milli-tokens: rate per s = rate per ms * 1000 */
        b->milli_tokens = gained > burst - b->milli_tokens ? burst : b->milli_tokens + gained;
        b->last_ms = now_ms;
    }
    bool ok = b->milli_tokens >= MILLI;
    if (ok)
        b->milli_tokens -= MILLI;
    else
        *retry_ms = (MILLI - b->milli_tokens + rate - 1) / rate;
    pthread_mutex_unlock(&rl->mu);
    return ok;
}

/* The flight entry of key_id, or with make a free one (NULL: none / no room). Under mu. */
static flight *flight_of(bss_ratelimit *rl, const char *key_id, bool make)
{
    uint32_t h = hash(key_id);
    flight *empty = NULL;
    for (int i = 0; i < PROBE; i++) {
        flight *f = &rl->flights[(h + (uint32_t)i) & (SLOTS - 1)];
        if (strcmp(f->key_id, key_id) == 0)
            return f;
        if (f->key_id[0] == '\0' && !empty)
            empty = f;
    }
    if (!make || !empty)
        return NULL;
    snprintf(empty->key_id, sizeof empty->key_id, "%s", key_id);
    empty->n = 0;
    return empty;
}

static bool key_ok(const bss_ratelimit *rl, const char *key_id)
{
    return key_id && *key_id && strlen(key_id) < sizeof rl->flights[0].key_id;
}

bool bss_ratelimit_enter(bss_ratelimit *rl, const char *key_id, bool *counted, int *held)
{
    *counted = false;
    *held = 0;
    if (rl->max_inflight <= 0 || !key_ok(rl, key_id))
        return true;
    pthread_mutex_lock(&rl->mu);
    flight *f = flight_of(rl, key_id, true);
    bool ok = true;
    if (f && f->n >= rl->max_inflight) {
        ok = false;
        *held = f->n;
    } else if (f) {
        f->n++;
        *counted = true;
    }
    pthread_mutex_unlock(&rl->mu);
    return ok;
}

void bss_ratelimit_leave(bss_ratelimit *rl, const char *key_id)
{
    if (!key_ok(rl, key_id))
        return;
    pthread_mutex_lock(&rl->mu);
    flight *f = flight_of(rl, key_id, false);
    if (f && --f->n <= 0)
        f->key_id[0] = '\0';
    pthread_mutex_unlock(&rl->mu);
}

int bss_ratelimit_inflight(bss_ratelimit *rl, const char *key_id)
{
    if (!key_ok(rl, key_id))
        return 0;
    pthread_mutex_lock(&rl->mu);
    flight *f = flight_of(rl, key_id, false);
    int n = f ? f->n : 0;
    pthread_mutex_unlock(&rl->mu);
    return n;
}
