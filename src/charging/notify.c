/*
 * notify.c: thresholds and notifications (charging.h; docs/charging.md
 * "Thresholds and notifications").
 *
 * Inside the writer job that rated an event: each allowance bucket whose
 * 50, 80 or 100 percent the event crossed, and each postpaid account whose
 * billed usage this bill period reached the bill-shock amount, gets one
 * notification row (once per cause: a unique key) and one outbox event, in
 * the same transaction as the usage. After the commit, the notifier thread
 * hands pending notifications to the adapter (the default writes one JSON
 * line per message to a log file) and marks them sent: at least once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "charging/charging_int.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/time.h"
#include "events/events.h"

static bss_db_val S(const char *s)
{
    return s && *s ? BSS_DB_STRN(s, strlen(s)) : BSS_DB_NIL;
}

static const char SQL_NOTE[] =
    "INSERT INTO charging_notification (id, dedup_key, kind, msisdn, account_id, bucket_id, threshold, channel, "
    "recipient, message, status, attempts, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?) "
    "ON CONFLICT (dedup_key) DO NOTHING";

/* "6000 s" as people read it: minutes, messages, MB. */
static void amount_text(bss_service s, int64_t v, char *buf, size_t cap)
{
    if (s == BSS_SERVICE_VOICE)
        snprintf(buf, cap, "%lld min", (long long)(v / 60));
    else if (s == BSS_SERVICE_DATA)
        snprintf(buf, cap, "%lld MB", (long long)(v / 1048576));
    else if (s == BSS_SERVICE_SMS)
        snprintf(buf, cap, "%lld SMS", (long long)v);
    else
        snprintf(buf, cap, "%lld", (long long)v);
}

static const char *service_words(bss_service s)
{
    return s == BSS_SERVICE_VOICE ? "calls" : s == BSS_SERVICE_DATA ? "data" : s == BSS_SERVICE_SMS ? "SMS" : "events";
}

static bss_err note(bss_db *db, const char *key, const char *kind, const char *msisdn, const char *account,
                    const char *bucket, int64_t threshold, const char *channel, const char *recipient,
                    const char *message, int64_t now_ms, bool *inserted, bss_errinfo *ei)
{
    char id[BSS_ID_LEN + 1];
    bss_id_new(now_ms, id);
    int64_t changes = 0;
    bss_err rc = bss_db_exec(db, SQL_NOTE,
                             BSS_DB_ARGS(S(id), S(key), S(kind), S(msisdn), S(account), S(bucket),
                                         BSS_DB_I64(threshold), S(channel), S(recipient), S(message),
                                         BSS_DB_I64(now_ms)),
                             &changes, ei);
    *inserted = rc == BSS_OK && changes == 1;
    return rc;
}

bss_err bss__thresholds(bss_db *db, const bss_charging_line *l, const bss_rate_result *res, const char *base_url,
                        int64_t now_ms, bss_errinfo *ei)
{
    static const int pct[] = {50, 80, 100};
    for (size_t i = 0; i < res->ntakes; i++) {
        const bss_rate_take *t = &res->takes[i];
        const bss_rate_bucket *b = &l->buckets[t->bucket];
        if (!t->crossed || b->service == BSS_SERVICE_NONE)
            continue;
        for (int k = 0; k < 3; k++) {
            if (!(t->crossed & (1u << k)))
                continue;
            char key[BSS_ID_MAX + 16], msg[256], total[32], left[32];
            snprintf(key, sizeof key, "%s:%d", l->bucket_ids[t->bucket], pct[k]);
            amount_text(b->service, b->initial, total, sizeof total);
            amount_text(b->service, t->after > 0 ? t->after : 0, left, sizeof left);
            if (pct[k] == 100)
                snprintf(msg, sizeof msg, "You have used all %s of your %s allowance; more is charged at your plan's rates.",
                         total, service_words(b->service));
            else
                snprintf(msg, sizeof msg, "You have used %d%% of your %s of %s; %s left.", pct[k], total,
                         service_words(b->service), left);
            bool inserted = false;
            bss_err rc = note(db, key, "usageThreshold", l->msisdn, l->account_id, l->bucket_ids[t->bucket], pct[k],
                              "sms", l->msisdn, msg, now_ms, &inserted, ei);
            if (rc != BSS_OK)
                return rc;
            if (!inserted)
                continue; /* told already (a session re-rated, a file sent again) */
            char href[1024];
            snprintf(href, sizeof href, "%s%s/bucket/%s", base_url ? base_url : "", BSS_TMF654_BASE,
                     l->bucket_ids[t->bucket]);
            json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:{s:I, s:s}, s:i, s:{s:s}, s:{s:s}, s:{s:s}}", "id",
                                  l->bucket_ids[t->bucket], "href", href, "@type", "Bucket", "usageType",
                                  bss__usage_type_name(b->service), "remainedAmount", "amount",
                                  (json_int_t)(t->after > 0 ? t->after : 0), "units", l->bucket_units[t->bucket],
                                  "thresholdReached", pct[k], "product", "id", l->product_id, "partyAccount", "id",
                                  l->account_id, "logicalResource", "id", l->msisdn);
            if (!r)
                return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
            rc = bss_outbox_add(db, now_ms, "prepayBalanceManagement", "BucketThresholdReachedEvent", "bucket", r, ei);
            json_decref(r);
            if (rc != BSS_OK)
                return rc;
        }
    }
    return BSS_OK;
}

static const char SQL_BILLED[] =
    "SELECT COALESCE(SUM(billed), 0) FROM usage_total WHERE account_id = ? AND period_start = ?";

bss_err bss__bill_shock(bss_db *db, const bss_charging_line *l, int64_t period_start, int64_t limit_micros,
                        const char *base_url, int64_t now_ms, bss_errinfo *ei)
{
    if (limit_micros <= 0 || l->line.prepaid)
        return BSS_OK;
    int64_t billed = 0;
    bss_err rc = bss_db_query_int64(db, SQL_BILLED, BSS_DB_ARGS(S(l->account_id), BSS_DB_I64(period_start)), &billed,
                                    ei);
    if (rc != BSS_OK || billed < limit_micros)
        return rc;
    char key[BSS_ID_MAX + 48], msg[256], amount[32], lim[32], start[32];
    bss_time_format(period_start, start);
    snprintf(key, sizeof key, "billShock:%s:%lld", l->account_id, (long long)period_start);
    bss_money_format(billed, amount);
    bss_money_format(limit_micros, lim);
    snprintf(msg, sizeof msg, "Your usage this bill period has reached %s %s (alert at %s %s).", amount, l->currency,
             lim, l->currency);
    bool inserted = false;
    if ((rc = note(db, key, "billShock", l->msisdn, l->account_id, NULL, limit_micros, "sms", l->msisdn, msg, now_ms,
                   &inserted, ei)) != BSS_OK ||
        !inserted)
        return rc;
    char href[1024];
    snprintf(href, sizeof href, "%s/tmf-api/accountManagement/v4/billingAccount/%s", base_url ? base_url : "",
             l->account_id);
    json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:o}, s:{s:s, s:o}}", "id", l->account_id, "href", href,
                          "@type", "BillingAccount", "billPeriodStart", start, "billedUsage", "unit", l->currency,
                          "value", bss_money_to_json(billed), "billShockAmount", "unit", l->currency, "value",
                          bss_money_to_json(limit_micros));
    if (!r)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    rc = bss_outbox_add(db, now_ms, "usageManagement", "UsageBillShockEvent", "billingAccount", r, ei);
    json_decref(r);
    return rc;
}

/* ---- the notifier: pending notifications to the adapter ---- */

struct bss_notifier {
    bss_app *app;
    char path[1024];
    bss_db *db;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

static const char SQL_PENDING[] = "SELECT id, kind, channel, recipient, message, msisdn, threshold, created_ms FROM "
                                  "charging_notification WHERE status = 'pending' ORDER BY created_ms, threshold, id LIMIT 200";
static const char SQL_SENT[] =
    "UPDATE charging_notification SET status = ?, attempts = attempts + 1, sent_ms = ? WHERE id = ?";

typedef struct sent_job {
    char ids[200][BSS_ID_LEN + 1];
    size_t n;
    const char *status;
    int64_t now_ms;
} sent_job;

static bss_err mark_sent(bss_db *db, void *arg, bss_errinfo *ei)
{
    sent_job *j = arg;
    for (size_t i = 0; i < j->n; i++) {
        bss_err rc = bss_db_exec(db, SQL_SENT, BSS_DB_ARGS(S(j->status), BSS_DB_I64(j->now_ms), S(j->ids[i])), NULL, ei);
        if (rc != BSS_OK)
            return rc;
    }
    return BSS_OK;
}

/* One round: the pending ones to the log adapter; the number sent. */
static size_t round_once(struct bss_notifier *n)
{
    bss_db_rows *rows = NULL;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    if (bss_db_query(n->db, SQL_PENDING, NULL, 0, &rows, &ei) != BSS_OK)
        return 0;
    sent_job *j = bss_calloc(1, sizeof *j);
    FILE *f = fopen(n->path, "a");
    while (j && bss_db_next(rows) && j->n < 200) {
        if (!f)
            continue;
        json_t *line = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id", bss_db_col_text(rows, 0, NULL) ?: "",
                                 "kind", bss_db_col_text(rows, 1, NULL) ?: "", "channel",
                                 bss_db_col_text(rows, 2, NULL) ?: "", "to", bss_db_col_text(rows, 3, NULL) ?: "",
                                 "message", bss_db_col_text(rows, 4, NULL) ?: "", "msisdn",
                                 bss_db_col_text(rows, 5, NULL) ?: "", "threshold",
                                 (json_int_t)bss_db_col_int64(rows, 6));
        char *text = line ? json_dumps(line, BSS_JSON_DUMP_FLAGS) : NULL;
        if (text && fprintf(f, "%s\n", text) > 0)
            snprintf(j->ids[j->n++], sizeof j->ids[0], "%s", bss_db_col_text(rows, 0, NULL) ?: "");
        bss_free(text);
        json_decref(line);
    }
    bss_db_rows_close(rows);
    if (f && fflush(f) != 0)
        j->n = 0; /* not written: tried again */
    if (f)
        fclose(f);
    else
        bss_log(BSS_LOG_ERROR, "charging.notify.failed", "file", n->path, "error", strerror(errno), NULL);
    size_t sent = j ? j->n : 0;
    if (j && j->n) {
        j->status = "sent";
        j->now_ms = bss_clock_now(&n->app->clock);
        if (bss_writer_run(n->app->writer, mark_sent, j, &ei) != BSS_OK)
            bss_log(BSS_LOG_ERROR, "charging.notify.failed", "error", ei.message, NULL);
    }
    bss_free(j);
    return sent;
}

static void *notifier_main(void *arg)
{
    struct bss_notifier *n = arg;
    for (;;) {
        pthread_mutex_lock(&n->mu);
        bool stop = n->stop;
        pthread_mutex_unlock(&n->mu);
        if (stop)
            break;
        size_t sent = round_once(n);
        pthread_mutex_lock(&n->mu);
        if (!n->stop && sent < 200) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 500000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&n->cv, &n->mu, &ts);
        }
        pthread_mutex_unlock(&n->mu);
    }
    return NULL;
}

bss_err bss_notifier_start(bss_app *app, const char *log_path, bss_notifier **out, bss_errinfo *ei)
{
    *out = NULL;
    struct bss_notifier *n = bss_calloc(1, sizeof *n);
    if (!n)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    n->app = app;
    snprintf(n->path, sizeof n->path, "%s", log_path);
    FILE *f = fopen(n->path, "a");
    if (!f) {
        bss_free(n);
        return bss_fail(ei, BSS_E_CONFIG, "notify-log", "cannot write %.200s: %s", log_path, strerror(errno));
    }
    fclose(f);
    pthread_mutex_init(&n->mu, NULL);
    pthread_cond_init(&n->cv, NULL);
    bss_err rc = bss_db_open(app->cfg.db_url, &app->dbopt, &n->db, ei);
    if (rc == BSS_OK && pthread_create(&n->thread, NULL, notifier_main, n) != 0)
        rc = bss_fail(ei, BSS_E_INTERNAL, NULL, "cannot start the notifier thread");
    if (rc != BSS_OK) {
        bss_db_close(n->db);
        pthread_mutex_destroy(&n->mu);
        pthread_cond_destroy(&n->cv);
        bss_free(n);
        return rc;
    }
    *out = n;
    return BSS_OK;
}

void bss_notifier_stop(bss_notifier *n)
{
    if (!n)
        return;
    pthread_mutex_lock(&n->mu);
    n->stop = true;
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
    pthread_join(n->thread, NULL);
    bss_db_close(n->db);
    pthread_mutex_destroy(&n->mu);
    pthread_cond_destroy(&n->cv);
    bss_free(n);
}

static const char SQL_LINE_BILLED[] =
    "SELECT COALESCE(SUM(billed), 0) FROM usage_total WHERE product_id = ? AND period_start = ?";

bss_err bss__line_billed(bss_db *db, const bss_charging_line *l, int64_t period_start, int64_t *billed, bss_errinfo *ei)
{
    return bss_db_query_int64(db, SQL_LINE_BILLED, BSS_DB_ARGS(S(l->product_id), BSS_DB_I64(period_start)), billed, ei);
}

bss_err bss__spending_cap(bss_db *db, const bss_charging_line *l, int64_t period_start, const char *base_url,
                          int64_t now_ms, bss_errinfo *ei)
{
    if (l->spending_cap_micros <= 0 || l->line.prepaid)
        return BSS_OK;
    int64_t billed = 0;
    bss_err rc = bss__line_billed(db, l, period_start, &billed, ei);
    if (rc != BSS_OK || billed < l->spending_cap_micros)
        return rc;
    char key[BSS_ID_MAX + 48], msg[256], amount[32], start[32];
    snprintf(key, sizeof key, "spendingCap:%s:%lld", l->product_id, (long long)period_start);
    bss_money_format(l->spending_cap_micros, amount);
    bss_time_format(period_start, start);
    snprintf(msg, sizeof msg,
             "Your line has reached its spending cap of %s %s this bill period; more usage is refused until the next.",
             amount, l->currency);
    bool inserted = false;
    if ((rc = note(db, key, "spendingCap", l->msisdn, l->account_id, NULL, l->spending_cap_micros, "sms", l->msisdn, msg,
                   now_ms, &inserted, ei)) != BSS_OK ||
        !inserted)
        return rc;
    char href[1024];
    snprintf(href, sizeof href, "%s/tmf-api/productInventory/v4/product/%s", base_url ? base_url : "", l->product_id);
    json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:o}, s:{s:s, s:o}}", "id", l->product_id, "href", href,
                          "@type", "Product", "msisdn", l->msisdn, "billPeriodStart", start, "billedUsage", "unit",
                          l->currency, "value", bss_money_to_json(billed), "spendingCap", "unit", l->currency, "value",
                          bss_money_to_json(l->spending_cap_micros));
    if (!r)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    rc = bss_outbox_add(db, now_ms, "usageManagement", "UsageSpendingCapEvent", "product", r, ei);
    json_decref(r);
    return rc;
}
