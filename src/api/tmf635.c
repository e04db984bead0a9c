/*
 * tmf635.c: usage over HTTP: TMF635 Usage Management v4 and the CDR
 * import (charging.h does the work; docs/charging.md "Usage"):
 *
 *   POST  {TMF635}/usage               admin, integration, network. One
 *         Usage, or an array of 1..1000 (a batch: all checked first, any
 *         malformed one is 400 naming "[i].member" and nothing is stored).
 *         Each is rated at once: 201 with the Usage (status rated, or
 *         rejected with statusReason); a recordId already received answers
 *         200 with the first result (Idempotent-Replay: true) and charges
 *         nothing. A single usage may take its id from Idempotency-Key.
 *   GET   {TMF635}/usage[/{id}]        readers. Filters (equality, one
 *         value): id, status, usageType, msisdn, billingAccount.id,
 *         product.id, statusReason.code; usageDate.gt/.gte/.lt/.lte;
 *         offset, limit, fields. Newest first. On a worker.
 *   {TMF635}/usageSpecification        the generic TMF document routes
 *         (readers; catalog writers create and change).
 *   GET   /api/v1/usage/{id}/explain   readers: how the usage was rated.
 *   POST  /api/v1/usage/import?file=NAME&line=N   admin, integration: a
 *         chunk of a CDR file (text/csv: the header row, then at most 5000
 *         rows; line = the file line of its first row, default 2). 200 with
 *         {file, read, rated, rejected, duplicates, charged, rejects}.
 *   POST  /api/v1/usage/recycle        admin, integration: rate stored
 *         rejected usage again ({msisdn?, reasonCode?, limit?}).
 *   POST  /api/v1/usage/what-if?from=&to=[&account=]   admin, catalog,
 *         billing: the period's usage rated under the draft catalog in the
 *         body (bss catalog export's format); nothing changes. 200 with the
 *         report. On a worker.
 *   POST  /api/v1/usage/rerate          admin, billing: {account, from, to,
 *         dryRun?} re-rated under the catalog in force (Idempotency-Key
 *         needed unless dryRun); 200 with the report (the deltas), the same
 *         key again answers it with Idempotent-Replay: true. One writer job.
 *   GET   /api/v1/usage/rerate/{id}     admin, billing: a stored report.
 * Rating runs on a worker (the lines are read there) and one writer job
 * per request or chunk.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/http.h"
#include "api/query.h"
#include "api/routes.h"
#include "api/tmf.h"
#include "catalog/catalog.h"
#include "charging/charging.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/parse.h"
#include "core/time.h"
#include "doc/doc.h"

#define USAGE BSS_TMF635_BASE "/usage"
#define USAGE_WRITERS (BSS_ROLE_ADMIN | BSS_ROLE_INTEGRATION | BSS_ROLE_NETWORK)
#define IMPORT_WRITERS (BSS_ROLE_ADMIN | BSS_ROLE_INTEGRATION)
#define BATCH_MAX 1000

typedef struct usage_job {
    bss_app *app;
    int64_t now_ms;
    char base_url[512];
    /* create */
    bss_usage_json_rec *recs;
    size_t nrecs;
    bool array, replayed;
    /* import */
    char *csv;
    size_t csv_len;
    char file[256];
    int64_t line;
    char import_id[40]; /* the client's import (one file's chunks), "" when not given */
    int64_t seq;        /* this chunk's place in it, from 0 */
    /* recycle */
    char msisdn[16], reason[32];
    int64_t limit;
    /* reads */
    char id[BSS_CDR_RECORD_ID_MAX + 1];
    bss_query q;
    char f[7][BSS_CDR_RECORD_ID_MAX + 1];
    bool has_f[7];
    int64_t from_ms, to_ms, total;
    json_t *out;
    /* rerate */
    char account[BSS_ID_MAX + 1], idem[129];
    bool dry_run;
} usage_job;

static void job_free(void *arg)
{
    usage_job *j = arg;
    if (!j)
        return;
    for (size_t i = 0; i < j->nrecs; i++)
        bss_usage_json_rec_free(&j->recs[i]);
    bss_free(j->recs);
    bss_free(j->csv);
    bss_query_free(&j->q);
    json_decref(j->out);
    bss_free(j);
}

static usage_job *job_new(bss_req *r)
{
    usage_job *j = bss_calloc(1, sizeof *j);
    if (!j) {
        bss_http_send_error(r, BSS_E_NOMEM, NULL);
        return NULL;
    }
    j->app = r->app;
    j->now_ms = bss_clock_now(&r->app->clock);
    snprintf(j->base_url, sizeof j->base_url, "%s", bss_http_base_url(r));
    j->from_ms = INT64_MIN;
    j->to_ms = INT64_MAX;
    return j;
}

static bss_cdr_limits limits(const usage_job *j)
{
    return bss_cdr_limits_default(j->now_ms);
}

static void add_totals(json_t *o, const bss_usage_totals *t)
{
    json_t *charged = json_array();
    for (size_t i = 0; i < t->ncurrencies; i++)
        json_array_append_new(charged, json_pack("{s:s, s:o}", "currency", t->charged[i].currency, "amount",
                                                 bss_money_to_json(t->charged[i].micros)));
    json_object_set_new(o, "rated", json_integer(t->rated));
    json_object_set_new(o, "recycled", json_integer(t->recycled));
    json_object_set_new(o, "rejected", json_integer(t->rejected));
    json_object_set_new(o, "duplicates", json_integer(t->duplicates));
    json_object_set_new(o, "charged", charged);
}

/* Runs a filled batch: lines read here (a worker), the rest in one writer job. */
static bss_err run_batch(usage_job *j, bss_db *db, bss_usage_batch *b, bss_errinfo *ei)
{
    bss_err rc = bss_usage_batch_prepare(b, db, ei);
    if (rc == BSS_OK)
        rc = bss_writer_run(j->app->writer, bss_usage_batch_commit, b, ei);
    return rc;
}

static const bss_catalog *catalog(usage_job *j, bss_errinfo *ei)
{
    const bss_catalog *cat = j->app->catalog ? bss_catalog_acquire(j->app->catalog) : NULL;
    if (!cat)
        bss_fail(ei, BSS_E_UNSUPPORTED, NULL, "the catalog is not loaded yet: try again");
    return cat;
}

/* ---- POST usage ---- */

static bss_err create_work(bss_db *db, void *arg, bss_errinfo *ei)
{
    usage_job *j = arg;
    for (size_t i = 0; i < j->nrecs; i++) {
        if (!j->recs[i].spec_id[0])
            continue;
        json_t *spec = NULL;
        bss_err rc = bss_doc_load(db, &bss_usage_spec_kind, j->recs[i].spec_id, &spec, NULL, ei);
        json_decref(spec);
        if (rc == BSS_E_NOT_FOUND) {
            bss_fail(ei, BSS_E_UNPROCESSABLE, "usageSpecification.id", "no usage specification with id %s",
                     j->recs[i].spec_id);
            return j->array ? bss_errinfo_at(ei, BSS_E_UNPROCESSABLE, "", i, "usage", j->recs[i].id) : BSS_E_UNPROCESSABLE;
        }
        if (rc != BSS_OK)
            return rc;
    }
    const bss_catalog *cat = catalog(j, ei);
    if (!cat)
        return BSS_E_UNSUPPORTED;
    bss_usage_env env = {.now_ms = j->now_ms, .source = "rest", .base_url = j->base_url, .lines = j->app->lines,
                         .bill_shock_micros = j->app->bill_shock_micros};
    bss_usage_batch *b = bss_usage_batch_new(cat, &env);
    bss_err rc = b ? BSS_OK : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    for (size_t i = 0; rc == BSS_OK && i < j->nrecs; i++)
        rc = bss_usage_batch_add(b, &j->recs[i].rec, ei);
    if (rc == BSS_OK)
        rc = run_batch(j, db, b, ei);
    if (rc == BSS_OK) {
        j->out = j->array ? json_array() : NULL;
        for (size_t i = 0; rc == BSS_OK && i < j->nrecs; i++) {
            json_t *u = NULL;
            const bss_usage_result *res = bss_usage_batch_result(b, i);
            rc = bss_usage_get_json(db, j->base_url, j->recs[i].id, &u, ei);
            if (rc == BSS_E_NOT_FOUND && res->status == BSS_USAGE_DUPLICATE) {
                /* charged online by its session: nothing stored, nothing charged */
                if (!j->array) {
                    rc = bss_fail(ei, BSS_E_CONFLICT, "sessionId", "%s", res->reason);
                    break;
                }
                rc = BSS_OK;
                u = json_pack("{s:s, s:s, s:s}", "id", j->recs[i].id, "status", "chargedOnline", "reason", res->reason);
            }
            if (rc == BSS_OK && j->array)
                json_array_append_new(j->out, u);
            else if (rc == BSS_OK)
                j->out = u;
        }
        j->replayed = !j->array && bss_usage_batch_result(b, 0)->status == BSS_USAGE_DUPLICATE;
        bss_usage_totals t;
        bss_usage_batch_totals(b, &t);
        bss_logf(BSS_LOG_INFO, "usage.received", "records=%lld rated=%lld rejected=%lld duplicates=%lld",
                 (long long)t.records, (long long)t.rated, (long long)t.rejected, (long long)t.duplicates);
    }
    bss_usage_batch_free(b);
    bss_catalog_release(j->app->catalog, cat);
    return rc;
}

static void create_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    usage_job *j = arg;
    if (r && rc == BSS_OK && j->replayed)
        bss_http_add_header(r, "Idempotent-Replay", "true");
    if (r && rc == BSS_OK && !j->array && !j->replayed) {
        const char *href = json_string_value(json_object_get(j->out, "href"));
        if (href)
            bss_http_add_header(r, "Location", href);
    }
    bss_http_reply(r, rc, ei, j->replayed ? 200 : 201, &j->out);
    job_free(j);
}

static int h_create(bss_req *r)
{
    json_t *body = bss_http_json_body(r, false);
    if (!body)
        return 0;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = BSS_OK;
    bool array = json_is_array(body);
    size_t n = array ? json_array_size(body) : 1;
    if (array && (n == 0 || n > BATCH_MAX))
        rc = bss_fail(&ei, BSS_E_INVALID, NULL, "a batch of usage holds 1..%d usages", BATCH_MAX);
    else if (!array && !json_is_object(body))
        rc = bss_fail(&ei, BSS_E_INVALID, NULL, "the body is a Usage (a JSON object) or an array of them");
    size_t klen = 0;
    const char *key = bss_http_header(r, "idempotency-key", &klen);
    char idem[BSS_CDR_RECORD_ID_MAX + 1] = "";
    if (rc == BSS_OK && key && !array) {
        if (klen == 0 || klen > BSS_CDR_RECORD_ID_MAX || !bss_usage_id_ok(key, klen))
            rc = bss_fail(&ei, BSS_E_INVALID, "Idempotency-Key",
                          "Idempotency-Key is 1..128 of A-Z a-z 0-9 . _ : ~ - (it becomes the usage's id)");
        else
            snprintf(idem, sizeof idem, "%.*s", (int)klen, key);
    }
    usage_job *j = rc == BSS_OK ? job_new(r) : NULL;
    if (rc == BSS_OK && !j) {
        json_decref(body);
        return 0;
    }
    if (j) {
        j->array = array;
        j->recs = bss_calloc(n, sizeof *j->recs);
        if (!j->recs)
            rc = bss_fail(&ei, BSS_E_NOMEM, NULL, "out of memory");
        bss_cdr_limits lim = limits(j);
        for (size_t i = 0; rc == BSS_OK && i < n; i++) {
            rc = bss_usage_from_json(array ? json_array_get(body, i) : body, idem[0] ? idem : NULL, &lim, &j->recs[i],
                                     &ei);
            if (rc == BSS_OK)
                j->nrecs++;
            else if (array)
                bss_errinfo_at(&ei, rc, "", i, "usage", NULL);
        }
    }
    json_decref(body);
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        job_free(j);
        return 0;
    }
    bss_http_work(r, create_work, j, create_done);
    return 0;
}

/* ---- reads ---- */

static bss_err get_run(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    usage_job *j = arg;
    bss_err rc = bss_usage_get_json(db, j->base_url, j->id, out, ei);
    if (rc == BSS_OK && j->q.has_fields) {
        json_t *p = bss_query_project(&j->q, *out);
        if (p) {
            json_decref(*out);
            *out = p;
        }
    }
    return rc;
}

static bss_err explain_run(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    usage_job *j = arg;
    return bss_usage_explain_json(db, j->base_url, j->id, out, ei);
}

static int read_one(bss_req *r, bool explain)
{
    const char *id = bss_http_param(r, "id");
    if (!id || !bss_usage_id_ok(id, strlen(id))) {
        bss_http_send_fail(r, BSS_E_NOT_FOUND, "id", "no usage with id %.128s", id ? id : "");
        return 0;
    }
    usage_job *j = job_new(r);
    if (!j)
        return 0;
    snprintf(j->id, sizeof j->id, "%s", id);
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    if (!explain && bss_query_parse(r->query, r->query_len, &j->q, &ei) != BSS_OK) {
        bss_http_send_error(r, ei.code, &ei);
        job_free(j);
        return 0;
    }
    bss_http_read_json(r, explain ? explain_run : get_run, j, job_free, NULL);
    return 0;
}

static int h_get(bss_req *r)
{
    return read_one(r, false);
}

static int h_explain(bss_req *r)
{
    return read_one(r, true);
}

static const char *const list_filters[] = {"id",         "status",           "usageType", "msisdn", "billingAccount.id",
                                           "product.id", "statusReason.code", NULL};

static bss_err list_work(bss_db *db, void *arg, bss_errinfo *ei)
{
    usage_job *j = arg;
    bss_usage_query q = {.from_ms = j->from_ms, .to_ms = j->to_ms, .offset = j->q.offset, .limit = j->q.limit};
    const char **slots[] = {&q.id, &q.status, &q.usage_type, &q.msisdn, &q.account_id, &q.product_id, &q.reason_code};
    for (int i = 0; i < 7; i++)
        if (j->has_f[i])
            *slots[i] = j->f[i];
    json_t *page = NULL;
    bss_err rc = bss_usage_list_json(db, j->base_url, &q, &page, &j->total, ei);
    if (rc != BSS_OK)
        return rc;
    bss_query_project_page(&j->q, page);
    j->out = page;
    return BSS_OK;
}

static void list_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    usage_job *j = arg;
    bss_tmf_send_page(r, rc, ei, j->total, &j->out);
    job_free(j);
}

static int h_list(bss_req *r)
{
    usage_job *j = job_new(r);
    if (!j)
        return 0;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_query_parse(r->query, r->query_len, &j->q, &ei);
    if (rc == BSS_OK && j->q.nsort)
        rc = bss_fail(&ei, BSS_E_INVALID, "sort", "usage lists are newest first; sort is not supported");
    if (rc == BSS_OK)
        rc = bss_query_time_window(&j->q, "usageDate", &j->from_ms, &j->to_ms, &ei);
    if (rc == BSS_OK)
        rc = bss_query_eq_filters(&j->q, "usages", list_filters, "usageDate", &j->f[0][0], sizeof j->f[0], j->has_f,
                                  &ei);
    if (rc == BSS_OK && j->has_f[3] && j->f[3][0] == '+')
        memmove(j->f[3], j->f[3] + 1, strlen(j->f[3]));
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        job_free(j);
        return 0;
    }
    bss_http_read(r, list_work, j, list_done);
    return 0;
}

/* ---- the CDR import ---- */

/*
 * A file's chunks in the file's order. `bss usage import` keeps two chunks
 * of a file in flight (the next one's lines are read while the writer
 * commits the one before), naming them ?import=ID&seq=N; two chunks
 * prepared on two workers at once could reach the writer in either order,
 * and a file's records must take from the buckets in the file's order. So a
 * chunk goes to the writer only after the one before it has: it waits for
 * it while that one has arrived and is still being prepared (at most
 * SEQ_WAIT_MS), or for SEQ_ARRIVE_MS for one that has not arrived (a client
 * that never sends it holds a worker that long, no longer). A bounded table
 * of the imports in progress; one pushed out only loses its ordering.
 */
#define SEQ_SLOTS 64
#define SEQ_WAIT_MS 10000
#define SEQ_ARRIVE_MS 250

typedef struct seq_slot {
    char id[40];
    int64_t next;    /* the chunk that may go to the writer now */
    uint64_t arrived; /* bit d: chunk next + d has been received */
    int64_t used_ms;
} seq_slot;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    seq_slot slot[SEQ_SLOTS];
} seqs = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {{{0}, 0, 0, 0}}};

/* The import's slot (with seqs.mu held), made in the least recently used one when make. */
static seq_slot *seq_slot_of(const char *id, bool make)
{
    seq_slot *lru = &seqs.slot[0];
    for (int i = 0; i < SEQ_SLOTS; i++) {
        if (strcmp(seqs.slot[i].id, id) == 0) {
            seqs.slot[i].used_ms = bss_monotonic_ms();
            return &seqs.slot[i];
        }
        if (seqs.slot[i].used_ms < lru->used_ms)
            lru = &seqs.slot[i];
    }
    if (!make)
        return NULL;
    snprintf(lru->id, sizeof lru->id, "%s", id);
    lru->next = 0;
    lru->arrived = 0;
    lru->used_ms = bss_monotonic_ms();
    return lru;
}

static void seq_arrive(const char *id, int64_t seq)
{
    pthread_mutex_lock(&seqs.mu);
    seq_slot *x = seq_slot_of(id, true);
    if (seq >= x->next && seq - x->next < 64)
        x->arrived |= UINT64_C(1) << (seq - x->next);
    pthread_cond_broadcast(&seqs.cv);
    pthread_mutex_unlock(&seqs.mu);
}

/* Waits, bounded, until chunk seq of import id may go to the writer. */
static void seq_wait(const char *id, int64_t seq)
{
    int64_t start = bss_monotonic_ms();
    pthread_mutex_lock(&seqs.mu);
    for (;;) {
        seq_slot *x = seq_slot_of(id, false);
        int64_t now = bss_monotonic_ms();
        int64_t d = x ? seq - 1 - x->next : 0; /* the predecessor's place after next */
        bool pred_here = x && d >= 0 && d < 64 && ((x->arrived >> d) & 1);
        if (!x || x->next >= seq || now - start >= SEQ_WAIT_MS || (!pred_here && now - start >= SEQ_ARRIVE_MS))
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 50 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        (void)pthread_cond_timedwait(&seqs.cv, &seqs.mu, &until);
    }
    pthread_mutex_unlock(&seqs.mu);
}

/* Chunk seq has gone to the writer (or failed before): the next one may. */
static void seq_done(const char *id, int64_t seq)
{
    pthread_mutex_lock(&seqs.mu);
    seq_slot *x = seq_slot_of(id, false);
    if (x && x->next <= seq) {
        int64_t shift = seq + 1 - x->next;
        x->arrived = shift >= 64 ? 0 : x->arrived >> shift;
        x->next = seq + 1;
    }
    pthread_cond_broadcast(&seqs.cv);
    pthread_mutex_unlock(&seqs.mu);
}

/* A chunk's batch: prepared, sent to the writer in its import's order, committed. */
static bss_err import_batch(usage_job *j, bss_db *db, bss_usage_batch *b, bss_errinfo *ei)
{
    if (!j->import_id[0])
        return run_batch(j, db, b, ei);
    bss_err rc = bss_usage_batch_prepare(b, db, ei);
    if (rc != BSS_OK) {
        seq_done(j->import_id, j->seq);
        return rc;
    }
    seq_wait(j->import_id, j->seq);
    bss_writer_pending p;
    bss_writer_begin(j->app->writer, bss_usage_batch_commit, b, &p);
    seq_done(j->import_id, j->seq);
    return bss_writer_finish(&p, ei);
}

static bss_err import_work(bss_db *db, void *arg, bss_errinfo *ei)
{
    usage_job *j = arg;
    const bss_catalog *cat = catalog(j, ei);
    if (!cat) {
        if (j->import_id[0])
            seq_done(j->import_id, j->seq);
        return BSS_E_UNSUPPORTED;
    }
    bss_usage_env env = {.now_ms = j->now_ms, .source = "cdr", .source_ref = j->file[0] ? j->file : NULL, .lines = j->app->lines,
                         .base_url = j->base_url, .bill_shock_micros = j->app->bill_shock_micros};
    bss_usage_batch *b = bss_usage_batch_new(cat, &env);
    bss_usage_chunk c;
    memset(&c, 0, sizeof c);
    bss_cdr_limits lim = limits(j);
    bss_err rc = b ? bss_usage_chunk_read(&c, j->csv, j->csv_len, j->line - 2, &lim, b, ei)
                   : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (rc == BSS_OK && bss_usage_batch_count(b))
        rc = import_batch(j, db, b, ei);
    else if (j->import_id[0])
        seq_done(j->import_id, j->seq); /* nothing to write: the next chunk need not wait */
    if (rc == BSS_OK)
        rc = bss_usage_chunk_results(&c, b, ei);
    if (rc == BSS_OK) {
        bss_usage_totals t;
        bss_usage_batch_totals(b, &t);
        json_t *o = json_pack("{s:s, s:I}", "file", j->file, "read", (json_int_t)c.read);
        add_totals(o, &t);
        json_object_set_new(o, "malformed", json_integer((json_int_t)(c.read - t.records)));
        json_object_set_new(o, "rejected", json_integer((json_int_t)c.nrejects));
        json_t *rj = json_array();
        for (size_t i = 0; i < c.nrejects; i++) {
            const bss_usage_reject *x = &c.rejects[i];
            json_array_append_new(rj, json_pack("{s:I, s:s, s:s, s:s, s:s}", "line", (json_int_t)x->line, "field",
                                                x->field, "code", x->code ? x->code : "malformed", "reason", x->reason,
                                                "record", x->raw));
        }
        json_object_set_new(o, "rejects", rj);
        j->out = o;
        bss_logf(BSS_LOG_INFO, "usage.imported",
                 "file=%s read=%lld rated=%lld rejected=%zu duplicates=%lld", j->file[0] ? j->file : "-",
                 (long long)c.read, (long long)t.rated, c.nrejects, (long long)t.duplicates);
    }
    bss_usage_chunk_free(&c);
    bss_usage_batch_free(b);
    bss_catalog_release(j->app->catalog, cat);
    return rc;
}

static void json_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    usage_job *j = arg;
    bss_http_reply(r, rc, ei, 200, &j->out);
    job_free(j);
}

static int h_import(bss_req *r)
{
    size_t ctl = 0;
    const char *ct = bss_http_header(r, "content-type", &ctl);
    if (!ct || ctl < 8 || strncasecmp(ct, "text/csv", 8) != 0) {
        bss_http_send_fail(r, BSS_E_UNSUPPORTED, "Content-Type", "a CDR chunk is text/csv");
        return 0;
    }
    char file[256] = "", line[24] = "", import_id[40] = "", seq[24] = "";
    bool has_file = false, has_line = false, has_import = false, has_seq = false;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_query_param(r->query, r->query_len, "file", file, sizeof file, &has_file, &ei);
    if (rc == BSS_OK)
        rc = bss_query_param(r->query, r->query_len, "line", line, sizeof line, &has_line, &ei);
    if (rc == BSS_OK)
        rc = bss_query_param(r->query, r->query_len, "import", import_id, sizeof import_id, &has_import, &ei);
    if (rc == BSS_OK)
        rc = bss_query_param(r->query, r->query_len, "seq", seq, sizeof seq, &has_seq, &ei);
    int64_t nseq = 0;
    size_t idl = strlen(import_id);
    if (rc == BSS_OK && has_import && (idl == 0 || idl > 36 || strspn(import_id, "0123456789abcdefABCDEF-") != idl))
        rc = bss_fail(&ei, BSS_E_INVALID, "import", "import is an id of 1 to 36 hex digits and dashes (a UUID)");
    if (rc == BSS_OK && has_import != has_seq)
        rc = bss_fail(&ei, BSS_E_INVALID, has_import ? "seq" : "import", "import and seq come together");
    if (rc == BSS_OK && has_seq &&
        bss_parse_int64(seq, strlen(seq), BSS_NUM_DIGITS, 0, INT64_C(1000000000), &nseq) != BSS_OK)
        rc = bss_fail(&ei, BSS_E_INVALID, "seq", "seq is the chunk's place in its import: 0 to 1000000000");
    int64_t first = 2;
    if (rc == BSS_OK && has_line &&
        bss_parse_int64(line, strlen(line), BSS_NUM_DIGITS, 2, INT64_C(1000000000000), &first) != BSS_OK)
        rc = bss_fail(&ei, BSS_E_INVALID, "line", "line is the file line of the chunk's first row: 2 or more");
    for (size_t i = 0; rc == BSS_OK && file[i]; i++)
        if ((unsigned char)file[i] < 0x20 || file[i] == 0x7f)
            rc = bss_fail(&ei, BSS_E_INVALID, "file", "file is a name without control characters");
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    h2o_iovec_t body = bss_http_body(r);
    usage_job *j = job_new(r);
    if (!j)
        return 0;
    j->csv = bss_malloc(body.len + 1);
    if (!j->csv) {
        bss_http_send_error(r, BSS_E_NOMEM, NULL);
        job_free(j);
        return 0;
    }
    memcpy(j->csv, body.base, body.len);
    j->csv[body.len] = '\0';
    j->csv_len = body.len;
    snprintf(j->file, sizeof j->file, "%s", file);
    j->line = first;
    if (has_import) {
        snprintf(j->import_id, sizeof j->import_id, "%s", import_id);
        j->seq = nseq;
        seq_arrive(import_id, nseq);
    }
    bss_http_work(r, import_work, j, json_done);
    return 0;
}

/* ---- recycling ---- */

static bss_err recycle_work(bss_db *db, void *arg, bss_errinfo *ei)
{
    usage_job *j = arg;
    const bss_catalog *cat = catalog(j, ei);
    if (!cat)
        return BSS_E_UNSUPPORTED;
    bss_usage_env env = {.now_ms = j->now_ms, .source = "rest", .recycle = true, .base_url = j->base_url, .lines = j->app->lines,
                         .bill_shock_micros = j->app->bill_shock_micros};
    bss_usage_batch *b = bss_usage_batch_new(cat, &env);
    bss_err rc = b ? bss_usage_recycle_load(db, b, j->msisdn[0] ? j->msisdn : NULL, j->reason[0] ? j->reason : NULL,
                                            j->limit, ei)
                   : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (rc == BSS_OK && bss_usage_batch_count(b))
        rc = run_batch(j, db, b, ei);
    if (rc == BSS_OK) {
        bss_usage_totals t;
        bss_usage_batch_totals(b, &t);
        json_t *o = json_pack("{s:I}", "considered", (json_int_t)bss_usage_batch_count(b));
        add_totals(o, &t);
        json_object_set_new(o, "stillRejected", json_integer(t.rejected));
        json_object_del(o, "rejected");
        json_object_del(o, "rated");
        j->out = o;
        bss_logf(BSS_LOG_INFO, "usage.recycled", "considered=%zu recycled=%lld still_rejected=%lld",
                 bss_usage_batch_count(b), (long long)t.recycled, (long long)t.rejected);
    }
    bss_usage_batch_free(b);
    bss_catalog_release(j->app->catalog, cat);
    return rc;
}

static int h_recycle(bss_req *r)
{
    json_t *body = bss_http_json_body(r, true);
    if (!body)
        return 0;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = BSS_OK;
    const char *ms = json_string_value(json_object_get(body, "msisdn"));
    const char *rcode = json_string_value(json_object_get(body, "reasonCode"));
    const json_t *lim = json_object_get(body, "limit");
    if (json_object_get(body, "msisdn") &&
        (!ms || (ms[0] == '+' ? strlen(ms + 1) : strlen(ms)) < 6 || (ms[0] == '+' ? strlen(ms + 1) : strlen(ms)) > 15 ||
         strspn(ms[0] == '+' ? ms + 1 : ms, "0123456789") != (ms[0] == '+' ? strlen(ms + 1) : strlen(ms))))
        rc = bss_fail(&ei, BSS_E_INVALID, "msisdn", "msisdn is 6 to 15 digits (E.164)");
    static const char *const codes[] = {"unknownSubscriber", "lineNotActive", "beforeActivation", "notRated", NULL};
    bool code_ok = !json_object_get(body, "reasonCode");
    for (int i = 0; rcode && codes[i]; i++)
        code_ok = code_ok || strcmp(rcode, codes[i]) == 0;
    if (rc == BSS_OK && !code_ok)
        rc = bss_fail(&ei, BSS_E_INVALID, "reasonCode",
                      "reasonCode is one of unknownSubscriber, lineNotActive, beforeActivation, notRated");
    if (rc == BSS_OK && lim &&
        (!json_is_integer(lim) || json_integer_value(lim) < 1 || json_integer_value(lim) > BSS_USAGE_BATCH_MAX))
        rc = bss_fail(&ei, BSS_E_INVALID, "limit", "limit is 1..%d", BSS_USAGE_BATCH_MAX);
    usage_job *j = rc == BSS_OK ? job_new(r) : NULL;
    if (j) {
        snprintf(j->msisdn, sizeof j->msisdn, "%s", ms ? (ms[0] == '+' ? ms + 1 : ms) : "");
        snprintf(j->reason, sizeof j->reason, "%s", rcode ? rcode : "");
        j->limit = lim ? json_integer_value(lim) : 1000;
    }
    json_decref(body);
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    if (!j)
        return 0;
    bss_http_work(r, recycle_work, j, json_done);
    return 0;
}

/* ---- what-if pricing ---- */

static bss_err whatif_run(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    usage_job *j = arg;
    const bss_catalog *cat = catalog(j, ei);
    if (!cat)
        return BSS_E_UNSUPPORTED;
    bss_err rc = bss_usage_what_if(db, cat, j->out, j->from_ms, j->to_ms, j->f[4][0] ? j->f[4] : NULL,
                                   j->app->cfg.what_if_memory_mib << 20, out, ei);
    bss_catalog_release(j->app->catalog, cat);
    return rc;
}

static int h_whatif(bss_req *r)
{
    char from[64] = "", to[64] = "", acct[BSS_ID_MAX + 1] = "";
    bool hf = false, ht = false, ha = false;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_query_param(r->query, r->query_len, "from", from, sizeof from, &hf, &ei);
    if (rc == BSS_OK)
        rc = bss_query_param(r->query, r->query_len, "to", to, sizeof to, &ht, &ei);
    if (rc == BSS_OK)
        rc = bss_query_param(r->query, r->query_len, "account", acct, sizeof acct, &ha, &ei);
    int64_t f = 0, t = 0;
    if (rc == BSS_OK && (!hf || bss_time_parse(from, strlen(from), &f, NULL) != BSS_OK))
        rc = bss_fail(&ei, BSS_E_INVALID, "from", "from is the period's start, an RFC 3339 time");
    if (rc == BSS_OK && (!ht || bss_time_parse(to, strlen(to), &t, NULL) != BSS_OK))
        rc = bss_fail(&ei, BSS_E_INVALID, "to", "to is the period's end (excluded), an RFC 3339 time");
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    json_t *body = bss_http_json_body(r, true);
    if (!body)
        return 0;
    usage_job *j = job_new(r);
    if (!j) {
        json_decref(body);
        return 0;
    }
    j->out = body; /* the draft, until the report replaces it */
    j->from_ms = f;
    j->to_ms = t;
    snprintf(j->f[4], sizeof j->f[4], "%s", ha ? acct : "");
    bss_http_read_json(r, whatif_run, j, job_free, NULL);
    return 0;
}

/* ---- re-rating ---- */

static bss_err rerate_work(bss_db *db, void *arg, bss_errinfo *ei)
{
    usage_job *j = arg;
    json_decref(j->out); /* a batch retry runs the job again */
    j->out = NULL;
    /* The catalog as this transaction sees the store, compiled here: a tariff fix
     * committed just before is in force even if the published snapshot is
     * still being rebuilt (that rebuild is asynchronous and coalesced). */
    bss_catalog *cat = NULL;
    bss_err rc = bss_catalog_build(db, &cat, ei);
    bss_rerate_env env = {.now_ms = j->now_ms, .base_url = j->base_url, .idem_key = j->idem, .dry_run = j->dry_run};
    if (rc == BSS_OK)
        rc = bss_usage_rerate(db, cat, &env, j->account, j->from_ms, j->to_ms, &j->out, &j->replayed, ei);
    bss_catalog_free(cat);
    if (rc == BSS_OK && !j->replayed)
        bss_logf(BSS_LOG_INFO, "usage.rerated", "account=%s events=%lld changed=%lld dry_run=%d", j->account,
                 (long long)json_integer_value(json_object_get(j->out, "events")),
                 (long long)json_integer_value(json_object_get(j->out, "changed")), j->dry_run);
    return rc;
}

static void rerate_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    usage_job *j = arg;
    if (r && rc == BSS_OK && j->replayed)
        bss_http_add_header(r, "Idempotent-Replay", "true");
    if (r)
        bss_http_reply(r, rc, ei, 200, &j->out);
    job_free(j);
}

static int h_rerate(bss_req *r)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    size_t klen = 0;
    const char *key = bss_http_header(r, "idempotency-key", &klen);
    bss_err rc = BSS_OK;
    if (key && (klen < 1 || klen > 128))
        rc = bss_fail(&ei, BSS_E_INVALID, "Idempotency-Key", "Idempotency-Key is 1..128 printable characters");
    for (size_t i = 0; rc == BSS_OK && key && i < klen; i++)
        if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e)
            rc = bss_fail(&ei, BSS_E_INVALID, "Idempotency-Key", "Idempotency-Key is 1..128 printable characters");
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    json_t *body = bss_http_json_body(r, true);
    if (!body)
        return 0;
    const char *acct = json_string_value(json_object_get(body, "account"));
    const json_t *dry = json_object_get(body, "dryRun");
    int64_t f = 0, t = 0;
    if (!json_is_object(body))
        rc = bss_fail(&ei, BSS_E_INVALID, NULL, "a re-rating is {account, from, to, dryRun?}");
    else if (!acct || !*acct || strlen(acct) > BSS_ID_MAX)
        rc = bss_fail(&ei, BSS_E_INVALID, "account", "account is the billing account's id");
    else if ((rc = bss_json_get_time(body, "from", "from", true, &f, &ei)) != BSS_OK ||
             (rc = bss_json_get_time(body, "to", "to", true, &t, &ei)) != BSS_OK)
        ;
    else if (dry && !json_is_boolean(dry))
        rc = bss_fail(&ei, BSS_E_INVALID, "dryRun", "dryRun is true or false");
    usage_job *j = rc == BSS_OK ? job_new(r) : NULL;
    if (j) {
        snprintf(j->account, sizeof j->account, "%s", acct);
        snprintf(j->idem, sizeof j->idem, "%.*s", key ? (int)klen : 0, key ? key : "");
        j->dry_run = json_is_true(dry);
        j->from_ms = f;
        j->to_ms = t;
    }
    json_decref(body);
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    if (!j)
        return 0;
    bss_http_work(r, rerate_work, j, rerate_done);
    return 0;
}

static bss_err rerate_get_work(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    usage_job *j = arg;
    return bss_usage_rerate_get(db, j->id, out, ei);
}

static int h_rerate_get(bss_req *r)
{
    usage_job *j = job_new(r);
    if (!j)
        return 0;
    const char *id = bss_http_param(r, "id");
    snprintf(j->id, sizeof j->id, "%.64s", id ? id : "");
    bss_http_read_json(r, rerate_get_work, j, job_free, NULL);
    return 0;
}

/* ---- routes ---- */

static const bss_tmf_binding spec_binding = {
    .kind = &bss_usage_spec_kind,
    BSS_TMF_PATHS(BSS_TMF635_BASE, "usageSpecification"),
    .read_roles = BSS_ROLES_READERS,
    .write_roles = BSS_ROLES_CATALOG_WRITE,
    BSS_TMF_NAMES("tmf635.usageSpecification"),
};
static const bss_tmf_binding *const bindings[] = {&spec_binding, NULL};

static const bss_route routes[] = {
    {"POST", USAGE, h_create, USAGE_WRITERS, "tmf635.usage.create", NULL},
    {"GET", USAGE, h_list, BSS_ROLES_READERS, "tmf635.usage.list", NULL},
    {"GET", USAGE "/{id}", h_get, BSS_ROLES_READERS, "tmf635.usage.get", NULL},
    {"GET", "/api/v1/usage/{id}/explain", h_explain, BSS_ROLES_READERS, "usage.explain", NULL},
    {"POST", "/api/v1/usage/import", h_import, IMPORT_WRITERS, "usage.import", NULL},
    {"POST", "/api/v1/usage/recycle", h_recycle, IMPORT_WRITERS, "usage.recycle", NULL},
    {"POST", "/api/v1/usage/what-if", h_whatif, BSS_ROLES_CATALOG_WRITE | BSS_ROLE_BILLING, "usage.whatIf", NULL},
    {"POST", "/api/v1/usage/rerate", h_rerate, BSS_ROLE_ADMIN | BSS_ROLE_BILLING, "usage.rerate", NULL},
    {"GET", "/api/v1/usage/rerate/{id}", h_rerate_get, BSS_ROLE_ADMIN | BSS_ROLE_BILLING, "usage.rerate.get", NULL},
};

bss_err bss_tmf635_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    bss_err rc = bss_router_add_all(rt, routes, sizeof routes / sizeof routes[0]);
    return rc == BSS_OK ? bss_tmf_register_all(rt, bindings) : rc;
}
