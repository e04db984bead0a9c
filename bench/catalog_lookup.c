/*
 * catalog_lookup.c: the speed benchmark of the compiled lookup structures
 * the rater reads for every usage event: zone tables (longest-prefix match
 * over E.164 numbers) and time-band plans (band of an instant in a time
 * zone). A standalone program linked against the release library; run it
 * through bench/run-catalog.sh, which builds it and appends its table to
 * bench/results/latest.md.
 *
 * It builds a realistic zone table from a JSON document, as the catalog
 * compiler does: 50,000 distinct prefixes of 3 to 9 digits spread over 250
 * zones, random but deterministic (a fixed-seed splitmix64), and times
 * bss_zone_table_build (median of 5). It then looks up 10 million numbers on
 * one thread: half begin with a prefix of the table (so the walk goes deep),
 * half are random 11-digit numbers. Time bands: the NL plan (peak, off-peak,
 * weekend, 10 holidays) in Europe/Amsterdam, 10 million lookups at random
 * instants of 2026 (binary search of the zone's transitions) and of 2100
 * (past the zone file's own transitions: its footer rule, written out as
 * transitions when the zone is loaded).
 * Each rate is the best of 5 passes (the machine may be shared), computed
 * in integers. Prints a markdown table on stdout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalog/catalog.h"
#include "core/mem.h"
#include "core/time.h"

#define NPREFIXES 50000
#define NZONES 250
#define NNUMBERS 10000000
#define NINSTANTS (1 << 20)
#define NBAND_LOOKUPS 10000000
#define NUM_STRIDE 16

static uint64_t rng = 20260329;

static uint64_t next_rand(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* An open-addressing set of prefixes keyed by (length, value), to keep them distinct. */
static uint64_t seen[1 << 17];

static int insert_unique(uint64_t key)
{
    size_t mask = (sizeof(seen) / sizeof(seen[0])) - 1, i = (size_t)(key * 0x9E3779B97F4A7C15u >> 40) & mask;
    while (seen[i] != 0) {
        if (seen[i] == key)
            return 0;
        i = (i + 1) & mask;
    }
    seen[i] = key;
    return 1;
}

static char prefixes[NPREFIXES][10];

static json_t *make_zone_doc(void)
{
    json_t *zones = json_array();
    for (int z = 0; z < NZONES; z++) {
        char name[32];
        snprintf(name, sizeof(name), "zone-%03d", z);
        json_array_append_new(zones, json_pack("{s:s, s:[]}", "name", name, "prefixes"));
    }
    for (int n = 0; n < NPREFIXES;) {
        int len = 3 + (int)(next_rand() % 7);
        uint64_t value = 0;
        for (int i = 0; i < len; i++) {
            int d = i == 0 ? 1 + (int)(next_rand() % 9) : (int)(next_rand() % 10);
            prefixes[n][i] = (char)('0' + d);
            value = value * 10 + (uint64_t)d;
        }
        prefixes[n][len] = '\0';
        if (!insert_unique(value * 16 + (uint64_t)len))
            continue;
        int zone = n < NZONES ? n : (int)(next_rand() % NZONES);
        json_array_append_new(json_object_get(json_array_get(zones, (size_t)zone), "prefixes"),
                              json_string(prefixes[n]));
        n++;
    }
    return json_pack("{s:s, s:s, s:o, s:s}", "name", "bench destinations", "kind", "destination", "zones",
                     zones, "defaultZone", "zone-000");
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* "12.3" from a value in thousandths. */
static void fmt_milli(int64_t v, char *buf, size_t size)
{
    snprintf(buf, size, "%lld.%lld", (long long)(v / 1000), (long long)(v % 1000 / 100));
}

static void row_rate(const char *what, int64_t count, int64_t ns)
{
    char rate[32], each[32];
    fmt_milli(ns > 0 ? count * 1000000 / ns : 0, rate,
              sizeof(rate)); /* millions per second, in thousandths */
    fmt_milli(count > 0 ? ns * 1000 / count : 0, each, sizeof(each)); /* ns per lookup, in thousandths */
    printf("| %s | %s M/s | %s ns |\n", what, rate, each);
}

static void bench_zones(void)
{
    json_t *doc = make_zone_doc();
    int64_t times[5];
    int64_t mem_before = bss_mem_used(), table_bytes = 0;
    bss_zone_table *t = NULL;
    for (int r = 0; r < 5; r++) {
        bss_errinfo ei;
        int64_t t0 = bss_monotonic_ns();
        if (bss_zone_table_build(doc, &t, &ei) != BSS_OK) {
            fprintf(stderr, "bench: zone table: %s (%s)\n", ei.message, ei.field);
            exit(1);
        }
        times[r] = bss_monotonic_ns() - t0;
        table_bytes = bss_mem_used() - mem_before;
        if (r < 4)
            bss_zone_table_free(t);
    }
    qsort(times, 5, sizeof(times[0]), cmp_i64);

    char *numbers = malloc((size_t)NNUMBERS * NUM_STRIDE);
    uint8_t *lens = malloc(NNUMBERS);
    if (numbers == NULL || lens == NULL) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    for (int i = 0; i < NNUMBERS; i++) {
        char *num = numbers + (size_t)i * NUM_STRIDE;
        int len = 11 + (int)(next_rand() % 2), at = 0;
        if (next_rand() % 2) { /* a number in a known range */
            const char *p = prefixes[next_rand() % NPREFIXES];
            at = (int)strlen(p);
            memcpy(num, p, (size_t)at);
        }
        for (; at < len; at++)
            num[at] = (char)('0' + (at == 0 ? 1 + next_rand() % 9 : next_rand() % 10));
        lens[i] = (uint8_t)len;
    }
    int64_t best = INT64_MAX, checksum = 0;
    for (int pass = 0; pass < 5; pass++) { /* best of 5: the machine may be shared */
        int64_t t0 = bss_monotonic_ns();
        for (int i = 0; i < NNUMBERS; i++)
            checksum += bss_zone_lookup(t, numbers + (size_t)i * NUM_STRIDE, lens[i]);
        int64_t ns = bss_monotonic_ns() - t0;
        best = ns < best ? ns : best;
    }
    char build_ms[32], size_mb[32];
    fmt_milli(times[2] / 1000, build_ms, sizeof(build_ms));
    fmt_milli(table_bytes * 1000 / (1024 * 1024), size_mb, sizeof(size_mb));
    printf("| zone table build: %d prefixes (3-9 digits), %d zones | %s ms (median of 5) | %s MB |\n",
           NPREFIXES, NZONES, build_ms, size_mb);
    row_rate("zone lookup, 10M numbers (half in known ranges), 1 core", NNUMBERS, best);
    fprintf(stderr, "bench: zone checksum %lld\n", (long long)checksum);
    free(numbers);
    free(lens);
    bss_zone_table_free(t);
    json_decref(doc);
}

static const char *const NL_PLAN =
    "{\"name\": \"NL standard\", \"timeZone\": \"Europe/Amsterdam\", \"bands\": ["
    " {\"name\": \"peak\", \"days\": [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"], \"from\": \"08:00\", \"to\": "
    "\"20:00\"},"
    " {\"name\": \"offpeak\", \"days\": [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"], \"from\": \"20:00\", "
    "\"to\": \"08:00\"},"
    " {\"name\": \"weekend\", \"days\": [\"sat\",\"sun\"], \"from\": \"08:00\", \"to\": \"08:00\"}],"
    " \"holidays\": [{\"date\": \"2026-01-01\", \"band\": \"weekend\"}, {\"date\": \"2026-04-03\", \"band\": "
    "\"weekend\"},"
    " {\"date\": \"2026-04-06\", \"band\": \"weekend\"}, {\"date\": \"2026-04-27\", \"band\": \"weekend\"},"
    " {\"date\": \"2026-05-05\", \"band\": \"weekend\"}, {\"date\": \"2026-05-14\", \"band\": \"weekend\"},"
    " {\"date\": \"2026-05-25\", \"band\": \"weekend\"}, {\"date\": \"2026-12-25\", \"band\": \"weekend\"},"
    " {\"date\": \"2026-12-26\", \"band\": \"weekend\"}, {\"date\": \"2100-12-25\", \"band\": \"weekend\"}]}";

static void bench_bands(const bss_timeband_plan *p, int year, const char *what)
{
    int64_t *instants = malloc(NINSTANTS * sizeof(int64_t));
    if (instants == NULL)
        exit(1);
    int64_t start = bss_time_from_civil(year, 1, 1, 0, 0, 0, 0), span = 365 * BSS_MS_PER_DAY;
    for (int i = 0; i < NINSTANTS; i++)
        instants[i] = start + (int64_t)(next_rand() % (uint64_t)span);
    int64_t best = INT64_MAX, checksum = 0;
    for (int pass = 0; pass < 5; pass++) { /* best of 5: the machine may be shared */
        int64_t t0 = bss_monotonic_ns();
        for (int i = 0; i < NBAND_LOOKUPS; i++)
            checksum += bss_timeband_at(p, instants[i & (NINSTANTS - 1)], NULL);
        int64_t ns = bss_monotonic_ns() - t0;
        best = ns < best ? ns : best;
    }
    row_rate(what, NBAND_LOOKUPS, best);
    fprintf(stderr, "bench: band checksum %lld\n", (long long)checksum);
    free(instants);
}

int main(void)
{
    bss_mem_init();
    printf("| test | result | per lookup / size |\n|---|---:|---:|\n");
    bench_zones();
    json_error_t jerr;
    json_t *doc = json_loads(NL_PLAN, 0, &jerr);
    bss_timeband_plan *p = NULL;
    bss_errinfo ei;
    if (doc == NULL || bss_timeband_plan_build(doc, &p, &ei) != BSS_OK) {
        fprintf(stderr, "bench: time-band plan: %s\n", doc ? ei.message : jerr.text);
        return 1;
    }
    bench_bands(p, 2026, "time-band lookup, Europe/Amsterdam, instants in 2026, 1 core");
    bench_bands(p, 2100, "time-band lookup, instants in 2100 (past the file: footer rule), 1 core");
    bss_timeband_plan_free(p);
    json_decref(doc);
    return 0;
}
