/*
 * simulator.c: the default southbound adapter (order.h bss_prov_simulator),
 * standing in for the operator's HLR/HSS, PCRF/PCF, SM-DP+ and charging
 * system in demos and tests. Every step succeeds after a configurable
 * latency (--provision-latency), except the types listed in
 * --provision-fail, which fail that percentage of tries; which tries fail
 * is decided by a hash of (order, seq, attempt), so the same run fails the
 * same way twice. An eSIM's download order answers an activation code in
 * the GSMA SGP.22 form LPA:1$<SM-DP+ address>$<matching id>, the matching
 * id derived from the order and step so a retried step answers the same.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/parse.h"
#include "order/order.h"
#include "order/order_int.h"

/* The failure percentage of type in the list "a=100,b=10" (0 when not listed). */
static int64_t fail_percent(const char *list, const char *type)
{
    size_t tn = strlen(type);
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        int64_t pct = 0;
        if (eq && (size_t)(eq - p) == tn && strncmp(p, type, tn) == 0 &&
            bss_parse_int64(eq + 1, len - (size_t)(eq - p) - 1, BSS_NUM_DIGITS, 0, 100, &pct) == BSS_OK)
            return pct;
        p = comma ? comma + 1 : p + len;
    }
    return 0;
}

bss_err bss_prov_sim_check(const char *fail, bss_errinfo *ei)
{
    for (const char *p = fail; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        int64_t pct = 0;
        if (!eq || eq == p ||
            bss_parse_int64(eq + 1, len - (size_t)(eq - p) - 1, BSS_NUM_DIGITS, 0, 100, &pct) != BSS_OK)
            return bss_fail(ei, BSS_E_CONFIG, "provision-fail",
                            "provision-fail: expected TYPE=PERCENT,... (hlr.createSubscriber=100), got \"%.*s\"",
                            (int)(len > 60 ? 60 : len), p);
        p = comma ? comma + 1 : p + len;
    }
    return BSS_OK;
}

static void pause_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static bss_err sim_run(void *ctx, const bss_prov_task *t, json_t **result, bss_errinfo *ei)
{
    const bss_prov_sim *sim = ctx;
    *result = NULL;
    pause_ms(sim->latency_ms);
    char key[160];
    snprintf(key, sizeof key, "%s/%lld/%lld", t->order_id, (long long)t->seq, (long long)t->attempt);
    unsigned char h[8];
    crypto_generichash(h, sizeof h, (const unsigned char *)key, strlen(key), NULL, 0);
    uint64_t roll = 0;
    for (int i = 0; i < 8; i++)
        roll = roll << 8 | h[i];
    int64_t pct = fail_percent(sim->fail, t->type);
    if (pct > 0 && (int64_t)(roll % 100) < pct)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, NULL, "simulator: %s refused (try %lld; --provision-fail)", t->type,
                        (long long)t->attempt);
    if (strcmp(t->type, "smdp.downloadOrder") == 0) {
        unsigned char m[10];
        char seed[160];
        snprintf(seed, sizeof seed, "%s/%lld", t->order_id, (long long)t->seq);
        crypto_generichash(m, sizeof m, (const unsigned char *)seed, strlen(seed), NULL, 0);
        static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        char match[32];
        size_t n = 0;
        for (int i = 0; i < 10; i++) {
            if (i && i % 5 == 0)
                match[n++] = '-';
            match[n++] = alphabet[m[i] % (sizeof alphabet - 1)];
        }
        match[n] = '\0';
        char code[200];
        snprintf(code, sizeof code, "LPA:1$%s$%s", sim->smdp_address, match);
        *result = json_pack("{s:s, s:s}", "activationCode", code, "matchingId", match);
    } else {
        *result = json_pack("{s:s, s:s}", "adapter", "simulator", "step", t->type);
    }
    return BSS_OK;
}

bss_prov_adapter bss_prov_simulator(bss_prov_sim *sim)
{
    return (bss_prov_adapter){.name = "simulator", .run = sim_run, .ctx = sim};
}

bss_err bss_order_tasks(bss_db *db, const char *order_id, json_t **out, bss_errinfo *ei)
{
    json_t *arr = json_array();
    bss_err rc = arr ? bss__store_order_tasks(db, order_id, arr, ei) : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (rc != BSS_OK) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return BSS_OK;
}
