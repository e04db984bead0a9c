/*
 * fuzz_price.c: libFuzzer target for the productOfferingPrice parser and the
 * pure rater (src/catalog/price.c, price_usage.c, rate.c). The input is JSON
 * text; once parsed it is built twice: with NULL refs (shape only) and with
 * refs that resolve a small fixed set of zone tables and time-band plans
 * (the ids of the unit tests, "dest", "roam", "bands", and of the demo
 * catalog, "zt-nl-destinations", "zt-roaming", "tb-nl-standard"). Every
 * price that builds is then used the way the charging and billing code
 * would: a few fixed usage events (destinations, bands, roaming, rating
 * groups, tiers, extreme quantities), the one-time, recurring, allowance or
 * discount functions, and the accessors. Any input must build or fail with
 * one of the pricing model's codes, and every successful charge must be sane (never
 * negative, rated units never below the quantity); never crash, hang or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/json.h"
#include "core/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char DEST_DOC[] =
    "{\"name\":\"dest\",\"kind\":\"destination\",\"defaultZone\":\"international-rest\",\"zones\":["
    "{\"name\":\"on-net\",\"prefixes\":[\"3162400\",\"3161234\"]},"
    "{\"name\":\"national-mobile\",\"prefixes\":[\"316\"]},"
    "{\"name\":\"national-fixed\",\"prefixes\":[\"31\",\"3110\"]},"
    "{\"name\":\"premium\",\"prefixes\":[\"31900\",\"31906\"]},"
    "{\"name\":\"special\",\"prefixes\":[\"31800\"]},"
    "{\"name\":\"international-eu\",\"prefixes\":[\"32\",\"33\",\"49\"]},"
    "{\"name\":\"international-world-1\",\"prefixes\":[\"1\",\"44\"]},"
    "{\"name\":\"international-world-2\",\"prefixes\":[\"90\",\"212\"]},"
    "{\"name\":\"eu\",\"prefixes\":[\"30\"]},"
    "{\"name\":\"world\",\"prefixes\":[\"7\"]},"
    "{\"name\":\"international-rest\",\"prefixes\":[]}]}";

static const char ROAM_DOC[] = "{\"name\":\"roam\",\"kind\":\"roaming\",\"defaultZone\":\"rest-of-world\","
                               "\"zones\":["
                               "{\"name\":\"eu\",\"prefixes\":[\"20801\",\"26201\",\"20404\"]},"
                               "{\"name\":\"europe-other\",\"prefixes\":[\"22801\",\"23410\"]},"
                               "{\"name\":\"world-1\",\"prefixes\":[\"310260\"]},"
                               "{\"name\":\"rest\",\"prefixes\":[\"505001\"]},"
                               "{\"name\":\"rest-of-world\",\"prefixes\":[]}]}";

static const char BANDS_DOC[] =
    "{\"name\":\"NL\",\"timeZone\":\"Europe/Amsterdam\",\"bands\":["
    "{\"name\":\"peak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"08:00\",\"to\":\"20:"
    "00\"},"
    "{\"name\":\"offpeak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"20:00\",\"to\":\"24:"
    "00\"},"
    "{\"name\":\"offpeak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"00:00\",\"to\":\"08:"
    "00\"},"
    "{\"name\":\"weekend\",\"days\":[\"sat\",\"sun\"],\"from\":\"00:00\",\"to\":\"24:00\"}],"
    "\"holidays\":[{\"date\":\"2026-12-25\",\"band\":\"weekend\"}]}";

static bss_zone_table *g_dest, *g_roam;
static bss_timeband_plan *g_plan;

static const bss_zone_table *zone_table(void *ctx, const char *id)
{
    (void)ctx;
    if (strcmp(id, "dest") == 0 || strcmp(id, "zt-nl-destinations") == 0)
        return g_dest;
    if (strcmp(id, "roam") == 0 || strcmp(id, "zt-roaming") == 0)
        return g_roam;
    return NULL;
}

static const bss_timeband_plan *timeband_plan(void *ctx, const char *id)
{
    (void)ctx;
    return strcmp(id, "bands") == 0 || strcmp(id, "tb-nl-standard") == 0 ? g_plan : NULL;
}

static const bss_price_refs refs = {NULL, zone_table, timeband_plan};

static json_t *parse_fixture(const char *text)
{
    json_t *doc = NULL;
    if (bss_json_parse(text, strlen(text), &doc, NULL) != BSS_OK)
        abort();
    return doc;
}

static void init_fixtures(void)
{
    bss_mem_init();
    json_t *d = parse_fixture(DEST_DOC), *r = parse_fixture(ROAM_DOC), *b = parse_fixture(BANDS_DOC);
    bss_errinfo ei;
    if (bss_zone_table_build(d, &g_dest, &ei) || bss_zone_table_build(r, &g_roam, &ei) ||
        bss_timeband_plan_build(b, &g_plan, &ei))
        abort(); /* the fixtures are valid */
    json_decref(d);
    json_decref(r);
    json_decref(b);
}

#define T2026 INT64_C(1767225600000) /* 2026-01-01T00:00:00Z, a Thursday (a holiday-free weekday) */
#define HOUR INT64_C(3600000)

/* The fixed usage events every usage price rates. */
static const bss_usage_event events[] = {
    {.quantity = 0, .rating_group = -1},
    {.quantity = 61,
     .destination = "31612345678",
     .destination_len = 11,
     .start_ms = T2026 + 10 * HOUR,
     .rating_group = -1},
    {.quantity = 1,
     .destination = "3190012",
     .destination_len = 7,
     .start_ms = T2026 + 22 * HOUR,
     .rating_group = -1,
     .used_units = 5999},
    {.quantity = 3600,
     .destination = "4930123",
     .destination_len = 7,
     .start_ms = T2026 + 2 * 24 * HOUR,
     .visited = "20801",
     .visited_len = 5,
     .rating_group = -1},
    {.quantity = 150,
     .destination = "12125550100",
     .destination_len = 11,
     .start_ms = -1,
     .visited = "310260",
     .visited_len = 6,
     .rating_group = -1,
     .used_units = 99 * 60},
    {.quantity = 1048577, .start_ms = T2026, .rating_group = 10},
    {.quantity = 1048576, .start_ms = T2026, .visited = "20404", .visited_len = 5, .rating_group = 20},
    {.quantity = 5,
     .destination = "999",
     .destination_len = 3,
     .visited = "99999",
     .visited_len = 5,
     .rating_group = 30},
    {.quantity = INT64_MAX,
     .destination = "316",
     .destination_len = 3,
     .start_ms = INT64_MAX,
     .rating_group = -1,
     .used_units = INT64_MAX},
    {.quantity = INT64_MAX / 3,
     .start_ms = INT64_MIN,
     .rating_group = INT64_MAX,
     .used_units = INT64_MAX / 2},
    {.quantity = -1, .rating_group = -1},
};

static void rate_usage(const bss_price *p)
{
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        bss_usage_charge c;
        memset(&c, 0, sizeof c);
        bss_err rc = bss_rate_usage(p, &events[i], &c);
        if (rc == BSS_OK) {
            if (c.charge_micros < 0 || c.rated_units < events[i].quantity)
                abort();
            char buf[160]; /* short on purpose: a long trace is cut, never overflows */
            (void)bss_rate_trace_format(&c, buf, sizeof buf);
            if (!memchr(buf, '\0', sizeof buf))
                abort();
        } else if (rc != BSS_E_INVALID && rc != BSS_E_NOT_FOUND && rc != BSS_E_UNSUPPORTED &&
                   rc != BSS_E_RANGE) {
            abort();
        }
        if (events[i].quantity >= 0) {
            int64_t units = bss_rate_round_units(p, events[i].quantity); /* -1: overflow */
            if (units < -1 || (units >= 0 && units < events[i].quantity))
                abort();
        }
    }
}

static void rate_other(const bss_price *p)
{
    int64_t out = 0, start = 0, end = 0;
    int days = 0;
    switch (bss_price_kind(p)) {
    case BSS_PRICE_ONE_TIME:
        if (bss_rate_one_time(p, &out) == BSS_OK && out < 0)
            abort();
        break;
    case BSS_PRICE_RECURRING:
        if (bss_rate_recurring_period(p, T2026, T2026 + 45 * 24 * HOUR, &start, &end) == BSS_OK) {
            if (!(start <= T2026 + 45 * 24 * HOUR && T2026 + 45 * 24 * HOUR < end))
                abort();
            if (bss_rate_recurring(p, start, end, T2026 + 50 * 24 * HOUR, INT64_MAX, &out, &days) == BSS_OK &&
                out < 0)
                abort();
        }
        (void)bss_rate_recurring_period(p, T2026, INT64_MAX / 2, &start, &end);
        (void)bss_rate_recurring(p, INT64_MIN / 2, INT64_MAX / 2, INT64_MIN, INT64_MAX, &out, &days);
        break;
    case BSS_PRICE_ALLOWANCE: {
        bss_bucket_template b;
        if (bss_rate_allowance(p, &b) == BSS_OK)
            for (size_t i = 0; i < b.nzones; i++)
                if (!b.zones[i] || !bss_rate_allowance_covers(p, b.zones[i]))
                    abort();
        (void)bss_rate_allowance_covers(p, "national-mobile");
        (void)bss_rate_allowance_covers(p, NULL);
        break;
    }
    case BSS_PRICE_DISCOUNT:
        for (int cycle = 1; cycle <= 4; cycle++) {
            int64_t base = cycle == 4 ? INT64_MAX : 9990000;
            if (bss_rate_discount(p, base, BSS_CHARGE_RECURRING, cycle, &out) == BSS_OK &&
                (out < 0 || out > base))
                abort();
            (void)bss_rate_discount(p, base, BSS_CHARGE_USAGE | BSS_CHARGE_ONE_TIME, cycle, &out);
        }
        break;
    default:
        break;
    }
}

static void exercise(const json_t *doc, const bss_price_refs *r)
{
    bss_price *p = NULL;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_price_build(doc, r, &p, &ei);
    if (rc != BSS_OK) {
        if (p != NULL || (rc != BSS_E_INVALID && rc != BSS_E_UNPROCESSABLE && rc != BSS_E_RANGE &&
                          rc != BSS_E_TOO_BIG && rc != BSS_E_NOMEM))
            abort();
        return;
    }
    if (!bss_price_id(p) || !bss_price_name(p) || !bss_price_currency(p) || !bss_price_tax_category(p) ||
        bss_price_amount_micros(p) < 0)
        abort();
    (void)bss_service_name(bss_price_service(p));
    if (bss_price_kind(p) == BSS_PRICE_USAGE)
        rate_usage(p);
    else
        rate_other(p);
    bss_price_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    if (!inited) {
        init_fixtures();
        inited = 1;
    }
    json_t *doc = NULL;
    if (bss_json_parse((const char *)data, size, &doc, NULL) != BSS_OK)
        return 0;
    exercise(doc, NULL);
    exercise(doc, &refs);
    json_decref(doc);
    return 0;
}
