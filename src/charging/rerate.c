/*
 * rerate.c: re-rating a period after a tariff fix (charging.h
 * bss_usage_rerate; docs/charging.md "Re-rating").
 *
 * One billing account's usage in [from, to), every line of it, is read
 * into memory and rated again under the catalog in force, in time order
 * across the lines so a shared pool is consumed as it was. The buckets
 * start as they are now with everything the period's unbilled usage took
 * from them given back; each event then takes again what its new rating
 * says. A bucket that is no longer active (expired, closed) is taken
 * into memory with exactly what the period took from it, so it can never
 * give more than it gave; its rows are not touched.
 *
 * What changes, per event: an unbilled usage whose charge, price, zone,
 * band or takes (bucket and amount) differ is rewritten, its old rating kept as `previous`,
 * its running totals moved from the old charge line to the new; each
 * active bucket gets one ledger row (reason rerate) with its net change.
 * A billed usage is never changed: it is rated on a copy of the buckets
 * (so the state stays as the bill saw it) and the difference between
 * what it costs now and what its bill and earlier adjustments said is one
 * usage_adjustment row for the next bill. So re-rating twice changes
 * nothing the second time. All of it is one writer job: it is whole or
 * not at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charging/charging_int.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/parse.h"
#include "core/time.h"
#include "customer/customer.h"
#include "doc/doc.h"

#define RR_LINES 256
#define RR_SHOWN 1000 /* changes listed in the report */

typedef struct rr_line {
    bss_charging_line l;
    bool active[BSS_CHARGING_LINE_BUCKETS]; /* a bucket the store has active: its change is written */
    int64_t value0[BSS_CHARGING_LINE_BUCKETS], used0[BSS_CHARGING_LINE_BUCKETS], events[BSS_CHARGING_LINE_BUCKETS];
    int64_t period; /* the bill period used_units counts */
    int64_t nevents, changed, before, after;
} rr_line;

typedef struct rr_take {
    int bucket; /* into the line's buckets */
    int64_t amount;
} rr_take;

typedef struct rr_event {
    char id[BSS_ID_MAX + 1];
    int line;
    bool billed;
    bss_cdr_service service;
    char dest[24], plmn[8];
    int64_t quantity, rating_group, start_ms, period;
    char price[BSS_ID_MAX + 1], zone[64], band[64];
    int64_t rated, covered, charge, wallet, billedm, unpaid;
    char *takes_text, *trace;
    size_t ntakes;
    rr_take takes[BSS_RATE_MAX_TAKES];
} rr_event;

typedef struct rr {
    rr_line *lines[RR_LINES];
    size_t nlines;
    rr_event *ev;
    size_t nev, cap;
} rr;

static bss_db_val S(const char *s)
{
    return s && *s ? BSS_DB_STRN(s, strlen(s)) : BSS_DB_NIL;
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static json_t *time_json(int64_t ms)
{
    char buf[32];
    bss_time_format(ms, buf);
    return json_string(buf);
}

static void rr_free(rr *w)
{
    for (size_t i = 0; i < w->nlines; i++)
        bss_free(w->lines[i]);
    for (size_t i = 0; i < w->nev; i++) {
        bss_free(w->ev[i].takes_text);
        bss_free(w->ev[i].trace);
    }
    bss_free(w->ev);
}

/* ---- reading ---- */

static const char SQL_LINES[] = "SELECT i.value FROM product p JOIN product_identity i ON i.product_id = p.id AND "
                                "i.kind = 'MSISDN' WHERE p.account_id = ? ORDER BY p.id";

static const char SQL_EVENTS[] =
    "SELECT id, status, service, destination, quantity, rating_group, visited_plmn, start_ms, period_start, "
    "price_id, zone, time_band, rated_units, covered_units, charge, wallet, billed, unpaid, takes, trace "
    "FROM usage_record WHERE msisdn = ? AND start_ms >= ? AND start_ms < ? AND product_id = ? AND account_id = ? AND "
    "status IN ('rated', 'recycled', 'billed') ORDER BY start_ms, id";

static int bucket_index(const bss_charging_line *l, const char *id, size_t len)
{
    for (size_t k = 0; k < l->nbuckets; k++)
        if (strlen(l->bucket_ids[k]) == len && memcmp(l->bucket_ids[k], id, len) == 0)
            return (int)k;
    return -1;
}

/* A bucket the store no longer has active, into the line's memory with nothing in it yet. */
static int add_inactive(bss_db *db, rr_line *u, const char *id, size_t len, bss_errinfo *ei, bss_err *rc)
{
    bss_charging_line *l = &u->l;
    char bid[BSS_ID_MAX + 1];
    if (len > BSS_ID_MAX || l->nbuckets >= BSS_CHARGING_LINE_BUCKETS)
        return -1;
    memcpy(bid, id, len);
    bid[len] = '\0';
    bss__bucket b;
    bss_errinfo lei;
    bss_err r = bss__bucket_get(db, bid, &b, &lei);
    if (r == BSS_E_NOT_FOUND)
        return -1;
    if (r != BSS_OK) {
        if (ei)
            *ei = lei;
        *rc = r;
        return -1;
    }
    size_t k = l->nbuckets++;
    copy(l->bucket_ids[k], sizeof l->bucket_ids[k], b.id);
    copy(l->bucket_units[k], sizeof l->bucket_units[k], b.unit);
    l->buckets[k] = (bss_rate_bucket){.service = b.service, .source = b.source, .priority = b.priority,
                                      .valid_from_ms = b.valid_from_ms, .valid_to_ms = b.valid_to_ms, .value = 0,
                                      .initial = b.initial, .used = 0, .unlimited = b.unlimited};
    if (b.price_id[0])
        l->buckets[k].allowance =
            bss_catalog_price(l->cat, b.price_id, b.valid_from_ms == INT64_MIN ? 0 : b.valid_from_ms);
    u->active[k] = false;
    l->line.nbuckets = l->nbuckets;
    return (int)k;
}

/* The takes text of a row into e->takes, the buckets found (or taken in) on the line. */
static bss_err parse_takes(bss_db *db, rr_line *u, rr_event *e, const char *t, bss_errinfo *ei)
{
    bss_err rc = BSS_OK;
    const char *p = t ? t : "", *end = p + strlen(p);
    while (p < end && e->ntakes < BSS_RATE_MAX_TAKES && rc == BSS_OK) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        const char *semi = memchr(p, ';', (size_t)(end - p));
        if (!semi)
            semi = end;
        if (!sp || sp > semi) {
            p = semi + 1;
            continue;
        }
        const char *q = sp + 1;
        int64_t amount = 0;
        if (bss_parse_int64_prefix(&q, semi, BSS_NUM_MINUS, INT64_MIN / 2, INT64_MAX / 2, &amount) == BSS_OK) {
            int k = bucket_index(&u->l, p, (size_t)(sp - p));
            if (k < 0)
                k = add_inactive(db, u, p, (size_t)(sp - p), ei, &rc);
            if (k >= 0)
                e->takes[e->ntakes++] = (rr_take){k, amount};
        }
        p = semi + 1;
    }
    return rc;
}

static const char *col(bss_db_rows *rows, int c)
{
    const char *t = bss_db_col_text(rows, c, NULL);
    return t ? t : "";
}

static bss_err read_line(bss_db *db, rr *w, int li, int64_t from_ms, int64_t to_ms, bss_errinfo *ei)
{
    rr_line *u = w->lines[li];
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_EVENTS,
                              BSS_DB_ARGS(S(u->l.msisdn), BSS_DB_I64(from_ms), BSS_DB_I64(to_ms), S(u->l.product_id),
                                          S(u->l.account_id)),
                              &rows, ei);
    if (rc != BSS_OK)
        return rc;
    size_t first = w->nev;
    while (rc == BSS_OK && bss_db_next(rows)) {
        if (w->nev == BSS_RERATE_MAX_EVENTS) {
            rc = bss_fail(ei, BSS_E_UNPROCESSABLE, "to",
                          "the period holds more than %d usage events: re-rate it in shorter periods",
                          BSS_RERATE_MAX_EVENTS);
            break;
        }
        if (w->nev == w->cap) {
            size_t cap = w->cap ? w->cap * 2 : 256;
            rr_event *n = bss_realloc(w->ev, cap * sizeof *n);
            if (!n) {
                rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
                break;
            }
            w->ev = n;
            w->cap = cap;
        }
        rr_event *e = &w->ev[w->nev++];
        memset(e, 0, sizeof *e);
        copy(e->id, sizeof e->id, col(rows, 0));
        e->line = li;
        e->billed = strcmp(col(rows, 1), "billed") == 0;
        e->service = bss_cdr_service_parse(col(rows, 2));
        copy(e->dest, sizeof e->dest, col(rows, 3));
        e->quantity = bss_db_col_int64(rows, 4);
        e->rating_group = bss_db_col_null(rows, 5) ? -1 : bss_db_col_int64(rows, 5);
        copy(e->plmn, sizeof e->plmn, col(rows, 6));
        e->start_ms = bss_db_col_int64(rows, 7);
        e->period = bss_db_col_int64(rows, 8);
        copy(e->price, sizeof e->price, col(rows, 9));
        copy(e->zone, sizeof e->zone, col(rows, 10));
        copy(e->band, sizeof e->band, col(rows, 11));
        e->rated = bss_db_col_int64(rows, 12);
        e->covered = bss_db_col_int64(rows, 13);
        e->charge = bss_db_col_int64(rows, 14);
        e->wallet = bss_db_col_int64(rows, 15);
        e->billedm = bss_db_col_int64(rows, 16);
        e->unpaid = bss_db_col_int64(rows, 17);
        e->takes_text = bss_strdup(col(rows, 18));
        e->trace = bss_strdup(col(rows, 19));
        if (!e->takes_text || !e->trace)
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    if (rc == BSS_OK)
        rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    /* the buckets named, once the scan is closed (one open result per connection) */
    for (size_t i = first; rc == BSS_OK && i < w->nev; i++)
        rc = parse_takes(db, u, &w->ev[i], w->ev[i].takes_text, ei);
    return rc;
}

static int by_time(const void *a, const void *b)
{
    const rr_event *x = a, *y = b;
    if (x->start_ms != y->start_ms)
        return x->start_ms < y->start_ms ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* ---- rating again ---- */

static const char SQL_UNITS_BEFORE[] =
    "SELECT service, SUM(rated_units) FROM usage_record WHERE msisdn = ? AND start_ms >= ? AND start_ms < ? AND "
    "product_id = ? AND status IN ('rated', 'recycled', 'billed') GROUP BY service";

/* used_units of the period starting at period: what the line rated in it before the re-rated usage. */
static bss_err period_units(bss_db *db, rr_line *u, int64_t period, int64_t from_ms, bss_errinfo *ei)
{
    memset(u->l.line.used_units, 0, sizeof u->l.line.used_units);
    u->period = period;
    if (from_ms <= period)
        return BSS_OK;
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_UNITS_BEFORE,
                              BSS_DB_ARGS(S(u->l.msisdn), BSS_DB_I64(period), BSS_DB_I64(from_ms), S(u->l.product_id)),
                              &rows, ei);
    while (rc == BSS_OK && bss_db_next(rows)) {
        bss_service s = bss_cdr_catalog_service(bss_cdr_service_parse(col(rows, 0)));
        if (s > BSS_SERVICE_NONE && s <= BSS_SERVICE_EVENT)
            u->l.line.used_units[s] += bss_db_col_int64(rows, 1);
    }
    if (rc == BSS_OK)
        rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc;
}

/* Gives back (sign +1) or takes again (-1) an event's old takes, in memory. */
static void give_back(bss_charging_line *l, const rr_event *e, int sign)
{
    for (size_t i = 0; i < e->ntakes; i++) {
        bss_rate_bucket *b = &l->buckets[e->takes[i].bucket];
        if (!b->unlimited || b->service == BSS_SERVICE_NONE)
            b->value += sign * e->takes[i].amount;
        if (b->service != BSS_SERVICE_NONE)
            b->used -= sign * e->takes[i].amount;
    }
}

/* Bucket k of line li changed: the account's other lines that hold it (a shared pool) see the same. */
static void sync_bucket(rr *w, size_t li, int k)
{
    const bss_charging_line *l = &w->lines[li]->l;
    const char *bid = l->bucket_ids[k];
    for (size_t j = 0; j < w->nlines; j++) {
        if (j == li)
            continue;
        bss_charging_line *o = &w->lines[j]->l;
        int m = bucket_index(o, bid, strlen(bid));
        if (m >= 0) {
            o->buckets[m].value = l->buckets[k].value;
            o->buckets[m].used = l->buckets[k].used;
        }
    }
}

/* The same buckets by the same amounts, in the same order. Their before and
 * after values are not compared: they move with everything else the bucket
 * saw (a top-up in between, a billed usage that keeps its take), which does
 * not make this usage's rating different. */
static bool same_takes(const rr_event *e, const bss_rate_result *res)
{
    if (e->ntakes != res->ntakes)
        return false;
    for (size_t i = 0; i < e->ntakes; i++)
        if (e->takes[i].bucket != res->takes[i].bucket || e->takes[i].amount != res->takes[i].amount)
            return false;
    return true;
}

static bool same_rating(const rr_event *e, const bss_rate_result *res)
{
    const char *price = res->price ? bss_price_id(res->price) : "";
    return e->charge == res->charge_micros && e->wallet == res->wallet_micros && e->billedm == res->billed_micros &&
           e->unpaid == res->short_micros && e->rated == res->charge.rated_units && e->covered == res->covered_units &&
           strcmp(e->price, price) == 0 && strcmp(e->zone, res->charge.zone ? res->charge.zone : "") == 0 &&
           strcmp(e->band, res->charge.band ? res->charge.band : "") == 0 && same_takes(e, res);
}

static const char SQL_UPDATE[] =
    "UPDATE usage_record SET price_id = ?, zone = ?, time_band = ?, roaming_zone = ?, rated_units = ?, "
    "covered_units = ?, charge = ?, wallet = ?, billed = ?, unpaid = ?, throttle = ?, trace = ?, takes = ?, "
    "rerate_id = ?, previous = ?, updated_ms = ?, row_version = row_version + 1 "
    "WHERE id = ? AND status IN ('rated', 'recycled')";
static const char SQL_ADJ_SUM[] = "SELECT COALESCE(SUM(amount), 0) FROM usage_adjustment WHERE usage_id = ?";
static const char SQL_ADJ_INSERT[] =
    "INSERT INTO usage_adjustment (id, rerate_id, usage_id, account_id, product_id, period_start, currency, amount, "
    "charge_before, charge_after, status, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)";

static json_t *previous_json(const rr_event *e)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:s, s:s}", "priceId", e->price, "zone", e->zone,
                     "timeBand", e->band, "ratedUnits", (json_int_t)e->rated, "coveredUnits", (json_int_t)e->covered,
                     "charge", bss_money_to_json(e->charge), "fromWallet", bss_money_to_json(e->wallet), "billed",
                     bss_money_to_json(e->billedm), "notCovered", bss_money_to_json(e->unpaid), "takes", e->takes_text,
                     "trace", e->trace);
}

/* An unbilled usage rated otherwise: its row, its running totals moved. */
static bss_err rewrite(bss_db *db, const bss_rerate_env *env, const char *run, const rr_line *u, const rr_event *e,
                       const bss_rate_result *res, const char *takes, bss_errinfo *ei)
{
    char trace[256];
    bss_rate_trace_format(&res->charge, trace, sizeof trace);
    json_t *prev = previous_json(e);
    char *pt = prev ? json_dumps(prev, BSS_JSON_DUMP_FLAGS) : NULL;
    json_decref(prev);
    if (!pt)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    const char *price = res->price ? bss_price_id(res->price) : NULL;
    int64_t changes = 0;
    bss_err rc = bss_db_exec(
        db, SQL_UPDATE,
        BSS_DB_ARGS(S(price), S(res->charge.zone), S(res->charge.band), S(res->charge.roaming_zone),
                    BSS_DB_I64(res->charge.rated_units), BSS_DB_I64(res->covered_units),
                    BSS_DB_I64(res->charge_micros), BSS_DB_I64(res->wallet_micros), BSS_DB_I64(res->billed_micros),
                    BSS_DB_I64(res->short_micros), BSS_DB_I64(res->throttle ? 1 : 0), S(trace), S(takes), S(run),
                    S(pt), BSS_DB_I64(env->now_ms), S(e->id)),
        &changes, ei);
    bss_free(pt);
    if (rc == BSS_OK && changes == 0)
        return bss_fail(ei, BSS_E_CONFLICT, "id", "usage %s changed while it was re-rated: run it again", e->id);
    if (rc != BSS_OK)
        return rc;
    const bss_charging_line *l = &u->l;
    bss__usage_total out = {.account_id = l->account_id, .product_id = l->product_id, .price_id = e->price,
                            .zone = e->zone, .time_band = e->band, .currency = l->currency, .last_usage_id = e->id,
                            .period_start = e->period, .service = e->service, .events = -1, .quantity = -e->quantity,
                            .rated_units = -e->rated, .covered_units = -e->covered, .charge = -e->charge,
                            .wallet = -e->wallet, .billed = -e->billedm, .last_ms = INT64_MIN};
    bss__usage_total in = {.account_id = l->account_id, .product_id = l->product_id, .price_id = price ? price : "",
                           .zone = res->charge.zone, .time_band = res->charge.band, .currency = l->currency,
                           .last_usage_id = e->id, .period_start = e->period, .service = e->service, .events = 1,
                           .quantity = e->quantity, .rated_units = res->charge.rated_units,
                           .covered_units = res->covered_units, .charge = res->charge_micros,
                           .wallet = res->wallet_micros, .billed = res->billed_micros, .last_ms = INT64_MIN};
    rc = bss__usage_total_add(db, &out, env->now_ms, ei);
    return rc == BSS_OK ? bss__usage_total_add(db, &in, env->now_ms, ei) : rc;
}

static json_t *change_json(const rr_line *u, const rr_event *e, const char *status, int64_t before, int64_t after,
                           const char *price_after)
{
    return json_pack("{s:s, s:o, s:s, s:s, s:I, s:s, s:o, s:o, s:o, s:s, s:s}", "usage", e->id, "startTime",
                     time_json(e->start_ms), "msisdn", u->l.msisdn, "service", bss_cdr_service_name(e->service),
                     "quantity", (json_int_t)e->quantity, "status", status, "before", bss_money_to_json(before),
                     "after", bss_money_to_json(after), "delta", bss_money_to_json(after - before), "priceBefore",
                     e->price, "priceAfter", price_after ? price_after : "");
}

typedef struct rr_sum {
    int64_t events, changed, unchanged, not_rated, before, after, nadj, adj;
    json_t *changes;
} rr_sum;

static bss_err rate_all(bss_db *db, const bss_rerate_env *env, const char *run, rr *w, int64_t from_ms, rr_sum *sum,
                        bss_errinfo *ei)
{
    bss_err rc = BSS_OK;
    bss_charging_line *scratch = bss_malloc(sizeof *scratch);
    if (!scratch)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    for (size_t i = 0; rc == BSS_OK && i < w->nev; i++) {
        rr_event *e = &w->ev[i];
        rr_line *u = w->lines[e->line];
        bss_charging_line *l = &u->l;
        if (u->period != e->period && (rc = period_units(db, u, e->period, from_ms, ei)) != BSS_OK)
            break;
        if (e->billed) { /* rated on a copy, as if it had not taken yet: the state stays as the bill saw it */
            memcpy(scratch, l, sizeof *scratch);
            scratch->line.buckets = scratch->buckets;
            give_back(scratch, e, +1);
            l = scratch;
        }
        bss_charging_line_at(l, e->start_ms);
        l->line.overdraft = true; /* usage already spent, as a CDR */
        char visited[8] = "";
        if (strlen(e->plmn) >= 6)
            snprintf(visited, sizeof visited, "%.3s%s", e->plmn, e->plmn + 4);
        bss_rate_input in = {.service = bss_cdr_catalog_service(e->service),
                             .quantity = e->quantity,
                             .destination = e->dest[0] ? e->dest : NULL,
                             .destination_len = strlen(e->dest),
                             .start_ms = e->start_ms,
                             .visited = visited[0] ? visited : NULL,
                             .visited_len = strlen(visited),
                             .rating_group = e->rating_group};
        bss_rate_result res;
        sum->events++;
        u->nevents++;
        if (bss_charging_rate(&l->line, &in, &res) != BSS_OK || !res.price) {
            /* the catalog in force cannot rate it: kept as it was */
            if (!e->billed) {
                give_back(&u->l, e, -1);
                for (size_t t = 0; t < e->ntakes; t++)
                    sync_bucket(w, (size_t)e->line, e->takes[t].bucket);
            }
            bss_service sv = bss_cdr_catalog_service(e->service);
            if (sv > BSS_SERVICE_NONE && sv <= BSS_SERVICE_EVENT)
                u->l.line.used_units[sv] += e->rated;
            sum->not_rated++;
            sum->before += e->charge;
            sum->after += e->charge;
            u->before += e->charge;
            u->after += e->charge;
            continue;
        }
        bss_charging_apply(&l->line, &res);
        const char *price = bss_price_id(res.price);
        int64_t adjusted = 0; /* what earlier re-ratings already put on the next bill */
        if (e->billed && (rc = bss_db_query_int64(db, SQL_ADJ_SUM, BSS_DB_ARGS(S(e->id)), &adjusted, ei)) != BSS_OK)
            break;
        sum->before += e->charge + adjusted;
        sum->after += res.charge_micros;
        u->before += e->charge + adjusted;
        u->after += res.charge_micros;
        if (e->billed) {
            bss_service sv = bss_cdr_catalog_service(e->service);
            if (sv > BSS_SERVICE_NONE && sv <= BSS_SERVICE_EVENT)
                u->l.line.used_units[sv] += e->rated; /* as the bill counted it */
            int64_t amount = res.charge_micros - e->charge - adjusted;
            if (!amount) {
                sum->unchanged++;
                continue;
            }
            sum->nadj++; /* not "changed": its row stays as billed */
            sum->adj += amount;
            if (!env->dry_run) {
                char aid[BSS_ID_LEN + 1];
                bss_id_new(env->now_ms, aid);
                rc = bss_db_exec(db, SQL_ADJ_INSERT,
                                 BSS_DB_ARGS(S(aid), S(run), S(e->id), S(u->l.account_id), S(u->l.product_id),
                                             BSS_DB_I64(e->period), S(u->l.currency), BSS_DB_I64(amount),
                                             BSS_DB_I64(e->charge + adjusted), BSS_DB_I64(res.charge_micros),
                                             BSS_DB_I64(env->now_ms)),
                                 NULL, ei);
            }
            if (json_array_size(sum->changes) < RR_SHOWN)
                json_array_append_new(sum->changes,
                                      change_json(u, e, "adjusted", e->charge + adjusted, res.charge_micros, price));
            continue;
        }
        for (size_t t = 0; t < res.ntakes; t++) {
            sync_bucket(w, (size_t)e->line, res.takes[t].bucket);
            u->events[res.takes[t].bucket]++;
        }
        for (size_t t = 0; t < e->ntakes; t++)
            u->events[e->takes[t].bucket]++;
        if (same_rating(e, &res)) {
            sum->unchanged++;
            continue;
        }
        sum->changed++;
        u->changed++;
        char takes[BSS__USAGE_TAKES_MAX]; /* the row's text, made only for a row that is rewritten */
        if (!env->dry_run)
            bss__usage_takes_text(l, &res, takes, sizeof takes);
        if (!env->dry_run && (rc = rewrite(db, env, run, u, e, &res, takes, ei)) != BSS_OK)
            break;
        if (json_array_size(sum->changes) < RR_SHOWN)
            json_array_append_new(sum->changes, change_json(u, e, "rerated", e->charge, res.charge_micros, price));
    }
    bss_free(scratch);
    return rc;
}

/* ---- the run ---- */

static const char SQL_RUN_INSERT[] =
    "INSERT INTO usage_rerate (id, account_id, from_ms, to_ms, report, created_ms) VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_RUN_GET[] = "SELECT report FROM usage_rerate WHERE id = ?";

bss_err bss_usage_rerate_get(bss_db *db, const char *id, json_t **report, bss_errinfo *ei)
{
    *report = NULL;
    if (!id || !bss_id_valid(id, strlen(id)))
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "no re-rating with id %.64s", id ? id : "");
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_RUN_GET, BSS_DB_ARGS(S(id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows)) {
        const char *t = col(rows, 0);
        rc = bss_json_parse(t, strlen(t), report, ei);
    } else if ((rc = bss_db_rows_error(rows)) == BSS_OK)
        rc = bss_fail(ei, BSS_E_NOT_FOUND, "id", "no re-rating with id %s", id);
    bss_db_rows_close(rows);
    return rc;
}

static bss_err load_lines(bss_db *db, const bss_catalog *cat, const bss_rerate_env *env, const char *account, rr *w,
                          bss_errinfo *ei)
{
    char msisdn[RR_LINES][16];
    size_t n = 0;
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_LINES, BSS_DB_ARGS(S(account)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        if (n == RR_LINES) {
            rc = bss_fail(ei, BSS_E_UNPROCESSABLE, "account",
                          "account %s has more than %d lines: re-rating takes at most that many at once", account,
                          RR_LINES);
            break;
        }
        copy(msisdn[n++], sizeof msisdn[0], col(rows, 0));
    }
    if (rc == BSS_OK)
        rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    for (size_t i = 0; rc == BSS_OK && i < n; i++) {
        rr_line *u = bss_calloc(1, sizeof *u);
        if (!u)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        bss_errinfo lei;
        bss_err lr = bss_charging_line_load(db, cat, msisdn[i], env->now_ms, &u->l, &lei);
        if (lr == BSS_E_NOT_FOUND || lr == BSS_E_INVALID || (lr == BSS_OK && strcmp(u->l.account_id, account) != 0)) {
            bss_free(u); /* a line the catalog no longer knows, or another account's now */
            continue;
        }
        if (lr != BSS_OK) {
            bss_free(u);
            if (ei)
                *ei = lei;
            return lr;
        }
        for (size_t k = 0; k < u->l.nbuckets; k++) {
            u->active[k] = true;
            u->value0[k] = u->l.buckets[k].value;
            u->used0[k] = u->l.buckets[k].used;
        }
        u->period = INT64_MIN;
        w->lines[w->nlines++] = u;
    }
    return rc;
}

static json_t *report_json(const char *run, const char *account, const bss_rerate_env *env, int64_t from_ms,
                           int64_t to_ms, const rr *w, rr_sum *sum, json_t *buckets)
{
    json_t *lines = json_array();
    for (size_t i = 0; i < w->nlines; i++) {
        const rr_line *u = w->lines[i];
        if (!u->nevents)
            continue;
        json_array_append_new(lines, json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:o}", "product", u->l.product_id,
                                               "msisdn", u->l.msisdn, "events", (json_int_t)u->nevents, "changed",
                                               (json_int_t)u->changed, "before", bss_money_to_json(u->before),
                                               "after", bss_money_to_json(u->after), "delta",
                                               bss_money_to_json(u->after - u->before)));
    }
    const char *cur = w->nlines ? w->lines[0]->l.currency : "EUR";
    json_t *r = json_pack("{s:s, s:s, s:o, s:o, s:b, s:I, s:I, s:I, s:I, s:s, s:o, s:o, s:o, s:{s:I, s:o}, s:o, "
                          "s:o, s:o, s:o}",
                          "id", run, "account", account, "from", time_json(from_ms), "to", time_json(to_ms),
                          "dryRun", env->dry_run, "events", (json_int_t)sum->events, "changed",
                          (json_int_t)sum->changed, "unchanged", (json_int_t)sum->unchanged, "notRated",
                          (json_int_t)sum->not_rated, "currency", cur, "before", bss_money_to_json(sum->before),
                          "after", bss_money_to_json(sum->after), "delta", bss_money_to_json(sum->after - sum->before),
                          "adjustments", "count", (json_int_t)sum->nadj, "amount", bss_money_to_json(sum->adj),
                          "byLine", lines, "buckets", buckets, "changes", sum->changes, "ratedAt",
                          time_json(env->now_ms));
    sum->changes = NULL;
    return r;
}

bss_err bss_usage_rerate(bss_db *db, const bss_catalog *cat, const bss_rerate_env *env, const char *account_id,
                         int64_t from_ms, int64_t to_ms, json_t **report, bool *replayed, bss_errinfo *ei)
{
    *report = NULL;
    *replayed = false;
    if (!cat)
        return bss_fail(ei, BSS_E_UNSUPPORTED, NULL, "the catalog is not loaded yet: try again");
    if (!account_id || !*account_id || strlen(account_id) > BSS_ID_MAX)
        return bss_fail(ei, BSS_E_INVALID, "account", "account is the billing account's id");
    if (to_ms <= from_ms || to_ms - from_ms > INT64_C(400) * 86400000)
        return bss_fail(ei, BSS_E_INVALID, "to", "the period is from < to, at most 400 days");
    json_t *acct = NULL;
    bss_err rc = bss_doc_load(db, &bss_billing_account_kind, account_id, &acct, NULL, NULL);
    json_decref(acct);
    if (rc == BSS_E_NOT_FOUND)
        return bss_fail(ei, BSS_E_NOT_FOUND, "account", "no billing account with id %s", account_id);
    if (rc != BSS_OK)
        return bss_fail(ei, rc, "account", "reading billing account %s failed", account_id);
    char hash[65] = "", first[BSS_ID_MAX + 1] = "";
    if (!env->dry_run) {
        if (!env->idem_key || !*env->idem_key)
            return bss_fail(ei, BSS_E_INVALID, "Idempotency-Key",
                            "re-rating changes money: it needs an Idempotency-Key header (1..128 printable "
                            "characters), or dryRun");
        json_t *req = json_pack("{s:s, s:I, s:I}", "account", account_id, "from", (json_int_t)from_ms, "to",
                                (json_int_t)to_ms);
        rc = req ? bss__idempotency(db, "rerate", env->idem_key, req, hash, first, ei)
                 : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        json_decref(req);
        if (rc != BSS_OK)
            return rc;
        if (first[0]) {
            *replayed = true;
            return bss_usage_rerate_get(db, first, report, ei);
        }
    }
    char run[BSS_ID_LEN + 1];
    bss_id_new(env->now_ms, run);
    rr w;
    memset(&w, 0, sizeof w);
    rr_sum sum = {.changes = json_array()};
    json_t *buckets = json_array();
    if (!sum.changes || !buckets)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (rc == BSS_OK)
        rc = load_lines(db, cat, env, account_id, &w, ei);
    for (size_t i = 0; rc == BSS_OK && i < w.nlines; i++)
        rc = read_line(db, &w, (int)i, from_ms, to_ms, ei);
    if (rc == BSS_OK) {
        qsort(w.ev, w.nev, sizeof *w.ev, by_time);
        /* every unbilled take given back; a shared bucket is given back on every line that holds it */
        for (size_t i = 0; i < w.nev; i++) {
            if (w.ev[i].billed)
                continue;
            rr_line *u = w.lines[w.ev[i].line];
            for (size_t t = 0; t < w.ev[i].ntakes; t++) {
                const char *bid = u->l.bucket_ids[w.ev[i].takes[t].bucket];
                for (size_t j = 0; j < w.nlines; j++) {
                    rr_line *o = w.lines[j];
                    int m = (size_t)w.ev[i].line == j ? w.ev[i].takes[t].bucket : bucket_index(&o->l, bid, strlen(bid));
                    if (m < 0)
                        continue;
                    bss_rate_bucket *b = &o->l.buckets[m];
                    if (!b->unlimited || b->service == BSS_SERVICE_NONE)
                        b->value += w.ev[i].takes[t].amount;
                    if (b->service != BSS_SERVICE_NONE)
                        b->used -= w.ev[i].takes[t].amount;
                }
            }
        }
        /* a bucket no longer active holds just what the period took from it */
        for (size_t i = 0; i < w.nlines; i++)
            for (size_t k = 0; k < w.lines[i]->l.nbuckets; k++)
                if (!w.lines[i]->active[k] && w.lines[i]->l.buckets[k].used < 0)
                    w.lines[i]->l.buckets[k].used = 0;
        rc = rate_all(db, env, run, &w, from_ms, &sum, ei);
    }
    /* each active bucket's net change: one ledger row (a shared one once) */
    for (size_t i = 0; rc == BSS_OK && i < w.nlines; i++) {
        rr_line *u = w.lines[i];
        for (size_t k = 0; rc == BSS_OK && k < u->l.nbuckets; k++) {
            const char *bid = u->l.bucket_ids[k];
            bool seen = false;
            for (size_t j = 0; j < i && !seen; j++)
                seen = bucket_index(&w.lines[j]->l, bid, strlen(bid)) >= 0;
            int64_t dv = u->l.buckets[k].value - u->value0[k], du = u->l.buckets[k].used - u->used0[k];
            /* a bucket no longer active is not written: what the period took from it stays taken */
            if (seen || !u->active[k] || (!dv && !du))
                continue;
            json_array_append_new(buckets, json_pack("{s:s, s:o, s:b}", "bucket", bid, "delta",
                                                     u->l.buckets[k].service == BSS_SERVICE_NONE
                                                         ? bss_money_to_json(dv)
                                                         : json_integer(dv ? dv : -du),
                                                     "written", !env->dry_run));
            if (env->dry_run)
                continue;
            bss__ledger_src src = {.reason = "rerate", .source_kind = "rerate", .source_id = run,
                                   .events = u->events[k]};
            rc = bss__bucket_change(db, bid, dv, du, &src, env->now_ms, NULL, ei);
        }
    }
    if (rc == BSS_OK) {
        *report = report_json(run, account_id, env, from_ms, to_ms, &w, &sum, buckets);
        buckets = NULL;
        if (!*report)
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    if (rc == BSS_OK && !env->dry_run) {
        char *t = json_dumps(*report, BSS_JSON_DUMP_FLAGS);
        rc = t ? bss_db_exec(db, SQL_RUN_INSERT,
                             BSS_DB_ARGS(S(run), S(account_id), BSS_DB_I64(from_ms), BSS_DB_I64(to_ms), S(t),
                                         BSS_DB_I64(env->now_ms)),
                             NULL, ei)
               : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        bss_free(t);
        if (rc == BSS_OK)
            rc = bss__request_insert(db, "rerate", env->idem_key, hash, run, env->now_ms, ei);
    }
    if (rc != BSS_OK) {
        json_decref(*report);
        *report = NULL;
    }
    json_decref(buckets);
    json_decref(sum.changes);
    rr_free(&w);
    return rc;
}
