/*
 * whatif.c: what-if pricing (charging.h bss_usage_what_if; docs/charging.md
 * "What-if pricing"): a past period's real usage rated under a draft
 * catalog, nothing changed, revenue before and after per offering and per
 * customer segment.
 *
 * Both sides are rated the same way, so the difference is the tariff's
 * alone: each line starts each bill period with its offering's allowances
 * (as the catalog gives them) and takes its events in time order through
 * the rating core; money is what the events cost after allowances,
 * whatever the line's payment mode. "Before" uses the catalog in force,
 * "after" the draft, whose documents are taken as in force at every
 * instant (their validFor is ignored: the question is what the period
 * would have cost had the draft applied). What the usage was charged for
 * real (with add-ons, promotions, the buckets as they were) is reported
 * beside them.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "charging/charging_int.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/money.h"
#include "customer/customer.h"

#define WI_BUCKETS 16

typedef struct wi_side {
    const bss_catalog *cat;
    bss_rate_line line;
    bss_rate_bucket buckets[WI_BUCKETS];
    const bss_offering *o;
    int64_t period;
    bool known;
} wi_side;

typedef struct wi_line {
    char product[BSS_ID_MAX + 1];
    wi_side side[2]; /* before, after */
} wi_line;

typedef struct wi_sum {
    char key[BSS_ID_MAX + 1];
    int64_t events, charged, before, after, not_rated;
} wi_sum;

typedef struct wi {
    wi_sum *offerings, *segments;
    size_t noff, nseg, cap;
    char account[BSS_ID_MAX + 1], segment[64]; /* the last account's segment, cached */
} wi;

static wi_sum *sum_of(wi_sum **arr, size_t *n, size_t cap, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*arr)[i].key, key) == 0)
            return &(*arr)[i];
    if (*n >= cap)
        return &(*arr)[cap - 1]; /* the last row takes the rest */
    wi_sum *s = &(*arr)[(*n)++];
    memset(s, 0, sizeof *s);
    snprintf(s->key, sizeof s->key, "%s", key);
    return s;
}

/* The offering's usage prices and a fresh set of its allowances. */
static void side_reset(wi_side *s, int64_t at_ms)
{
    memset(&s->line, 0, sizeof s->line);
    s->line.buckets = s->buckets;
    size_t nb = 0;
    for (size_t i = 0; s->o && i < bss_offering_price_count(s->o); i++) {
        const bss_price *pr = bss_offering_price_at(s->cat, s->o, i, at_ms);
        if (!pr)
            continue;
        bss_bucket_template t;
        if (bss_price_kind(pr) == BSS_PRICE_USAGE) {
            bss_service sv = bss_price_service(pr);
            if (sv > BSS_SERVICE_NONE && sv <= BSS_SERVICE_EVENT)
                s->line.usage[sv] = pr;
        } else if (nb < WI_BUCKETS && bss_rate_allowance(pr, &t) == BSS_OK) {
            s->buckets[nb++] = (bss_rate_bucket){.service = t.service,
                                                 .source = t.shared ? BSS_BUCKET_SHARED : BSS_BUCKET_PLAN,
                                                 .priority = t.priority,
                                                 .valid_from_ms = INT64_MIN,
                                                 .valid_to_ms = INT64_MAX,
                                                 .value = t.unlimited ? 0 : t.units,
                                                 .initial = t.unlimited ? 0 : t.units,
                                                 .unlimited = t.unlimited,
                                                 .allowance = pr};
        }
    }
    s->line.nbuckets = nb;
}

/* A draft document as if in force at every instant. */
static json_t *timeless(const json_t *arr)
{
    json_t *out = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(arr, i, d)
    {
        json_t *c = json_deep_copy(d);
        if (c)
            json_object_del(c, "validFor");
        json_array_append_new(out, c);
    }
    return out;
}

static bss_err draft_catalog(const json_t *doc, bss_catalog **out, bss_errinfo *ei)
{
    bss_err rc = bss_catalog_validate(doc, ei);
    if (rc != BSS_OK)
        return rc;
    bss_catalog_source src;
    bss_catalog_source_init(&src);
    static const struct {
        const char *member;
        size_t off;
    } map[] = {
        {"productOfferings", offsetof(bss_catalog_source, offerings)},
        {"productOfferingPrices", offsetof(bss_catalog_source, prices)},
        {"productSpecifications", offsetof(bss_catalog_source, specifications)},
        {"zoneTables", offsetof(bss_catalog_source, zone_tables)},
        {"timeBandPlans", offsetof(bss_catalog_source, timeband_plans)},
        {"promotions", offsetof(bss_catalog_source, promotions)},
        {"catalogs", offsetof(bss_catalog_source, catalogs)},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        json_t **slot = (json_t **)((char *)&src + map[i].off);
        json_decref(*slot);
        *slot = timeless(json_object_get(doc, map[i].member));
    }
    rc = bss_catalog_compile(&src, out, ei);
    bss_catalog_source_clear(&src);
    if (rc != BSS_OK)
        return bss_fail(ei, rc, ei ? ei->field : NULL, "the draft catalog does not compile: %s",
                        ei ? ei->message : "");
    return BSS_OK;
}

static const char *segment_of(bss_db *db, wi *w, const char *account)
{
    if (strcmp(w->account, account) == 0)
        return w->segment;
    snprintf(w->account, sizeof w->account, "%s", account);
    snprintf(w->segment, sizeof w->segment, "unknown");
    json_t *a = NULL, *c = NULL;
    if (bss_doc_load(db, &bss_billing_account_kind, account, &a, NULL, NULL) == BSS_OK) {
        const char *cid = json_string_value(json_object_get(json_object_get(a, "customer"), "id"));
        if (cid && bss_doc_load(db, &bss_customer_kind, cid, &c, NULL, NULL) == BSS_OK) {
            const char *seg = json_string_value(json_object_get(c, "segment"));
            if (seg && *seg)
                snprintf(w->segment, sizeof w->segment, "%s", seg);
        }
    }
    json_decref(a);
    json_decref(c);
    return w->segment;
}

/*
 * The period's usage, by the time index (usage_record_start) when the store
 * holds usage outside the period; when the period spans all of it, by a
 * plain scan (+start_ms takes no index): reading every row through the
 * index measured 40 % slower than reading the table (docs/benchmarks.md).
 */
#define PERIOD_COLS                                                                                          \
    "SELECT product_id, account_id, offering_id, service, destination, quantity, rating_group, visited_plmn, " \
    "start_ms, charge, period_start, currency FROM usage_record WHERE "
#define PERIOD_REST                                                                                          \
    " AND status IN ('rated', 'recycled', 'billed') AND (CAST(? AS TEXT) IS NULL OR account_id = ?) "          \
    "ORDER BY product_id, start_ms"
static const char SQL_PERIOD[] = PERIOD_COLS "start_ms >= ? AND start_ms < ?" PERIOD_REST;
static const char SQL_PERIOD_ALL[] = PERIOD_COLS "+start_ms >= ? AND +start_ms < ?" PERIOD_REST;
static const char SQL_SPAN[] = "SELECT COALESCE(MIN(start_ms), 0), COALESCE(MAX(start_ms), 0) FROM usage_record";

static json_t *rows_json(const wi_sum *arr, size_t n, const char *name)
{
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out, json_pack("{s:s, s:I, s:o, s:o, s:o, s:o, s:I}", name, arr[i].key, "events",
                                             (json_int_t)arr[i].events, "charged", bss_money_to_json(arr[i].charged),
                                             "before", bss_money_to_json(arr[i].before), "after",
                                             bss_money_to_json(arr[i].after), "delta",
                                             bss_money_to_json(arr[i].after - arr[i].before), "notRatedAfter",
                                             (json_int_t)arr[i].not_rated));
    return out;
}

bss_err bss_usage_what_if(bss_db *db, const bss_catalog *current, const json_t *draft_doc, int64_t from_ms,
                          int64_t to_ms, const char *account_id, json_t **report, bss_errinfo *ei)
{
    *report = NULL;
    if (!current)
        return bss_fail(ei, BSS_E_UNSUPPORTED, NULL, "the catalog is not loaded yet: try again");
    if (to_ms <= from_ms || to_ms - from_ms > INT64_C(400) * 86400000)
        return bss_fail(ei, BSS_E_INVALID, "to", "the period is from < to, at most 400 days");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bss_catalog *draft = NULL;
    bss_err rc = draft_catalog(draft_doc, &draft, ei);
    if (rc != BSS_OK)
        return rc;
    wi w = {.cap = 256};
    w.offerings = bss_calloc(w.cap, sizeof *w.offerings);
    w.segments = bss_calloc(w.cap, sizeof *w.segments);
    wi_line *l = bss_calloc(1, sizeof *l);
    bss_db_rows *rows = NULL;
    int64_t first = 0, last = 0;
    if (!w.offerings || !w.segments || !l) {
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    } else if ((rc = bss_db_query(db, SQL_SPAN, BSS_DB_NOARGS, &rows, ei)) == BSS_OK) {
        if (bss_db_next(rows)) {
            first = bss_db_col_int64(rows, 0);
            last = bss_db_col_int64(rows, 1);
        }
        rc = bss_db_rows_error(rows);
        bss_db_rows_close(rows);
        rows = NULL;
    }
    if (rc == BSS_OK)
        rc = bss_db_query(db, from_ms <= first && to_ms > last ? SQL_PERIOD_ALL : SQL_PERIOD,
                          BSS_DB_ARGS(BSS_DB_I64(from_ms), BSS_DB_I64(to_ms), BSS_DB_STR(account_id),
                                      BSS_DB_STR(account_id)),
                          &rows, ei);
    int64_t events = 0, charged = 0, before = 0, after = 0, not_rated = 0;
    char currency[4] = "";
    /* the segments are read after the scan (one open result per connection) */
    typedef struct {
        char account[BSS_ID_MAX + 1];
        int64_t events, charged, before, after, not_rated;
    } acct_sum;
    size_t nacc = 0, capacc = 1 << 16; /* accounts past it are summed in the last */
    acct_sum *accs = rc == BSS_OK ? bss_calloc(capacc, sizeof *accs) : NULL;
    int *ahash = rc == BSS_OK ? bss_calloc(2 * capacc, sizeof *ahash) : NULL;
    if (rc == BSS_OK && (!accs || !ahash))
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    while (rc == BSS_OK && bss_db_next(rows)) {
        const char *prod = bss_db_col_text(rows, 0, NULL), *acct = bss_db_col_text(rows, 1, NULL);
        const char *off = bss_db_col_text(rows, 2, NULL);
        if (!prod || !acct || !off)
            continue;
        int64_t start = bss_db_col_int64(rows, 8), period = bss_db_col_int64(rows, 10);
        if (strcmp(l->product, prod) != 0) {
            memset(l, 0, sizeof *l);
            snprintf(l->product, sizeof l->product, "%s", prod);
            for (int k = 0; k < 2; k++) {
                l->side[k].cat = k ? draft : current;
                l->side[k].o = bss_catalog_offering(l->side[k].cat, off, start);
                l->side[k].period = INT64_MIN;
            }
        }
        const char *dest = bss_db_col_text(rows, 4, NULL), *plmn = bss_db_col_text(rows, 7, NULL);
        char visited[8] = "";
        if (plmn && strlen(plmn) >= 6)
            snprintf(visited, sizeof visited, "%.3s%s", plmn, plmn + 4);
        bss_rate_input in = {.service = bss_cdr_catalog_service(bss_cdr_service_parse(bss_db_col_text(rows, 3, NULL))),
                             .quantity = bss_db_col_int64(rows, 5),
                             .destination = dest && *dest ? dest : NULL,
                             .destination_len = dest ? strlen(dest) : 0,
                             .start_ms = start,
                             .visited = visited[0] ? visited : NULL,
                             .visited_len = strlen(visited),
                             .rating_group = bss_db_col_null(rows, 6) ? -1 : bss_db_col_int64(rows, 6)};
        int64_t cost[2] = {0, 0};
        bool rated[2] = {false, false};
        for (int k = 0; k < 2; k++) {
            wi_side *s = &l->side[k];
            if (s->period != period) {
                side_reset(s, start);
                s->period = period;
            }
            bss_rate_result res;
            if (s->o && bss_charging_rate(&s->line, &in, &res) == BSS_OK) {
                bss_charging_apply(&s->line, &res);
                cost[k] = res.charge_micros;
                rated[k] = true;
            }
        }
        int64_t ch = bss_db_col_int64(rows, 9);
        if (!currency[0] && bss_db_col_text(rows, 11, NULL))
            snprintf(currency, sizeof currency, "%s", bss_db_col_text(rows, 11, NULL));
        events++;
        charged += ch;
        before += cost[0];
        after += cost[1];
        not_rated += !rated[1];
        wi_sum *o = sum_of(&w.offerings, &w.noff, w.cap, off);
        o->events++;
        o->charged += ch;
        o->before += cost[0];
        o->after += cost[1];
        o->not_rated += !rated[1];
        uint64_t h = 14695981039346656037u;
        for (const char *c = acct; *c; c++)
            h = (h ^ (unsigned char)*c) * 1099511628211u;
        size_t slot = h % (2 * capacc), a = capacc - 1;
        while (ahash[slot] && strcmp(accs[ahash[slot] - 1].account, acct) != 0)
            slot = (slot + 1) % (2 * capacc);
        if (ahash[slot])
            a = (size_t)ahash[slot] - 1;
        else if (nacc < capacc) {
            a = nacc++;
            snprintf(accs[a].account, sizeof accs[0].account, "%s", acct);
            ahash[slot] = (int)a + 1;
        }
        {
            accs[a].events++;
            accs[a].charged += ch;
            accs[a].before += cost[0];
            accs[a].after += cost[1];
            accs[a].not_rated += !rated[1];
        }
    }
    if (rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "reading the period's usage failed");
    bss_db_rows_close(rows);
    for (size_t a = 0; rc == BSS_OK && a < nacc; a++) {
        wi_sum *s = sum_of(&w.segments, &w.nseg, w.cap, segment_of(db, &w, accs[a].account));
        s->events += accs[a].events;
        s->charged += accs[a].charged;
        s->before += accs[a].before;
        s->after += accs[a].after;
        s->not_rated += accs[a].not_rated;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc == BSS_OK) {
        char f[32], t[32];
        bss_time_format(from_ms, f);
        bss_time_format(to_ms, t);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        *report = json_pack("{s:s, s:s, s:I, s:s, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:I}", "from", f, "to", t,
                            "events", (json_int_t)events, "currency", currency[0] ? currency : "EUR", "charged",
                            bss_money_to_json(charged), "before", bss_money_to_json(before), "after",
                            bss_money_to_json(after), "delta", bss_money_to_json(after - before), "notRatedAfter",
                            (json_int_t)not_rated, "byOffering", rows_json(w.offerings, w.noff, "offering"),
                            "bySegment", rows_json(w.segments, w.nseg, "segment"), "elapsedMicroseconds",
                            (json_int_t)(secs * 1e6));
        if (!*report)
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    bss_free(accs);
    bss_free(ahash);
    bss_free(l);
    bss_free(w.offerings);
    bss_free(w.segments);
    bss_catalog_free(draft);
    return rc;
}
