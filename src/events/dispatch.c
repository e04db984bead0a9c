/*
 * dispatch.c: the event dispatcher, the read side of the outbox. One
 * background thread with its own store connection (never the API's writer)
 * and one libcurl multi handle. It wakes on bss_events_kick, when a
 * transfer finishes, or every --outbox-poll ms, and then:
 *   1. claims due deliveries (event_delivery rows, status pending,
 *      next_attempt_ms <= now) in one short transaction: at most one in
 *      flight per subscription and MAX_INFLIGHT in all, taking subscriptions
 *      round-robin so a slow or dead callback holds one slot, never the
 *      others. A claim is a lease: next_attempt_ms is pushed to now +
 *      timeout + LEASE_MARGIN_MS, so another dispatcher (another node on the
 *      same PostgreSQL) does not send the same delivery meanwhile, and one
 *      that died mid-flight is retried when the lease runs out;
 *   2. POSTs each envelope as application/json to
 *      {callback}/listener/{eventType with a lower-case first letter}, all in
 *      parallel, each with --webhook-timeout;
 *   3. records the outcomes in one transaction: 2xx = delivered; otherwise
 *      attempts+1 and next_attempt = now + min(2^attempts s, 1 h) + up to
 *      25% jitter, or dead once attempts reaches --webhook-max-attempts.
 * Delivery is therefore at least once. Scheduling uses the wall clock
 * (CLOCK_REALTIME), not the injected clock: a frozen test clock must not
 * freeze retries. No network I/O ever happens inside a transaction.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/id.h"
#include "core/log.h"
#include "core/mem.h"
#include "events/events.h"
#include "events/events_int.h"

#define MAX_INFLIGHT 16
#define LEASE_MARGIN_MS 5000
#define LAST_ERROR_MAX 200
#define BACKLOG_EVERY_MS 1000 /* how often the backlog gauge is recounted */
#define SWEEP_EVERY_MS 60000 /* how often ended deliveries and served events are swept */
#define KICK_GAP_MS 2         /* kicks (one per API commit) start at most one claim pass per this many ms */

typedef struct transfer {
    CURL *easy;
    char sub_id[BSS_ID_LEN + 1];
    char event_id[BSS_ID_LEN + 1];
    int64_t attempts;    /* before this one */
    int64_t lease_from;  /* next_attempt_ms before the claim (restored on stop) */
    int64_t lease_until; /* next_attempt_ms while claimed */
    char *url;
    char *payload;
    size_t payload_len;
    char user[BSS_HUB_CRED_MAX + 1];
    char *password;            /* unsealed for this attempt, wiped on free; NULL = none */
    bool host_listed;          /* the callback's host is named in --webhook-allow */
    const bss_netallow *allow; /* the dispatcher's policy */
    char refused[200];         /* set when the policy refused every address tried */
    /* outcome */
    long http_status;
    char error[CURL_ERROR_SIZE];
    const char *new_status; /* "delivered" | "pending" | "dead" */
    int64_t next_attempt_ms;
} transfer;

typedef struct sub_row {
    char id[BSS_ID_LEN + 1];
    char *callback;
    char user[BSS_HUB_CRED_MAX + 1];
    char *sealed; /* the sealed password, or NULL */
} sub_row;

struct bss_events {
    bss_db *db;
    pthread_mutex_t db_mu; /* the dispatcher holds it while it uses db; the test knobs take it too */
    bss_netallow allow; /* --webhook-allow, checked on every address a delivery connects to */
    bss_seal_key key;   /* opens the callbacks' sealed passwords */
    CURLM *multi;
    struct curl_slist *headers;
    pthread_t thread;
    int64_t poll_ms, timeout_ms;
    int64_t max_attempts;
    int64_t retention_ms; /* delivered/dead events older than this are swept */
    _Atomic int64_t backoff_unit_ms;
    _Atomic int64_t backlog;
    _Atomic int64_t delivered, retried, dead; /* attempt outcomes since start (/metrics) */
    atomic_bool stop;
    atomic_bool kicked;
    transfer *inflight[MAX_INFLIGHT];
    size_t ninflight;
    transfer *finished[MAX_INFLIGHT];
    size_t nfinished;
    size_t round_robin;
    int64_t next_scan_ms;  /* wall ms of the next claim pass */
    int64_t last_scan_ms;  /* wall ms of the last one */
    int64_t next_retry_ms; /* earliest retry scheduled since the last pass (INT64_MAX: none) */
};

/* What one claim transaction picked (rebuilt from scratch if the transaction is retried). */
typedef struct claim_ctx {
    bss_events *ev;
    int64_t now_ms;
    sub_row *subs;
    size_t nsubs;
    transfer *picks[MAX_INFLIGHT];
    size_t npicks;
} claim_ctx;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init_once(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void transfer_free(transfer *t)
{
    if (!t)
        return;
    if (t->easy)
        curl_easy_cleanup(t->easy);
    if (t->password) {
        sodium_memzero(t->password, strlen(t->password));
        bss_free(t->password);
    }
    sodium_memzero(t->user, sizeof t->user);
    bss_free(t->url);
    bss_free(t->payload);
    bss_free(t);
}

static void subs_free(claim_ctx *cc)
{
    for (size_t i = 0; i < cc->nsubs; i++) {
        bss_free(cc->subs[i].callback);
        bss_free(cc->subs[i].sealed);
    }
    bss_free(cc->subs);
    cc->subs = NULL;
    cc->nsubs = 0;
}

static void picks_free(claim_ctx *cc)
{
    for (size_t i = 0; i < cc->npicks; i++)
        transfer_free(cc->picks[i]);
    cc->npicks = 0;
}

static bool sub_in_flight(const bss_events *ev, const char *sub_id)
{
    for (size_t i = 0; i < ev->ninflight; i++)
        if (strcmp(ev->inflight[i]->sub_id, sub_id) == 0)
            return true;
    return false;
}

static bss_err load_subscriptions(bss_db *db, claim_ctx *cc, bss_errinfo *ei)
{
    bss_db_rows *rows;
    bss_err rc =
        bss_db_query(db, "SELECT id, callback, callback_user, callback_secret FROM hub_subscription ORDER BY id",
                     BSS_DB_NOARGS, &rows, ei);
    size_t cap = 0;
    if (rc != BSS_OK)
        return rc;
    while (rc == BSS_OK && bss_db_next(rows)) {
        size_t idlen;
        const char *id = bss_db_col_text(rows, 0, &idlen);
        const char *callback = bss_db_col_text(rows, 1, NULL);
        if (!id || idlen > BSS_ID_LEN || !callback)
            continue;
        if (cc->nsubs == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            sub_row *grown = bss_realloc(cc->subs, ncap * sizeof *grown);
            if (!grown) {
                rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory loading subscriptions");
                break;
            }
            cc->subs = grown;
            cap = ncap;
        }
        sub_row *s = &cc->subs[cc->nsubs];
        memset(s, 0, sizeof *s);
        memcpy(s->id, id, idlen);
        s->id[idlen] = '\0';
        s->callback = bss_strdup(callback);
        const char *user = bss_db_col_text(rows, 2, NULL);
        const char *sealed = bss_db_col_text(rows, 3, NULL);
        if (user)
            snprintf(s->user, sizeof s->user, "%s", user);
        if (sealed && !(s->sealed = bss_strdup(sealed))) {
            bss_free(s->callback);
            s->callback = NULL;
        }
        if (!s->callback)
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory loading subscriptions");
        else
            cc->nsubs++;
    }
    if (rc == BSS_OK)
        rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc;
}

/* The oldest due delivery of one subscription, as a new transfer (*out NULL if none). */
/* The host of a callback URL as libcurl reads it (brackets of IPv6 removed); "" when it has none. */
static void url_host(const char *url, char *host, size_t cap)
{
    host[0] = '\0';
    CURLU *u = curl_url();
    char *h = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
        h) {
        size_t n = strlen(h);
        if (n >= 2 && h[0] == '[' && h[n - 1] == ']')
            snprintf(host, cap, "%.*s", (int)(n - 2), h + 1);
        else
            snprintf(host, cap, "%s", h);
    }
    curl_free(h);
    curl_url_cleanup(u);
}

/* Prepares the credentials and the policy of one attempt; a password that does not open fails the attempt. */
static void transfer_prepare(const bss_events *ev, const sub_row *sub, transfer *t)
{
    char host[256];
    t->allow = &ev->allow;
    url_host(sub->callback, host, sizeof host);
    t->host_listed = bss_netallow_has_host(&ev->allow, host);
    snprintf(t->user, sizeof t->user, "%s", sub->user);
    if (sub->sealed) {
        bss_errinfo ei;
        bss_errinfo_clear(&ei);
        if (bss_unseal(&ev->key, sub->id, sub->sealed, &t->password, NULL, &ei) != BSS_OK)
            snprintf(t->refused, sizeof t->refused, "cannot open the callback's password: %.150s", ei.message);
    }
}

static bss_err next_due(const bss_events *ev, bss_db *db, const sub_row *sub, int64_t now_ms, transfer **out,
                        bss_errinfo *ei)
{
    bss_db_rows *rows;
    *out = NULL;
    bss_err rc =
        bss_db_query(db,
                     "SELECT d.event_id, d.attempts, d.next_attempt_ms, o.event_type, o.payload "
                     "FROM event_delivery d JOIN outbox o ON o.id = d.event_id "
                     "WHERE d.subscription_id = ? AND d.status = 'pending' AND d.next_attempt_ms <= ? "
                     "ORDER BY d.event_id LIMIT 1",
                     BSS_DB_ARGS(EV_TEXT(sub->id), BSS_DB_I64(now_ms)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows)) {
        size_t idlen, plen;
        const char *event_id = bss_db_col_text(rows, 0, &idlen);
        const char *event_type = bss_db_col_text(rows, 3, NULL);
        const char *payload = bss_db_col_text(rows, 4, &plen);
        transfer *t = bss_calloc(1, sizeof *t);
        if (!t || !event_id || idlen > BSS_ID_LEN || !event_type || !payload) {
            bss_free(t);
            bss_db_rows_close(rows);
            return bss_fail(ei, t ? BSS_E_DB : BSS_E_NOMEM, NULL, "cannot read a due delivery");
        }
        memcpy(t->sub_id, sub->id, sizeof t->sub_id);
        memcpy(t->event_id, event_id, idlen);
        t->attempts = bss_db_col_int64(rows, 1);
        t->lease_from = bss_db_col_int64(rows, 2);
        t->url = bss__events_listener_url(sub->callback, event_type);
        t->payload = bss_strndup(payload, plen);
        t->payload_len = plen;
        transfer_prepare(ev, sub, t);
        *out = t;
        if (!t->url || !t->payload)
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory preparing a delivery");
    } else {
        rc = bss_db_rows_error(rows);
    }
    bss_db_rows_close(rows);
    return rc;
}

static bss_err claim_tx(bss_db *db, void *arg, bss_errinfo *ei)
{
    claim_ctx *cc = arg;
    bss_events *ev = cc->ev;
    picks_free(cc);
    subs_free(cc);
    bss_err rc = load_subscriptions(db, cc, ei);
    size_t room = MAX_INFLIGHT - ev->ninflight;
    for (size_t k = 0; rc == BSS_OK && k < cc->nsubs && cc->npicks < room; k++) {
        const sub_row *sub = &cc->subs[(ev->round_robin + k) % cc->nsubs];
        if (sub_in_flight(ev, sub->id))
            continue;
        transfer *t;
        rc = next_due(ev, db, sub, cc->now_ms, &t, ei);
        if (rc != BSS_OK || !t) {
            transfer_free(t);
            continue;
        }
        int64_t changes = 0;
        t->lease_until = cc->now_ms + ev->timeout_ms + LEASE_MARGIN_MS;
        rc = bss_db_exec(
            db,
            "UPDATE event_delivery SET next_attempt_ms = ? WHERE subscription_id = ? AND event_id = ? "
            "AND status = 'pending' AND next_attempt_ms = ?",
            BSS_DB_ARGS(BSS_DB_I64(t->lease_until), EV_TEXT(t->sub_id), EV_TEXT(t->event_id),
                        BSS_DB_I64(t->lease_from)),
            &changes, ei);
        if (rc == BSS_OK && changes == 1)
            cc->picks[cc->npicks++] = t;
        else
            transfer_free(t);
    }
    return rc;
}

static size_t discard_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    return size * nmemb;
}

/*
 * libcurl asks here for every socket it would connect with, after DNS and
 * for each address it tries: the one place where the outbound policy is
 * applied to the address actually used, so a name that resolves (or
 * rebinds) to a private address is refused like the literal.
 */
static curl_socket_t open_checked(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    transfer *t = clientp;
    char why[160];
    if (purpose != CURLSOCKTYPE_IPCXN)
        return CURL_SOCKET_BAD;
    if (bss_netallow_refuse(t->allow, t->host_listed, &a->addr, why, sizeof why)) {
        snprintf(t->refused, sizeof t->refused, "%s, not allowed by webhook-allow", why);
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static bool transfer_start(bss_events *ev, transfer *t)
{
    if (t->refused[0])
        return false; /* a password that does not open: judged as a failed attempt */
    t->easy = curl_easy_init();
    if (!t->easy)
        return false;
    CURL *e = t->easy;
    bool ok = curl_easy_setopt(e, CURLOPT_URL, t->url) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_POST, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->payload) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->payload_len) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_HTTPHEADER, ev->headers) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)ev->timeout_ms) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)ev->timeout_ms) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_body) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_PRIVATE, t) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_USERAGENT, "bss-events/1") == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_PROXY, "") == CURLE_OK; /* no proxy from the environment */
    ok = ok && curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_checked) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t) == CURLE_OK;
    if (ok && t->user[0]) {
        ok = curl_easy_setopt(e, CURLOPT_USERNAME, t->user) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_PASSWORD, t->password ? t->password : "") == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) == CURLE_OK;
    }
    ok = ok && curl_multi_add_handle(ev->multi, e) == CURLM_OK;
    return ok;
}

/* Decides what a finished attempt means (outside any transaction: jitter is drawn once). */
static void transfer_judge(bss_events *ev, transfer *t, CURLcode cc, int64_t now_ms)
{
    int64_t attempts = t->attempts + 1;
    if (cc == CURLE_OK && t->http_status >= 200 && t->http_status < 300) {
        atomic_fetch_add(&ev->delivered, 1);
        t->new_status = "delivered";
        t->error[0] = '\0';
        t->next_attempt_ms = now_ms;
        return;
    }
    if (t->refused[0] && cc != CURLE_OK)
        snprintf(t->error, sizeof t->error, "%s", t->refused);
    else if (cc == CURLE_OK)
        snprintf(t->error, sizeof t->error, "HTTP %ld", t->http_status);
    else if (t->error[0] == '\0')
        snprintf(t->error, sizeof t->error, "%s", curl_easy_strerror(cc));
    if (attempts >= ev->max_attempts) {
        atomic_fetch_add(&ev->dead, 1);
        t->new_status = "dead";
        t->next_attempt_ms = now_ms;
        char n[24], st[24];
        snprintf(n, sizeof n, "%lld", (long long)attempts);
        snprintf(st, sizeof st, "%ld", t->http_status);
        bss_log(BSS_LOG_WARN, "events.dead", "subscription", t->sub_id, "event", t->event_id, "url", t->url,
                "attempts", n, "status", st, "error", t->error, NULL);
    } else {
        atomic_fetch_add(&ev->retried, 1);
        t->new_status = "pending";
        t->next_attempt_ms = now_ms + bss__events_backoff_ms(atomic_load(&ev->backoff_unit_ms), attempts);
        if (t->next_attempt_ms < ev->next_retry_ms)
            ev->next_retry_ms = t->next_attempt_ms;
    }
}

static bss_err results_tx(bss_db *db, void *arg, bss_errinfo *ei)
{
    bss_events *ev = arg;
    int64_t now = bss__events_wall_ms();
    for (size_t i = 0; i < ev->nfinished; i++) {
        transfer *t = ev->finished[i];
        bss_db_val err = t->error[0] ? BSS_DB_STRN(t->error, strnlen(t->error, LAST_ERROR_MAX)) : BSS_DB_NIL;
        bss_db_val status = t->http_status > 0 ? BSS_DB_I64(t->http_status) : BSS_DB_NIL;
        bss_err rc =
            bss_db_exec(db,
                        "UPDATE event_delivery SET status = ?, attempts = ?, next_attempt_ms = ?, "
                        "last_status = ?, last_error = ?, updated_ms = ? WHERE subscription_id = ? "
                        "AND event_id = ? AND status = 'pending' AND next_attempt_ms = ?",
                        BSS_DB_ARGS(BSS_DB_STR(t->new_status), BSS_DB_I64(t->attempts + 1),
                                    BSS_DB_I64(t->next_attempt_ms), status, err, BSS_DB_I64(now),
                                    EV_TEXT(t->sub_id), EV_TEXT(t->event_id), BSS_DB_I64(t->lease_until)),
                        NULL, ei);
        if (rc != BSS_OK)
            return rc;
    }
    return BSS_OK;
}

static void inflight_remove(bss_events *ev, transfer *t)
{
    for (size_t i = 0; i < ev->ninflight; i++) {
        if (ev->inflight[i] == t) {
            ev->inflight[i] = ev->inflight[--ev->ninflight];
            return;
        }
    }
}

/* Moves finished transfers from the multi handle to ev->finished, judged. */
static void collect_finished(bss_events *ev)
{
    CURLMsg *msg;
    int left;
    int64_t now = bss__events_wall_ms();
    while ((msg = curl_multi_info_read(ev->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        transfer *t = (transfer *)priv;
        CURLcode cc = msg->data.result;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &t->http_status);
        curl_multi_remove_handle(ev->multi, msg->easy_handle);
        inflight_remove(ev, t);
        transfer_judge(ev, t, cc, now);
        ev->finished[ev->nfinished++] = t;
    }
}

static void record_results(bss_events *ev)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_db_tx(ev->db, results_tx, ev, &ei);
    if (rc != BSS_OK)
        bss_log(BSS_LOG_ERROR, "events.record_failed", "error", bss_errname(rc), "message", ei.message, NULL);
    for (size_t i = 0; i < ev->nfinished; i++)
        transfer_free(ev->finished[i]);
    ev->nfinished = 0;
}

static void update_backlog(bss_events *ev)
{
    int64_t n = 0;
    if (bss_db_query_int64(ev->db,
                           "SELECT COUNT(DISTINCT event_id) FROM event_delivery WHERE status = 'pending'",
                           BSS_DB_NOARGS, &n, NULL) == BSS_OK)
        atomic_store(&ev->backlog, n);
}

/* True if some delivery is due now (a cheap read that spares an idle store a write transaction). */
static bool any_due(bss_events *ev, int64_t now_ms)
{
    int64_t one = 0;
    return bss_db_query_int64(
               ev->db,
               "SELECT 1 FROM event_delivery WHERE status = 'pending' AND next_attempt_ms <= ? LIMIT 1",
               BSS_DB_ARGS(BSS_DB_I64(now_ms)), &one, NULL) == BSS_OK;
}

static void claim_and_start(bss_events *ev, int64_t now_ms)
{
    if (ev->ninflight >= MAX_INFLIGHT || !any_due(ev, now_ms))
        return;
    claim_ctx cc = {.ev = ev, .now_ms = now_ms};
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_db_tx(ev->db, claim_tx, &cc, &ei);
    subs_free(&cc);
    if (rc != BSS_OK) {
        bss_log(BSS_LOG_ERROR, "events.claim_failed", "error", bss_errname(rc), "message", ei.message, NULL);
        picks_free(&cc);
        return;
    }
    ev->round_robin++;
    for (size_t i = 0; i < cc.npicks; i++) {
        transfer *t = cc.picks[i];
        ev->inflight[ev->ninflight++] = t;
        if (!transfer_start(ev, t)) {
            /* counts as a failed attempt; its easy handle is not in the multi handle */
            inflight_remove(ev, t);
            if (!t->refused[0])
                snprintf(t->error, sizeof t->error, "cannot set up the HTTP request");
            transfer_judge(ev, t, CURLE_FAILED_INIT, now_ms);
            ev->finished[ev->nfinished++] = t;
        }
    }
    cc.npicks = 0;
}

static bss_err release_tx(bss_db *db, void *arg, bss_errinfo *ei)
{
    bss_events *ev = arg;
    for (size_t i = 0; i < ev->ninflight; i++) {
        transfer *t = ev->inflight[i];
        bss_err rc = bss_db_exec(db,
                                 "UPDATE event_delivery SET next_attempt_ms = ? WHERE subscription_id = ? "
                                 "AND event_id = ? AND status = 'pending' AND next_attempt_ms = ?",
                                 BSS_DB_ARGS(BSS_DB_I64(t->lease_from), EV_TEXT(t->sub_id),
                                             EV_TEXT(t->event_id), BSS_DB_I64(t->lease_until)),
                                 NULL, ei);
        if (rc != BSS_OK)
            return rc;
    }
    return BSS_OK;
}

/* On stop: abandons in-flight transfers and gives their deliveries back (due as before the claim). */
static void abandon_inflight(bss_events *ev)
{
    if (ev->nfinished > 0)
        record_results(ev);
    if (ev->ninflight > 0)
        bss_db_tx(ev->db, release_tx, ev, NULL);
    for (size_t i = 0; i < ev->ninflight; i++) {
        curl_multi_remove_handle(ev->multi, ev->inflight[i]->easy);
        transfer_free(ev->inflight[i]);
    }
    ev->ninflight = 0;
}

/*
 * Retention: deliveries that ended (delivered or dead) longer ago than
 * --event-retention-days are deleted, then events older than that with no
 * delivery left (every subscriber served, or none subscribed). Ages are
 * wall-clock: updated_ms of a delivery, and the UUIDv7 timestamp of an
 * event id (made from the writer's wall clock), compared as text with the
 * id prefix of the cut-off instant -- never the injected clock, which a
 * test may have moved anywhere. One short transaction a minute.
 */
static bss_err sweep_tx(bss_db *db, void *arg, bss_errinfo *ei)
{
    const int64_t *cutoff = arg;
    uint64_t ms = (uint64_t)(*cutoff > 0 ? *cutoff : 0);
    char id_cut[16];
    snprintf(id_cut, sizeof id_cut, "%08llx-%04llx", (unsigned long long)((ms >> 16) & 0xffffffffu),
             (unsigned long long)(ms & 0xffffu));
    bss_err rc = bss_db_exec(db,
                             "DELETE FROM event_delivery WHERE status IN ('delivered', 'dead') AND updated_ms < ?",
                             BSS_DB_ARGS(BSS_DB_I64(*cutoff)), NULL, ei);
    if (rc == BSS_OK)
        rc = bss_db_exec(db,
                         "DELETE FROM outbox WHERE id < ? AND NOT EXISTS "
                         "(SELECT 1 FROM event_delivery d WHERE d.event_id = outbox.id)",
                         BSS_DB_ARGS(BSS_DB_STRN(id_cut, strlen(id_cut))), NULL, ei);
    return rc;
}

static void sweep(bss_events *ev, int64_t now_wall_ms)
{
    int64_t cutoff = now_wall_ms - ev->retention_ms;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    if (bss_db_tx(ev->db, sweep_tx, &cutoff, &ei) != BSS_OK)
        bss_log(BSS_LOG_WARN, "events.sweep_failed", "message", ei.message, NULL);
}

void bss__events_sweep(bss_events *ev, int64_t now_wall_ms)
{
    pthread_mutex_lock(&ev->db_mu); /* one connection, one thread at a time */
    sweep(ev, now_wall_ms);
    pthread_mutex_unlock(&ev->db_mu);
}

static void *dispatch_main(void *arg)
{
    bss_events *ev = arg;
    int64_t next_backlog_ms = 0;
    int64_t next_sweep_ms = bss__events_wall_ms() + SWEEP_EVERY_MS;
    bool rescan = true;
    while (!atomic_load(&ev->stop)) {
        pthread_mutex_lock(&ev->db_mu);
        int64_t now = bss__events_wall_ms();
        if (atomic_exchange(&ev->kicked, false) && ev->last_scan_ms + KICK_GAP_MS < ev->next_scan_ms)
            ev->next_scan_ms = ev->last_scan_ms + KICK_GAP_MS;
        if (rescan || now >= ev->next_scan_ms) {
            ev->last_scan_ms = now;
            ev->next_scan_ms = now + ev->poll_ms;
            rescan = false;
            claim_and_start(ev, now);
        }
        int running = 0;
        curl_multi_perform(ev->multi, &running);
        collect_finished(ev);
        if (ev->nfinished > 0) {
            record_results(ev);
            rescan = true;
        }
        if (now >= next_sweep_ms) {
            sweep(ev, now);
            next_sweep_ms = now + SWEEP_EVERY_MS;
        }
        if (now >= next_backlog_ms) {
            update_backlog(ev);
            next_backlog_ms = now + BACKLOG_EVERY_MS;
        }
        if (ev->next_retry_ms < ev->next_scan_ms)
            ev->next_scan_ms = ev->next_retry_ms;
        ev->next_retry_ms = INT64_MAX;
        pthread_mutex_unlock(&ev->db_mu);
        int64_t wait = rescan ? 0 : ev->next_scan_ms - bss__events_wall_ms();
        if (wait < 0)
            wait = 0;
        if (wait > ev->poll_ms)
            wait = ev->poll_ms;
        if (wait > 0 || running > 0)
            curl_multi_poll(ev->multi, NULL, 0, (int)wait, NULL);
    }
    pthread_mutex_lock(&ev->db_mu);
    abandon_inflight(ev);
    pthread_mutex_unlock(&ev->db_mu);
    return NULL;
}

static void events_free(bss_events *ev)
{
    if (ev->multi)
        curl_multi_cleanup(ev->multi);
    curl_slist_free_all(ev->headers);
    bss_db_close(ev->db);
    sodium_memzero(&ev->key, sizeof ev->key);
    pthread_mutex_destroy(&ev->db_mu);
    bss_free(ev);
}

bss_err bss_events_start(bss_app *app, bss_events **out, bss_errinfo *ei)
{
    *out = NULL;
    if (sodium_init() < 0)
        return bss_fail(ei, BSS_E_INTERNAL, NULL, "libsodium failed to initialise");
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_rc != CURLE_OK)
        return bss_fail(ei, BSS_E_INTERNAL, NULL, "libcurl failed to initialise: %s",
                        curl_easy_strerror(curl_init_rc));
    bss_events *ev = bss_calloc(1, sizeof *ev);
    if (!ev)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory starting the event dispatcher");
    ev->poll_ms = app->cfg.outbox_poll_ms > 0 ? app->cfg.outbox_poll_ms : 200;
    ev->timeout_ms = app->cfg.webhook_timeout_ms > 0 ? app->cfg.webhook_timeout_ms : 5000;
    ev->max_attempts = app->cfg.webhook_max_attempts > 0 ? app->cfg.webhook_max_attempts : 10;
    ev->retention_ms = (app->cfg.event_retention_days > 0 ? app->cfg.event_retention_days : 7) * BSS_MS_PER_DAY;
    ev->next_retry_ms = INT64_MAX;
    pthread_mutex_init(&ev->db_mu, NULL);
    ev->allow = app->webhook_allow;
    ev->key = app->secrets;
    atomic_init(&ev->backoff_unit_ms, 1000);
    atomic_init(&ev->backlog, 0);
    atomic_init(&ev->delivered, 0);
    atomic_init(&ev->retried, 0);
    atomic_init(&ev->dead, 0);
    atomic_init(&ev->stop, false);
    atomic_init(&ev->kicked, false);
    bss_err rc = bss_db_open(app->cfg.db_url, &app->dbopt, &ev->db, ei);
    if (rc != BSS_OK) {
        events_free(ev);
        return rc;
    }
    ev->multi = curl_multi_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    ev->headers = h;
    if (h && !(ev->headers = curl_slist_append(h, "Expect:")))
        curl_slist_free_all(h);
    if (!ev->multi || !ev->headers) {
        events_free(ev);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory starting the event dispatcher");
    }
    update_backlog(ev);
    if (pthread_create(&ev->thread, NULL, dispatch_main, ev) != 0) {
        events_free(ev);
        return bss_fail(ei, BSS_E_INTERNAL, NULL, "cannot start the event dispatcher thread");
    }
    bss_log(BSS_LOG_INFO, "events.start", "backend", bss_db_kind_name(ev->db), NULL);
    *out = ev;
    return BSS_OK;
}

void bss_events_stop(bss_events *ev)
{
    if (!ev)
        return;
    atomic_store(&ev->stop, true);
    curl_multi_wakeup(ev->multi);
    pthread_join(ev->thread, NULL);
    events_free(ev);
}

void bss_events_kick(bss_events *ev)
{
    if (!ev)
        return;
    atomic_store(&ev->kicked, true);
    curl_multi_wakeup(ev->multi);
}

void bss_events_counts(bss_events *ev, int64_t *delivered, int64_t *retried, int64_t *dead)
{
    *delivered = atomic_load(&ev->delivered);
    *retried = atomic_load(&ev->retried);
    *dead = atomic_load(&ev->dead);
}

int64_t bss_events_backlog(bss_events *ev)
{
    return ev ? atomic_load(&ev->backlog) : 0;
}

void bss__events_set_backoff_unit(bss_events *ev, int64_t unit_ms)
{
    if (ev && unit_ms > 0)
        atomic_store(&ev->backoff_unit_ms, unit_ms);
}
