/*
 * http.c: what a handler uses (http.h) and the dispatch of one request:
 * match the route (404/405), cap the body (413), authenticate and check the
 * role (401/403), decode path parameters, run the handler, and make sure
 * exactly one answer leaves. Every answer passes through finish(), which
 * adds Content-Type and X-Request-Id and counts the request in /metrics.
 *
 * Deferred answers: bss_http_write hands a job to the group-commit writer;
 * its completion (on the writer thread) posts the job back to this loop's
 * h2o_multithread_receiver, where the handler's done callback runs. A small
 * guard allocated in the request pool (h2o_mem_alloc_shared) has a dispose
 * hook: if the client goes away first, the pool is freed, the hook clears
 * the job's pointer, and done is called with r == NULL.
 */
#include "api/http_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/errmap.h"
#include "api/h1guard.h"
#include "api/h2guard.h"
#include "api/ratelimit.h"
#include "api/router_int.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"

#define JSON_CT "application/json;charset=utf-8"

typedef struct bss__req_guard {
    struct bss__write_job *job;
} bss__req_guard;

typedef struct bss__write_job {
    h2o_multithread_message_t msg; /* first: the receiver hands us this */
    bss_loop *loop;
    bss__req *req; /* NULL once the request is gone */
    bss_write_fn fn;
    void *arg;
    bss_http_write_done_fn done;
    bss_err rc;
    bss_errinfo ei;
    bool read_only;        /* bss_http_read: skipped when the client is gone before it starts */
    atomic_bool abandoned; /* set on the loop when the request goes away */
    bool key_counted;      /* holds one of key_id's requests in flight (ratelimit.h) */
    char key_id[40];
    bss_h2_ticket conn_slot; /* holds one of its HTTP/2 connection's (h2guard.h) */
} bss__write_job;

/* Gives back the in-flight counts a job holds (on its loop). */
static void job_release(bss__write_job *job)
{
    if (job->key_counted)
        bss_ratelimit_leave(job->loop->app->ratelimit, job->key_id);
    job->key_counted = false;
    bss_h2guard_job_leave(job->loop->h2guard, &job->conn_slot);
}

/*
 * Takes the in-flight counts for a new job of r: inherited from the job
 * whose completion is deferring it (a write, then a read: one request
 * holds one count all along), else counted anew. false, with the 429 in
 * *ei and Retry-After set, when the key or the connection has its most.
 */
static bool job_admit(bss_req *r, bss__write_job *job, bss_errinfo *ei)
{
    bss__req *x = (bss__req *)r;
    if (x->carry) {
        job->key_counted = x->carry->key_counted;
        memcpy(job->key_id, x->carry->key_id, sizeof job->key_id);
        job->conn_slot = x->carry->conn_slot;
        x->carry->key_counted = false;
        x->carry->conn_slot = (bss_h2_ticket){0};
        return true;
    }
    if (!bss_h2guard_job_enter(r->loop->h2guard, r->h2o, &job->conn_slot)) {
        bss_http_add_header(r, "Retry-After", "1");
        bss_fail(ei, BSS_E_RATE, NULL,
                 "this connection has %d requests waiting for the server; retry when some have finished",
                 BSS_H2_JOBS_MAX);
        return false;
    }
    if (r->who && r->app->ratelimit) {
        int held = 0;
        if (!bss_ratelimit_enter(r->app->ratelimit, r->who->key_id, &job->key_counted, &held)) {
            bss_h2guard_job_leave(r->loop->h2guard, &job->conn_slot);
            bss_http_add_header(r, "Retry-After", "1");
            bss_fail(ei, BSS_E_RATE, NULL,
                     "this key has %d requests in progress, the most it may (--max-inflight); retry when "
                     "some have finished", held);
            return false;
        }
        snprintf(job->key_id, sizeof job->key_id, "%s", r->who->key_id);
    }
    return true;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- reading the request ---- */

const char *bss_http_param(const bss_req *r, const char *name)
{
    for (size_t i = 0; i < r->nparams; i++)
        if (strcmp(r->params[i].name, name) == 0)
            return r->params[i].value;
    return NULL;
}

h2o_iovec_t bss_http_body(const bss_req *r)
{
    h2o_iovec_t b = r->h2o->entity;
    if (b.base == NULL)
        b.len = 0;
    return b;
}

bss_err bss_http_check_body_type(const char *ct, size_t len, bool merge_patch, bss_errinfo *ei)
{
    if (!ct || len == 0)
        return BSS_OK;
    size_t n = 0;
    while (n < len && ct[n] != ';' && ct[n] != ' ')
        n++;
    static const char *const ok[] = {"application/json", "application/merge-patch+json"};
    for (int i = 0; i < (merge_patch ? 2 : 1); i++)
        if (strlen(ok[i]) == n && strncasecmp(ct, ok[i], n) == 0)
            return BSS_OK;
    if (merge_patch)
        return bss_fail(
            ei, BSS_E_UNSUPPORTED, "Content-Type",
            "PATCH takes a JSON merge patch (application/merge-patch+json or application/json), not %.*s",
            (int)(n > 80 ? 80 : n), ct);
    return bss_fail(ei, BSS_E_UNSUPPORTED, "Content-Type",
                    "the request body must be JSON (Content-Type: application/json), not %.*s",
                    (int)(n > 80 ? 80 : n), ct);
}

json_t *bss_http_json_body(bss_req *r, bool want_object)
{
    h2o_iovec_t b = bss_http_body(r);
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    size_t ct_len = 0;
    const char *ct = bss_http_header(r, "Content-Type", &ct_len);
    bool patch = r->h2o->method.len == 5 && memcmp(r->h2o->method.base, "PATCH", 5) == 0;
    bss_err trc = bss_http_check_body_type(ct, ct_len, patch, &ei);
    if (trc != BSS_OK) {
        bss_http_send_error(r, trc, &ei);
        return NULL;
    }
    if (b.len == 0) {
        bss_fail(&ei, BSS_E_INVALID, NULL, "the request body is empty: send a JSON %s",
                 want_object ? "object" : "document");
        bss_http_send_error(r, BSS_E_INVALID, &ei);
        return NULL;
    }
    json_t *v = NULL;
    bss_err rc = bss_json_parse(b.base, b.len, &v, &ei);
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        return NULL;
    }
    if (want_object && !json_is_object(v)) {
        json_decref(v);
        bss_fail(&ei, BSS_E_INVALID, NULL, "the request body must be a JSON object");
        bss_http_send_error(r, BSS_E_INVALID, &ei);
        return NULL;
    }
    return v;
}

/* Lower-cases name into buf (h2o keeps request header names in lower case). */
static size_t lower_name(const char *name, char *buf, size_t cap)
{
    size_t n = strnlen(name, cap);
    if (n == cap)
        return 0;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)name[i]);
    return n;
}

const char *bss_http_header(bss_req *r, const char *name, size_t *len)
{
    char lname[128];
    size_t n = lower_name(name, lname, sizeof(lname));
    if (n == 0)
        return NULL;
    const h2o_token_t *tok = h2o_lookup_token(lname, n);
    ssize_t at = tok ? h2o_find_header(&r->h2o->headers, tok, -1)
                     : h2o_find_header_by_str(&r->h2o->headers, lname, n, -1);
    if (at < 0)
        return NULL;
    h2o_iovec_t v = r->h2o->headers.entries[at].value;
    h2o_iovec_t copy = h2o_strdup(&r->h2o->pool, v.base, v.len); /* NUL-terminated */
    if (len != NULL)
        *len = v.len;
    return copy.base;
}

const char *bss_http_base_url(const bss_req *r)
{
    return r->app->base_url;
}

/* ---- answering ---- */

void bss_http_add_header(bss_req *r, const char *name, const char *value)
{
    h2o_req_t *req = r->h2o;
    size_t nlen = strlen(name);
    h2o_iovec_t orig = h2o_strdup(&req->pool, name, nlen);
    h2o_iovec_t lname = h2o_strdup(&req->pool, name, nlen);
    h2o_strtolower(lname.base, lname.len);
    h2o_iovec_t v = h2o_strdup(&req->pool, value, strlen(value));
    h2o_add_header_by_str(&req->pool, &req->res.headers, lname.base, lname.len, 1, orig.base, v.base, v.len);
}

static const char *reason_of(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    default:
        break;
    }
    for (int c = 0; c < BSS_E__COUNT; c++) {
        const bss_errmap_entry *e = bss_errmap_get((bss_err)c);
        if (e->status == status)
            return e->reason;
    }
    return status < 400 ? "OK" : "Error";
}

/* The request log: one line per answer (--request-log). */
static void log_request(bss_req *r, int status, size_t bytes_out)
{
    h2o_req_t *req = r->h2o;
    int64_t us = (mono_ns() - r->start_ns) / 1000;
    char method[16], route[160], ms[32], st[8], in[24], out[24];
    snprintf(method, sizeof method, "%.*s", (int)(req->method.len < 15 ? req->method.len : 15), req->method.base);
    snprintf(route, sizeof route, "%s", r->route ? r->route->pattern : "-");
    snprintf(ms, sizeof ms, "%lld.%03lld", (long long)(us / 1000), (long long)(us % 1000));
    snprintf(st, sizeof st, "%d", status);
    snprintf(in, sizeof in, "%zu", req->entity.base ? req->entity.len : 0);
    snprintf(out, sizeof out, "%zu", bytes_out);
    bss_log_set_request_id(r->request_id);
    bss_log(BSS_LOG_INFO, "http.request", "method", method, "route", route, "status", st, "ms", ms, "in", in,
            "out", out, "key", r->who ? r->who->name : NULL, "role",
            r->who ? bss_auth_role_name(r->who->role) : NULL, NULL);
}

static void finish(bss_req *r, int status, const char *content_type, size_t bytes_out)
{
    h2o_req_t *req = r->h2o;
    bss__req *x = (bss__req *)r;
    req->res.status = status;
    req->res.reason = reason_of(status);
    if (content_type != NULL)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type,
                       strlen(content_type));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, "X-Request-Id",
                          r->request_id, strlen(r->request_id));
    r->answered = true;
    if (r->app->cfg.request_log && bss_log_enabled(BSS_LOG_INFO))
        log_request(r, status, bytes_out);
    bss_metrics_observe(r->loop->srv->metrics, r->loop->index, x->route_index, status,
                        mono_ns() - r->start_ns);
}

void bss_http_send_text(bss_req *r, int status, const char *content_type, const char *body, size_t len)
{
    if (r->answered)
        return;
    finish(r, status, content_type, len);
    r->h2o->res.content_length = len;
    h2o_send_inline(r->h2o, body, len);
}

void bss_http_send_empty(bss_req *r, int status)
{
    if (r->answered)
        return;
    finish(r, status, NULL, 0);
    r->h2o->res.content_length = 0;
    h2o_send_inline(r->h2o, "", 0);
}

void bss_http_send_json(bss_req *r, int status, json_t *body)
{
    size_t len = 0;
    char *text = body ? bss_json_dump(body, &len) : NULL;
    json_decref(body);
    if (text == NULL) {
        static const char oom[] =
            "{\"@type\":\"Error\",\"code\":\"NOMEM\",\"reason\":\"Internal Server Error\","
            "\"message\":\"out of memory\",\"status\":\"500\"}";
        bss_http_send_text(r, 500, JSON_CT, oom, sizeof(oom) - 1);
        return;
    }
    bss_http_send_text(r, status, JSON_CT, text, len);
    bss_free(text);
}

void bss_http_send_error(bss_req *r, bss_err code, const bss_errinfo *ei)
{
    if (r->answered)
        return;
    const bss_errmap_entry *e = bss_errmap_get(code);
    if (e->hdr_name != NULL)
        bss_http_add_header(r, e->hdr_name, e->hdr_value);
    if (e->status >= 500)
        bss_log(BSS_LOG_ERROR, "http.error", "route", r->route ? r->route->name : "-", "code",
                bss_errname(code), "message", ei && ei->message[0] ? ei->message : bss_strerror(code), NULL);
    bss_http_send_json(r, e->status, bss_errmap_body(code, ei, r->app->base_url));
}

void bss_http_reply(bss_req *r, bss_err rc, const bss_errinfo *ei, int status, json_t **body)
{
    if (!r)
        return;
    if (rc) {
        bss_http_send_error(r, rc, ei);
        return;
    }
    const char *href = status == 201 ? json_string_value(json_object_get(*body, "href")) : NULL;
    if (href)
        bss_http_add_header(r, "Location", href);
    bss_http_send_json(r, status, *body);
    *body = NULL;
}

void bss_http_send_fail(bss_req *r, bss_err code, const char *field, const char *fmt, ...)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    ei.code = code;
    if (field)
        snprintf(ei.field, sizeof ei.field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ei.message, sizeof ei.message, fmt, ap);
    va_end(ap);
    bss_http_send_error(r, code, &ei);
}

/* ---- deferred writes ---- */

static void guard_dispose(void *p)
{
    bss__req_guard *g = p;
    if (g->job != NULL) {
        g->job->req = NULL; /* the client went away: done gets r == NULL */
        atomic_store(&g->job->abandoned, true);
    }
    g->job = NULL;
}

static bss_err job_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    bss__write_job *job = arg;
    if (job->read_only && atomic_load(&job->abandoned))
        return bss_fail(ei, BSS_E_CANCELLED, NULL, "the client went away before the read ran");
    int64_t stop_at = atomic_load(&job->loop->app->stop_deadline_ms);
    if (job->read_only && stop_at > 0 && mono_ns() / 1000000 >= stop_at)
        return bss_fail(ei, BSS_E_CANCELLED, NULL, "the server is stopping");
    return job->fn(db, job->arg, ei);
}

/* On the writer thread: record the result and post the job back to its loop. */
static void job_done(void *arg, bss_err rc, const bss_errinfo *ei)
{
    bss__write_job *job = arg;
    job->rc = rc;
    if (ei != NULL && rc != BSS_OK)
        job->ei = *ei;
    else
        bss_errinfo_clear(&job->ei);
    if (rc != BSS_OK && job->ei.message[0] == '\0')
        bss_fail(&job->ei, rc, NULL, NULL);
    h2o_multithread_send_message(&job->loop->write_rx, &job->msg);
}

/* A job for the writer (on_workers false) or the worker pool; its completion comes back to this loop. */
static void defer(bss_req *r, bool on_workers, bool read_only, bss_write_fn fn, void *arg,
                  bss_http_write_done_fn done)
{
    bss__req *x = (bss__req *)r;
    bss__write_job *job = bss_calloc(1, sizeof(*job));
    if (job == NULL) {
        bss_errinfo ei;
        bss_fail(&ei, BSS_E_NOMEM, NULL, NULL);
        done(r, BSS_E_NOMEM, &ei, arg);
        return;
    }
    if (x->guard == NULL) {
        x->guard = h2o_mem_alloc_shared(&r->h2o->pool, sizeof(*x->guard), guard_dispose);
        x->guard->job = NULL;
    }
    job->loop = r->loop;
    bss_errinfo aei;
    bss_errinfo_clear(&aei);
    if (!job_admit(r, job, &aei)) {
        bss_free(job);
        done(r, BSS_E_RATE, &aei, arg);
        return;
    }
    job->read_only = read_only;
    atomic_init(&job->abandoned, false);
    job->req = x;
    job->fn = fn;
    job->arg = arg;
    job->done = done;
    x->job = job;
    x->guard->job = job;
    r->loop->pending_writes++;
    if (on_workers) {
        if (r->app->workers == NULL) {
            bss_errinfo ei;
            bss_fail(&ei, BSS_E_INTERNAL, NULL, "no background workers are running");
            job_done(job, BSS_E_INTERNAL, &ei);
            return;
        }
        bss_workers_submit(r->app->workers, job_run, job, job_done);
        return;
    }
    if (r->app->writer == NULL) {
        bss_errinfo ei;
        bss_fail(&ei, BSS_E_INTERNAL, NULL, "no writer is running");
        job_done(job, BSS_E_INTERNAL, &ei);
        return;
    }
    bss_writer_submit(r->app->writer, job_run, job, job_done);
}

void bss_http_write(bss_req *r, bss_write_fn fn, void *arg, bss_http_write_done_fn done)
{
    defer(r, false, false, fn, arg, done);
}

void bss_http_work(bss_req *r, bss_work_fn fn, void *arg, bss_http_write_done_fn done)
{
    defer(r, true, false, fn, arg, done);
}

void bss_http_read(bss_req *r, bss_work_fn fn, void *arg, bss_http_write_done_fn done)
{
    defer(r, true, true, fn, arg, done);
}

/* ---- reads answered with one JSON value ---- */

typedef struct read_json_job {
    bss_read_json_fn fn;
    void *arg;
    void (*arg_free)(void *);
    bss_read_json_sent_fn sent;
    json_t *out;
    char *text; /* out serialized on the worker */
    size_t len;
} read_json_job;

static bss_err read_json_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    read_json_job *job = arg;
    json_decref(job->out);
    job->out = NULL;
    bss_free(job->text);
    job->text = NULL;
    bss_err rc = job->fn(db, job->arg, &job->out, ei);
    if (rc == BSS_OK && !(job->text = bss_json_dump(job->out, &job->len)))
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return rc;
}

static void read_json_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    read_json_job *job = arg;
    if (r && rc != BSS_OK) {
        bss_http_send_error(r, rc, ei);
    } else if (r) {
        bss_http_send_text(r, 200, JSON_CT, job->text, job->len);
        if (job->sent)
            job->sent(r, job->out, job->arg);
    }
    json_decref(job->out);
    bss_free(job->text);
    if (job->arg_free)
        job->arg_free(job->arg);
    bss_free(job);
}

void bss_http_read_json(bss_req *r, bss_read_json_fn fn, void *arg, void (*arg_free)(void *),
                        bss_read_json_sent_fn sent)
{
    read_json_job *job = bss_calloc(1, sizeof *job);
    if (!job) {
        if (arg_free)
            arg_free(arg);
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return;
    }
    *job = (read_json_job){.fn = fn, .arg = arg, .arg_free = arg_free, .sent = sent};
    bss_http_read(r, read_json_run, job, read_json_done);
}

void bss__http_on_write_messages(h2o_multithread_receiver_t *rx, h2o_linklist_t *messages)
{
    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *msg =
            H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        h2o_linklist_unlink(&msg->link);
        bss__write_job *job = (bss__write_job *)msg;
        job->loop->pending_writes--;
        bss__req *x = job->req;
        if (x == NULL) {
            job_release(job);
            job->done(NULL, job->rc, &job->ei, job->arg);
            bss_free(job);
            continue;
        }
        x->job = NULL;
        x->guard->job = NULL;
        bss_log_set_request_id(x->pub.request_id);
        x->carry = job;
        job->done(&x->pub, job->rc, &job->ei, job->arg);
        x->carry = NULL;
        job_release(job);
        if (!x->pub.answered && x->job == NULL) {
            bss_errinfo ei;
            bss_fail(&ei, BSS_E_INTERNAL, NULL, "the handler did not answer after its write");
            bss_http_send_error(&x->pub, BSS_E_INTERNAL, &ei);
        }
        bss_log_set_request_id(NULL);
        bss_free(job);
    }
}

/* ---- dispatch ---- */

static void make_request_id(bss_loop *loop, h2o_req_t *req, char out[40])
{
    ssize_t at = h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-request-id"), -1);
    if (at >= 0) {
        h2o_iovec_t v = req->headers.entries[at].value;
        bool ok = v.len > 0 && v.len < 40;
        for (size_t i = 0; ok && i < v.len; i++)
            ok =
                isalnum((unsigned char)v.base[i]) || v.base[i] == '-' || v.base[i] == '_' || v.base[i] == '.';
        if (ok) {
            memcpy(out, v.base, v.len);
            out[v.len] = '\0';
            return;
        }
    }
    static const char hex[] = "0123456789abcdef";
    size_t p = strlen(loop->rid_prefix);
    memcpy(out, loop->rid_prefix, p);
    uint64_t seq = ++loop->req_seq;
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = hex[seq & 15];
        seq >>= 4;
    } while (seq != 0);
    while (n > 0)
        out[p++] = tmp[--n];
    out[p] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Percent-decodes a path segment into the pool; false on a bad escape or an encoded NUL. */
static bool decode_param(h2o_mem_pool_t *pool, const char *s, size_t len, char **out)
{
    char *d = h2o_mem_alloc_pool(pool, len + 1);
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '%') {
            d[j++] = s[i];
            continue;
        }
        if (len - i < 3)
            return false;
        int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            return false;
        d[j++] = (char)(hi * 16 + lo);
        i += 2;
    }
    d[j] = '\0';
    *out = d;
    return true;
}

typedef struct touch_job {
    char key_id[40];
    int64_t at_ms;
} touch_job;

static bss_err touch_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    const touch_job *t = arg;
    return bss_auth_touch(db, t->key_id, t->at_ms, ei);
}

static void touch_done(void *arg, bss_err rc, const bss_errinfo *ei)
{
    bss_free(arg); /* best effort: a lost "last used" is not worth an error */
}

/* A key verified against the store: note when it was used, through the writer, without waiting. */
static void touch_key(bss_req *r, const bss_principal *who)
{
    if (r->app->writer == NULL)
        return;
    touch_job *t = bss_malloc(sizeof(*t));
    if (t == NULL)
        return;
    snprintf(t->key_id, sizeof(t->key_id), "%s", who->key_id);
    t->at_ms = bss_clock_now(&r->app->clock);
    bss_writer_submit(r->app->writer, touch_run, t, touch_done);
}

/* The caller's key, verified (401 sent otherwise); no role check yet. */
static bool identify(bss_req *r)
{
    h2o_req_t *req = r->h2o;
    ssize_t at = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    const char *v = at >= 0 ? req->headers.entries[at].value.base : NULL;
    size_t vlen = at >= 0 ? req->headers.entries[at].value.len : 0;
    bss_principal *who = h2o_mem_alloc_pool(&req->pool, sizeof(*who));
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    int64_t now_ms = mono_ns() / 1000000;
    bss_err rc = bss_auth_check(r->loop->auth, r->loop->db, v, vlen, now_ms, who, &ei);
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        return false;
    }
    r->who = who;
    if (who->looked_up)
        touch_key(r, who);
    return true;
}

/* The route's roles (403) and the key's request rate (429) for an identified caller. */
static bool admit(bss_req *r)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    if (!bss_auth_allows(r->route->roles, r->who->role)) {
        char need[160];
        bss_auth_roles_text(r->route->roles, need, sizeof need);
        bss_fail(&ei, BSS_E_FORBIDDEN, NULL, "the role '%s' may not call %s %s; it needs one of: %s",
                 bss_auth_role_name(r->who->role), r->route->method, r->route->pattern, need);
        bss_http_send_error(r, BSS_E_FORBIDDEN, &ei);
        return false;
    }
    int64_t retry_ms = 0;
    if (r->app->ratelimit && !bss_ratelimit_take(r->app->ratelimit, r->who->key_id, r->who->role,
                                                 mono_ns() / 1000000, &retry_ms)) {
        char after[24];
        snprintf(after, sizeof after, "%lld", (long long)((retry_ms + 999) / 1000));
        bss_http_add_header(r, "Retry-After", after);
        bss_fail(&ei, BSS_E_RATE, NULL, "this key has sent more requests than its role's rate allows (%s); retry "
                 "in %s s", bss_auth_role_name(r->who->role), after);
        bss_http_send_error(r, BSS_E_RATE, &ei);
        return false;
    }
    return true;
}

/*
 * Finds the route (HEAD is served by the GET route) and decodes its path
 * parameters. On failure returns the error for the caller to send once it
 * knows who is asking (an unknown caller gets 401 before a 404 or 405 could
 * tell which routes exist).
 */
static bss_err route_request(bss_req *r, size_t path_len, bss_errinfo *ei)
{
    bss__req *x = (bss__req *)r;
    h2o_req_t *req = r->h2o;
    bss_router *rt = r->loop->srv->router;
    bss_route_match m;
    bool head = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));
    const char *method = head ? "GET" : req->method.base;
    size_t method_len = head ? 3 : req->method.len;
    bss_err rc = bss_router_match(rt, method, method_len, req->path.base, path_len, &m);
    if (rc != BSS_OK) {
        if (rc == BSS_E_METHOD) {
            char allow[160];
            snprintf(allow, sizeof allow, "%s%s", m.allow, strstr(m.allow, "GET") ? ", HEAD" : "");
            bss_http_add_header(r, "Allow", allow);
            bss_fail(ei, rc, NULL, "%.*s is not allowed on %.*s; allowed: %s", (int)req->method.len,
                     req->method.base, (int)path_len, req->path.base, allow);
        } else {
            bss_fail(ei, rc, NULL, "no resource at %.*s", (int)path_len, req->path.base);
        }
        return rc;
    }
    r->route = m.route;
    x->route_index = bss_router_index_of(rt, m.route);
    for (size_t i = 0; i < m.nparams; i++) {
        r->params[i].name = m.params[i].name;
        if (!decode_param(&req->pool, m.params[i].value, m.params[i].len, &r->params[i].value))
            return bss_fail(ei, BSS_E_INVALID, m.params[i].name, "bad percent-encoding in the path parameter '%s'",
                            m.params[i].name);
    }
    r->nparams = m.nparams;
    return BSS_OK;
}

int bss__http_dispatch(bss_loop *loop, h2o_req_t *req)
{
    bss__req *x = h2o_mem_alloc_pool(&req->pool, sizeof(*x));
    memset(x, 0, sizeof(*x));
    bss_req *r = &x->pub;
    r->start_ns = mono_ns();
    r->h2o = req;
    r->loop = loop;
    r->app = loop->app;
    r->db = loop->db;
    x->route_index = bss_router_count(loop->srv->router);
    bss_h2guard_watch(loop->h2guard, req); /* the first request of an HTTP/2 connection puts its meter on */
    make_request_id(loop, req, r->request_id);
    size_t path_len = req->path.len;
    if (req->query_at != SIZE_MAX && req->query_at < req->path.len) {
        path_len = req->query_at;
        r->query = req->path.base + req->query_at + 1;
        r->query_len = req->path.len - req->query_at - 1;
    }
    bss_log_set_request_id(r->request_id);
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    const char *framing = bss_h1guard_check(req); /* a head a proxy could read another way: 400 and close */
    if (framing) {
        char peer[64] = "?";
        struct sockaddr_storage ss;
        socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
        if (sl > 0)
            h2o_socket_getnumerichost((struct sockaddr *)&ss, sl, peer);
        bss_log(BSS_LOG_WARN, "http1.framing", "peer", peer, "message", framing, NULL);
        bss_fail(&ei, BSS_E_INVALID, NULL, "%s", framing);
        bss_http_send_error(r, BSS_E_INVALID, &ei);
        bss_log_set_request_id(NULL);
        return 0;
    }
    bss_err routed = route_request(r, path_len, &ei);
    bool public_route = routed == BSS_OK && r->route->roles == BSS_ROLES_PUBLIC;
    if (!public_route && !identify(r)) {
        /* 401: sent by identify, whether or not a route matched */
    } else if (routed != BSS_OK) {
        bss_http_send_error(r, routed, &ei);
    } else if (req->entity.base != NULL && (int64_t)req->entity.len > loop->app->cfg.max_body) {
        bss_fail(&ei, BSS_E_TOO_BIG, NULL, "the request body is larger than %lld bytes",
                 (long long)loop->app->cfg.max_body);
        bss_http_send_error(r, BSS_E_TOO_BIG, &ei);
    } else if (public_route || admit(r)) {
        r->route->handler(r);
        if (!r->answered && x->job == NULL) {
            bss_fail(&ei, BSS_E_INTERNAL, NULL, "the handler did not answer");
            bss_http_send_error(r, BSS_E_INTERNAL, &ei);
        }
    }
    bss_log_set_request_id(NULL);
    return 0;
}
