/*
 * metrics.c: per-thread request counters and latency histograms, summed on
 * scrape into Prometheus text (metrics.h). A thread's slot is written by
 * that thread alone with relaxed atomic load+store (no read-modify-write,
 * no lock prefix), so the hot path costs a handful of plain stores; the
 * scraping thread reads with relaxed loads and may see a request counted
 * a moment late, which Prometheus tolerates.
 */
#include "api/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

static const int statuses[] = {200, 201, 202, 204, 301, 302, 304, 400, 401, 403, 404, 405, 406,
                               408, 409, 410, 413, 415, 422, 429, 500, 501, 502, 503, 504};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1) /* + "other" */

static const int64_t bucket_ns[] = {500000,     1000000,    2500000,   5000000,   10000000,
                                    25000000,   50000000,   100000000, 250000000, 500000000,
                                    1000000000, 2500000000, 5000000000};
static const char *const bucket_le[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
                                        "0.1",    "0.25",  "0.5",    "1",     "2.5",  "5"};
#define NBUCKETS (sizeof(bucket_ns) / sizeof(bucket_ns[0]) + 1) /* + +Inf */

typedef _Atomic uint64_t counter;

typedef struct route_slot {
    counter by_status[NSTATUS];
    counter buckets[NBUCKETS];
    counter sum_ns;
    counter count;
} route_slot;

typedef struct thread_slot {
    counter db_errors;
    char pad[56];        /* keeps the hot counters off the line other fields share */
    route_slot routes[]; /* nroutes + 1 */
} thread_slot;

struct bss_metrics {
    size_t nthreads, nroutes;
    const char **names;
    thread_slot **threads;
};

bss_metrics *bss_metrics_create(size_t nthreads, size_t nroutes)
{
    bss_metrics *m = bss_calloc(1, sizeof(*m));
    if (m == NULL)
        return NULL;
    m->nthreads = nthreads;
    m->nroutes = nroutes;
    m->names = bss_calloc(nroutes + 1, sizeof(*m->names));
    m->threads = bss_calloc(nthreads ? nthreads : 1, sizeof(*m->threads));
    if (m->names == NULL || m->threads == NULL) {
        bss_metrics_destroy(m);
        return NULL;
    }
    for (size_t t = 0; t < nthreads; t++) {
        m->threads[t] = bss_calloc(1, sizeof(thread_slot) + (nroutes + 1) * sizeof(route_slot) + 64);
        if (m->threads[t] == NULL) {
            bss_metrics_destroy(m);
            return NULL;
        }
    }
    return m;
}

void bss_metrics_destroy(bss_metrics *m)
{
    if (m == NULL)
        return;
    for (size_t t = 0; m->threads != NULL && t < m->nthreads; t++)
        bss_free(m->threads[t]);
    bss_free(m->threads);
    bss_free(m->names);
    bss_free(m);
}

void bss_metrics_set_route_name(bss_metrics *m, size_t route, const char *name)
{
    if (route < m->nroutes)
        m->names[route] = name;
}

static size_t status_index(int status)
{
    for (size_t i = 0; i < NSTATUS - 1; i++)
        if (statuses[i] == status)
            return i;
    return NSTATUS - 1;
}

static inline void bump(counter *c, uint64_t by)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + by, memory_order_relaxed);
}

void bss_metrics_observe(bss_metrics *m, size_t thread, size_t route, int status, int64_t duration_ns)
{
    if (m == NULL || thread >= m->nthreads)
        return;
    if (route > m->nroutes)
        route = m->nroutes;
    route_slot *s = &m->threads[thread]->routes[route];
    if (duration_ns < 0)
        duration_ns = 0;
    size_t b = 0;
    while (b < NBUCKETS - 1 && duration_ns > bucket_ns[b])
        b++;
    bump(&s->by_status[status_index(status)], 1);
    bump(&s->buckets[b], 1);
    bump(&s->sum_ns, (uint64_t)duration_ns);
    bump(&s->count, 1);
}

void bss_metrics_set_db_errors(bss_metrics *m, size_t thread, int64_t total)
{
    if (m != NULL && thread < m->nthreads)
        atomic_store_explicit(&m->threads[thread]->db_errors, (uint64_t)total, memory_order_relaxed);
}

/* ---- rendering ---- */

typedef struct out {
    char *data;
    size_t len, cap;
    int failed;
} out;

static void outf(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(out *o, const char *fmt, ...)
{
    if (o->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->data + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            o->failed = 1;
            return;
        }
        if ((size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = o->cap * 2 + (size_t)n;
        char *d = bss_realloc(o->data, cap);
        if (d == NULL) {
            o->failed = 1;
            return;
        }
        o->data = d;
        o->cap = cap;
    }
}

static uint64_t load(const counter *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

static const char *route_name(const bss_metrics *m, size_t r, char *buf, size_t cap)
{
    if (r == m->nroutes)
        return "unmatched";
    if (m->names[r] != NULL)
        return m->names[r];
    snprintf(buf, cap, "route%zu", r);
    return buf;
}

/* Sums one route over every thread. */
static void sum_route(const bss_metrics *m, size_t r, route_slot *sum)
{
    memset(sum, 0, sizeof(*sum));
    for (size_t t = 0; t < m->nthreads; t++) {
        const route_slot *s = &m->threads[t]->routes[r];
        for (size_t i = 0; i < NSTATUS; i++)
            sum->by_status[i] += load(&s->by_status[i]);
        for (size_t i = 0; i < NBUCKETS; i++)
            sum->buckets[i] += load(&s->buckets[i]);
        sum->sum_ns += load(&s->sum_ns);
        sum->count += load(&s->count);
    }
}

static void render_route(out *o, const char *name, const route_slot *s, int pass)
{
    if (pass == 0) {
        for (size_t i = 0; i < NSTATUS; i++) {
            uint64_t n = load(&s->by_status[i]);
            if (n == 0)
                continue;
            if (i < NSTATUS - 1)
                outf(o, "bss_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n", name, statuses[i],
                     (unsigned long long)n);
            else
                outf(o, "bss_http_requests_total{route=\"%s\",status=\"other\"} %llu\n", name,
                     (unsigned long long)n);
        }
        return;
    }
    uint64_t cum = 0;
    for (size_t i = 0; i < NBUCKETS; i++) {
        cum += load(&s->buckets[i]);
        outf(o, "bss_http_request_duration_seconds_bucket{route=\"%s\",le=\"%s\"} %llu\n", name,
             i < NBUCKETS - 1 ? bucket_le[i] : "+Inf", (unsigned long long)cum);
    }
    uint64_t ns = load(&s->sum_ns);
    outf(o, "bss_http_request_duration_seconds_sum{route=\"%s\"} %llu.%09llu\n", name,
         (unsigned long long)(ns / 1000000000u), (unsigned long long)(ns % 1000000000u));
    outf(o, "bss_http_request_duration_seconds_count{route=\"%s\"} %llu\n", name,
         (unsigned long long)load(&s->count));
}

static void render_requests(out *o, const bss_metrics *m)
{
    static const char *const heads[2] = {
        "# HELP bss_http_requests_total HTTP requests answered, by route and status.\n"
        "# TYPE bss_http_requests_total counter\n",
        "# HELP bss_http_request_duration_seconds Time from request to answer, by route.\n"
        "# TYPE bss_http_request_duration_seconds histogram\n"};
    route_slot sum;
    char buf[32];
    for (int pass = 0; pass < 2; pass++) {
        outf(o, "%s", heads[pass]);
        for (size_t r = 0; r <= m->nroutes; r++) {
            sum_route(m, r, &sum);
            if (load(&sum.count) > 0)
                render_route(o, route_name(m, r, buf, sizeof(buf)), &sum, pass);
        }
    }
}

char *bss_metrics_render(const bss_metrics *m, const bss_metrics_gauges *g, size_t *len)
{
    out o = {.cap = 4096};
    o.data = bss_malloc(o.cap);
    if (o.data == NULL)
        return NULL;
    o.data[0] = '\0';
    render_requests(&o, m);
    uint64_t dberr = 0;
    for (size_t t = 0; t < m->nthreads; t++)
        dberr += load(&m->threads[t]->db_errors);
    outf(&o,
         "# HELP bss_db_errors_total Store errors on the event loops' connections and failed writer jobs.\n"
         "# TYPE bss_db_errors_total counter\nbss_db_errors_total %llu\n",
         (unsigned long long)(dberr + (uint64_t)(g ? g->writer_failures : 0)));
    outf(&o,
         "# HELP bss_outbox_backlog Events committed but not yet delivered.\n"
         "# TYPE bss_outbox_backlog gauge\nbss_outbox_backlog %lld\n",
         (long long)(g ? g->outbox_backlog : 0));
    outf(&o,
         "# HELP bss_writer_queue Write jobs waiting for the group-commit writer.\n"
         "# TYPE bss_writer_queue gauge\nbss_writer_queue %lld\n",
         (long long)(g ? g->writer_queue : 0));
    if (g) {
        outf(&o,
             "# HELP bss_writer_batch_size Jobs per committed group-commit batch (one transaction, one fsync).\n"
             "# TYPE bss_writer_batch_size histogram\n");
        int64_t cum = 0;
        for (int b = 0; b < 10; b++) {
            cum += g->writer_batch_le[b];
            if (b < 9)
                outf(&o, "bss_writer_batch_size_bucket{le=\"%d\"} %lld\n", 1 << b, (long long)cum);
        }
        outf(&o,
             "bss_writer_batch_size_bucket{le=\"+Inf\"} %lld\nbss_writer_batch_size_sum %lld\n"
             "bss_writer_batch_size_count %lld\n",
             (long long)cum, (long long)g->writer_jobs, (long long)g->writer_batches);
        outf(&o,
             "# HELP bss_events_deliveries_total Event delivery attempts by outcome: delivered (2xx), retried "
             "(failed, tried again later), dead (given up).\n"
             "# TYPE bss_events_deliveries_total counter\n"
             "bss_events_deliveries_total{outcome=\"delivered\"} %lld\n"
             "bss_events_deliveries_total{outcome=\"retried\"} %lld\n"
             "bss_events_deliveries_total{outcome=\"dead\"} %lld\n",
             (long long)g->events_delivered, (long long)g->events_retried, (long long)g->events_dead);
        outf(&o,
             "# HELP bss_orders_overdue Open product orders past their expected completion (the SLA of their "
             "category).\n# TYPE bss_orders_overdue gauge\nbss_orders_overdue %lld\n"
             "# HELP bss_provisioning_tasks_total Provisioning steps run since start, by outcome.\n"
             "# TYPE bss_provisioning_tasks_total counter\n"
             "bss_provisioning_tasks_total{outcome=\"done\"} %lld\n"
             "bss_provisioning_tasks_total{outcome=\"failed\"} %lld\n"
             "bss_provisioning_tasks_total{outcome=\"retried\"} %lld\n",
             (long long)g->orders_overdue, (long long)g->tasks_done, (long long)g->tasks_failed,
             (long long)g->tasks_retried);
        outf(&o,
             "# HELP bss_charging_lines_resident Lines online charging keeps in memory on the writer.\n"
             "# TYPE bss_charging_lines_resident gauge\nbss_charging_lines_resident %lld\n"
             "# HELP bss_charging_line_reads_total Line reads by online charging: from memory (hit) or the store "
             "(miss).\n# TYPE bss_charging_line_reads_total counter\n"
             "bss_charging_line_reads_total{from=\"hit\"} %lld\nbss_charging_line_reads_total{from=\"miss\"} %lld\n"
             "# HELP bss_charging_bucket_reads_total A resident line's buckets, online and in CDR batches: from "
             "memory (hit) or the store (miss).\n# TYPE bss_charging_bucket_reads_total counter\n"
             "bss_charging_bucket_reads_total{from=\"hit\"} %lld\nbss_charging_bucket_reads_total{from=\"miss\"} %lld\n"
             "# HELP bss_charging_lines_forgotten_total Resident lines dropped because the work that read them was "
             "rolled back.\n# TYPE bss_charging_lines_forgotten_total counter\nbss_charging_lines_forgotten_total %lld\n"
             "# HELP bss_charging_lines_resets_total Times the resident lines started empty (a new catalog, or the "
             "most lines held).\n# TYPE bss_charging_lines_resets_total counter\nbss_charging_lines_resets_total %lld\n"
             "# HELP bss_charging_lines_mismatch_total Resident lines that differed from the store (--verify-lines).\n"
             "# TYPE bss_charging_lines_mismatch_total counter\nbss_charging_lines_mismatch_total %lld\n"
             "# HELP bss_charging_sessions_resident Open online charging sessions kept in memory on the writer.\n"
             "# TYPE bss_charging_sessions_resident gauge\nbss_charging_sessions_resident %lld\n"
             "# HELP bss_charging_session_reads_total Session reads by online charging: from memory (hit) or the "
             "store (miss).\n# TYPE bss_charging_session_reads_total counter\n"
             "bss_charging_session_reads_total{from=\"hit\"} %lld\nbss_charging_session_reads_total{from=\"miss\"} "
             "%lld\n",
             (long long)g->lines_resident, (long long)g->lines_hits, (long long)g->lines_misses,
             (long long)g->bucket_hits, (long long)g->bucket_misses, (long long)g->lines_forgotten, (long long)g->lines_resets, (long long)g->lines_mismatches,
             (long long)g->sessions_resident, (long long)g->session_hits, (long long)g->session_misses);
        outf(&o,
             "# HELP bss_uptime_seconds Seconds since this server started.\n"
             "# TYPE bss_uptime_seconds gauge\nbss_uptime_seconds %lld.%03lld\n",
             (long long)(g->uptime_ms / 1000), (long long)(g->uptime_ms % 1000));
        outf(&o,
             "# HELP bss_build_info The running build (always 1).\n"
             "# TYPE bss_build_info gauge\nbss_build_info{version=\"%s\"} 1\n",
             g->version ? g->version : "");
    }
    if (o.failed) {
        bss_free(o.data);
        return NULL;
    }
    *len = o.len;
    return o.data;
}
