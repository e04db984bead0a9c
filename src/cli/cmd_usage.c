/*
 * cmd_usage.c: `bss usage import|list|explain|recycle`, a client of the
 * running server (it never writes the store behind the server's back).
 * import cuts each CDR file at record boundaries into chunks of at most
 * 5000 rows (the header row sent with each) and posts them to
 * /api/v1/usage/import with the file line each starts on, so the server's
 * reject reasons name the file's lines; it writes FILE.rejects.csv, shows
 * a progress bar on a terminal and prints a summary. Sending a file again
 * charges nothing twice: record ids already received count as duplicates.
 */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "core/config.h"
#include "charging/charging.h"
#include "core/csv.h"
#include "core/id.h"
#include "core/time.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/parse.h"

#define MAX_ANSWER (64 << 20)
#define MAX_FILE ((size_t)4 << 30)
#define CHUNK_ROWS 5000
#define CHUNK_BYTES (900 << 10) /* under the server's default --max-body (1 MiB) */

typedef struct usage_opts {
    bss_cli_client client;
    const char *msisdn, *reason, *limit, *chunk, *what_if, *from, *to, *account, *idem;
    bool json, quiet, dry_run;
    int nfiles;
} usage_opts;

typedef struct sums {
    long long read, rated, rejected, duplicates;
    char currency[4][4];
    int64_t micros[4];
    int ncur;
} sums;

static void add_sums(sums *s, const json_t *ans)
{
    s->read += json_integer_value(json_object_get(ans, "read"));
    s->rated += json_integer_value(json_object_get(ans, "rated"));
    s->rejected += json_integer_value(json_object_get(ans, "rejected"));
    s->duplicates += json_integer_value(json_object_get(ans, "duplicates"));
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(ans, "charged"), i, c)
    {
        const char *cur = json_string_value(json_object_get(c, "currency"));
        int64_t m = 0;
        if (!cur || bss_money_from_json(json_object_get(c, "amount"), "amount", &m, NULL) != BSS_OK)
            continue;
        int k = 0;
        while (k < s->ncur && strcmp(s->currency[k], cur) != 0)
            k++;
        if (k == s->ncur) {
            if (s->ncur == 4)
                continue;
            snprintf(s->currency[s->ncur++], 4, "%s", cur);
        }
        s->micros[k] += m;
    }
}

static void print_sums(const char *what, const sums *s)
{
    printf("%s: %lld read, %lld rated, %lld rejected, %lld duplicates, charged", what, s->read, s->rated, s->rejected,
           s->duplicates);
    if (!s->ncur)
        printf(" 0");
    for (int k = 0; k < s->ncur; k++) {
        char amount[32];
        bss_money_format(s->micros[k], amount);
        printf("%s %s %s", k ? "," : "", amount, s->currency[k]);
    }
    printf("\n");
}

static void progress(const char *file, size_t done, size_t total, long long rows)
{
    int pct = total ? (int)(done * 100 / total) : 100;
    int bar = pct * 30 / 100;
    fprintf(stderr, "\r%.40s [%.*s%*s] %3d%% %lld rows", file, bar, "##############################", 30 - bar, "",
            pct, rows);
    fflush(stderr);
}

/*
 * Posts one chunk (the header and data[from, to)), retrying a busy server;
 * the answer's JSON or NULL. Runs on a sender thread: reads o, never writes it.
 */
static json_t *post_chunk(const usage_opts *o, const char *file, const char *hdr, size_t hdr_len, const char *from,
                          size_t len, long long first_line, const char *import_id, long long seq, int *rc)
{
    char *body = bss_malloc(hdr_len + len + 1);
    if (!body) {
        fprintf(stderr, "bss usage: out of memory\n");
        *rc = 1;
        return NULL;
    }
    memcpy(body, hdr, hdr_len);
    memcpy(body + hdr_len, from, len);
    char path[1024] = "/api/v1/usage/import", line[24];
    bss_cli_add_param(path, sizeof path, "file", file);
    snprintf(line, sizeof line, "%lld", first_line);
    bss_cli_add_param(path, sizeof path, "line", line);
    bss_cli_add_param(path, sizeof path, "import", import_id);
    snprintf(line, sizeof line, "%lld", seq);
    bss_cli_add_param(path, sizeof path, "seq", line);
    json_t *ans = NULL;
    for (int attempt = 0; attempt < 5; attempt++) {
        bss_cli_answer a = {0};
        long st = bss_cli_call(&o->client, "POST", path, body, hdr_len + len, &a);
        if (st == 200 && a.data)
            ans = json_loads(a.data, 0, NULL);
        if ((st == 503 || st == 429) && attempt < 4) {
            bss_cli_answer_free(&a);
            struct timespec ts = {0, 200000000L << attempt};
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec = ts.tv_nsec / 1000000000L;
                ts.tv_nsec %= 1000000000L;
            }
            nanosleep(&ts, NULL);
            continue;
        }
        if (!ans)
            *rc = bss_cli_report_error(&o->client, st, &a);
        bss_cli_answer_free(&a);
        break;
    }
    bss_free(body);
    return ans;
}

/*
 * Chunks in flight at once. The server reads a chunk's lines on a worker
 * while the writer commits the one before it, so two in flight keep both
 * halves busy; the server sends them to its writer in their order (import
 * and seq), and their answers are taken in the order they were cut, so
 * the rejects, the progress and the first error read as if sent one by one.
 */
#define IN_FLIGHT 2

typedef struct sender {
    const usage_opts *o;
    const char *file, *hdr, *from, *import_id;
    size_t hdr_len, len, pos;
    long long first_line, seq;
    int rows, rc;
    json_t *ans;
    pthread_t tid;
    bool busy, threaded;
} sender;

static void *send_chunk(void *arg)
{
    sender *s = arg;
    s->ans = post_chunk(s->o, s->file, s->hdr, s->hdr_len, s->from, s->len, s->first_line, s->import_id, s->seq, &s->rc);
    return NULL;
}

static void sender_start(sender *s)
{
    s->busy = true;
    s->rc = 0;
    s->ans = NULL;
    s->threaded = pthread_create(&s->tid, NULL, send_chunk, s) == 0;
    if (!s->threaded)
        send_chunk(s);
}

static void sender_wait(sender *s)
{
    if (s->threaded)
        pthread_join(s->tid, NULL);
    s->threaded = false;
    s->busy = false;
}

static int import_file(usage_opts *o, const char *file, sums *all, int chunk_rows)
{
    size_t len = 0;
    char *data = bss_cli_read_file(&o->client, file, MAX_FILE, &len);
    if (!data)
        return 1;
    bss_cdr_split *sp = bss_malloc(sizeof *sp);
    if (!sp) {
        bss_free(data);
        return 1;
    }
    bss_errinfo ei;
    if (bss_cdr_split_open(sp, data, len, &ei) != BSS_OK) {
        fprintf(stderr, "bss usage: %s: %s\n", file, ei.message);
        bss_free(sp);
        bss_free(data);
        return 1;
    }
    /* the header row as sent with each chunk: its text and one line end */
    char *hdr = bss_malloc(sp->header_len + 2);
    if (!hdr) {
        bss_free(sp);
        bss_free(data);
        return 1;
    }
    memcpy(hdr, sp->header, sp->header_len);
    hdr[sp->header_len] = '\n';
    size_t hdr_len = sp->header_len + 1;
    bool tty = isatty(2) && !o->quiet;
    sums s = {0};
    json_t *rejects = json_array();
    int rc = 0;
    long long rows = 0;
    const char *chunk = NULL;
    size_t chunk_len = 0;
    int64_t first = 0;
    int n = 0;
    bool posted = false;
    o->client.content_type = "text/csv";
    sender snd[IN_FLIGHT];
    memset(snd, 0, sizeof snd);
    unsigned next = 0;
    bool cut = false; /* the file is cut to its end, or an answer failed */
    /* the chunks of this file, numbered: the server sends them to its writer in this order */
    char import_id[BSS_ID_LEN + 1];
    bss_clock clk;
    bss_clock_init_real(&clk);
    bss_id_new(bss_clock_now(&clk), import_id);
    long long seq = 0;
    /* a file of a header alone is still sent once: the server checks the header */
    for (;;) {
        sender *q = &snd[next % IN_FLIGHT];
        if (q->busy) { /* the oldest chunk in flight: its answer first */
            sender_wait(q);
            if (q->ans) {
                add_sums(&s, q->ans);
                json_array_extend(rejects, json_object_get(q->ans, "rejects"));
                json_decref(q->ans);
                q->ans = NULL;
            }
            if (q->rc && !rc)
                rc = q->rc;
            rows += q->rows;
            if (tty)
                progress(file, q->pos, len, rows);
        }
        bool more = !cut && rc == 0 && (bss_cdr_split_next(sp, chunk_rows, CHUNK_BYTES, &chunk, &chunk_len, &first, &n) || !posted);
        if (!more) {
            cut = true;
            bool any = false;
            for (int k = 0; k < IN_FLIGHT; k++)
                any = any || snd[k].busy;
            if (!any)
                break;
            next++; /* drain the others, oldest first */
            continue;
        }
        posted = true;
        *q = (sender){.o = o, .file = file, .hdr = hdr, .hdr_len = hdr_len, .from = chunk ? chunk : "",
                      .len = chunk ? chunk_len : 0, .first_line = (long long)first, .rows = n, .pos = sp->pos,
                      .import_id = import_id, .seq = seq++};
        sender_start(q);
        next++;
        chunk = NULL;
    }
    if (tty)
        fprintf(stderr, "\n");
    char path[4096];
    snprintf(path, sizeof path, "%s.rejects.csv", file);
    if (json_array_size(rejects) && strcmp(file, "-") != 0) {
        FILE *out = fopen(path, "w");
        if (!out) {
            fprintf(stderr, "bss usage: cannot write %s: %s\n", path, strerror(errno));
            rc = 1;
        } else {
            fputs("line,field,code,reason,record\n", out);
            size_t i;
            const json_t *r;
            json_array_foreach(rejects, i, r)
            {
                fprintf(out, "%lld,", (long long)json_integer_value(json_object_get(r, "line")));
                bss_csv_write_field(out, json_string_value(json_object_get(r, "field")));
                fputc(',', out);
                bss_csv_write_field(out, json_string_value(json_object_get(r, "code")));
                fputc(',', out);
                bss_csv_write_field(out, json_string_value(json_object_get(r, "reason")));
                fputc(',', out);
                bss_csv_write_field(out, json_string_value(json_object_get(r, "record")));
                fputc('\n', out);
            }
            fclose(out);
        }
    } else if (strcmp(file, "-") != 0) {
        (void)unlink(path); /* a reject list of an earlier run would mislead */
    }
    if (json_array_size(rejects) && strcmp(file, "-") == 0) {
        size_t i;
        const json_t *r;
        json_array_foreach(rejects, i, r)
            fprintf(stderr, "%s\n", json_string_value(json_object_get(r, "reason")));
    }
    print_sums(file, &s);
    if (json_array_size(rejects) && strcmp(file, "-") != 0)
        printf("%s: rejected rows are listed in %s\n", file, path);
    all->read += s.read;
    all->rated += s.rated;
    all->rejected += s.rejected;
    all->duplicates += s.duplicates;
    for (int k = 0; k < s.ncur; k++) {
        int m = 0;
        while (m < all->ncur && strcmp(all->currency[m], s.currency[k]) != 0)
            m++;
        if (m == all->ncur && all->ncur < 4)
            snprintf(all->currency[all->ncur++], 4, "%s", s.currency[k]);
        if (m < 4)
            all->micros[m] += s.micros[k];
    }
    json_decref(rejects);
    bss_free(hdr);
    bss_free(sp);
    explicit_bzero(data, len);
    bss_free(data);
    return rc;
}

static int run_import(void *vo, char **args)
{
    usage_opts *o = vo;
    int64_t rows = CHUNK_ROWS;
    if (o->chunk && bss_parse_int64(o->chunk, strlen(o->chunk), BSS_NUM_DIGITS, 1, CHUNK_ROWS, &rows) != BSS_OK) {
        fprintf(stderr, "bss usage: --chunk is 1..%d rows\n", CHUNK_ROWS);
        return 2;
    }
    sums all = {0};
    int rc = 0;
    for (int i = 0; i < o->nfiles && rc == 0; i++)
        rc = import_file(o, args[i], &all, (int)rows);
    if (o->nfiles > 1 && rc == 0)
        print_sums("total", &all);
    return rc ? rc : all.rejected ? 3 : 0;
}

static void encode_path(char *path, size_t cap, const char *prefix, const char *id, const char *suffix)
{
    snprintf(path, cap, "%s", prefix);
    size_t n = strlen(path);
    for (const char *p = id; *p && n + 4 < cap; p++)
        path[n++] = *p;
    path[n] = '\0';
    snprintf(path + n, cap - n, "%s", suffix);
}

static int run_explain(void *vo, char **args)
{
    usage_opts *o = vo;
    char path[512];
    encode_path(path, sizeof path, "/api/v1/usage/", args[0], "/explain");
    json_t *x = NULL;
    int rc = bss_cli_get_json(&o->client, path, o->json, &x);
    if (rc)
        return rc < 0 ? 0 : rc;
    char *text = json_dumps(x, JSON_INDENT(2));
    printf("%s\n", text ? text : "");
    bss_free(text);
    json_decref(x);
    return 0;
}

static int run_list(void *vo, char **args)
{
    usage_opts *o = vo;
    char path[512] = "/tmf-api/usageManagement/v4/usage";
    bss_cli_add_param(path, sizeof path, "msisdn", args[0]);
    bss_cli_add_param(path, sizeof path, "limit", o->limit ? o->limit : "20");
    json_t *page = NULL;
    int rc = bss_cli_get_json(&o->client, path, o->json, &page);
    if (rc)
        return rc < 0 ? 0 : rc;
    printf("%-24s %-8s %-9s %-16s %10s %12s  %s\n", "date", "service", "status", "destination", "quantity", "charge",
           "id");
    size_t i;
    const json_t *u;
    json_array_foreach(page, i, u)
    {
        const char *dest = "", *qty = "";
        char qbuf[24] = "";
        size_t k;
        const json_t *ch;
        json_array_foreach(json_object_get(u, "usageCharacteristic"), k, ch)
        {
            const char *n = json_string_value(json_object_get(ch, "name"));
            if (n && strcmp(n, "destination") == 0)
                dest = json_string_value(json_object_get(ch, "value"));
            if (n && strcmp(n, "quantity") == 0) {
                snprintf(qbuf, sizeof qbuf, "%lld", (long long)json_integer_value(json_object_get(ch, "value")));
                qty = qbuf;
            }
        }
        const json_t *amt =
            json_object_get(json_object_get(json_array_get(json_object_get(u, "ratedProductUsage"), 0),
                                            "taxExcludedRatingAmount"),
                            "value");
        int64_t m = 0;
        char charge[32] = "-";
        if (amt && bss_money_from_json(amt, "value", &m, NULL) == BSS_OK)
            bss_money_format(m, charge);
        printf("%-24s %-8s %-9s %-16s %10s %12s  %s\n", json_string_value(json_object_get(u, "usageDate")),
               json_string_value(json_object_get(u, "usageType")), json_string_value(json_object_get(u, "status")),
               dest ? dest : "", qty, charge, json_string_value(json_object_get(u, "id")));
    }
    json_decref(page);
    return 0;
}

static int run_recycle(void *vo, char **args)
{
    (void)args;
    usage_opts *o = vo;
    json_t *req = json_object();
    if (o->msisdn)
        json_object_set_new(req, "msisdn", json_string(o->msisdn));
    if (o->reason)
        json_object_set_new(req, "reasonCode", json_string(o->reason));
    if (o->limit) {
        int64_t n = 0;
        if (bss_parse_int64(o->limit, strlen(o->limit), BSS_NUM_DIGITS, 1, BSS_USAGE_BATCH_MAX, &n) != BSS_OK) {
            fprintf(stderr, "bss usage: --limit is a number 1..%d\n", BSS_USAGE_BATCH_MAX);
            json_decref(req);
            return 2;
        }
        json_object_set_new(req, "limit", json_integer(n));
    }
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    o->client.content_type = NULL;
    bss_cli_answer a = {0};
    long st = bss_cli_call(&o->client, "POST", "/api/v1/usage/recycle", body, body ? strlen(body) : 0, &a);
    bss_free(body);
    json_t *ans = st == 200 && a.data ? json_loads(a.data, 0, NULL) : NULL;
    int rc = 0;
    if (ans)
        printf("%lld rejected usages considered, %lld recycled (rated now), %lld still rejected\n",
               (long long)json_integer_value(json_object_get(ans, "considered")),
               (long long)json_integer_value(json_object_get(ans, "recycled")),
               (long long)json_integer_value(json_object_get(ans, "stillRejected")));
    else
        rc = bss_cli_report_error(&o->client, st, &a);
    json_decref(ans);
    bss_cli_answer_free(&a);
    return rc;
}

static void print_rows(const char *title, const char *key, const json_t *rows)
{
    printf("\n%-28s %9s %14s %14s %14s %14s\n", title, "events", "charged", "before", "after", "delta");
    size_t i;
    const json_t *r;
    json_array_foreach(rows, i, r)
    {
        char v[4][32];
        static const char *const m[] = {"charged", "before", "after", "delta"};
        for (int k = 0; k < 4; k++) {
            int64_t x = 0;
            (void)bss_money_from_json(json_object_get(r, m[k]), m[k], &x, NULL);
            bss_money_format(x, v[k]);
        }
        printf("%-28.28s %9lld %14s %14s %14s %14s\n", json_string_value(json_object_get(r, key)),
               (long long)json_integer_value(json_object_get(r, "events")), v[0], v[1], v[2], v[3]);
    }
}

static void money_of(const json_t *o, const char *k, char out[32])
{
    int64_t x = 0;
    (void)bss_money_from_json(json_object_get(o, k), k, &x, NULL);
    bss_money_format(x, out);
}

/* Re-rating an account's period for real (or --dry-run): the deltas. */
static int rerate_account(usage_opts *o)
{
    char idem[64];
    bss_cli_idempotency_key(o->idem, idem);
    if (!o->dry_run)
        o->client.idem_key = idem;
    json_t *req = json_pack("{s:s, s:s, s:s, s:b}", "account", o->account, "from", o->from, "to", o->to, "dryRun",
                            o->dry_run);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body)
        return 1;
    o->client.content_type = NULL;
    bss_cli_answer a = {0};
    long st = bss_cli_call(&o->client, "POST", "/api/v1/usage/rerate", body, strlen(body), &a);
    bss_free(body);
    json_t *rep = st == 200 && a.data ? json_loads(a.data, 0, NULL) : NULL;
    int rc = 0;
    if (rep && o->json)
        printf("%s\n", a.data);
    else if (rep) {
        char b[32], af[32], d[32], adj[32];
        money_of(rep, "before", b);
        money_of(rep, "after", af);
        money_of(rep, "delta", d);
        money_of(json_object_get(rep, "adjustments"), "amount", adj);
        const char *cur = json_string_value(json_object_get(rep, "currency"));
        printf("%s %s, account %s, %s .. %s: %lld events, %lld changed, %lld not rated (kept)\n",
               o->dry_run ? "dry run" : "re-rated", json_string_value(json_object_get(rep, "id")), o->account,
               json_string_value(json_object_get(rep, "from")), json_string_value(json_object_get(rep, "to")),
               (long long)json_integer_value(json_object_get(rep, "events")),
               (long long)json_integer_value(json_object_get(rep, "changed")),
               (long long)json_integer_value(json_object_get(rep, "notRated")));
        printf("charged before %s %s, after %s %s, delta %s %s; billed usage: %lld adjustments, %s %s\n", b, cur, af,
               cur, d, cur, (long long)json_integer_value(json_object_get(json_object_get(rep, "adjustments"), "count")),
               adj, cur);
        size_t i;
        const json_t *c;
        json_array_foreach(json_object_get(rep, "changes"), i, c)
        {
            char cb[32], ca[32], cd[32];
            money_of(c, "before", cb);
            money_of(c, "after", ca);
            money_of(c, "delta", cd);
            printf("  %-36s %s %-15s %-7s %9lld %-8s %12s -> %-12s %12s\n",
                   json_string_value(json_object_get(c, "usage")), json_string_value(json_object_get(c, "startTime")),
                   json_string_value(json_object_get(c, "msisdn")), json_string_value(json_object_get(c, "service")),
                   (long long)json_integer_value(json_object_get(c, "quantity")),
                   json_string_value(json_object_get(c, "status")), cb, ca, cd);
        }
        if (!o->dry_run)
            printf("Idempotency-Key %s\n", idem);
    } else
        rc = bss_cli_report_error(&o->client, st, &a);
    json_decref(rep);
    bss_cli_answer_free(&a);
    return rc;
}

static int run_rerate(void *vo, char **args)
{
    (void)args;
    usage_opts *o = vo;
    if (!o->what_if && o->account && o->from && o->to)
        return rerate_account(o);
    if (!o->from || !o->to || (!o->what_if && !o->account)) {
        fprintf(stderr, "bss usage rerate: give --account ID (re-rate for real; --dry-run to see first) or --what-if "
                        "CATALOG.json, with --from and --to\n");
        return 2;
    }
    size_t len = 0;
    char *body = bss_cli_read_file(&o->client, o->what_if, 64 << 20, &len);
    if (!body)
        return 1;
    char path[1024] = "/api/v1/usage/what-if";
    bss_cli_add_param(path, sizeof path, "from", o->from);
    bss_cli_add_param(path, sizeof path, "to", o->to);
    if (o->account)
        bss_cli_add_param(path, sizeof path, "account", o->account);
    o->client.content_type = NULL;
    bss_cli_answer a = {0};
    long st = bss_cli_call(&o->client, "POST", path, body, len, &a);
    bss_free(body);
    json_t *rep = st == 200 && a.data ? json_loads(a.data, 0, NULL) : NULL;
    int rc = 0;
    if (rep && o->json)
        printf("%s\n", a.data);
    else if (rep) {
        char v[4][32];
        static const char *const m[] = {"charged", "before", "after", "delta"};
        for (int k = 0; k < 4; k++) {
            int64_t x = 0;
            (void)bss_money_from_json(json_object_get(rep, m[k]), m[k], &x, NULL);
            bss_money_format(x, v[k]);
        }
        const char *cur = json_string_value(json_object_get(rep, "currency"));
        printf("what if %s had applied, %s .. %s: %lld events\n", o->what_if,
               json_string_value(json_object_get(rep, "from")), json_string_value(json_object_get(rep, "to")),
               (long long)json_integer_value(json_object_get(rep, "events")));
        printf("revenue before %s %s, after %s %s, delta %s %s (charged for real: %s %s)\n", v[1], cur, v[2], cur, v[3],
               cur, v[0], cur);
        if (json_integer_value(json_object_get(rep, "notRatedAfter")) > 0)
            printf("%lld events the draft cannot rate (no price or zone for them)\n",
                   (long long)json_integer_value(json_object_get(rep, "notRatedAfter")));
        print_rows("offering", "offering", json_object_get(rep, "byOffering"));
        print_rows("segment", "segment", json_object_get(rep, "bySegment"));
    } else
        rc = bss_cli_report_error(&o->client, st, &a);
    json_decref(rep);
    bss_cli_answer_free(&a);
    return rc;
}

int bss_cmd_usage(int argc, char **argv)
{
    static usage_opts o;
    memset(&o, 0, sizeof o);
    o.client.cmd = "bss usage";
    o.client.timeout_s = 600;
    o.client.max_answer = MAX_ANSWER;
    const char *url = NULL, *key = NULL;
    const bss_cli_flag flags[] = {
        {"--url", &url, NULL},       {"--key", &key, NULL},         {"--msisdn", &o.msisdn, NULL},
        {"--reason", &o.reason, NULL}, {"--limit", &o.limit, NULL}, {"--chunk", &o.chunk, NULL},
        {"--json", NULL, &o.json},   {"--quiet", NULL, &o.quiet}, {"--what-if", &o.what_if, NULL},
        {"--from", &o.from, NULL},   {"--to", &o.to, NULL},        {"--account", &o.account, NULL},
        {"--dry-run", NULL, &o.dry_run}, {"--idempotency-key", &o.idem, NULL},
    };
    bss_config cfg;
    int rest = 0;
    char **rest_argv = NULL;
    if (bss_cli_args(o.client.cmd, argc, argv, flags, sizeof flags / sizeof flags[0], &cfg, &rest, &rest_argv) != 0)
        return 2;
    o.nfiles = rest - 1;
    static const bss_cli_sub subs[] = {{"import", -1, run_import},
                                       {"list", 1, run_list},
                                       {"explain", 1, run_explain},
                                       {"recycle", 0, run_recycle},
                                       {"rerate", 0, run_rerate}};
    return bss_cli_dispatch(&o.client, &cfg, url, key, rest, rest_argv, subs, sizeof subs / sizeof subs[0], &o,
                            bss_cmd_usage_help);
}

void bss_cmd_usage_help(FILE *out)
{
    fprintf(out,
            "usage: bss usage import FILE... [--chunk ROWS] [--quiet] [options]\n"
            "       bss usage list MSISDN [--limit N] [--json] [options]\n"
            "       bss usage explain ID [--json] [options]\n"
            "       bss usage recycle [--msisdn MSISDN] [--reason CODE] [--limit N] [options]\n"
            "       bss usage rerate --account ID --from T1 --to T2 [--dry-run] [--idempotency-key KEY] [--json] [options]\n"
            "       bss usage rerate --what-if CATALOG.json --from T1 --to T2 [--account ID] [--json] [options]\n\n"
            "Usage of the running server (docs/charging.md \"Usage\").\n\n"
            "import   rates CDR files (CSV with a header: record_id, start_time, msisdn,\n"
            "         service, destination, quantity, unit, rating_group, visited_plmn;\n"
            "         more columns are kept; \"-\" reads standard input). Sent in chunks\n"
            "         of at most 5000 rows; rejected rows (malformed, or not rated:\n"
            "         unknown number, line not active, before activation, no price) are\n"
            "         written to FILE.rejects.csv with their line number, reason and\n"
            "         original text. A record id received before is a duplicate and\n"
            "         charged nothing, so a file may be sent again after a failure.\n"
            "         Prints a summary per file (read, rated, rejected, duplicates,\n"
            "         charged) and a progress bar on a terminal.\n"
            "list     a line's latest usage, newest first.\n"
            "explain  how one usage was rated: offering and version, price and its\n"
            "         increments, zone, time band, each bucket before and after.\n"
            "recycle  rates the stored rejected usage again (after a line is\n"
            "         provisioned or the catalog fixed).\n"
            "rerate   --account: rates one billing account's usage of [T1, T2) again\n"
            "         under the catalog in force (after a tariff fix) and shows the\n"
            "         deltas: unbilled usage is rewritten (the old rating kept in its\n"
            "         explanation, buckets and wallet corrected by a \"rerate\" ledger\n"
            "         row), billed usage never changes but gets an adjustment for the\n"
            "         next bill. --dry-run shows the same without changing anything;\n"
            "         run again, it finds nothing more to change.\n"
            "         --what-if: rates the real usage of [T1, T2) under a draft catalog\n"
            "         file (bss catalog export's format) without changing anything, and\n"
            "         shows the revenue before and after per offering and per customer\n"
            "         segment.\n\n"
            "  --chunk ROWS      import: rows per request (1..5000, default 5000)\n"
            "  --quiet           import: no progress bar\n"
            "  --msisdn MSISDN   recycle: only this line's\n"
            "  --reason CODE     recycle: only unknownSubscriber, lineNotActive,\n"
            "                    beforeActivation or notRated\n"
            "  --limit N         list: rows (default 20); recycle: at most N (default 1000)\n"
            "  --what-if FILE    rerate: the draft catalog\n"
            "  --from T1, --to T2  rerate: the period (RFC 3339; T2 excluded)\n"
            "  --account ID      rerate: the billing account (with --what-if: its usage only)\n"
            "  --dry-run         rerate --account: the deltas, nothing changed\n"
            "  --idempotency-key KEY  rerate --account: the run's key (default: made,\n"
            "                    and printed so a retry can repeat it)\n"
            "  --json            list, explain, rerate: print the server's JSON\n"
            "  --url URL         the server (default http://<listen> from the configuration)\n"
            "  --key KEY         an admin key (default: the contents of <data-dir>/admin.key)\n\n"
            "Exit status: 0 on success, 3 when rows were rejected, 1 if the server refused\n"
            "or could not be reached, 2 on bad usage.\n");
}
