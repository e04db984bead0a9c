/*
 * catalog_compile.c: the speed benchmark of the catalog compiler
 * (src/catalog/compile.c), the work every catalog change triggers. A
 * standalone program linked against the release library; run it through
 * bench/run-catalog-compile.sh, which builds it and prints its table.
 *
 * It generates, deterministically (fixed-seed splitmix64), the documents of
 * a large operator's catalog: one destination zone table of 50,000 distinct
 * prefixes (3 to 9 digits) over 250 zones, one roaming table (120 networks,
 * 3 zones), one time-band plan (peak/off-peak/weekend, Europe/Amsterdam),
 * 10 specifications and 200 offerings: 150 plans each with 7 prices (SIM
 * fee, monthly fee, voice per zone x band with 20 zone rates, SMS, data
 * with roaming and rating groups, a data and a voice allowance), 30 data
 * add-ons (addOnTo a plan, with a discount) and 20 bundles of two plans:
 * 200 offerings, 1,110 prices. It times bss_catalog_compile from the parsed
 * documents and, separately, parse + compile from the JSON text (what a
 * rebuild does after reading the store); each the median of 7 runs.
 * Times are integers (microseconds); prints a markdown table on stdout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalog/catalog.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/time.h"

#define NPREFIXES 50000
#define NZONES 250
#define NPLANS 150
#define NADDONS 30
#define NBUNDLES 20
#define RUNS 7

static uint64_t rng = 20261122;

static uint64_t next_rand(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint64_t seen[1 << 17]; /* open addressing: distinct (length, value) prefixes */

static int insert_unique(uint64_t key)
{
    size_t mask = sizeof(seen) / sizeof(seen[0]) - 1, i = (size_t)(key * 0x9E3779B97F4A7C15u >> 40) & mask;
    while (seen[i] != 0) {
        if (seen[i] == key)
            return 0;
        i = (i + 1) & mask;
    }
    seen[i] = key;
    return 1;
}

static json_t *zone_table(void)
{
    json_t *zones = json_array();
    for (int z = 0; z < NZONES; z++) {
        char name[32];
        snprintf(name, sizeof name, "zone-%03d", z);
        json_array_append_new(zones, json_pack("{s:s, s:[]}", "name", name, "prefixes"));
    }
    for (int n = 0; n < NPREFIXES;) {
        char digits[12];
        int len = 3 + (int)(next_rand() % 7);
        uint64_t value = 0;
        for (int i = 0; i < len; i++) {
            int d = i == 0 ? 1 + (int)(next_rand() % 9) : (int)(next_rand() % 10);
            digits[i] = (char)('0' + d);
            value = value * 10 + (uint64_t)d;
        }
        digits[len] = '\0';
        if (!insert_unique(value * 16 + (uint64_t)len))
            continue;
        int zone = n < NZONES ? n : (int)(next_rand() % NZONES);
        json_array_append_new(json_object_get(json_array_get(zones, (size_t)zone), "prefixes"),
                              json_string(digits));
        n++;
    }
    return json_pack("{s:s, s:s, s:s, s:o, s:s}", "id", "zt-dest", "name", "destinations", "kind",
                     "destination", "zones", zones, "defaultZone", "zone-000");
}

static json_t *roaming_table(void)
{
    json_t *zones = json_pack("[{s:s, s:[]}, {s:s, s:[]}, {s:s, s:[]}]", "name", "eu", "prefixes", "name",
                              "europe-other", "prefixes", "name", "world", "prefixes");
    for (int i = 0; i < 120; i++) {
        char mccmnc[8];
        snprintf(mccmnc, sizeof mccmnc, "%03d%02d", 200 + i * 5, i % 100);
        json_array_append_new(json_object_get(json_array_get(zones, (size_t)(i % 3)), "prefixes"),
                              json_string(mccmnc));
    }
    return json_pack("{s:s, s:s, s:s, s:o}", "id", "zt-roam", "name", "roaming", "kind", "roaming", "zones",
                     zones);
}

static json_t *money(int64_t cents)
{
    char text[32];
    snprintf(text, sizeof text, "%lld.%02lld", (long long)(cents / 100), (long long)(cents % 100));
    return json_pack("{s:s, s:s}", "unit", "EUR", "value", text);
}

static json_t *voice_price(const char *id)
{
    json_t *rates = json_pack("[{s:s, s:s, s:o}, {s:s, s:s, s:o}]", "zone", "*", "band", "*", "price",
                              money(10), "zone", "*", "band", "weekend", "price", money(5));
    for (int r = 0; r < 20; r++) {
        char zone[32];
        snprintf(zone, sizeof zone, "zone-%03d", (int)(next_rand() % NZONES));
        json_t *rate = json_pack("{s:s, s:s, s:o}", "zone", zone, "band", r % 2 ? "peak" : "*", "price",
                                 money(20 + (int64_t)(next_rand() % 200)));
        int dup = 0;
        for (size_t i = 0; i < json_array_size(rates); i++)
            dup |=
                json_equal(json_object_get(json_array_get(rates, i), "zone"),
                           json_object_get(rate, "zone")) &&
                json_equal(json_object_get(json_array_get(rates, i), "band"), json_object_get(rate, "band"));
        if (dup)
            json_decref(rate);
        else
            json_array_append_new(rates, rate);
    }
    return json_pack("{s:s, s:s, s:{s:i, s:s}, s:{s:s, s:{s:i, s:i}, s:o, s:s, s:s, s:o}}", "id", id,
                     "priceType", "usage", "unitOfMeasure", "amount", 1, "units", "minute", "usage",
                     "service", "voice", "increments", "first", 60, "next", 1, "connectFee", money(3),
                     "zoneTableId", "zt-dest", "timeBandPlanId", "tb-nl", "rates", rates);
}

static json_t *data_price(const char *id)
{
    return json_pack("{s:s, s:s, s:{s:i, s:s}, s:o, s:{s:s, s:{s:i, s:i}, s:s, s:[{s:s, s:s}, {s:s, s:o}], "
                     "s:[{s:i, s:b}, {s:i, s:o}]}}",
                     "id", id, "priceType", "usage", "unitOfMeasure", "amount", 1, "units", "MB", "price",
                     money(1), "usage", "service", "data", "increments", "first", 1024, "next", 1024,
                     "roamingZoneTableId", "zt-roam", "roaming", "zone", "eu", "rule", "home", "zone", "*",
                     "price", money(50), "ratingGroups", "ratingGroup", 20, "zeroRated", 1, "ratingGroup", 30,
                     "price", money(0));
}

/* Adds the prices of plan p to prices, their refs to refs. */
static void plan_prices(int p, json_t *prices, json_t *refs)
{
    char id[7][48];
    const char *kinds[7] = {"sim", "month", "voice", "sms", "data", "gb", "min"};
    for (int k = 0; k < 7; k++) {
        snprintf(id[k], sizeof id[k], "pop-%03d-%s", p, kinds[k]);
        json_array_append_new(refs, json_pack("{s:s}", "id", id[k]));
    }
    json_array_append_new(
        prices, json_pack("{s:s, s:s, s:o}", "id", id[0], "priceType", "oneTime", "price", money(999)));
    json_array_append_new(prices,
                          json_pack("{s:s, s:s, s:o, s:s}", "id", id[1], "priceType", "recurring", "price",
                                    money(1000 + p * 10), "recurringChargePeriodType", "month"));
    json_array_append_new(prices, voice_price(id[2]));
    json_array_append_new(prices, json_pack("{s:s, s:s, s:o, s:{s:s}}", "id", id[3], "priceType", "usage",
                                            "price", money(9), "usage", "service", "sms"));
    json_array_append_new(prices, data_price(id[4]));
    json_array_append_new(prices,
                          json_pack("{s:s, s:s, s:{s:s, s:{s:i, s:s}, s:{s:b}}}", "id", id[5], "priceType",
                                    "allowance", "allowance", "service", "data", "amount", "amount",
                                    1 + p % 20, "units", "GB", "rollover", "enabled", 1));
    json_array_append_new(prices, json_pack("{s:s, s:s, s:{s:s, s:{s:i, s:s}, s:s, s:[s, s]}}", "id", id[6],
                                            "priceType", "allowance", "allowance", "service", "voice",
                                            "amount", "amount", 500, "units", "minute", "zoneTableId",
                                            "zt-dest", "zones", "zone-001", "zone-002"));
}

static void make_source(bss_catalog_source *src)
{
    bss_catalog_source_init(src);
    json_array_append_new(src->zone_tables, zone_table());
    json_array_append_new(src->zone_tables, roaming_table());
    json_t *plan = NULL;
    const char *text =
        "{\"id\":\"tb-nl\",\"name\":\"NL\",\"timeZone\":\"Europe/Amsterdam\",\"bands\":["
        "{\"name\":\"peak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"08:00\",\"to\":"
        "\"20:00\"},"
        "{\"name\":\"offpeak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"20:00\",\"to\":"
        "\"24:00\"},"
        "{\"name\":\"offpeak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"00:00\",\"to\":"
        "\"08:00\"},"
        "{\"name\":\"weekend\",\"days\":[\"sat\",\"sun\"],\"from\":\"00:00\",\"to\":\"24:00\"}]}";
    if (bss_json_parse(text, strlen(text), &plan, NULL) != BSS_OK)
        exit(1);
    json_array_append_new(src->timeband_plans, plan);
    for (int s = 0; s < 10; s++) {
        char id[32];
        snprintf(id, sizeof id, "spec-%02d", s);
        json_array_append_new(src->specifications,
                              json_pack("{s:s, s:s}", "id", id, "lifecycleStatus", "Active"));
    }
    for (int p = 0; p < NPLANS; p++) {
        char id[32], spec[32];
        snprintf(id, sizeof id, "po-plan-%03d", p);
        snprintf(spec, sizeof spec, "spec-%02d", p % 10);
        json_t *refs = json_array();
        plan_prices(p, src->prices, refs);
        json_array_append_new(src->offerings, json_pack("{s:s, s:s, s:s, s:{s:s}, s:o}", "id", id, "name", id,
                                                        "lifecycleStatus", "Active", "productSpecification",
                                                        "id", spec, "productOfferingPrice", refs));
    }
    for (int a = 0; a < NADDONS; a++) {
        char id[32], price[32], disc[32], base[32];
        snprintf(id, sizeof id, "po-addon-%02d", a);
        snprintf(price, sizeof price, "pop-addon-%02d", a);
        snprintf(disc, sizeof disc, "pop-addon-%02d-promo", a);
        snprintf(base, sizeof base, "po-plan-%03d", a * 5);
        json_array_append_new(src->prices, json_pack("{s:s, s:s, s:{s:s, s:{s:i, s:s}}}", "id", price,
                                                     "priceType", "allowance", "allowance", "service", "data",
                                                     "amount", "amount", 5, "units", "GB"));
        json_array_append_new(src->prices,
                              json_pack("{s:s, s:s, s:i, s:{s:i}}", "id", disc, "priceType", "discount",
                                        "percentage", 50, "applicationDuration", "cycles", 3));
        json_array_append_new(src->offerings,
                              json_pack("{s:s, s:s, s:[{s:s, s:s}], s:[{s:s}, {s:s}]}", "id", id, "name", id,
                                        "productOfferingRelationship", "id", base, "relationshipType",
                                        "addOnTo", "productOfferingPrice", "id", price, "id", disc));
    }
    for (int b = 0; b < NBUNDLES; b++) {
        char id[32], p1[32], p2[32];
        snprintf(id, sizeof id, "po-bundle-%02d", b);
        snprintf(p1, sizeof p1, "po-plan-%03d", b);
        snprintf(p2, sizeof p2, "po-plan-%03d", b + 1);
        json_array_append_new(src->offerings,
                              json_pack("{s:s, s:s, s:b, s:[{s:s}, {s:s}]}", "id", id, "name", id, "isBundle",
                                        1, "bundledProductOffering", "id", p1, "id", p2));
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t median(int64_t *t)
{
    qsort(t, RUNS, sizeof t[0], cmp_i64);
    return t[RUNS / 2];
}

/* Dumps every array of src to text, so a run can time parse + compile. */
static char *dump_source(const bss_catalog_source *src, size_t *len)
{
    json_t *all = json_pack("{s:O, s:O, s:O, s:O, s:O}", "z", src->zone_tables, "t", src->timeband_plans, "s",
                            src->specifications, "p", src->prices, "o", src->offerings);
    char *text = bss_json_dump(all, len);
    json_decref(all);
    return text;
}

static bss_err parse_and_compile(const char *text, size_t len, bss_catalog **out, bss_errinfo *ei)
{
    json_t *all = NULL;
    bss_err rc = bss_json_parse(text, len, &all, ei);
    if (rc != BSS_OK)
        return rc;
    bss_catalog_source src = {.zone_tables = json_object_get(all, "z"),
                              .timeband_plans = json_object_get(all, "t"),
                              .specifications = json_object_get(all, "s"),
                              .prices = json_object_get(all, "p"),
                              .offerings = json_object_get(all, "o")};
    rc = bss_catalog_compile(&src, out, ei);
    json_decref(all);
    return rc;
}

int main(void)
{
    bss_mem_init();
    bss_catalog_source src;
    make_source(&src);
    size_t len = 0;
    char *text = dump_source(&src, &len);
    int64_t compile_us[RUNS], full_us[RUNS], bytes = 0;
    bss_errinfo ei;
    for (int r = 0; r < RUNS; r++) {
        bss_catalog *cat = NULL;
        int64_t before = bss_mem_used(), t0 = bss_monotonic_ns();
        if (bss_catalog_compile(&src, &cat, &ei) != BSS_OK) {
            fprintf(stderr, "bench: compile: %s (%s)\n", ei.message, ei.field);
            return 1;
        }
        compile_us[r] = (bss_monotonic_ns() - t0) / 1000;
        bytes = bss_mem_used() - before;
        if (r == 0) {
            const bss_offering *o = bss_catalog_offering(cat, "po-plan-007", 0);
            bss_usage_event ev = {
                .quantity = 61, .destination = "31612345678", .destination_len = 11, .rating_group = -1};
            bss_usage_charge ch;
            if (!o || bss_rate_usage(bss_offering_find_price(o, BSS_PRICE_USAGE, BSS_SERVICE_VOICE), &ev,
                                     &ch) != BSS_OK) {
                fprintf(stderr, "bench: the compiled catalog does not rate\n");
                return 1;
            }
            fprintf(stderr, "bench: %zu offerings, %zu prices, %zu bytes of JSON; sample call: %s in %s\n",
                    bss_catalog_offering_count(cat), json_array_size(src.prices), len, ch.zone, ch.band);
        }
        bss_catalog_free(cat);
        t0 = bss_monotonic_ns();
        if (parse_and_compile(text, len, &cat, &ei) != BSS_OK) {
            fprintf(stderr, "bench: parse + compile: %s (%s)\n", ei.message, ei.field);
            return 1;
        }
        full_us[r] = (bss_monotonic_ns() - t0) / 1000;
        bss_catalog_free(cat);
    }
    int64_t c = median(compile_us), f = median(full_us);
    printf("| catalog compile (200 offerings, %zu prices, %d prefixes) | median of %d |\n",
           json_array_size(src.prices), NPREFIXES, RUNS);
    printf("|---|---|\n");
    printf("| bss_catalog_compile | %lld.%03lld ms |\n", (long long)(c / 1000), (long long)(c % 1000));
    printf("| parse JSON (%zu KB) + compile | %lld.%03lld ms |\n", len / 1024, (long long)(f / 1000),
           (long long)(f % 1000));
    printf("| snapshot size | %lld KB |\n", (long long)(bytes / 1024));
    printf("| target | <= 200 ms: %s |\n", c <= 200000 ? "met" : "NOT met");
    bss_free(text);
    bss_catalog_source_clear(&src);
    return 0;
}
