/*
 * search_bench.c: the latency benchmark of the customer search
 * (src/customer/search.c). A standalone program linked against the release
 * library; run it through bench/run-search.sh, which builds it and appends
 * its table to bench/results/latest.md.
 *
 * It creates a fresh SQLite store (migrated like `bss migrate`), indexes
 * 1,000,000 customers in one transaction through bss_search_index_doc, the
 * function the customer and party writers call: a given name and a family
 * name made of deterministic syllables (some accented: é, ø, ł, ß, ü), an
 * e-mail and an E.164 mobile number each. It then runs 10,000 searches
 * through bss_search_run, the function behind GET /api/v1/search, one at a
 * time on one connection: a third name prefixes (3 to 6 letters of a
 * given or family name, typed without accents, some in capitals), a third
 * e-mails (in mixed case), a third phone numbers (typed with spaces or a
 * 00 prefix), after 1,000 unmeasured ones (a serving store is warm).
 * Prints p50, p99 and max per kind as a markdown table.
 *
 *   search_bench [DIR] [CUSTOMERS]      default: a temp dir, 1000000
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/mem.h"
#include "core/time.h"
#include "customer/customer.h"
#include "db/db.h"
#include "db/migrate.h"

#define NSEARCH 10000
#define NWARMUP 1000
#define LIMIT 20

static uint64_t rng = 20261122;

static uint64_t next_rand(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static const char *const syl[] = {"ka", "lo", "mi", "ne", "ro", "sa", "ti", "vu", "bé", "da", "fe",
                                  "gi", "ho", "jø", "ki", "łu", "ma", "no", "pi", "re", "ßa", "to",
                                  "ül", "wa", "xe", "yo", "za", "an", "el", "or", "us", "in"};
static const char *const plain[] = {"ka", "lo", "mi", "ne", "ro", "sa", "ti", "vu", "be", "da",  "fe",
                                    "gi", "ho", "jo", "ki", "lu", "ma", "no", "pi", "re", "ssa", "to",
                                    "ul", "wa", "xe", "yo", "za", "an", "el", "or", "us", "in"};
#define NSYL (sizeof syl / sizeof syl[0])

/* A name of n syllables from seed: the accented form and the folded one typed by agents. */
static void make_name(uint64_t seed, int n, char *out, size_t cap, char *folded, size_t fcap)
{
    size_t len = 0, flen = 0;
    for (int i = 0; i < n; i++) {
        size_t s = (size_t)(seed % NSYL);
        seed /= NSYL;
        len += (size_t)snprintf(out + len, cap - len, "%s", syl[s]);
        flen += (size_t)snprintf(folded + flen, fcap - flen, "%s", plain[s]);
    }
    if (len > 0 && out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
}

typedef struct person {
    char given[24], family[32], fgiven[24], ffamily[32], email[80], phone[20], id[16];
} person;

static void person_of(uint64_t i, person *p)
{
    uint64_t saved = rng;
    rng = i * 7919u + 17u;
    uint64_t g = next_rand(), f = next_rand();
    rng = saved;
    make_name(g, 2 + (int)(g >> 60) % 2, p->given, sizeof p->given, p->fgiven, sizeof p->fgiven);
    make_name(f, 2 + (int)(f >> 60) % 3, p->family, sizeof p->family, p->ffamily, sizeof p->ffamily);
    snprintf(p->email, sizeof p->email, "%s.%s%" PRIu64 "@example.com", p->fgiven, p->ffamily, i);
    snprintf(p->phone, sizeof p->phone, "+4917%09" PRIu64, i);
    snprintf(p->id, sizeof p->id, "c%08" PRIu64, i);
}

static void die(const char *what, const bss_errinfo *ei)
{
    fprintf(stderr, "search_bench: %s: %s\n", what, ei->message);
    exit(1);
}

static void fill(bss_db *db, uint64_t n)
{
    bss_errinfo ei;
    if (bss_db_begin(db, &ei) != BSS_OK)
        die("begin", &ei);
    for (uint64_t i = 0; i < n; i++) {
        person p;
        person_of(i, &p);
        json_t *doc = json_pack("{s:s, s:s, s:s, s:[{s:s, s:{s:s}}, {s:s, s:{s:s}}]}", "id", p.id,
                                "givenName", p.given, "familyName", p.family, "contactMedium", "mediumType",
                                "email", "characteristic", "emailAddress", p.email, "mediumType", "mobile",
                                "characteristic", "phoneNumber", p.phone);
        if (!doc || bss_search_index_doc(db, "customer", p.id, p.id, doc, &ei) != BSS_OK)
            die("index", &ei);
        json_decref(doc);
    }
    if (bss_db_commit(db, &ei) != BSS_OK)
        die("commit", &ei);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The query of search i of kind k (0 name prefix, 1 e-mail, 2 phone) for a random customer below n. */
static void query_of(int k, uint64_t n, char *q, size_t cap)
{
    person p;
    person_of(next_rand() % n, &p);
    uint64_t r = next_rand();
    if (k == 0) {
        const char *name = (r & 1) ? p.fgiven : p.ffamily;
        size_t len = 3 + (size_t)(r >> 8) % 4, nl = strlen(name);
        if (len > nl)
            len = nl;
        snprintf(q, cap, "%.*s", (int)len, name);
        if (r & 2)
            q[0] = (char)(q[0] - 'a' + 'A');
    } else if (k == 1) {
        snprintf(q, cap, "%s", p.email);
        q[0] = (char)(q[0] - 'a' + 'A');
    } else if (r & 1) {
        snprintf(q, cap, "00%.2s %.3s %s", p.phone + 1, p.phone + 3, p.phone + 6);
    } else {
        snprintf(q, cap, "%.3s %.4s %s", p.phone, p.phone + 3, p.phone + 7);
    }
}

int main(int argc, char **argv)
{
    bss_mem_init();
    char dir[256], url[300];
    uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
    bool own_dir = argc <= 1 || argv[1][0] == '\0';
    if (!own_dir)
        snprintf(dir, sizeof dir, "%s", argv[1]);
    else if (!mkdtemp(memcpy(dir, "/tmp/bss-search-XXXXXX", 23)))
        return 1;
    if (n == 0)
        n = 1;
    snprintf(url, sizeof url, "sqlite:%s/bench.db", dir);
    bss_db *db = NULL;
    bss_errinfo ei;
    if (bss_db_open(url, NULL, &db, &ei) != BSS_OK || bss_db_migrate(db, 0, NULL, &ei) != BSS_OK)
        die("open", &ei);
    int64_t t0 = bss_monotonic_ns();
    fill(db, n);
    int64_t fill_ms = (bss_monotonic_ns() - t0) / 1000000;
    for (int i = 0; i < NWARMUP; i++) { /* a serving store is warm: 1,000 unmeasured searches first */
        char q[128];
        json_t *hits = NULL;
        query_of(i % 3, n, q, sizeof q);
        if (bss_search_run(db, q, LIMIT, &hits, &ei) != BSS_OK)
            die(q, &ei);
        json_decref(hits);
    }
    static int64_t lat[3][NSEARCH];
    int nk[3] = {0, 0, 0}, empty[3] = {0, 0, 0};
    for (int i = 0; i < NSEARCH; i++) {
        int k = i % 3;
        char q[128];
        query_of(k, n, q, sizeof q);
        json_t *hits = NULL;
        int64_t s = bss_monotonic_ns();
        if (bss_search_run(db, q, LIMIT, &hits, &ei) != BSS_OK)
            die(q, &ei);
        lat[k][nk[k]++] = bss_monotonic_ns() - s;
        if (json_array_size(hits) == 0)
            empty[k]++;
        json_decref(hits);
    }
    static const char *const names[] = {"name prefix", "e-mail", "phone"};
    printf("| search (%" PRIu64
           " customers, SQLite, limit %d) | searches | p50 ms | p99 ms | max ms | no hit |\n",
           n, LIMIT);
    printf("|---|---:|---:|---:|---:|---:|\n");
    for (int k = 0; k < 3; k++) {
        qsort(lat[k], (size_t)nk[k], sizeof lat[k][0], cmp_i64);
        int64_t p50 = lat[k][nk[k] / 2], p99 = lat[k][nk[k] * 99 / 100], mx = lat[k][nk[k] - 1];
        printf("| %s | %d | %" PRId64 ".%03" PRId64 " | %" PRId64 ".%03" PRId64 " | %" PRId64 ".%03" PRId64
               " | %d |\n",
               names[k], nk[k], p50 / 1000000, p50 / 1000 % 1000, p99 / 1000000, p99 / 1000 % 1000,
               mx / 1000000, mx / 1000 % 1000, empty[k]);
    }
    printf("\nindexing %" PRIu64 " customers in one transaction: %" PRId64 " ms\n", n, fill_ms);
    bss_db_close(db);
    if (own_dir) {
        char path[320];
        static const char *const files[] = {"bench.db", "bench.db-wal", "bench.db-shm"};
        for (size_t i = 0; i < 3; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, files[i]);
            unlink(path);
        }
        rmdir(dir);
    }
    return 0;
}
