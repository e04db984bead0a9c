/*
 * lines_bench.c: the resident lines' memory (issue 11's target: <= 1 KiB
 * of resident memory per subscriber with 1,000,000 subscribers' balances
 * loaded). bench/run-lines.sh seeds a demo store with N extra postpaid
 * lines (each its own account and three buckets, copied from a demo line
 * in SQL), then this program loads every one of them into the writer's
 * resident lines as online charging does (bss_lines_get, then
 * bss_lines_buckets), 1,000 a writer job, and prints the table's own
 * memory per line and the process's resident-memory growth per line.
 *
 *   lines_bench URL PREFIX
 *
 * PREFIX: the seeded numbers' first digits (e.g. 3169).
 */
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

typedef struct job {
    bss_lines *lines;
    const bss_catalog *cat;
    char (*numbers)[16];
    size_t from, to, loaded;
} job;

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int64_t rss_bytes(void)
{
    long pages = 0, res = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &res) != 2)
            res = 0;
        fclose(f);
    }
    return (int64_t)res * sysconf(_SC_PAGESIZE);
}

static bss_err load(bss_db *db, void *arg, bss_errinfo *ei)
{
    job *j = arg;
    bss_charging_line *l = bss_malloc(sizeof *l);
    if (!l)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    int64_t now = now_ms();
    j->loaded = 0;
    bss_err rc = BSS_OK;
    for (size_t i = j->from; rc == BSS_OK && i < j->to; i++) {
        rc = bss_lines_get(j->lines, db, j->cat, j->numbers[i], now, false, l, ei);
        if (rc == BSS_OK)
            rc = bss_lines_buckets(j->lines, db, l, now, ei);
        if (rc == BSS_OK && l->nbuckets)
            j->loaded++;
    }
    bss_free(l);
    if (rc == BSS_OK)
        bss_lines_measure(j->lines);
    return rc;
}

int main(int argc, char **argv)
{
    bss_mem_init();
    if (argc < 3) {
        fprintf(stderr, "usage: lines_bench URL PREFIX\n");
        return 2;
    }
    bss_errinfo ei;
    bss_db *db = NULL;
    bss_catalog *built = NULL;
    if (bss_db_open(argv[1], NULL, &db, &ei) != BSS_OK || bss_catalog_build(db, &built, &ei) != BSS_OK) {
        fprintf(stderr, "lines_bench: %s\n", ei.message);
        return 1;
    }
    bss_catalog_holder *holder = bss_catalog_holder_create();
    bss_catalog_publish(holder, built);
    const bss_catalog *cat = bss_catalog_acquire(holder);
    size_t cap = 1u << 16, n = 0;
    char(*numbers)[16] = malloc(cap * sizeof *numbers);
    char like[32];
    snprintf(like, sizeof like, "%.20s%%", argv[2]);
    bss_db_rows *rows = NULL;
    if (bss_db_query(db, "SELECT value FROM product_identity WHERE kind = 'MSISDN' AND value LIKE ? ORDER BY value",
                     BSS_DB_ARGS(BSS_DB_STRN(like, strlen(like))), &rows, &ei) != BSS_OK) {
        fprintf(stderr, "lines_bench: %s\n", ei.message);
        return 1;
    }
    while (bss_db_next(rows)) {
        if (n == cap)
            numbers = realloc(numbers, (cap *= 2) * sizeof *numbers);
        const char *v = bss_db_col_text(rows, 0, NULL);
        snprintf(numbers[n++], sizeof numbers[0], "%s", v ? v : "");
    }
    bss_db_rows_close(rows);
    bss_db_close(db);
    bss_lines *lines = bss_lines_new(0, false);
    bss_writer_options wopt = {.window_us = 500, .max_batch = 256, .max_queue = 100000,
                               .listener = bss_lines_listener(lines)};
    bss_writer *w = NULL;
    if (bss_writer_start(argv[1], NULL, &wopt, &w, &ei) != BSS_OK) {
        fprintf(stderr, "lines_bench: writer: %s\n", ei.message);
        return 1;
    }
    /* one job first, so the connection's caches and the allocator settle before the count starts */
    job j = {.lines = lines, .cat = cat, .numbers = numbers, .from = 0, .to = n < 1000 ? n : 1000};
    if (bss_writer_run(w, load, &j, &ei) != BSS_OK) {
        fprintf(stderr, "lines_bench: %s\n", ei.message);
        return 1;
    }
    size_t loaded = j.loaded;
    int64_t rss0 = rss_bytes(), t0 = now_ms();
    bss_lines_stats s0;
    bss_lines_get_stats(lines, &s0);
    for (size_t from = j.to; from < n; from += 1000) {
        j.from = from;
        j.to = from + 1000 < n ? from + 1000 : n;
        if (bss_writer_run(w, load, &j, &ei) != BSS_OK) {
            fprintf(stderr, "lines_bench: %s\n", ei.message);
            return 1;
        }
        loaded += j.loaded;
    }
    int64_t ms = now_ms() - t0, rss1 = rss_bytes();
    bss_lines_stats st;
    bss_lines_get_stats(lines, &st);
    size_t counted = n > 1000 ? n - 1000 : 1;
    printf("| resident lines, %zu lines with their buckets loaded (%zu with buckets) | %.0f bytes a line | %.0f bytes a "
           "line | %.1f s (%.0f lines/s) |\n",
           n, loaded, (double)st.bytes / (double)st.resident, (double)(rss1 - rss0) / (double)counted,
           (double)ms / 1000, (double)counted * 1000 / (double)(ms ? ms : 1));
    (void)s0;
    bss_writer_stop(w);
    bss_lines_free(lines);
    bss_catalog_release(holder, cat);
    bss_catalog_holder_destroy(holder);
    free(numbers);
    return 0;
}
