/*
 * usage.c: usage events from every door (CDR files, TMF635, later the
 * online API) rated, applied and stored the same way (charging.h "Usage").
 *
 * A batch is made in three steps so the writer is held as briefly as can
 * be: records are added (copied, the batch's own duplicates found by a
 * hash of their ids), the lines of their numbers are loaded on a worker
 * (products, offerings, add-ons: reads), then one writer job (commit)
 * skips the ids the store already holds, reads the lines' buckets as they
 * are, rates every record with the rating core, applies the takes in
 * memory, and writes: one ledger row per bucket per batch, one usage row
 * per record with its explanation, one upsert per running total. The job
 * is recomputed from the start when the writer retries it.
 */
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charging/charging_int.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/pan.h"
#include "core/time.h"

typedef struct urec {
    char id[BSS_CDR_RECORD_ID_MAX + 1];
    int64_t start_ms, quantity, rating_group, line;
    char msisdn[16];
    bss_cdr_service service;
    char dest[21];
    char plmn[8];    /* as given: "234-15" */
    char visited[8]; /* its digits: "23415" */
    char *doc;
    char *session;     /* charged online by this session (NULL: none) */
    char *texts;       /* its row's trace and takes, for the batched INSERT */
    bool online_dup;   /* that session exists: charged already */
    int li;            /* the line, -1: no live line has the number */
    int first;         /* the index of the first record with this id (itself if first) */
    bool stored_dup;   /* the store holds the id already */
    bool unread;       /* its line not read yet: the id was stored when the batch was prepared */
    bss_usage_result res;
} urec;

typedef struct uline {
    bss_charging_line l;
    bool known;
    int64_t value0[BSS_CHARGING_LINE_BUCKETS], used0[BSS_CHARGING_LINE_BUCKETS];
    int64_t events[BSS_CHARGING_LINE_BUCKETS];
    int64_t period_start; /* the bill period used_units is for; INT64_MIN: none yet */
    bool billed_in_batch; /* postpaid usage billed in this batch: the bill-shock check runs after the totals */
    int64_t billed_period; /* the bill period of the last usage billed in this batch */
    bool rated;           /* a record of the batch is charged to it (its buckets are read) */
    bool read;            /* its documents read (known or not) */
    /* bucket k is also another line's (an account's shared pool or wallet): that line's copy is the
     * batch's one, alias_line[k] its index (-1: this copy is the one), alias_k[k] its bucket there */
    int alias_line[BSS_CHARGING_LINE_BUCKETS];
    uint8_t alias_k[BSS_CHARGING_LINE_BUCKETS];
    uint64_t heard; /* bss_lines_heard before its documents were read (BSS_LINES_HEARD_HERE: by the writer) */
    bool kept;      /* resident with its buckets (bss_lines_batch_buckets): put back after the writes */
} uline;

typedef struct utotal {
    char account[BSS_ID_MAX + 1], product[BSS_ID_MAX + 1], price[BSS_ID_MAX + 1], zone[64], band[64];
    int64_t period;
    bss_cdr_service service;
    char currency[4];
    int64_t events, quantity, rated, covered, charge, wallet, billed, last_ms;
    int last; /* record index */
    bool used;
} utotal;

struct bss_usage_batch {
    const bss_catalog *cat;
    bss_usage_env env;
    char source[16];
    char source_ref[256];
    char base_url[512];
    char batch_id[BSS_ID_LEN + 1];
    urec *recs;
    size_t n;
    int *idhash; /* open addressing over recs by id: index + 1, 0 empty */
    uline **lines;
    size_t nlines;
    int *lhash; /* by msisdn: line index + 1 */
    utotal *totals;
    size_t ntotals, captotals;
    bss_db_val *queued; /* rows waiting for their INSERT: ROW_ARGS values each */
    size_t nqueued;
    int *thash;
    bss_usage_totals sum;
};

#define HASH_CAP (2 * BSS_USAGE_BATCH_MAX + 1)
#define THASH_CAP (4 * BSS_USAGE_BATCH_MAX + 3)

static uint64_t fnv(const char *s, uint64_t h)
{
    return bss_fnv1a(s, strlen(s), h);
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static bss_db_val S(const char *s)
{
    return s && *s ? BSS_DB_STRN(s, strlen(s)) : BSS_DB_NIL;
}

bss_usage_batch *bss_usage_batch_new(const bss_catalog *cat, const bss_usage_env *env)
{
    bss_usage_batch *b = bss_calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->cat = cat;
    b->env = *env;
    copy(b->source, sizeof b->source, env->source ? env->source : "rest");
    copy(b->source_ref, sizeof b->source_ref, env->source_ref);
    copy(b->base_url, sizeof b->base_url, env->base_url);
    b->env.base_url = b->base_url;
    b->env.source = b->source;
    b->env.source_ref = b->source_ref[0] ? b->source_ref : NULL;
    bss_id_new(env->now_ms, b->batch_id);
    b->recs = bss_calloc(BSS_USAGE_BATCH_MAX, sizeof *b->recs);
    b->idhash = bss_calloc(HASH_CAP, sizeof *b->idhash);
    b->lhash = bss_calloc(HASH_CAP, sizeof *b->lhash);
    b->lines = bss_calloc(BSS_USAGE_BATCH_MAX, sizeof *b->lines);
    b->thash = bss_calloc(THASH_CAP, sizeof *b->thash);
    if (!b->recs || !b->idhash || !b->lhash || !b->lines || !b->thash) {
        bss_usage_batch_free(b);
        return NULL;
    }
    return b;
}

void bss_usage_batch_free(bss_usage_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; b->recs && i < b->n; i++) {
        bss_free(b->recs[i].doc);
        bss_free(b->recs[i].session);
        bss_free(b->recs[i].texts);
    }
    for (size_t i = 0; b->lines && i < b->nlines; i++)
        bss_free(b->lines[i]);
    bss_free(b->recs);
    bss_free(b->idhash);
    bss_free(b->lhash);
    bss_free(b->lines);
    bss_free(b->thash);
    bss_free(b->totals);
    bss_free(b->queued);
    bss_free(b);
}

int64_t bss_usage_batch_line(const bss_usage_batch *b, size_t i)
{
    return i < b->n ? b->recs[i].line : 0;
}

size_t bss_usage_batch_count(const bss_usage_batch *b)
{
    return b->n;
}

const bss_usage_result *bss_usage_batch_result(const bss_usage_batch *b, size_t i)
{
    return i < b->n ? &b->recs[i].res : NULL;
}

void bss_usage_batch_totals(const bss_usage_batch *b, bss_usage_totals *out)
{
    *out = b->sum;
}

static bool digits(const char *s, size_t lo, size_t hi)
{
    size_t n = s ? strlen(s) : 0;
    return n >= lo && n <= hi && strspn(s, "0123456789") == n;
}

bss_err bss_usage_batch_add(bss_usage_batch *b, const bss_usage_rec *rec, bss_errinfo *ei)
{
    if (b->n >= BSS_USAGE_BATCH_MAX)
        return bss_fail(ei, BSS_E_RANGE, NULL, "a batch holds at most %d records", BSS_USAGE_BATCH_MAX);
    if (!rec->id || !bss_usage_id_ok(rec->id, strlen(rec->id)))
        return bss_fail(ei, BSS_E_INVALID, "id", "a record id is 1..128 of A-Z a-z 0-9 . _ : ~ -");
    if (!digits(rec->msisdn, 6, 15))
        return bss_fail(ei, BSS_E_INVALID, "msisdn", "msisdn is 6 to 15 digits (E.164 without '+')");
    if (!bss_cdr_service_name(rec->service)[0])
        return bss_fail(ei, BSS_E_INVALID, "service", "service is one of voice, sms, mms, data, content");
    if (rec->quantity < 0)
        return bss_fail(ei, BSS_E_INVALID, "quantity", "quantity is a whole number >= 0");
    if (rec->destination && rec->destination[0] && !digits(rec->destination, 1, 20))
        return bss_fail(ei, BSS_E_INVALID, "destination", "destination is 1 to 20 digits");
    const char *v = rec->visited_plmn;
    if (v && v[0] && !(strlen(v) >= 6 && strlen(v) <= 7 && v[3] == '-' && strspn(v, "0123456789") == 3 &&
                       strspn(v + 4, "0123456789") == strlen(v + 4)))
        return bss_fail(ei, BSS_E_INVALID, "visitedPlmn", "visited_plmn is MCC-MNC (234-15)");
    urec *r = &b->recs[b->n];
    memset(r, 0, sizeof *r);
    copy(r->id, sizeof r->id, rec->id);
    r->start_ms = rec->start_ms;
    r->quantity = rec->quantity;
    r->rating_group = rec->rating_group;
    r->line = rec->line;
    copy(r->msisdn, sizeof r->msisdn, rec->msisdn);
    r->service = rec->service;
    copy(r->dest, sizeof r->dest, rec->destination);
    copy(r->plmn, sizeof r->plmn, v);
    if (v && v[0])
        snprintf(r->visited, sizeof r->visited, "%.3s%s", v, v + 4);
    if (rec->doc && !(r->doc = bss_strdup(rec->doc)))
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (rec->session_id && rec->session_id[0]) {
        if (strlen(rec->session_id) > BSS_CC_SESSION_ID_MAX) {
            bss_free(r->doc);
            r->doc = NULL;
            return bss_fail(ei, BSS_E_INVALID, "session_id", "a session id is at most %d characters",
                            BSS_CC_SESSION_ID_MAX);
        }
        if (!(r->session = bss_strdup(rec->session_id))) {
            bss_free(r->doc);
            r->doc = NULL;
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        }
    }
    r->li = -1;
    r->unread = false;
    r->first = (int)b->n;
    size_t h = fnv(r->id, BSS_FNV_START) % HASH_CAP;
    while (b->idhash[h]) {
        if (strcmp(b->recs[b->idhash[h] - 1].id, r->id) == 0) {
            r->first = b->idhash[h] - 1;
            break;
        }
        h = (h + 1) % HASH_CAP;
    }
    if (r->first == (int)b->n)
        b->idhash[h] = (int)b->n + 1;
    b->n++;
    return BSS_OK;
}

/* ---- lines ---- */

static int line_find(const bss_usage_batch *b, const char *msisdn, size_t *slot)
{
    size_t h = fnv(msisdn, BSS_FNV_START) % HASH_CAP;
    while (b->lhash[h]) {
        if (strcmp(b->lines[b->lhash[h] - 1]->l.msisdn, msisdn) == 0)
            return b->lhash[h] - 1;
        h = (h + 1) % HASH_CAP;
    }
    *slot = h;
    return -1;
}

static bss_err mark_stored(bss_db *db, bss_usage_batch *b, bss_errinfo *ei);

/* The line of msisdn in the batch, made (unread) when the batch meets the number first. */
static bss_err line_slot(bss_usage_batch *b, const char *msisdn, int *li, bss_errinfo *ei)
{
    size_t slot = 0;
    *li = line_find(b, msisdn, &slot);
    if (*li >= 0)
        return BSS_OK;
    uline *u = bss_calloc(1, sizeof *u);
    if (!u)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    copy(u->l.msisdn, sizeof u->l.msisdn, msisdn);
    *li = (int)b->nlines;
    b->lines[b->nlines++] = u;
    b->lhash[slot] = *li + 1;
    return BSS_OK;
}

/*
 * The line's documents: the offering it holds now, its prices as of each
 * event (bss_charging_line_at); its buckets are the writer's to read, for
 * the lines it charges. A number no live line has stays unknown.
 */
static bss_err line_read(const bss_usage_batch *b, bss_db *db, uline *u, bss_errinfo *ei)
{
    char msisdn[sizeof u->l.msisdn];
    copy(msisdn, sizeof msisdn, u->l.msisdn);
    bss_errinfo lei;
    bss_errinfo_clear(&lei);
    bss_err rc = bss_charging_line_load_docs(db, b->cat, msisdn, b->env.now_ms, &u->l, &lei);
    if (rc != BSS_OK && rc != BSS_E_NOT_FOUND && rc != BSS_E_INVALID) {
        if (ei)
            *ei = lei;
        return rc;
    }
    u->known = rc == BSS_OK;
    u->read = true;
    copy(u->l.msisdn, sizeof u->l.msisdn, msisdn);
    return BSS_OK;
}

/* r's line, read from the store if the batch has not read it yet. */
static bss_err line_attach(bss_usage_batch *b, bss_db *db, urec *r, bss_errinfo *ei)
{
    int li = -1;
    bss_err rc = line_slot(b, r->msisdn, &li, ei);
    if (rc == BSS_OK && !b->lines[li]->read) {
        b->lines[li]->heard = BSS_LINES_HEARD_HERE; /* the writer's read, in its transaction */
        rc = line_read(b, db, b->lines[li], ei);
    }
    if (rc != BSS_OK)
        return rc;
    r->li = b->lines[li]->known ? li : -1;
    r->unread = false;
    return BSS_OK;
}

/* Lines [from, to) of a batch read on one connection (one thread's share). */
typedef struct line_reads {
    const bss_usage_batch *b;
    bss_db *db;
    size_t from, to;
    bss_err rc;
    bss_errinfo ei;
} line_reads;

static void *lines_read(void *arg)
{
    line_reads *w = arg;
    for (size_t i = w->from; w->rc == BSS_OK && i < w->to; i++)
        w->rc = line_read(w->b, w->db, w->b->lines[i], &w->ei);
    return NULL;
}

#define PREPARE_SPLIT 128 /* new lines in a batch from which a second connection reads half of them */

/*
 * The ids the store holds already are looked up first (on this connection:
 * the writer looks again, and decides), so a file sent again reads none of
 * its lines: a duplicate's line is read only if the writer finds it was
 * not one after all (bss_usage_batch_commit). A batch of many lines (a
 * real file's chunk touches thousands) reads them on two connections at
 * once, the caller's and a sibling's: the writer waits for the batch
 * meanwhile, so the second core is free.
 */
bss_err bss_usage_batch_prepare(bss_usage_batch *b, bss_db *db, bss_errinfo *ei)
{
    bss_err rc = b->env.recycle ? BSS_OK : mark_stored(db, b, ei);
    size_t from = b->nlines;
    for (size_t i = 0; rc == BSS_OK && i < b->n; i++) {
        urec *r = &b->recs[i];
        r->unread = r->stored_dup || r->first != (int)i;
        int li = -1;
        if (!r->unread && (rc = line_slot(b, r->msisdn, &li, ei)) == BSS_OK)
            r->li = li; /* the line's index until it is read */
    }
    if (rc != BSS_OK)
        return rc;
    size_t n = b->nlines - from;
    uint64_t heard = bss_lines_heard(b->env.lines); /* before any of them is read */
    for (size_t i = from; i < b->nlines; i++)
        b->lines[i]->heard = heard;
    line_reads w[2] = {{.b = b, .db = db, .from = from, .to = b->nlines, .rc = BSS_OK}};
    bss_db *sibling = NULL;
    pthread_t tid;
    bool two = n >= PREPARE_SPLIT && bss_db_open_sibling(db, &sibling, NULL) == BSS_OK;
    if (two) {
        w[0].to = from + n / 2;
        w[1] = (line_reads){.b = b, .db = sibling, .from = from + n / 2, .to = b->nlines, .rc = BSS_OK};
        two = pthread_create(&tid, NULL, lines_read, &w[1]) == 0;
        if (!two)
            w[0].to = b->nlines;
    }
    lines_read(&w[0]);
    if (two)
        pthread_join(tid, NULL);
    bss_db_close(sibling);
    for (int k = 0; k < 2; k++)
        if (w[k].rc != BSS_OK) {
            if (ei)
                *ei = w[k].ei;
            return w[k].rc;
        }
    for (size_t i = 0; i < b->n; i++) {
        urec *r = &b->recs[i];
        if (!r->unread)
            r->li = b->lines[r->li]->known ? r->li : -1;
    }
    return BSS_OK;
}

/* ---- the writer job ---- */

static utotal *total_of(bss_usage_batch *b, const uline *u, int64_t period, const bss_rate_result *res,
                        bss_cdr_service svc)
{
    const char *price = res->price ? bss_price_id(res->price) : "";
    const char *zone = res->charge.zone ? res->charge.zone : "";
    const char *band = res->charge.band ? res->charge.band : "";
    uint64_t h = fnv(u->l.account_id, BSS_FNV_START);
    h = fnv(u->l.product_id, h);
    h = fnv(price, h);
    h = fnv(zone, h);
    h = fnv(band, h);
    h = (h ^ (uint64_t)period) * 1099511628211u;
    size_t k = h % THASH_CAP;
    while (b->thash[k]) {
        utotal *t = &b->totals[b->thash[k] - 1];
        if (t->period == period && strcmp(t->account, u->l.account_id) == 0 && strcmp(t->product, u->l.product_id) == 0 &&
            strcmp(t->price, price) == 0 && strcmp(t->zone, zone) == 0 && strcmp(t->band, band) == 0)
            return t;
        k = (k + 1) % THASH_CAP;
    }
    if (b->ntotals == b->captotals) {
        size_t cap = b->captotals ? b->captotals * 2 : 64;
        if (cap > BSS_USAGE_BATCH_MAX)
            cap = BSS_USAGE_BATCH_MAX;
        if (cap == b->captotals)
            return NULL;
        utotal *nt = bss_realloc(b->totals, cap * sizeof *nt);
        if (!nt)
            return NULL;
        b->totals = nt;
        b->captotals = cap;
    }
    utotal *t = &b->totals[b->ntotals];
    memset(t, 0, sizeof *t);
    copy(t->account, sizeof t->account, u->l.account_id);
    copy(t->product, sizeof t->product, u->l.product_id);
    copy(t->price, sizeof t->price, price);
    copy(t->zone, sizeof t->zone, zone);
    copy(t->band, sizeof t->band, band);
    t->period = period;
    t->service = svc;
    copy(t->currency, sizeof t->currency, u->l.currency);
    t->last_ms = INT64_MIN;
    b->thash[k] = (int)++b->ntotals;
    return t;
}

static const char SQL_PERIOD_UNITS[] = "SELECT service, SUM(rated_units) FROM usage_total WHERE account_id = ? AND "
                                       "period_start = ? AND product_id = ? GROUP BY service";

/* used_units for the bill period starting at period: the store's totals and what this batch added so far. */
static bss_err period_units(bss_db *db, bss_usage_batch *b, uline *u, int64_t period, bss_errinfo *ei)
{
    memset(u->l.line.used_units, 0, sizeof u->l.line.used_units);
    u->period_start = period;
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_PERIOD_UNITS,
                              BSS_DB_ARGS(S(u->l.account_id), BSS_DB_I64(period), S(u->l.product_id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        bss_service s = bss_cdr_catalog_service(bss_cdr_service_parse(bss_db_col_text(rows, 0, NULL)));
        if (s > BSS_SERVICE_NONE && s <= BSS_SERVICE_EVENT)
            u->l.line.used_units[s] += bss_db_col_int64(rows, 1);
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (rc != BSS_OK)
        return bss_fail(ei, rc, NULL, "reading the period's usage totals failed");
    for (size_t i = 0; i < b->ntotals; i++) {
        const utotal *t = &b->totals[i];
        if (t->period == period && strcmp(t->account, u->l.account_id) == 0 && strcmp(t->product, u->l.product_id) == 0)
            u->l.line.used_units[bss_cdr_catalog_service(t->service)] += t->rated;
    }
    return BSS_OK;
}

#define IN64 "?,?,?,?,?,?,?,?"
static const char SQL_SEEN[] =
    "SELECT id FROM usage_record WHERE id IN (" IN64 "," IN64 "," IN64 "," IN64 "," IN64 "," IN64 "," IN64 "," IN64 ")";

static const char SQL_ONLINE[] = "SELECT 1 FROM charging_session WHERE id = ? UNION ALL "
                                 "SELECT 1 FROM charging_request WHERE session_id = ? AND request_number = 0";

/* The records an online session or event charged already (a CDR of an online-charged call). */
static bss_err mark_online(bss_db *db, bss_usage_batch *b, bss_errinfo *ei)
{
    for (size_t i = 0; i < b->n; i++) {
        urec *r = &b->recs[i];
        r->online_dup = false;
        if (!r->session || b->env.recycle)
            continue;
        bss_db_rows *rows = NULL;
        bss_err rc = bss_db_query(db, SQL_ONLINE, BSS_DB_ARGS(BSS_DB_STR(r->session), BSS_DB_STR(r->session)), &rows, ei);
        if (rc != BSS_OK)
            return rc;
        r->online_dup = bss_db_next(rows);
        rc = bss_db_rows_error(rows);
        bss_db_rows_close(rows);
        if (rc != BSS_OK)
            return bss_fail(ei, rc, NULL, "looking up session %s failed", r->session);
    }
    return BSS_OK;
}

static const char SQL_STILL_REJECTED[] = "SELECT id FROM usage_record WHERE status = 'rejected' AND id IN (" IN64
                                         "," IN64 "," IN64 "," IN64 "," IN64 "," IN64 "," IN64 "," IN64 ")";

/*
 * Marks the records whose id the store holds already (stored_dup); for a
 * recycle, the other way round: those that are no longer rejected (a
 * recycle that ran meanwhile rated them).
 */
static bss_err mark_stored(bss_db *db, bss_usage_batch *b, bss_errinfo *ei)
{
    bool recycle = b->env.recycle;
    for (size_t i = 0; recycle && i < b->n; i++)
        b->recs[i].stored_dup = true;
    for (size_t at = 0; at < b->n; at += 64) {
        bss_db_val v[64];
        for (size_t k = 0; k < 64; k++)
            v[k] = at + k < b->n ? S(b->recs[at + k].id) : BSS_DB_NIL;
        bss_db_rows *rows = NULL;
        bss_err rc = bss_db_query(db, recycle ? SQL_STILL_REJECTED : SQL_SEEN, v, 64, &rows, ei);
        if (rc != BSS_OK)
            return rc;
        while (bss_db_next(rows)) {
            const char *id = bss_db_col_text(rows, 0, NULL);
            size_t h = fnv(id ? id : "", BSS_FNV_START) % HASH_CAP;
            while (id && b->idhash[h]) {
                urec *r = &b->recs[b->idhash[h] - 1];
                if (strcmp(r->id, id) == 0) {
                    r->stored_dup = !recycle;
                    break;
                }
                h = (h + 1) % HASH_CAP;
            }
        }
        rc = bss_db_rows_error(rows);
        bss_db_rows_close(rows);
        if (rc != BSS_OK)
            return bss_fail(ei, rc, NULL, "looking up record ids failed");
    }
    return BSS_OK;
}

#define USAGE_COLS                                                                                           \
    "id, status, reason_code, reason, attempts, source, source_ref, start_ms, msisdn, service, destination, "  \
    "quantity, unit, rating_group, visited_plmn, account_id, product_id, offering_id, offering_version, "      \
    "price_id, zone, time_band, roaming_zone, rated_units, covered_units, charge, wallet, billed, unpaid, "    \
    "currency, throttle, period_start, trace, takes, doc, created_ms, updated_ms, row_version"

static const char SQL_INSERT[] =
    "INSERT INTO usage_record (" USAGE_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char COPY_TARGET[] = "usage_record (" USAGE_COLS ")";
static const char SQL_RECYCLE[] =
    "UPDATE usage_record SET status = ?, reason_code = ?, reason = ?, attempts = attempts + 1, account_id = ?, "
    "product_id = ?, offering_id = ?, offering_version = ?, price_id = ?, zone = ?, time_band = ?, roaming_zone = ?, "
    "rated_units = ?, covered_units = ?, charge = ?, wallet = ?, billed = ?, unpaid = ?, currency = ?, throttle = ?, "
    "period_start = ?, trace = ?, takes = ?, updated_ms = ?, row_version = row_version + 1 "
    "WHERE id = ? AND status = 'rejected'";

#define ROW_ARGS 38 /* the INSERT's placeholders per row */

/* The explanation texts of a rated row: the price's trace and the takes. */
static void row_texts(const bss__usage_row *r, char *trace, size_t tcap, char *takes, size_t kcap)
{
    trace[0] = takes[0] = '\0';
    const bss_rate_result *res = r->res;
    const bss_charging_line *l = r->line;
    if (!res || !l)
        return;
    bss_rate_trace_format(&res->charge, trace, tcap);
    bss__usage_takes_text(l, res, takes, kcap);
}

void bss__usage_takes_text(const bss_charging_line *l, const bss_rate_result *res, char *out, size_t cap)
{
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < res->ntakes && at < cap; i++) {
        const bss_rate_take *t = &res->takes[i];
        int w = snprintf(out + at, cap - at, "%s%s %lld %lld %lld %u", i ? ";" : "", l->bucket_ids[t->bucket],
                         (long long)t->amount, (long long)t->before, (long long)t->after, t->crossed);
        at += w > 0 ? (size_t)w : 0;
    }
}

/* The row's values for SQL_INSERT, in its column order; strings point into r (and trace, takes). */
static void row_vals(const bss__usage_row *r, const char *trace, const char *takes, bss_db_val *v)
{
    const bss_rate_result *res = r->res;
    const bss_charging_line *l = r->line;
    bss_cdr_service sv = r->service;
#define RI(x) (res ? BSS_DB_I64(x) : BSS_DB_NIL)
#define RS(x) (res ? S(x) : BSS_DB_NIL)
    bss_db_val vals[ROW_ARGS] = {
        S(r->id), S(r->status), S(r->reason_code), S(r->reason), BSS_DB_I64(1), S(r->source), S(r->source_ref),
        BSS_DB_I64(r->start_ms), S(r->msisdn), S(bss_cdr_service_name(sv)), S(r->destination),
        BSS_DB_I64(r->quantity),
        S(bss_cdr_unit_name(sv == BSS_CDR_VOICE     ? BSS_CDR_SECONDS
                            : sv == BSS_CDR_DATA    ? BSS_CDR_BYTES
                            : sv == BSS_CDR_CONTENT ? BSS_CDR_EVENTS
                                                    : BSS_CDR_MESSAGES)),
        r->rating_group >= 0 ? BSS_DB_I64(r->rating_group) : BSS_DB_NIL, S(r->visited_plmn),
        l ? S(l->account_id) : BSS_DB_NIL, l ? S(l->product_id) : BSS_DB_NIL, l ? S(l->offering_id) : BSS_DB_NIL,
        l ? S(l->offering_version) : BSS_DB_NIL, RS(res && res->price ? bss_price_id(res->price) : NULL),
        RS(res ? res->charge.zone : NULL), RS(res ? res->charge.band : NULL), RS(res ? res->charge.roaming_zone : NULL),
        RI(res ? res->charge.rated_units : 0), RI(res ? res->covered_units : 0), RI(res ? res->charge_micros : 0),
        RI(res ? res->wallet_micros : 0), RI(res ? res->billed_micros : 0), RI(res ? res->short_micros : 0),
        l ? S(l->currency) : BSS_DB_NIL, RI(res ? (res->throttle ? 1 : 0) : 0),
        res ? BSS_DB_I64(r->period_start) : BSS_DB_NIL, RS(trace), RS(takes), S(r->doc), BSS_DB_I64(r->now_ms),
        BSS_DB_I64(r->now_ms), BSS_DB_I64(1)};
#undef RI
#undef RS
    memcpy(v, vals, sizeof vals);
}

bss_err bss__usage_write(bss_db *db, const bss__usage_row *r, bss_errinfo *ei)
{
    char trace[256], takes[BSS__USAGE_TAKES_MAX];
    row_texts(r, trace, sizeof trace, takes, sizeof takes);
    bss_db_val v[ROW_ARGS];
    row_vals(r, trace, takes, v);
    if (r->recycle) {
        /* status, reason_code, reason, then account_id .. takes, updated_ms, id */
        bss_db_val u[24] = {v[1], v[2], v[3]};
        memcpy(u + 3, v + 15, 19 * sizeof *v); /* after id .. visited_plmn and attempts */
        u[22] = BSS_DB_I64(r->now_ms);
        u[23] = v[0];
        int64_t changes = 0;
        bss_err rc = bss_db_exec(db, SQL_RECYCLE, u, 24, &changes, ei);
        if (rc == BSS_OK && changes == 0)
            return bss_fail(ei, BSS_E_CONFLICT, "id", "usage %s is no longer rejected", r->id);
        return rc;
    }
    return bss_db_exec(db, SQL_INSERT, v, ROW_ARGS, NULL, ei);
}

/*
 * The batch's rows go to the store together after rating: on PostgreSQL
 * as one COPY (it was multi-row INSERTs of 32 before, each planned for its
 * 1,152 values at every execution: docs/benchmarks.md), on SQLite one row
 * a statement (measured faster there than 32 to a statement).
 */
static bss_err flush_rows(bss_db *db, bss_usage_batch *b, bss_errinfo *ei)
{
    bss_err rc = bss_db_insert_rows(db, SQL_INSERT, COPY_TARGET, b->queued, ROW_ARGS, b->nqueued, ei);
    b->nqueued = 0;
    return rc;
}

/* Queues a row of the batch (r's strings live in the batch; the texts are copied into the record). */
static bss_err queue_row(bss_usage_batch *b, urec *rec, const bss__usage_row *r, bss_errinfo *ei)
{
    if (!b->queued && !(b->queued = bss_calloc((size_t)BSS_USAGE_BATCH_MAX * ROW_ARGS, sizeof *b->queued)))
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    char trace[256], takes[BSS__USAGE_TAKES_MAX];
    row_texts(r, trace, sizeof trace, takes, sizeof takes);
    bss_free(rec->texts);
    size_t tl = strlen(trace), kl = strlen(takes);
    if (!(rec->texts = bss_malloc(tl + kl + 2)))
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    memcpy(rec->texts, trace, tl + 1);
    memcpy(rec->texts + tl + 1, takes, kl + 1);
    row_vals(r, rec->texts, rec->texts + tl + 1, b->queued + b->nqueued * ROW_ARGS);
    b->nqueued++;
    return BSS_OK;
}

/* Stores a record's outcome: res NULL for a rejection (r->res says why). */
static bss_err store_row(bss_db *db, bss_usage_batch *b, urec *r, const uline *u, const bss_rate_result *res,
                         int64_t period, bss_errinfo *ei)
{
    bss__usage_row row = {.id = r->id,
                          .status = !res ? "rejected" : b->env.recycle ? "recycled" : "rated",
                          .reason_code = r->res.reason_code,
                          .reason = res ? NULL : r->res.reason,
                          .source = b->source,
                          .source_ref = b->source_ref,
                          .start_ms = r->start_ms,
                          .msisdn = r->msisdn,
                          .service = r->service,
                          .destination = r->dest,
                          .visited_plmn = r->plmn,
                          .quantity = r->quantity,
                          .rating_group = r->rating_group,
                          .line = u && u->known ? &u->l : NULL,
                          .res = res,
                          .period_start = period,
                          .doc = r->doc,
                          .recycle = b->env.recycle,
                          .now_ms = b->env.now_ms};
    return b->env.recycle ? bss__usage_write(db, &row, ei) : queue_row(b, r, &row, ei);
}

static void reject(urec *r, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void reject(urec *r, const char *code, const char *fmt, ...)
{
    r->res.status = BSS_USAGE_REJECTED;
    r->res.reason_code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->res.reason, sizeof r->res.reason, fmt, ap);
    va_end(ap);
}

static void add_charged(bss_usage_totals *t, const char *currency, int64_t micros)
{
    size_t i = 0;
    while (i < t->ncurrencies && strcmp(t->charged[i].currency, currency) != 0)
        i++;
    if (i == t->ncurrencies) {
        if (t->ncurrencies == 4)
            i = 3;
        else
            copy(t->charged[t->ncurrencies++].currency, sizeof t->charged[0].currency, currency);
    }
    t->charged[i].micros += micros;
}

#define TOTAL_HEAD                                                                                           \
    "INSERT INTO usage_total (account_id, period_start, product_id, price_id, zone, time_band, service, currency, " \
    "events, quantity, rated_units, covered_units, charge, wallet, billed, last_ms, last_usage_id, updated_ms) "     \
    "VALUES "
#define TOTAL_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define TOTAL_COLS 18
#define TOTAL_TAIL                                                                                           \
    " ON CONFLICT (account_id, period_start, product_id, price_id, zone, time_band) DO UPDATE SET "           \
    "events = usage_total.events + excluded.events, quantity = usage_total.quantity + excluded.quantity, "  \
    "rated_units = usage_total.rated_units + excluded.rated_units, "                                        \
    "covered_units = usage_total.covered_units + excluded.covered_units, "                                  \
    "charge = usage_total.charge + excluded.charge, wallet = usage_total.wallet + excluded.wallet, "        \
    "billed = usage_total.billed + excluded.billed, "                                                       \
    "last_usage_id = CASE WHEN excluded.last_ms >= usage_total.last_ms THEN excluded.last_usage_id "        \
    "ELSE usage_total.last_usage_id END, "                                                                  \
    "last_ms = CASE WHEN excluded.last_ms >= usage_total.last_ms THEN excluded.last_ms ELSE usage_total.last_ms " \
    "END, updated_ms = excluded.updated_ms"
static const char SQL_TOTAL[] = TOTAL_HEAD TOTAL_ROW TOTAL_TAIL;

/* t's parameters, TOTAL_COLS of them, into v. */
static void total_vals(const bss__usage_total *t, int64_t now_ms, bss_db_val *v)
{
    const bss_db_val row[TOTAL_COLS] = {
        S(t->account_id), BSS_DB_I64(t->period_start), S(t->product_id), BSS_DB_STR(t->price_id ? t->price_id : ""),
        BSS_DB_STR(t->zone ? t->zone : ""), BSS_DB_STR(t->time_band ? t->time_band : ""),
        S(bss_cdr_service_name(t->service)), S(t->currency), BSS_DB_I64(t->events), BSS_DB_I64(t->quantity),
        BSS_DB_I64(t->rated_units), BSS_DB_I64(t->covered_units), BSS_DB_I64(t->charge), BSS_DB_I64(t->wallet),
        BSS_DB_I64(t->billed), BSS_DB_I64(t->last_ms), S(t->last_usage_id), BSS_DB_I64(now_ms)};
    memcpy(v, row, sizeof row);
}

bss_err bss__usage_total_add(bss_db *db, const bss__usage_total *t, int64_t now_ms, bss_errinfo *ei)
{
    bss_db_val v[TOTAL_COLS];
    total_vals(t, now_ms, v);
    return bss_db_exec(db, SQL_TOTAL, v, TOTAL_COLS, NULL, ei);
}

/*
 * The upserts of 2^k rows in one statement (k = 1..TOTALS_LOG), made once:
 * on PostgreSQL, where each statement is a round trip, a chunk's few
 * hundred totals go in a handful of statements; their keys are distinct
 * (a batch sums its totals by key), as one upsert of several rows needs.
 */
#define TOTALS_LOG 6 /* 64 rows of 18: 1,152 parameters */
static char *totals_sql[TOTALS_LOG + 1];
static pthread_once_t totals_once = PTHREAD_ONCE_INIT;

static void totals_make(void)
{
    for (int k = 1; k <= TOTALS_LOG; k++) {
        size_t rows = (size_t)1 << k, n = sizeof TOTAL_HEAD + rows * (sizeof TOTAL_ROW + 2) + sizeof TOTAL_TAIL;
        char *q = bss_malloc(n);
        if (!q)
            continue; /* that size goes as smaller ones */
        size_t at = (size_t)snprintf(q, n, "%s", TOTAL_HEAD);
        for (size_t r = 0; r < rows; r++)
            at += (size_t)snprintf(q + at, n - at, "%s%s", r ? ", " : "", TOTAL_ROW);
        snprintf(q + at, n - at, "%s", TOTAL_TAIL);
        totals_sql[k] = q;
    }
}

/* By usage_total's key: account, period, product, price, zone, time band. */
static int total_order(const void *a, const void *b)
{
    const bss__usage_total *x = a, *y = b;
    int c = strcmp(x->account_id, y->account_id);
    if (c)
        return c;
    if (x->period_start != y->period_start)
        return x->period_start < y->period_start ? -1 : 1;
    if ((c = strcmp(x->product_id, y->product_id)) != 0)
        return c;
    if ((c = strcmp(x->price_id ? x->price_id : "", y->price_id ? y->price_id : "")) != 0)
        return c;
    if ((c = strcmp(x->zone ? x->zone : "", y->zone ? y->zone : "")) != 0)
        return c;
    return strcmp(x->time_band ? x->time_band : "", y->time_band ? y->time_band : "");
}

/* n totals of distinct keys: one statement each on SQLite (no round trips to save), 2^k at a time on PostgreSQL. */
static bss_err totals_add(bss_db *db, const bss__usage_total *t, size_t n, int64_t now_ms, bss_errinfo *ei)
{
    bss_db_val v[TOTAL_COLS << TOTALS_LOG];
    if (bss_db_kind(db) == BSS_DB_POSTGRES)
        pthread_once(&totals_once, totals_make);
    size_t i = 0;
    while (i < n) {
        int k = 0;
        if (bss_db_kind(db) == BSS_DB_POSTGRES)
            for (k = TOTALS_LOG; k > 0 && (!totals_sql[k] || n - i < ((size_t)1 << k)); k--)
                ;
        size_t rows = (size_t)1 << k;
        for (size_t r = 0; r < rows; r++)
            total_vals(&t[i + r], now_ms, v + r * TOTAL_COLS);
        bss_err rc = bss_db_exec(db, k ? totals_sql[k] : SQL_TOTAL, v, rows * TOTAL_COLS, NULL, ei);
        if (rc != BSS_OK)
            return rc;
        i += rows;
    }
    return BSS_OK;
}

static void sync_shared(bss_usage_batch *b, uline *u, bool to_shared);

static bss_err rate_one(bss_db *db, bss_usage_batch *b, urec *r, bss_errinfo *ei)
{
    if (r->li < 0) {
        reject(r, "unknownSubscriber", "no live line has the number %s", r->msisdn);
        return store_row(db, b, r, NULL, NULL, 0, ei);
    }
    uline *u = b->lines[r->li];
    bss_charging_line *l = &u->l;
    if (strcmp(l->status, "active") != 0 && strcmp(l->status, "suspended") != 0) {
        reject(r, "lineNotActive", "line %s is not active yet", r->msisdn);
        return store_row(db, b, r, u, NULL, 0, ei);
    }
    if (l->activated_ms != INT64_MIN && r->start_ms < l->activated_ms) {
        reject(r, "beforeActivation", "the event starts before line %s was activated", r->msisdn);
        return store_row(db, b, r, u, NULL, 0, ei);
    }
    int64_t ps = 0, pe = 0;
    bss_bill_period(r->start_ms, l->bill_cycle_day, &ps, &pe);
    bss_err rc;
    bss_charging_line_at(l, r->start_ms);
    /* the period's units so far count only for a price with period tiers; for any other they are not
     * read (one query a line), and the period is marked unread so a tiered price after it reads it */
    const bss_price *up = l->line.usage[bss_cdr_catalog_service(r->service)];
    if (u->period_start != ps) {
        if (up && bss_price_period_tiers(up)) {
            if ((rc = period_units(db, b, u, ps, ei)) != BSS_OK)
                return rc;
        } else {
            u->period_start = INT64_MIN;
        }
    }
    l->line.overdraft = strcmp(b->source, "online") != 0; /* a CDR reports usage already spent */
    bss_rate_input in = {.service = bss_cdr_catalog_service(r->service),
                         .quantity = r->quantity,
                         .destination = r->dest[0] ? r->dest : NULL,
                         .destination_len = strlen(r->dest),
                         .start_ms = r->start_ms,
                         .visited = r->visited[0] ? r->visited : NULL,
                         .visited_len = strlen(r->visited),
                         .rating_group = r->rating_group};
    bss_rate_result res;
    sync_shared(b, u, false);
    rc = bss_charging_rate(&l->line, &in, &res);
    if (rc != BSS_OK) {
        reject(r, "notRated", "line %s: %s", r->msisdn,
               rc == BSS_E_NOT_FOUND && l->line.usage[in.service]
                   ? "the destination or visited network is in no zone of its price"
               : rc == BSS_E_NOT_FOUND ? "its plan has no price for the service"
                                       : "rating failed (a quantity out of range)");
        return store_row(db, b, r, u, NULL, 0, ei);
    }
    bss_charging_apply(&l->line, &res);
    sync_shared(b, u, true);
    for (size_t i = 0; i < res.ntakes; i++) {
        size_t k = res.takes[i].bucket;
        if (u->alias_line[k] < 0)
            u->events[k]++;
        else
            b->lines[u->alias_line[k]]->events[u->alias_k[k]]++; /* written once, from its first holder */
    }
    if ((rc = bss__thresholds(db, l, &res, b->env.base_url, b->env.now_ms, ei)) != BSS_OK)
        return rc;
    if (res.billed_micros > 0) {
        u->billed_in_batch = true;
        u->billed_period = ps;
    }
    r->res.status = b->env.recycle ? BSS_USAGE_RECYCLED : BSS_USAGE_RATED;
    r->res.charge_micros = res.charge_micros;
    copy(r->res.currency, sizeof r->res.currency, l->currency);
    add_charged(&b->sum, l->currency, res.charge_micros);
    utotal *t = total_of(b, u, ps, &res, r->service);
    if (!t)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    t->events++;
    t->quantity += r->quantity;
    t->rated += res.charge.rated_units;
    t->covered += res.covered_units;
    t->charge += res.charge_micros;
    t->wallet += res.wallet_micros;
    t->billed += res.billed_micros;
    if (r->start_ms >= t->last_ms) {
        t->last_ms = r->start_ms;
        t->last = (int)(r - b->recs);
    }
    return store_row(db, b, r, u, &res, ps, ei);
}

/*
 * Lines of one account share its pools and its wallet: each line read its
 * own copy of such a bucket, but the batch must draw one (a second line
 * sees what the first took). The first line holding a bucket keeps the
 * batch's copy; the others alias it (rate_one works on the shared values,
 * and the bucket's change is written once, from its first holder).
 */
static bss_err share_buckets(bss_usage_batch *b, bss_errinfo *ei)
{
    size_t n = 0;
    for (size_t i = 0; i < b->nlines; i++) {
        uline *u = b->lines[i];
        for (size_t k = 0; k < BSS_CHARGING_LINE_BUCKETS; k++)
            u->alias_line[k] = -1;
        if (u->known && u->rated)
            n += u->l.nbuckets;
    }
    if (n < 2)
        return BSS_OK;
    size_t cap = 4;
    while (cap < 2 * n)
        cap <<= 1;
    int32_t *slot = bss_malloc(cap * 2 * sizeof *slot); /* (line + 1, k) pairs; line 0: empty */
    if (!slot)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    memset(slot, 0, cap * 2 * sizeof *slot);
    for (size_t i = 0; i < b->nlines; i++) {
        uline *u = b->lines[i];
        if (!u->known || !u->rated)
            continue;
        for (size_t k = 0; k < u->l.nbuckets; k++) {
            const char *id = u->l.bucket_ids[k];
            size_t h = fnv(id, BSS_FNV_START) & (cap - 1);
            while (slot[2 * h] &&
                   strcmp(b->lines[slot[2 * h] - 1]->l.bucket_ids[slot[2 * h + 1]], id) != 0)
                h = (h + 1) & (cap - 1);
            if (!slot[2 * h]) {
                slot[2 * h] = (int32_t)i + 1;
                slot[2 * h + 1] = (int32_t)k;
            } else if (slot[2 * h] - 1 != (int32_t)i) {
                u->alias_line[k] = slot[2 * h] - 1;
                u->alias_k[k] = (uint8_t)slot[2 * h + 1];
            }
        }
    }
    bss_free(slot);
    return BSS_OK;
}

/* Line u's aliased buckets from (to_shared false) or to (true) the batch's copies. */
static void sync_shared(bss_usage_batch *b, uline *u, bool to_shared)
{
    for (size_t k = 0; k < u->l.nbuckets; k++) {
        if (u->alias_line[k] < 0)
            continue;
        bss_rate_bucket *mine = &u->l.buckets[k], *one = &b->lines[u->alias_line[k]]->l.buckets[u->alias_k[k]];
        bss_rate_bucket *from = to_shared ? mine : one, *to = to_shared ? one : mine;
        to->value = from->value;
        to->used = from->used;
    }
}

/* A line of the batch by its account (then by its index). */
typedef struct lorder {
    const char *account;
    size_t line;
} lorder;

static int line_order(const void *a, const void *b)
{
    const lorder *x = a, *y = b;
    int c = strcmp(x->account, y->account);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* A bucket change to write: line's bucket k. */
typedef struct bchange {
    const char *bucket;
    size_t line, k;
} bchange;

static int change_order(const void *a, const void *b)
{
    const bchange *x = a, *y = b;
    int c = strcmp(x->bucket, y->bucket);
    if (c)
        return c;
    return x->line != y->line ? (x->line > y->line) - (x->line < y->line) : (x->k > y->k) - (x->k < y->k);
}

bss_err bss_usage_batch_commit(bss_db *db, void *batch, bss_errinfo *ei)
{
    bss_usage_batch *b = batch;
    b->nqueued = 0;
    memset(&b->sum, 0, sizeof b->sum);
    b->ntotals = 0;
    memset(b->thash, 0, THASH_CAP * sizeof *b->thash);
    for (size_t i = 0; i < b->n; i++) {
        memset(&b->recs[i].res, 0, sizeof b->recs[i].res);
        b->recs[i].stored_dup = false;
    }
    bss_err rc = mark_stored(db, b, ei);
    if (rc == BSS_OK)
        rc = mark_online(db, b, ei);
    if (rc != BSS_OK)
        return rc;
    for (size_t i = 0; i < b->nlines; i++)
        b->lines[i]->rated = false;
    for (size_t i = 0; i < b->n; i++) { /* the lines this batch charges: only theirs are read */
        urec *r = &b->recs[i];
        if (r->stored_dup || r->first != (int)i || r->online_dup)
            continue;
        if (r->unread && (rc = line_attach(b, db, r, ei)) != BSS_OK) /* stored when prepared, gone since */
            return rc;
        if (r->li >= 0)
            b->lines[r->li]->rated = true;
    }
    /* the buckets of the lines charged, read in the order of their accounts (the index they are found by) */
    lorder *order = b->nlines ? bss_malloc(b->nlines * sizeof *order) : NULL;
    if (b->nlines && !order)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < b->nlines; i++)
        order[i] = (lorder){b->lines[i]->l.account_id, i};
    if (b->nlines > 1)
        qsort(order, b->nlines, sizeof *order, line_order);
    for (size_t o = 0; o < b->nlines; o++) {
        uline *u = b->lines[order[o].line];
        memset(u->events, 0, sizeof u->events);
        u->period_start = INT64_MIN;
        u->billed_in_batch = false;
        u->kept = false;
        if (!u->known || !u->rated)
            continue;
        if ((rc = bss_lines_batch_buckets(b->env.lines, db, &u->l, b->env.now_ms, u->heard, &u->kept, ei)) !=
            BSS_OK) {
            bss_free(order);
            return rc;
        }
        for (size_t k = 0; k < u->l.nbuckets; k++) {
            u->value0[k] = u->l.buckets[k].value;
            u->used0[k] = u->l.buckets[k].used;
        }
    }
    bss_free(order);
    if ((rc = share_buckets(b, ei)) != BSS_OK)
        return rc;
    b->sum.records = (int64_t)b->n;
    for (size_t i = 0; i < b->n; i++) {
        urec *r = &b->recs[i];
        if (r->stored_dup || r->first != (int)i || r->online_dup) {
            r->res.status = BSS_USAGE_DUPLICATE;
            if (r->online_dup && !r->stored_dup && r->first == (int)i)
                snprintf(r->res.reason, sizeof r->res.reason, "record %.80s was charged online (session %.40s)", r->id,
                         r->session);
            else
                snprintf(r->res.reason, sizeof r->res.reason, "record %s %s", r->id,
                         b->env.recycle && r->stored_dup ? "is no longer rejected"
                         : r->stored_dup                 ? "was received before"
                                                         : "is already in this batch");
            b->sum.duplicates++;
            continue;
        }
        if ((rc = rate_one(db, b, r, ei)) != BSS_OK)
            return rc;
        if (r->res.status == BSS_USAGE_REJECTED)
            b->sum.rejected++;
        else if (r->res.status == BSS_USAGE_RECYCLED)
            b->sum.recycled++;
        else
            b->sum.rated++;
    }
    if ((rc = flush_rows(db, b, ei)) != BSS_OK)
        return rc;
    /* one ledger row per bucket touched, in the order of the buckets' ids (their table's key) */
    const char *kind = b->n == 1 ? "usage" : "usageBatch";
    size_t nch = 0;
    for (size_t i = 0; i < b->nlines; i++)
        for (size_t k = 0; b->lines[i]->known && k < b->lines[i]->l.nbuckets; k++)
            nch += b->lines[i]->events[k] != 0;
    bchange *ch = nch ? bss_malloc(nch * sizeof *ch) : NULL;
    if (nch && !ch)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    nch = 0;
    for (size_t i = 0; i < b->nlines; i++)
        for (size_t k = 0; b->lines[i]->known && k < b->lines[i]->l.nbuckets; k++)
            if (b->lines[i]->events[k])
                ch[nch++] = (bchange){.bucket = b->lines[i]->l.bucket_ids[k], .line = i, .k = k};
    if (nch > 1)
        qsort(ch, nch, sizeof *ch, change_order);
    for (size_t c = 0; c < nch; c++) {
        uline *u = b->lines[ch[c].line];
        size_t k = ch[c].k;
        bss__ledger_src src = {.reason = "usage",
                               .source_kind = kind,
                               .source_id = b->n == 1 ? b->recs[0].id : b->batch_id,
                               .events = u->events[k]};
        rc = bss__bucket_change(db, u->l.bucket_ids[k], u->l.buckets[k].value - u->value0[k],
                                u->l.buckets[k].used - u->used0[k], &src, b->env.now_ms, NULL, ei);
        if (rc != BSS_OK) {
            bss_free(ch);
            return rc;
        }
    }
    bss_free(ch);
    /* the kept lines' buckets as the rows now are (an alias as its first holder left it) */
    for (size_t i = 0; b->env.lines && i < b->nlines; i++) {
        uline *u = b->lines[i];
        if (!u->kept)
            continue;
        sync_shared(b, u, false);
        bss_lines_batch_put(b->env.lines, &u->l);
    }
    bss__usage_total *tt = b->ntotals ? bss_malloc(b->ntotals * sizeof *tt) : NULL;
    if (b->ntotals && !tt)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < b->ntotals; i++) {
        const utotal *t = &b->totals[i];
        tt[i] = (bss__usage_total){.account_id = t->account, .period_start = t->period, .product_id = t->product,
                                   .price_id = t->price, .zone = t->zone, .time_band = t->band, .service = t->service,
                                   .currency = t->currency, .events = t->events, .quantity = t->quantity,
                                   .rated_units = t->rated, .covered_units = t->covered, .charge = t->charge,
                                   .wallet = t->wallet, .billed = t->billed, .last_ms = t->last_ms,
                                   .last_usage_id = b->recs[t->last].id};
    }
    /* in the order of the table's key: each upsert finds the pages the one before it read */
    if (b->ntotals > 1)
        qsort(tt, b->ntotals, sizeof *tt, total_order);
    rc = totals_add(db, tt, b->ntotals, b->env.now_ms, ei);
    bss_free(tt);
    if (rc != BSS_OK)
        return rc;
    for (size_t i = 0; i < b->nlines; i++) {
        uline *u = b->lines[i];
        if (!u->known || !u->billed_in_batch)
            continue;
        if (b->env.bill_shock_micros > 0 &&
            (rc = bss__bill_shock(db, &u->l, u->billed_period, b->env.bill_shock_micros, b->env.base_url,
                                  b->env.now_ms, ei)) != BSS_OK)
            return rc;
        if ((rc = bss__spending_cap(db, &u->l, u->billed_period, b->env.base_url, b->env.now_ms, ei)) != BSS_OK)
            return rc;
    }
    return BSS_OK;
}

/* ---- recycling ---- */

static const char SQL_REJECTED[] =
    "SELECT id, start_ms, msisdn, service, destination, quantity, rating_group, visited_plmn FROM usage_record "
    "WHERE status = 'rejected' AND (CAST(? AS TEXT) IS NULL OR msisdn = ?) AND "
    "(CAST(? AS TEXT) IS NULL OR reason_code = ?) ORDER BY start_ms, id LIMIT ?";

bss_err bss_usage_recycle_load(bss_db *db, bss_usage_batch *b, const char *msisdn, const char *reason_code,
                               int64_t limit, bss_errinfo *ei)
{
    if (limit < 1 || limit > BSS_USAGE_BATCH_MAX)
        return bss_fail(ei, BSS_E_INVALID, "limit", "limit is 1..%d", BSS_USAGE_BATCH_MAX);
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_REJECTED,
                              BSS_DB_ARGS(S(msisdn), S(msisdn), S(reason_code), S(reason_code), BSS_DB_I64(limit)),
                              &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (rc == BSS_OK && bss_db_next(rows)) {
        bss_usage_rec rec = {.id = bss_db_col_text(rows, 0, NULL),
                             .start_ms = bss_db_col_int64(rows, 1),
                             .msisdn = bss_db_col_text(rows, 2, NULL),
                             .service = bss_cdr_service_parse(bss_db_col_text(rows, 3, NULL)),
                             .destination = bss_db_col_text(rows, 4, NULL),
                             .quantity = bss_db_col_int64(rows, 5),
                             .rating_group = bss_db_col_null(rows, 6) ? -1 : bss_db_col_int64(rows, 6),
                             .visited_plmn = bss_db_col_text(rows, 7, NULL)};
        rc = bss_usage_batch_add(b, &rec, ei);
    }
    if (rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "reading rejected usage failed");
    bss_db_rows_close(rows);
    return rc;
}
