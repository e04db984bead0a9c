/*
 * cycle.c: buckets across bill cycles (charging.h bss_charging_renew;
 * docs/charging.md "Renewal and rollover").
 *
 * An allowance bucket that renews each cycle gets its successor a day
 * before it ends: the same allowance, valid from its end to the end of the
 * next bill period (or for its days), so usage at the first second of a
 * cycle is never rated against nothing. When the bucket ends, what is left
 * expires (a ledger row) and, when the allowance rolls over, up to its cap
 * moves into the successor (a ledger row "rollover" there). Buckets that do
 * not renew, or whose product is no longer active, just expire. Idempotent:
 * a successor is found by its price and start, an expired bucket is not
 * read again, so a retried or repeated run changes nothing twice.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "catalog/catalog.h"
#include "charging/charging_int.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/time.h"
#include "customer/customer.h"
#include "order/order.h"

#define DAY_MS INT64_C(86400000)
#define RENEW_LEAD_MS DAY_MS /* successors are made this long before their bucket ends */
#define RENEW_BATCH 200

static bss_db_val S(const char *s)
{
    return s && *s ? BSS_DB_STRN(s, strlen(s)) : BSS_DB_NIL;
}

static const char SQL_ENDING[] = "SELECT id FROM bucket WHERE status = 'active' AND valid_to IS NOT NULL AND "
                                 "valid_to <= ? ORDER BY valid_to, id LIMIT ?";
static const char SQL_SUCCESSOR[] = "SELECT id FROM bucket WHERE price_id = ? AND valid_from = ? AND "
                                    "COALESCE(product_id, '') = ? AND account_id = ? AND status = 'active'";

static bss_err successor_of(bss_db *db, const bss__bucket *b, char id[BSS_ID_MAX + 1], bss_errinfo *ei)
{
    id[0] = '\0';
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_SUCCESSOR,
                              BSS_DB_ARGS(S(b->price_id), BSS_DB_I64(b->valid_to_ms),
                                          BSS_DB_STRN(b->product_id, strlen(b->product_id)), S(b->account_id)),
                              &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows))
        snprintf(id, BSS_ID_MAX + 1, "%s", bss_db_col_text(rows, 0, NULL) ?: "");
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc;
}

/* Whether the bucket's product is still live and active (a shared pool: its account has an active product). */
static bool product_active(bss_db *db, const bss__bucket *b)
{
    if (!b->product_id[0])
        return true;
    json_t *p = NULL;
    bool ok = bss_doc_load(db, &bss_product_kind, b->product_id, &p, NULL, NULL) == BSS_OK &&
              json_string_value(json_object_get(p, "status")) &&
              strcmp(json_string_value(json_object_get(p, "status")), "active") == 0;
    json_decref(p);
    return ok;
}

static int64_t next_end(bss_db *db, const bss__bucket *b, const bss_bucket_template *t)
{
    if (t->validity_days > 0)
        return b->valid_to_ms + t->validity_days * DAY_MS;
    int day = 1;
    json_t *acc = NULL;
    if (bss_doc_load(db, &bss_billing_account_kind, b->account_id, &acc, NULL, NULL) == BSS_OK) {
        json_t *d = json_object_get(acc, "billCycleDay");
        if (json_is_integer(d) && json_integer_value(d) >= 1 && json_integer_value(d) <= 28)
            day = (int)json_integer_value(d);
    }
    json_decref(acc);
    int64_t start = 0, end = 0;
    bss_bill_period(b->valid_to_ms, day, &start, &end);
    return end > b->valid_to_ms ? end : b->valid_to_ms + 30 * DAY_MS;
}

/* One bucket ending by now + lead: its successor; when it has ended, its expiry and rollover. */
static bss_err cycle_one(bss_db *db, const bss_catalog *cat, const char *id, int64_t now_ms, bss_charging_renewal *out,
                         bss_errinfo *ei)
{
    bss__bucket b;
    bss_err rc = bss__bucket_get(db, id, &b, ei);
    if (rc != BSS_OK)
        return rc;
    const bss_price *pr = b.price_id[0] && cat ? bss_catalog_price(cat, b.price_id, b.valid_to_ms) : NULL;
    bss_bucket_template t;
    bool renews = pr && bss_rate_allowance(pr, &t) == BSS_OK && t.renew_each_cycle && product_active(db, &b);
    char next[BSS_ID_MAX + 1] = "";
    if (renews && (rc = successor_of(db, &b, next, ei)) != BSS_OK)
        return rc;
    if (renews && !next[0]) {
        bss__bucket n = b;
        bss_id_new(now_ms, n.id);
        n.value = t.unlimited ? 0 : t.units;
        n.initial = n.value;
        n.used = 0;
        n.unlimited = t.unlimited;
        n.valid_from_ms = b.valid_to_ms;
        n.valid_to_ms = next_end(db, &b, &t);
        snprintf(n.status, sizeof n.status, "active");
        bss__ledger_src src = {.reason = "renewal", .source_kind = "bucket", .source_id = b.id};
        if ((rc = bss__bucket_insert(db, &n, NULL, &src, now_ms, ei)) != BSS_OK)
            return rc;
        snprintf(next, sizeof next, "%s", n.id);
        out->renewed++;
    }
    if (b.valid_to_ms > now_ms)
        return BSS_OK; /* not ended yet: its successor waits */
    int64_t left = b.unlimited ? 0 : b.value;
    int64_t carry = renews && next[0] && t.rollover && left > 0 ? (t.rollover_cap > 0 && left > t.rollover_cap ? t.rollover_cap : left) : 0;
    if (left != 0) {
        bss__ledger_src src = {.reason = "expiry", .source_kind = "cycle", .source_id = next[0] ? next : NULL};
        if ((rc = bss__bucket_change(db, b.id, -left, 0, &src, now_ms, NULL, ei)) != BSS_OK)
            return rc;
    }
    if ((rc = bss__bucket_set_status(db, b.id, "expired", now_ms, ei)) != BSS_OK)
        return rc;
    out->expired++;
    if (carry > 0) {
        bss__ledger_src src = {.reason = "rollover", .source_kind = "bucket", .source_id = b.id};
        if ((rc = bss__bucket_change(db, next, carry, 0, &src, now_ms, NULL, ei)) != BSS_OK ||
            (rc = bss_db_exec(db, "UPDATE bucket SET initial_value = initial_value + ? WHERE id = ?",
                              BSS_DB_ARGS(BSS_DB_I64(carry), S(next)), NULL, ei)) != BSS_OK)
            return rc;
        bss_db_changed(db, BSS__BUCKET_TABLE, next, NULL);
        out->rolled_over += carry;
    }
    return BSS_OK;
}

bss_err bss_charging_renew(bss_db *db, const bss_catalog *cat, int64_t now_ms, bss_charging_renewal *out,
                           bss_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    json_t *ids = json_array();
    if (!ids)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_ENDING, BSS_DB_ARGS(BSS_DB_I64(now_ms + RENEW_LEAD_MS), BSS_DB_I64(RENEW_BATCH)),
                              &rows, ei);
    while (rc == BSS_OK && bss_db_next(rows))
        json_array_append_new(ids, json_string(bss_db_col_text(rows, 0, NULL) ?: ""));
    if (rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "reading the buckets that end failed");
    bss_db_rows_close(rows);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        if (rc != BSS_OK)
            break;
        rc = cycle_one(db, cat, json_string_value(v), now_ms, out, ei);
    }
    out->more = json_array_size(ids) == RENEW_BATCH && (out->renewed || out->expired); /* progress: go on at once */
    json_decref(ids);
    return rc;
}

/* ---- the runner: every few seconds, on the writer ---- */

struct bss_charging_cycle {
    bss_app *app;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    int64_t every_ms;
};

typedef struct renew_job {
    bss_app *app;
    bss_charging_renewal r;
    int swept, purged_holds, purged_answers;
} renew_job;

static bss_err renew_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    renew_job *j = arg;
    bss_catalog_holder *h = j->app->catalog;
    const bss_catalog *cat = h ? bss_catalog_acquire(h) : NULL;
    if (!cat)
        return BSS_OK; /* not built yet: the next round */
    int64_t now = bss_clock_now(&j->app->clock);
    bss_err rc = bss_charging_renew(db, cat, now, &j->r, ei);
    /* sessions the network forgot: closed once their grant lapsed and a holding time more passed */
    bss_cc_env env = {.cat = cat, .now_ms = now, .base_url = j->app->base_url};
    if (rc == BSS_OK)
        rc = bss_cc_sweep(db, &env, now - j->app->cfg.quota_validity_s * 1000, &j->swept, ei);
    /* and what sessions leave behind: a full batch goes on at once (its own job) */
    if (rc == BSS_OK && (rc = bss_cc_purge(db, now, &j->purged_holds, &j->purged_answers, ei)) == BSS_OK &&
        (j->purged_holds == BSS_CC_PURGE_BATCH || j->purged_answers == BSS_CC_PURGE_BATCH))
        j->r.more = true;
    bss_catalog_release(h, cat);
    return rc;
}

static void *cycle_main(void *arg)
{
    struct bss_charging_cycle *c = arg;
    for (;;) {
        pthread_mutex_lock(&c->mu);
        bool stop = c->stop;
        pthread_mutex_unlock(&c->mu);
        if (stop)
            break;
        renew_job j = {.app = c->app};
        bss_errinfo ei;
        bss_errinfo_clear(&ei);
        if (bss_writer_run(c->app->writer, renew_run, &j, &ei) != BSS_OK)
            bss_log(BSS_LOG_ERROR, "charging.renewal.failed", "error", ei.message, NULL);
        else if (j.swept) {
            char n[24];
            snprintf(n, sizeof n, "%d", j.swept);
            bss_log(BSS_LOG_INFO, "charging.sessions.closed", "idle", n, NULL);
        }
        if (j.purged_holds || j.purged_answers) {
            char h[24], a[24];
            snprintf(h, sizeof h, "%d", j.purged_holds);
            snprintf(a, sizeof a, "%d", j.purged_answers);
            bss_log(BSS_LOG_DEBUG, "charging.sessions.purged", "holds", h, "answers", a, NULL);
        }
        if (j.r.renewed || j.r.expired) {
            char a[24], b[24], r[24];
            snprintf(a, sizeof a, "%d", j.r.renewed);
            snprintf(b, sizeof b, "%d", j.r.expired);
            snprintf(r, sizeof r, "%lld", (long long)j.r.rolled_over);
            bss_log(BSS_LOG_INFO, "charging.renewal", "renewed", a, "expired", b, "rolledOverUnits", r, NULL);
        }
        pthread_mutex_lock(&c->mu);
        if (!c->stop && !j.r.more) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += c->every_ms / 1000;
            ts.tv_nsec += (long)(c->every_ms % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&c->cv, &c->mu, &ts);
        }
        pthread_mutex_unlock(&c->mu);
    }
    return NULL;
}

bss_err bss_charging_cycle_start(bss_app *app, int64_t every_ms, bss_charging_cycle **out, bss_errinfo *ei)
{
    *out = NULL;
    struct bss_charging_cycle *c = bss_calloc(1, sizeof *c);
    if (!c)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    c->app = app;
    c->every_ms = every_ms > 0 ? every_ms : 5000;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    if (pthread_create(&c->thread, NULL, cycle_main, c) != 0) {
        pthread_mutex_destroy(&c->mu);
        pthread_cond_destroy(&c->cv);
        bss_free(c);
        return bss_fail(ei, BSS_E_INTERNAL, NULL, "cannot start the bucket renewal thread");
    }
    *out = c;
    return BSS_OK;
}

void bss_charging_cycle_stop(bss_charging_cycle *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stop = true;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    bss_free(c);
}
