/*
 * cdr_bench.c: the CDR generator (issue 11 asks for one in bench/) and the
 * speed of the first stage of a CDR import, the file reader
 * (src/charging/cdr.c). A standalone program linked against the release
 * library; bench/run-cdr.sh builds and runs it.
 *
 *   cdr_bench gen N FILE [SUBSCRIBERS]   writes N realistic records
 *   cdr_bench read FILE                  reads FILE with bss_cdr_next, 5 times;
 *                                        prints a markdown row (the best run)
 *   cdr_bench rate FILE CATALOG.json     reads FILE once into memory, then rates
 *                                        every record with the rating core
 *                                        (bss_charging_rate + apply) against the
 *                                        compiled demo catalog, 5 times; prints
 *                                        a markdown row (the best run)
 *
 * The rating run gives each subscriber one of three demo plans (Postpaid S:
 * 200 national minutes and 5 GB; Prepaid Bundle 10: 100 minutes, 100 SMS,
 * 2 GB and a 10.00 wallet; Postpaid M: unlimited national calls and SMS,
 * 20 GB) with its buckets, kept as two integers a bucket per subscriber;
 * an event loads its line's buckets, is rated, and the result applied.
 *
 * The records are deterministic (fixed-seed splitmix64): SUBSCRIBERS lines
 * (default 1,000,000) of the +31 6 plan; 55% data sessions (rating groups
 * 10/20/30, up to 50 MB), 35% calls (up to an hour; 70% national, 25%
 * mobile, 5% international destinations), 10% SMS; 4% roaming in one of
 * eight EU networks; start times over the 30 days before 2026-05-04 in
 * time order; record ids "<subscriber>-<seq>".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "charging/charging.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/parse.h"
#include "core/time.h"

#define NOW 1777888000000LL /* 2026-05-04T09:46:40Z */

static uint64_t rng = 20261202;

static uint64_t next_rand(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static int gen(long long n, const char *path, long long subscribers)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    static const char *const plmn[] = {"208-01", "262-01", "214-07", "222-10", "234-15", "206-01", "232-01", "228-01"};
    static const int rg[] = {10, 20, 30};
    char buf[64];
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    fputs("record_id,start_time,msisdn,service,destination,quantity,unit,rating_group,visited_plmn\n", f);
    int64_t span = 30LL * 86400000, from = NOW - span - 3600000;
    for (long long i = 0; i < n; i++) {
        long long sub = (long long)(next_rand() % (uint64_t)subscribers);
        int64_t at = from + (int64_t)((__int128)span * i / n);
        bss_time_format(at, buf);
        unsigned kind = (unsigned)(next_rand() % 100);
        bool roaming = next_rand() % 100 < 4;
        fprintf(f, "%lld-r%lld,%s,316%08lld,", sub, i, buf, 10000000 + sub % 90000000); /* "r": no card number */
        if (kind < 55)
            fprintf(f, "data,,%llu,byte,%d,", (unsigned long long)(next_rand() % 50000000), rg[next_rand() % 3]);
        else if (kind < 90) {
            unsigned d = (unsigned)(next_rand() % 100);
            if (d < 70)
                fprintf(f, "voice,3120%07llu,", (unsigned long long)(next_rand() % 10000000));
            else if (d < 95)
                fprintf(f, "voice,316%08llu,", (unsigned long long)(next_rand() % 100000000));
            else
                fprintf(f, "voice,44207%07llu,", (unsigned long long)(next_rand() % 10000000));
            fprintf(f, "%llu,s,,", (unsigned long long)(next_rand() % 3600));
        } else
            fprintf(f, "sms,316%08llu,1,msg,,", (unsigned long long)(next_rand() % 100000000));
        fprintf(f, "%s\n", roaming ? plmn[next_rand() % 8] : "");
    }
    return fclose(f) == 0 ? 0 : 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)len);
    if (!data || fread(data, 1, (size_t)len, f) != (size_t)len) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    fclose(f);
    static bss_cdr_reader r;
    double best = 1e9;
    long long records = 0, rejects = 0;
    int64_t quantity = 0;
    for (int run = 0; run < 5; run++) {
        bss_cdr_limits lim = bss_cdr_limits_default(NOW);
        bss_errinfo ei;
        double t0 = now_s();
        if (bss_cdr_open(&r, data, (size_t)len, &lim, &ei) != BSS_OK) {
            fprintf(stderr, "%s\n", ei.message);
            return 1;
        }
        records = rejects = 0;
        quantity = 0;
        bss_cdr c;
        const char *raw;
        size_t raw_len;
        for (;;) {
            bss_err rc = bss_cdr_next(&r, &c, &raw, &raw_len, &ei);
            if (rc == BSS_E_DONE)
                break;
            if (rc == BSS_OK) {
                records++;
                quantity += c.quantity;
            } else
                rejects++;
        }
        double t = now_s() - t0;
        if (t < best)
            best = t;
    }
    printf("| CDR file reader (parse and check, 1 thread) | %lld records, %.0f MB | %.0f records/s | %.1f MB/s | %lld rejects |\n",
           records, (double)len / 1e6, (double)records / best, (double)len / 1e6 / best, rejects);
    (void)quantity;
    free(data);
    return 0;
}

/* ---- rating ---- */

typedef struct ev {
    int32_t sub;
    uint8_t service; /* bss_service */
    int8_t nvisited, ndest;
    int64_t quantity, start_ms, rating_group;
    char dest[21], visited[8];
} ev;

typedef struct profile {
    const char *offering;
    bss_rate_line line; /* usage prices, prepaid; buckets filled per event */
    bss_rate_bucket tpl[6];
    size_t n;
} profile;

static json_t *read_json(const char *path)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fprintf(stderr, "%s: %s\n", path, je.text);
    return j;
}

static bool make_profile(const bss_catalog *cat, profile *p, const char *offering, bool prepaid, int64_t wallet)
{
    const bss_offering *o = bss_catalog_offering(cat, offering, NOW);
    if (!o)
        return false;
    memset(&p->line, 0, sizeof p->line);
    p->offering = offering;
    p->line.prepaid = prepaid;
    p->line.overdraft = true;
    p->n = 0;
    for (size_t i = 0; i < bss_offering_price_count(o); i++) {
        const bss_price *pr = bss_offering_price(o, i);
        bss_bucket_template t;
        if (bss_price_kind(pr) == BSS_PRICE_USAGE) {
            p->line.usage[bss_price_service(pr)] = pr;
        } else if (bss_rate_allowance(pr, &t) == BSS_OK && p->n < 5) {
            p->tpl[p->n++] = (bss_rate_bucket){.service = t.service, .source = BSS_BUCKET_PLAN, .priority = t.priority,
                                               .valid_from_ms = INT64_MIN, .valid_to_ms = INT64_MAX, .value = t.units,
                                               .initial = t.units, .unlimited = t.unlimited, .allowance = pr};
        }
    }
    if (prepaid)
        p->tpl[p->n++] = (bss_rate_bucket){.source = BSS_BUCKET_WALLET, .valid_from_ms = INT64_MIN,
                                           .valid_to_ms = INT64_MAX, .value = wallet};
    return true;
}

static int rate_file(const char *path, const char *catalog_path)
{
    json_t *doc = read_json(catalog_path);
    if (!doc)
        return 1;
    bss_catalog_source src;
    bss_catalog_source_init(&src);
    json_array_extend(src.offerings, json_object_get(doc, "productOfferings"));
    json_array_extend(src.prices, json_object_get(doc, "productOfferingPrices"));
    json_array_extend(src.specifications, json_object_get(doc, "productSpecifications"));
    json_array_extend(src.zone_tables, json_object_get(doc, "zoneTables"));
    json_array_extend(src.timeband_plans, json_object_get(doc, "timeBandPlans"));
    bss_catalog *cat = NULL;
    bss_errinfo ei;
    if (bss_catalog_compile(&src, &cat, &ei) != BSS_OK) {
        fprintf(stderr, "catalog: %s (%s)\n", ei.message, ei.field);
        return 1;
    }
    static profile prof[3];
    if (!make_profile(cat, &prof[0], "po-postpaid-s", false, 0) ||
        !make_profile(cat, &prof[1], "po-prepaid-bundle-10", true, 10000000) ||
        !make_profile(cat, &prof[2], "po-postpaid-m", false, 0)) {
        fprintf(stderr, "catalog: a demo offering is missing\n");
        return 1;
    }
    /* the file, read once into events */
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)len);
    if (!data || fread(data, 1, (size_t)len, f) != (size_t)len)
        return 1;
    fclose(f);
    static bss_cdr_reader r;
    bss_cdr_limits lim = bss_cdr_limits_default(NOW);
    if (bss_cdr_open(&r, data, (size_t)len, &lim, &ei) != BSS_OK)
        return 1;
    size_t cap = 1 << 20, n = 0;
    ev *evs = malloc(cap * sizeof *evs);
    int32_t nsubs = 0;
    bss_cdr c;
    const char *raw;
    size_t raw_len;
    bss_err rc;
    while ((rc = bss_cdr_next(&r, &c, &raw, &raw_len, &ei)) != BSS_E_DONE) {
        if (rc != BSS_OK)
            continue;
        if (n == cap)
            evs = realloc(evs, (cap *= 2) * sizeof *evs);
        ev *e = &evs[n++];
        memset(e, 0, sizeof *e);
        e->sub = (int32_t)(atoll(c.msisdn + 3) - 10000000);
        nsubs = e->sub + 1 > nsubs ? e->sub + 1 : nsubs;
        e->service = (uint8_t)bss_cdr_catalog_service(c.service);
        e->quantity = c.quantity;
        e->start_ms = c.start_ms;
        e->rating_group = c.rating_group;
        e->ndest = (int8_t)strlen(c.destination);
        memcpy(e->dest, c.destination, (size_t)e->ndest);
        for (const char *v = c.visited_plmn; *v && e->nvisited < 7; v++) /* "208-01" -> "20801" */
            if (*v != '-')
                e->visited[e->nvisited++] = *v;
    }
    free(data);
    /* per subscriber: value and used of up to 6 buckets */
    int64_t(*state)[12] = malloc((size_t)nsubs * sizeof *state);
    double best = 1e9;
    long long rated = 0, errors = 0;
    int64_t total = 0;
    for (int run = 0; run < 5; run++) {
        for (int32_t s = 0; s < nsubs; s++)
            for (size_t b = 0; b < 6; b++) {
                state[s][2 * b] = b < prof[s % 3].n ? prof[s % 3].tpl[b].value : 0;
                state[s][2 * b + 1] = 0;
            }
        rated = errors = 0;
        total = 0;
        double t0 = now_s();
        for (size_t i = 0; i < n; i++) {
            const ev *e = &evs[i];
            profile *p = &prof[e->sub % 3];
            bss_rate_bucket bs[6];
            memcpy(bs, p->tpl, p->n * sizeof bs[0]);
            int64_t *st = state[e->sub];
            for (size_t b = 0; b < p->n; b++) {
                bs[b].value = st[2 * b];
                bs[b].used = st[2 * b + 1];
            }
            bss_rate_line line = p->line;
            line.buckets = bs;
            line.nbuckets = p->n;
            bss_rate_input in = {.service = e->service, .quantity = e->quantity,
                                 .destination = e->ndest ? e->dest : NULL, .destination_len = (size_t)e->ndest,
                                 .start_ms = e->start_ms, .visited = e->nvisited ? e->visited : NULL,
                                 .visited_len = (size_t)e->nvisited, .rating_group = e->rating_group};
            bss_rate_result res;
            if (bss_charging_rate(&line, &in, &res) != BSS_OK) {
                errors++;
                continue;
            }
            bss_charging_apply(&line, &res);
            for (size_t b = 0; b < p->n; b++) {
                st[2 * b] = bs[b].value;
                st[2 * b + 1] = bs[b].used;
            }
            rated++;
            total += res.charge_micros;
        }
        double t = now_s() - t0;
        if (t < best)
            best = t;
    }
    char money[32];
    bss_money_format(total, money);
    printf("| rating core (rate + apply, 1 thread, demo catalog) | %lld events, %d subscribers | %.2f M events/s | "
           "%.0f ns/event | %lld not rateable; total charged %s EUR |\n",
           rated, (int)nsubs, (double)rated / best / 1e6, best * 1e9 / (double)(rated + errors), errors, money);
    free(state);
    free(evs);
    bss_catalog_free(cat);
    bss_catalog_source_clear(&src);
    json_decref(doc);
    return 0;
}

static long long number(const char *s)
{
    int64_t v = 0;
    return bss_parse_int64(s, strlen(s), BSS_NUM_DIGITS, 1, INT64_C(1000000000), &v) == BSS_OK ? (long long)v : 0;
}

int main(int argc, char **argv)
{
    bss_mem_init();
    if (argc >= 4 && strcmp(argv[1], "gen") == 0 && number(argv[2]) > 0 && (argc < 5 || number(argv[4]) > 0))
        return gen(number(argv[2]), argv[3], argc >= 5 ? number(argv[4]) : 1000000);
    if (argc == 3 && strcmp(argv[1], "read") == 0)
        return read_file(argv[2]);
    if (argc == 4 && strcmp(argv[1], "rate") == 0)
        return rate_file(argv[2], argv[3]);
    fprintf(stderr, "usage: cdr_bench gen N FILE [SUBSCRIBERS] | cdr_bench read FILE | cdr_bench rate FILE CATALOG.json\n");
    return 2;
}
