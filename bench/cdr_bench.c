/*
 * cdr_bench.c: the CDR generator (issue 11 asks for one in bench/) and the
 * speed of the first stage of a CDR import, the file reader
 * (src/charging/cdr.c). A standalone program linked against the release
 * library; bench/run-cdr.sh builds and runs it.
 *
 *   cdr_bench gen N FILE [SUBSCRIBERS]   writes N realistic records
 *   cdr_bench read FILE                  reads FILE with bss_cdr_next, 5 times;
 *                                        prints a markdown row (the best run)
 *
 * The records are deterministic (fixed-seed splitmix64): SUBSCRIBERS lines
 * (default 1,000,000) of the +31 6 plan; 55% data sessions (rating groups
 * 10/20/30, up to 50 MB), 35% calls (up to an hour; 70% national, 25%
 * mobile, 5% international destinations), 10% SMS; 4% roaming in one of
 * eight EU networks; start times over the 30 days before 2026-05-04 in
 * time order; record ids "<subscriber>-<seq>".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "charging/charging.h"
#include "core/mem.h"
#include "core/parse.h"
#include "core/time.h"

#define NOW 1777888000000LL /* 2026-05-04T09:46:40Z */

static uint64_t rng = 20261202;

static uint64_t next_rand(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static int gen(long long n, const char *path, long long subscribers)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    static const char *const plmn[] = {"208-01", "262-01", "214-07", "222-10", "234-15", "206-01", "232-01", "228-01"};
    static const int rg[] = {10, 20, 30};
    char buf[64];
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    fputs("record_id,start_time,msisdn,service,destination,quantity,unit,rating_group,visited_plmn\n", f);
    int64_t span = 30LL * 86400000, from = NOW - span - 3600000;
    for (long long i = 0; i < n; i++) {
        long long sub = (long long)(next_rand() % (uint64_t)subscribers);
        int64_t at = from + (int64_t)((__int128)span * i / n);
        bss_time_format(at, buf);
        unsigned kind = (unsigned)(next_rand() % 100);
        bool roaming = next_rand() % 100 < 4;
        fprintf(f, "%lld-%lld,%s,316%08lld,", sub, i, buf, 10000000 + sub % 90000000);
        if (kind < 55)
            fprintf(f, "data,,%llu,byte,%d,", (unsigned long long)(next_rand() % 50000000), rg[next_rand() % 3]);
        else if (kind < 90) {
            unsigned d = (unsigned)(next_rand() % 100);
            if (d < 70)
                fprintf(f, "voice,3120%07llu,", (unsigned long long)(next_rand() % 10000000));
            else if (d < 95)
                fprintf(f, "voice,316%08llu,", (unsigned long long)(next_rand() % 100000000));
            else
                fprintf(f, "voice,44207%07llu,", (unsigned long long)(next_rand() % 10000000));
            fprintf(f, "%llu,s,,", (unsigned long long)(next_rand() % 3600));
        } else
            fprintf(f, "sms,316%08llu,1,msg,,", (unsigned long long)(next_rand() % 100000000));
        fprintf(f, "%s\n", roaming ? plmn[next_rand() % 8] : "");
    }
    return fclose(f) == 0 ? 0 : 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)len);
    if (!data || fread(data, 1, (size_t)len, f) != (size_t)len) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    fclose(f);
    static bss_cdr_reader r;
    double best = 1e9;
    long long records = 0, rejects = 0;
    int64_t quantity = 0;
    for (int run = 0; run < 5; run++) {
        bss_cdr_limits lim = bss_cdr_limits_default(NOW);
        bss_errinfo ei;
        double t0 = now_s();
        if (bss_cdr_open(&r, data, (size_t)len, &lim, &ei) != BSS_OK) {
            fprintf(stderr, "%s\n", ei.message);
            return 1;
        }
        records = rejects = 0;
        quantity = 0;
        bss_cdr c;
        const char *raw;
        size_t raw_len;
        for (;;) {
            bss_err rc = bss_cdr_next(&r, &c, &raw, &raw_len, &ei);
            if (rc == BSS_E_DONE)
                break;
            if (rc == BSS_OK) {
                records++;
                quantity += c.quantity;
            } else
                rejects++;
        }
        double t = now_s() - t0;
        if (t < best)
            best = t;
    }
    printf("| CDR file reader (parse and check, 1 thread) | %lld records, %.0f MB | %.0f records/s | %.1f MB/s | %lld rejects |\n",
           records, (double)len / 1e6, (double)records / best, (double)len / 1e6 / best, rejects);
    (void)quantity;
    free(data);
    return 0;
}

static long long number(const char *s)
{
    int64_t v = 0;
    return bss_parse_int64(s, strlen(s), BSS_NUM_DIGITS, 1, INT64_C(1000000000), &v) == BSS_OK ? (long long)v : 0;
}

int main(int argc, char **argv)
{
    bss_mem_init();
    if (argc >= 4 && strcmp(argv[1], "gen") == 0 && number(argv[2]) > 0 && (argc < 5 || number(argv[4]) > 0))
        return gen(number(argv[2]), argv[3], argc >= 5 ? number(argv[4]) : 1000000);
    if (argc == 3 && strcmp(argv[1], "read") == 0)
        return read_file(argv[2]);
    fprintf(stderr, "usage: cdr_bench gen N FILE [SUBSCRIBERS] | cdr_bench read FILE\n");
    return 2;
}
