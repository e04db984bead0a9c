/*
 * online_bench.c: online charging updates through the in-process API
 * (issue 11's target: >= 200,000 operations/s, p99 <= 2 ms): the writer's
 * job bss_cc_handle, as the HTTP door and the Diameter door call it, with
 * no HTTP in between. bench/run-online.sh builds it against the release
 * library and runs it on the store a `bss serve --demo` seeded (stopped
 * first: this program is the store's only writer while it runs).
 *
 *   online_bench URL SESSIONS SECONDS CALLERS [--store-lines]
 *
 * Opens SESSIONS data sessions on the store's active postpaid lines (in
 * turn), then CALLERS threads send updates (100 kB used, 100 kB more asked:
 * commit + reserve) for SECONDS, each waiting for its answer (the writer's
 * durable group commit) before the next, every thread on its own sessions.
 * --store-lines: without the resident lines (every line read from the
 * store), for comparison. Prints one Markdown table row.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "charging/charging.h"
#include "core/mem.h"
#include "db/db.h"
#include "db/writer.h"

#define MAX_LINES 4096

typedef struct bench {
    bss_writer *w;
    const bss_catalog *cat;
    bss_lines *lines;
    char (*msisdn)[16];
    size_t nlines, sessions, callers;
    int64_t deadline_ns;
    atomic_llong refused;
} bench;

typedef struct job {
    bench *b;
    bss_cc_request req;
} job;

typedef struct caller {
    bench *b;
    size_t k;
    int64_t *lat;
    size_t nlat, cap;
} caller;

static int64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t wall_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static bss_err run(bss_db *db, void *arg, bss_errinfo *ei)
{
    job *j = arg;
    bss_cc_env env = {.cat = j->b->cat, .now_ms = wall_ms(), .validity_ms = 300000, .base_url = "",
                      .lines = j->b->lines};
    return bss_cc_handle(db, &env, &j->req, ei);
}

static void request(job *j, size_t s, int64_t n, bss_cc_type type)
{
    memset(&j->req, 0, sizeof j->req);
    snprintf(j->req.session_id, sizeof j->req.session_id, "inproc-%ld-%zu", (long)getpid(), s);
    j->req.request_number = n;
    j->req.type = type;
    snprintf(j->req.msisdn, sizeof j->req.msisdn, "%s", j->b->msisdn[s % j->b->nlines]);
    j->req.nservices = 1;
    j->req.services[0].service = BSS_CDR_DATA;
    j->req.services[0].rating_group = -1;
    j->req.services[0].requested = 100000;
    j->req.services[0].used = type == BSS_CC_UPDATE ? 100000 : 0;
}

static void *caller_main(void *arg)
{
    caller *c = arg;
    bench *b = c->b;
    job j = {.b = b};
    int64_t n = 1;
    while (mono_ns() < b->deadline_ns) {
        for (size_t s = c->k; s < b->sessions && mono_ns() < b->deadline_ns; s += b->callers) {
            request(&j, s, n, BSS_CC_UPDATE);
            int64_t t0 = mono_ns();
            bss_errinfo ei;
            bss_err rc = bss_writer_run(b->w, run, &j, &ei);
            int64_t dt = mono_ns() - t0;
            if (rc != BSS_OK || j.req.result != BSS_CC_SUCCESS)
                atomic_fetch_add(&b->refused, 1);
            if (c->nlat == c->cap) {
                c->cap = c->cap ? c->cap * 2 : 65536;
                c->lat = realloc(c->lat, c->cap * sizeof *c->lat);
                if (!c->lat)
                    abort();
            }
            c->lat[c->nlat++] = dt;
        }
        n++;
    }
    return NULL;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    bss_mem_init();
    if (argc < 5) {
        fprintf(stderr, "usage: online_bench URL SESSIONS SECONDS CALLERS [--store-lines]\n");
        return 2;
    }
    bench b = {.sessions = (size_t)atol(argv[2]), .callers = (size_t)atol(argv[4])};
    int seconds = atoi(argv[3]);
    bool store_lines = argc > 5 && strcmp(argv[5], "--store-lines") == 0;
    if (b.sessions == 0 || b.callers == 0 || seconds <= 0)
        return 2;
    bss_errinfo ei;
    bss_db *db = NULL;
    if (bss_db_open(argv[1], NULL, &db, &ei) != BSS_OK) {
        fprintf(stderr, "online_bench: %s\n", ei.message);
        return 1;
    }
    /* the catalog, published as serve publishes it (the resident lines keep to a published snapshot) */
    bss_catalog *built = NULL;
    if (bss_catalog_build(db, &built, &ei) != BSS_OK) {
        fprintf(stderr, "online_bench: catalog: %s\n", ei.message);
        return 1;
    }
    bss_catalog_holder *holder = bss_catalog_holder_create();
    bss_catalog_publish(holder, built);
    b.cat = bss_catalog_acquire(holder);
    b.msisdn = calloc(MAX_LINES, sizeof *b.msisdn);
    bss_db_rows *rows = NULL;
    if (bss_db_query(db,
                     "SELECT i.value FROM product_identity i JOIN product p ON p.id = i.product_id WHERE "
                     "i.kind = 'MSISDN' AND p.status = 'active' AND p.offering_id LIKE 'po-postpaid%' ORDER BY i.value",
                     NULL, 0, &rows, &ei) != BSS_OK) {
        fprintf(stderr, "online_bench: lines: %s\n", ei.message);
        return 1;
    }
    while (b.nlines < MAX_LINES && bss_db_next(rows)) {
        const char *v = bss_db_col_text(rows, 0, NULL);
        snprintf(b.msisdn[b.nlines++], sizeof b.msisdn[0], "%s", v && v[0] == '+' ? v + 1 : v ? v : "");
    }
    bss_db_rows_close(rows);
    bss_db_close(db);
    if (b.nlines == 0) {
        fprintf(stderr, "online_bench: no active postpaid line in the store\n");
        return 1;
    }
    b.lines = store_lines ? NULL : bss_lines_new(0, false);
    bss_writer_options wopt = {.window_us = 500, .max_batch = 256, .max_queue = 100000,
                               .listener = bss_lines_listener(b.lines)};
    if (bss_writer_start(argv[1], NULL, &wopt, &b.w, &ei) != BSS_OK) {
        fprintf(stderr, "online_bench: writer: %s\n", ei.message);
        return 1;
    }
    /* the sessions (request 0) */
    job j = {.b = &b};
    for (size_t s = 0; s < b.sessions; s++) {
        request(&j, s, 0, BSS_CC_INITIAL);
        if (bss_writer_run(b.w, run, &j, &ei) != BSS_OK || j.req.result != BSS_CC_SUCCESS) {
            fprintf(stderr, "online_bench: session %zu: %s (result %d)\n", s, ei.message, j.req.result);
            return 1;
        }
    }
    caller *cs = calloc(b.callers, sizeof *cs);
    pthread_t *th = calloc(b.callers, sizeof *th);
    int64_t t0 = mono_ns();
    b.deadline_ns = t0 + (int64_t)seconds * 1000000000;
    for (size_t k = 0; k < b.callers; k++) {
        cs[k] = (caller){.b = &b, .k = k};
        pthread_create(&th[k], NULL, caller_main, &cs[k]);
    }
    size_t total = 0;
    for (size_t k = 0; k < b.callers; k++) {
        pthread_join(th[k], NULL);
        total += cs[k].nlat;
    }
    double elapsed = (double)(mono_ns() - t0) / 1e9;
    int64_t *all = malloc((total ? total : 1) * sizeof *all);
    size_t n = 0;
    for (size_t k = 0; k < b.callers; k++) {
        memcpy(all + n, cs[k].lat, cs[k].nlat * sizeof *all);
        n += cs[k].nlat;
        free(cs[k].lat);
    }
    qsort(all, n, sizeof *all, cmp64);
    bss_lines_stats ls;
    bss_lines_get_stats(b.lines, &ls);
    printf("| update (commit + reserve), in-process (bss_cc_handle in the writer), %zu sessions on %zu lines, %zu "
           "callers, %s | %.0f | %.2f ms | %.2f ms | %lld of %zu | %lld hits, %lld misses; buckets %lld, %lld |\n",
           b.sessions, b.nlines, b.callers, store_lines ? "lines read from the store" : "resident lines",
           (double)n / elapsed, n ? (double)all[n / 2] / 1e6 : 0, n ? (double)all[n * 99 / 100] / 1e6 : 0,
           (long long)atomic_load(&b.refused), n, (long long)ls.hits, (long long)ls.misses, (long long)ls.bucket_hits,
           (long long)ls.bucket_misses);
    free(all);
    bss_writer_stop(b.w);
    bss_lines_free(b.lines);
    bss_catalog_release(holder, b.cat);
    bss_catalog_holder_destroy(holder);
    free(cs);
    free(th);
    free(b.msisdn);
    return 0;
}
