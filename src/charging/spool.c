/*
 * spool.c: the CDR spool directory `bss serve --cdr-spool DIR` watches
 * (charging.h bss_cdr_spool_start; docs/charging.md "CDR spool").
 *
 * One thread, its own store connection for reads, the writer for changes.
 * A file is taken by renaming it into DIR/work (atomic: of two servers
 * watching one spool only one gets it), read in chunks of 5000 rows like
 * `bss usage import`, each chunk one batch (read and prepared while the
 * writer commits the one before it, finished in file order), then moved to DIR/done with
 * NAME.rejects.csv beside it, or to DIR/failed with NAME.error.txt when it
 * cannot be read at all (no header, too large). A file left in DIR/work by
 * a crash is taken again first: the record ids already stored are
 * duplicates, so nothing is charged twice and nothing acknowledged is lost.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "catalog/catalog.h"
#include "charging/charging.h"
#include "core/csv.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/money.h"

#define SPOOL_FILE_MAX ((int64_t)1 << 30) /* a spooled file holds at most 1 GiB */
#define SPOOL_CHUNK_BYTES (900 << 10)

struct bss_cdr_spool {
    bss_app *app;
    char dir[3072];
    int64_t poll_ms;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bss_db *db;
    int64_t files, failed;
};

static bool stopping(bss_cdr_spool *s)
{
    pthread_mutex_lock(&s->mu);
    bool st = s->stop;
    pthread_mutex_unlock(&s->mu);
    return st || atomic_load(&s->app->stopping);
}

static bool wanted(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 4 && n < 200 && strcasecmp(name + n - 4, ".csv") == 0 &&
           !strstr(name, ".rejects.csv");
}

static char *read_all(const char *path, size_t *len, char *why, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, cap, "cannot read the file: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (st.st_size > SPOOL_FILE_MAX) {
        snprintf(why, cap, "the file is larger than %lld bytes: split it", (long long)SPOOL_FILE_MAX);
        close(fd);
        return NULL;
    }
    char *buf = bss_malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (!buf) {
        snprintf(why, cap, "out of memory");
        return NULL;
    }
    buf[got] = '\0';
    *len = got;
    return buf;
}

static void fail_file(bss_cdr_spool *s, const char *name, const char *work, const char *why)
{
    char to[4096], err[4096];
    snprintf(to, sizeof to, "%s/failed/%s", s->dir, name);
    snprintf(err, sizeof err, "%s/failed/%s.error.txt", s->dir, name);
    FILE *f = fopen(err, "w");
    if (f) {
        fprintf(f, "%s\n", why);
        fclose(f);
    }
    if (rename(work, to) != 0)
        bss_log(BSS_LOG_ERROR, "usage.spool.failed", "file", name, "error", strerror(errno), NULL);
    s->failed++;
    bss_log(BSS_LOG_WARN, "usage.spool.failed", "file", name, "reason", why, NULL);
}

typedef struct file_sums {
    int64_t read, rated, rejected, duplicates;
    bss_usage_totals last;
} file_sums;

/*
 * One chunk on its way: read and prepared on the spool's thread, then
 * committed by the writer while the spool prepares the next one (the
 * writer re-checks what a prepare saw, so the two may overlap); finished
 * in file order.
 */
typedef struct spool_chunk {
    bss_cdr_spool *s;
    char *buf;
    const bss_catalog *cat;
    bss_usage_batch *b;
    bss_usage_chunk c;
    bss_err rc;
    bss_errinfo ei;
    bool submitted;
    bss_writer_pending pending;
} spool_chunk;

/* Reads and prepares one chunk and hands it to the writer; NULL when out of memory. */
static spool_chunk *chunk_start(bss_cdr_spool *s, const char *name, const bss_cdr_split *sp, const char *chunk,
                                size_t len, int64_t first)
{
    bss_app *app = s->app;
    spool_chunk *k = bss_calloc(1, sizeof *k);
    char *buf = k ? bss_malloc(sp->header_len + 1 + len + 1) : NULL;
    if (!buf) {
        bss_free(k);
        return NULL;
    }
    k->s = s;
    k->buf = buf;
    memcpy(buf, sp->header, sp->header_len);
    buf[sp->header_len] = '\n';
    memcpy(buf + sp->header_len + 1, chunk, len);
    size_t n = sp->header_len + 1 + len;
    buf[n] = '\0';
    k->cat = app->catalog ? bss_catalog_acquire(app->catalog) : NULL;
    bss_errinfo_clear(&k->ei);
    bss_usage_env env = {.now_ms = bss_clock_now(&app->clock), .source = "cdr", .source_ref = name, .lines = app->lines,
                         .base_url = app->base_url, .bill_shock_micros = app->bill_shock_micros};
    k->b = k->cat ? bss_usage_batch_new(k->cat, &env) : NULL;
    bss_cdr_limits lim = bss_cdr_limits_default(env.now_ms);
    k->rc = !k->cat ? bss_fail(&k->ei, BSS_E_UNSUPPORTED, NULL, "the catalog is not loaded yet")
            : !k->b ? bss_fail(&k->ei, BSS_E_NOMEM, NULL, "out of memory")
                    : bss_usage_chunk_read(&k->c, buf, n, first - 2, &lim, k->b, &k->ei);
    if (k->rc == BSS_OK && bss_usage_batch_count(k->b) && (k->rc = bss_usage_batch_prepare(k->b, s->db, &k->ei)) == BSS_OK) {
        k->submitted = true;
        bss_writer_begin(app->writer, bss_usage_batch_commit, k->b, &k->pending);
    }
    return k;
}

/* Waits for the chunk's commit, adds it to the file's sums and rejects, frees it: 0 done, -1 stop here. */
static int chunk_finish(spool_chunk *k, const char *name, FILE *rej, file_sums *fs)
{
    bss_app *app = k->s->app;
    if (k->submitted)
        k->rc = bss_writer_finish(&k->pending, &k->ei);
    int ret = -1;
    bss_err rc = k->rc;
    if (rc == BSS_OK)
        rc = bss_usage_chunk_results(&k->c, k->b, &k->ei);
    if (rc == BSS_OK) {
        bss_usage_totals t;
        bss_usage_batch_totals(k->b, &t);
        fs->read += k->c.read;
        fs->rated += t.rated;
        fs->rejected += (int64_t)k->c.nrejects;
        fs->duplicates += t.duplicates;
        for (size_t i = 0; i < t.ncurrencies; i++) {
            size_t j = 0;
            while (j < fs->last.ncurrencies && strcmp(fs->last.charged[j].currency, t.charged[i].currency) != 0)
                j++;
            if (j == fs->last.ncurrencies && j < 4)
                snprintf(fs->last.charged[fs->last.ncurrencies++].currency, 4, "%s", t.charged[i].currency);
            if (j < 4)
                fs->last.charged[j].micros += t.charged[i].micros;
        }
        for (size_t i = 0; rej && i < k->c.nrejects; i++) {
            const bss_usage_reject *x = &k->c.rejects[i];
            fprintf(rej, "%lld,", (long long)x->line);
            bss_csv_write_field(rej, x->field);
            fputc(',', rej);
            bss_csv_write_field(rej, x->code ? x->code : "malformed");
            fputc(',', rej);
            bss_csv_write_field(rej, x->reason);
            fputc(',', rej);
            bss_csv_write_field(rej, x->raw);
            fputc('\n', rej);
        }
        ret = 0;
    } else {
        bss_log(BSS_LOG_ERROR, "usage.spool.chunk_failed", "file", name, "error", k->ei.message, NULL);
    }
    bss_usage_chunk_free(&k->c);
    bss_usage_batch_free(k->b);
    if (k->cat)
        bss_catalog_release(app->catalog, k->cat);
    bss_free(k->buf);
    bss_free(k);
    return ret;
}

/* Processes DIR/work/name. */
static void process(bss_cdr_spool *s, const char *name)
{
    char work[4096], why[256];
    snprintf(work, sizeof work, "%s/work/%s", s->dir, name);
    size_t len = 0;
    char *data = read_all(work, &len, why, sizeof why);
    if (!data) {
        fail_file(s, name, work, why);
        return;
    }
    bss_cdr_split *sp = bss_malloc(sizeof *sp);
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    if (!sp || bss_cdr_split_open(sp, data, len, &ei) != BSS_OK) {
        fail_file(s, name, work, sp ? ei.message : "out of memory");
        bss_free(sp);
        bss_free(data);
        return;
    }
    char rej_tmp[4096], rej_path[4096], done[4096];
    snprintf(rej_tmp, sizeof rej_tmp, "%s/work/.%s.rejects.csv", s->dir, name);
    snprintf(rej_path, sizeof rej_path, "%s/done/%s.rejects.csv", s->dir, name);
    snprintf(done, sizeof done, "%s/done/%s", s->dir, name);
    FILE *rej = fopen(rej_tmp, "w");
    if (rej)
        fputs("line,field,code,reason,record\n", rej);
    file_sums fs;
    memset(&fs, 0, sizeof fs);
    const char *chunk = NULL;
    size_t clen = 0;
    int64_t first = 0;
    int rows = 0;
    bool ok = true, any = false;
    spool_chunk *pending = NULL; /* the chunk the writer has, finished once the next one is prepared */
    while (ok && !stopping(s) && (bss_cdr_split_next(sp, BSS_USAGE_BATCH_MAX, SPOOL_CHUNK_BYTES, &chunk, &clen, &first,
                                                     &rows) ||
                                  !any)) {
        any = true;
        spool_chunk *k = chunk_start(s, name, sp, chunk ? chunk : "", chunk ? clen : 0, first);
        if (pending && chunk_finish(pending, name, rej, &fs) != 0)
            ok = false;
        pending = k;
        if (!k)
            ok = false;
        chunk = NULL;
    }
    if (pending && chunk_finish(pending, name, rej, &fs) != 0)
        ok = false;
    if (rej)
        fclose(rej);
    bool finished = ok && !stopping(s);
    if (finished && rename(work, done) == 0) {
        if (fs.rejected)
            (void)rename(rej_tmp, rej_path);
        else
            (void)unlink(rej_tmp);
        s->files++;
        char read[24], rated[24], rejected[24], dups[24], charged[64] = "0";
        snprintf(read, sizeof read, "%lld", (long long)fs.read);
        snprintf(rated, sizeof rated, "%lld", (long long)fs.rated);
        snprintf(rejected, sizeof rejected, "%lld", (long long)fs.rejected);
        snprintf(dups, sizeof dups, "%lld", (long long)fs.duplicates);
        if (fs.last.ncurrencies) {
            char m[32];
            bss_money_format(fs.last.charged[0].micros, m);
            snprintf(charged, sizeof charged, "%s %s", m, fs.last.charged[0].currency);
        }
        bss_log(BSS_LOG_INFO, "usage.spool.imported", "file", name, "read", read, "rated", rated, "rejected", rejected,
                "duplicates", dups, "charged", charged, NULL);
    } else {
        (void)unlink(rej_tmp); /* the file stays in work: it is taken again, from its start */
    }
    bss_free(sp);
    bss_free(data);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The wanted file names of dir, sorted (at most 1000 a round). */
static size_t list(const char *dir, char **names, size_t cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while (n < cap && (e = readdir(d)) != NULL) {
        if (!wanted(e->d_name))
            continue;
        char p[8192];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && (names[n] = bss_strdup(e->d_name)))
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    return n;
}

static void round_of(bss_cdr_spool *s, bool work_first)
{
    char *names[1000];
    char dir[4096];
    snprintf(dir, sizeof dir, work_first ? "%s/work" : "%s", s->dir);
    size_t n = list(dir, names, sizeof names / sizeof names[0]);
    for (size_t i = 0; i < n; i++) {
        if (!stopping(s)) {
            char from[4096], to[4096];
            snprintf(from, sizeof from, "%s/%s", s->dir, names[i]);
            snprintf(to, sizeof to, "%s/work/%s", s->dir, names[i]);
            /* taking it: another server may have been first (ENOENT) */
            if (work_first || rename(from, to) == 0)
                process(s, names[i]);
        }
        bss_free(names[i]);
    }
}

static void *spool_main(void *arg)
{
    bss_cdr_spool *s = arg;
    round_of(s, true); /* what a crash left half done */
    while (!stopping(s)) {
        round_of(s, false);
        pthread_mutex_lock(&s->mu);
        if (!s->stop) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += s->poll_ms / 1000;
            ts.tv_nsec += (long)(s->poll_ms % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&s->cv, &s->mu, &ts);
        }
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

bss_err bss_cdr_spool_start(bss_app *app, const char *dir, int64_t poll_ms, bss_cdr_spool **out, bss_errinfo *ei)
{
    *out = NULL;
    struct stat st;
    if (!dir || !*dir || strlen(dir) > 3000 || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return bss_fail(ei, BSS_E_CONFIG, "cdr-spool", "--cdr-spool %.200s is not a directory", dir ? dir : "");
    static const char *const subs[] = {"work", "done", "failed"};
    for (size_t i = 0; i < 3; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, subs[i]);
        if (mkdir(p, 0750) != 0 && errno != EEXIST)
            return bss_fail(ei, BSS_E_CONFIG, "cdr-spool", "cannot make %.200s: %s", p, strerror(errno));
    }
    bss_cdr_spool *s = bss_calloc(1, sizeof *s);
    if (!s)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    s->app = app;
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    s->poll_ms = poll_ms > 0 ? poll_ms : 1000;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    bss_err rc = bss_db_open(app->cfg.db_url, &app->dbopt, &s->db, ei);
    if (rc == BSS_OK && pthread_create(&s->thread, NULL, spool_main, s) != 0)
        rc = bss_fail(ei, BSS_E_INTERNAL, NULL, "cannot start the CDR spool thread");
    if (rc != BSS_OK) {
        bss_db_close(s->db);
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
        bss_free(s);
        return rc;
    }
    bss_log(BSS_LOG_INFO, "usage.spool.started", "dir", s->dir, NULL);
    *out = s;
    return BSS_OK;
}

void bss_cdr_spool_stop(bss_cdr_spool *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    bss_db_close(s->db);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    bss_free(s);
}
