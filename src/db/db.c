/*
 * db.c: the backend-independent half of the store API (db.h). Picks the
 * backend from the URL, keeps per-connection state that is the same for
 * SQLite and PostgreSQL (transaction flag, stats, the busy-injection test
 * hook), runs bss_db_tx's retry loop with jittered exponential backoff, and
 * rewrites `?` placeholders to PostgreSQL's $n. Everything that talks to a
 * driver goes through the bss_db_ops table of db_int.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "db/db_int.h"

#define DEFAULT_BUSY_TIMEOUT_MS 5000
#define DEFAULT_RETRIES 5
#define BACKOFF_BASE_US 1000
#define BACKOFF_CAP_US 100000

static void fill_options(const bss_db_options *in, bss_db_options *out)
{
    out->busy_timeout_ms = in ? in->busy_timeout_ms : DEFAULT_BUSY_TIMEOUT_MS;
    out->retries = in ? in->retries : DEFAULT_RETRIES;
    if (out->busy_timeout_ms < 0)
        out->busy_timeout_ms = 0;
    if (out->retries < 0)
        out->retries = 0;
}

bss_err bss_db_open(const char *url, const bss_db_options *opt, bss_db **out, bss_errinfo *ei)
{
    bss_db_options o;
    bss_db *db = NULL;
    bss_err rc;

    *out = NULL;
    if (url == NULL || url[0] == '\0')
        return bss_fail(ei, BSS_E_INVALID, "db", "no database URL: use sqlite:PATH or postgres://...");
    fill_options(opt, &o);
    if (strncmp(url, "sqlite://", 9) == 0)
        rc = bss__db_sqlite_open(url + 9, &o, &db, ei);
    else if (strncmp(url, "sqlite:", 7) == 0)
        rc = bss__db_sqlite_open(url + 7, &o, &db, ei);
    else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
        rc = bss__db_pg_open(url, &o, &db, ei);
    else
        return bss_fail(ei, BSS_E_INVALID, "db",
                        "unsupported database URL (want sqlite:PATH or postgres://...)");
    if (rc != BSS_OK)
        return rc;
    db->opt = o;
    if (!(db->url = bss_strdup(url))) {
        bss_db_close(db);
        return bss_fail(ei, BSS_E_NOMEM, "db", "out of memory");
    }
    db->rng = (uint64_t)(uintptr_t)db ^ ((uint64_t)clock() << 32) ^ 0x9e3779b97f4a7c15ULL;
    *out = db;
    return BSS_OK;
}

void bss_db_close(bss_db *db)
{
    if (db == NULL)
        return;
    if (db->in_tx)
        bss_db_rollback(db);
    bss_free(db->url);
    db->ops->close(db);
}

bss_err bss_db_open_sibling(const bss_db *db, bss_db **out, bss_errinfo *ei)
{
    return bss_db_open(db->url, &db->opt, out, ei);
}

bss_db_backend bss_db_kind(const bss_db *db)
{
    return db->kind;
}

const char *bss_db_kind_name(const bss_db *db)
{
    return db->ops->name;
}

/* Counts the outcome of one statement; returns rc. */
static bss_err count(bss_db *db, bss_err rc)
{
    atomic_fetch_add_explicit(&db->stats.queries, 1, memory_order_relaxed);
    if (rc != BSS_OK && rc != BSS_E_NOT_FOUND && rc != BSS_E_EXISTS)
        atomic_fetch_add_explicit(&db->stats.errors, 1, memory_order_relaxed);
    return rc;
}

static bool injected_busy(bss_db *db, bss_errinfo *ei)
{
    if (db->inject_busy <= 0)
        return false;
    db->inject_busy--;
    bss_fail(ei, BSS_E_BUSY, NULL, "store busy (injected for a test)");
    return true;
}

bss_err bss_db_exec(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, int64_t *changes,
                    bss_errinfo *ei)
{
    if (changes)
        *changes = 0;
    if (injected_busy(db, ei))
        return count(db, BSS_E_BUSY);
    return count(db, db->ops->exec(db, sql, args, nargs, changes, ei));
}

bss_err bss_db_insert_rows(bss_db *db, const char *insert_sql, const char *copy_target, const bss_db_val *vals,
                           size_t ncols, size_t nrows, bss_errinfo *ei)
{
    if (nrows == 0)
        return BSS_OK;
    if (copy_target && db->ops->copy_rows) {
        if (injected_busy(db, ei))
            return count(db, BSS_E_BUSY);
        return count(db, db->ops->copy_rows(db, copy_target, vals, ncols, nrows, ei));
    }
    for (size_t r = 0; r < nrows; r++) {
        bss_err rc = bss_db_exec(db, insert_sql, vals + r * ncols, ncols, NULL, ei);
        if (rc != BSS_OK)
            return rc;
    }
    return BSS_OK;
}

bss_err bss_db_exec_script(bss_db *db, const char *sql, bss_errinfo *ei)
{
    if (injected_busy(db, ei))
        return count(db, BSS_E_BUSY);
    return count(db, db->ops->exec_script(db, sql, ei));
}

bss_err bss_db_query(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, bss_db_rows **out,
                     bss_errinfo *ei)
{
    bss_err rc;

    *out = NULL;
    if (db->rows_open)
        return bss_fail(ei, BSS_E_STATE, NULL, "a query result is still open on this connection");
    if (injected_busy(db, ei))
        return count(db, BSS_E_BUSY);
    rc = db->ops->query(db, sql, args, nargs, out, ei);
    if (rc == BSS_OK)
        db->rows_open = true;
    return count(db, rc);
}

bss_err bss_db_query_stream(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, bss_db_rows **out,
                            bss_errinfo *ei)
{
    *out = NULL;
    if (!db->ops->query_stream)
        return bss_db_query(db, sql, args, nargs, out, ei);
    if (db->rows_open)
        return bss_fail(ei, BSS_E_STATE, NULL, "a query result is still open on this connection");
    if (injected_busy(db, ei))
        return count(db, BSS_E_BUSY);
    bss_err rc = db->ops->query_stream(db, sql, args, nargs, out, ei);
    if (rc == BSS_OK)
        db->rows_open = true;
    return count(db, rc);
}

bool bss_db_next(bss_db_rows *rows)
{
    return rows->db->ops->next(rows);
}

bss_err bss_db_rows_error(const bss_db_rows *rows)
{
    return rows->err;
}

bool bss_db_col_null(bss_db_rows *rows, int col)
{
    return rows->db->ops->col_null(rows, col);
}

int64_t bss_db_col_int64(bss_db_rows *rows, int col)
{
    return rows->db->ops->col_int64(rows, col);
}

const char *bss_db_col_text(bss_db_rows *rows, int col, size_t *len)
{
    return rows->db->ops->col_text(rows, col, len);
}

void bss_db_rows_close(bss_db_rows *rows)
{
    if (rows == NULL)
        return;
    bss_db *db = rows->db;
    db->rows_open = false;
    db->ops->rows_close(rows);
}

bss_err bss_db_query_int64(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, int64_t *out,
                           bss_errinfo *ei)
{
    bss_db_rows *rows;
    bss_err rc = bss_db_query(db, sql, args, nargs, &rows, ei);

    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows)) {
        *out = bss_db_col_int64(rows, 0);
        rc = BSS_OK;
    } else {
        rc = bss_db_rows_error(rows);
        if (rc == BSS_OK)
            rc = bss_fail(ei, BSS_E_NOT_FOUND, NULL, "query returned no row");
        else
            bss_fail(ei, rc, NULL, "query failed while reading rows");
    }
    bss_db_rows_close(rows);
    return rc;
}

bss_err bss_db_ping(bss_db *db, bss_errinfo *ei)
{
    int64_t one = 0;
    return bss_db_query_int64(db, "SELECT 1", BSS_DB_NOARGS, &one, ei);
}

bss_err bss_db_table_exists(bss_db *db, const char *table, bool *exists, bss_errinfo *ei)
{
    int64_t n = 0;
    bss_err rc;
    if (bss_db_kind(db) == BSS_DB_POSTGRES)
        rc = bss_db_query_int64(db, "SELECT CASE WHEN to_regclass(?) IS NULL THEN 0 ELSE 1 END",
                                BSS_DB_ARGS(BSS_DB_STR(table)), &n,
                                ei); /* the search path, as queries see it */
    else
        rc = bss_db_query_int64(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                                BSS_DB_ARGS(BSS_DB_STR(table)), &n, ei);
    *exists = rc == BSS_OK && n > 0;
    return rc;
}

bss_err bss_db_begin(bss_db *db, bss_errinfo *ei)
{
    if (db->in_tx)
        return bss_fail(ei, BSS_E_STATE, NULL, "a transaction is already open on this connection");
    bss_err rc = db->ops->exec_script(db, db->ops->begin_sql, ei);
    if (rc == BSS_OK)
        db->in_tx = true;
    return rc;
}

bss_err bss_db_commit(bss_db *db, bss_errinfo *ei)
{
    if (!db->in_tx)
        return bss_fail(ei, BSS_E_STATE, NULL, "no transaction is open");
    bss_err rc = db->ops->exec_script(db, "COMMIT", ei);
    if (rc != BSS_OK) {
        bss_db_rollback(db);
        return count(db, rc);
    }
    db->in_tx = false;
    atomic_fetch_add_explicit(&db->stats.commits, 1, memory_order_relaxed);
    if (db->listener.committed)
        db->listener.committed(db->listener.arg);
    return BSS_OK;
}

bss_err bss_db_rollback(bss_db *db)
{
    bss_errinfo ei;

    if (!db->in_tx)
        return BSS_OK;
    db->in_tx = false;
    /* A backend may have ended the transaction itself (SQLite on some errors): ignore "no transaction". */
    (void)db->ops->exec_script(db, "ROLLBACK", &ei);
    if (db->listener.rolled_back)
        db->listener.rolled_back(db->listener.arg);
    return BSS_OK;
}

void bss_db_set_listener(bss_db *db, const bss_db_listener *l)
{
    if (l)
        db->listener = *l;
    else
        memset(&db->listener, 0, sizeof db->listener);
}

bool bss_db_heard_by(const bss_db *db, const void *arg)
{
    return db && arg && db->listener.arg == arg;
}

void bss_db_changed(bss_db *db, const char *table, const char *id, const struct json_t *doc)
{
    if (db && db->listener.changed)
        db->listener.changed(db->listener.arg, table, id, doc);
}

bool bss_db_in_tx(const bss_db *db)
{
    return db->in_tx;
}

static bss_err savepoint_sql(bss_db *db, const char *verb, const char *name, bss_errinfo *ei)
{
    char sql[128];
    size_t n = name ? strlen(name) : 0;

    if (!db->in_tx)
        return bss_fail(ei, BSS_E_STATE, NULL, "savepoints need an open transaction");
    if (n == 0 || n > 63)
        return bss_fail(ei, BSS_E_INVALID, "savepoint", "savepoint name must be 1..63 characters");
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return bss_fail(ei, BSS_E_INVALID, "savepoint", "savepoint name must be an identifier: %s", name);
    }
    snprintf(sql, sizeof(sql), "%s%s", verb, name);
    return count(db, db->ops->exec_script(db, sql, ei));
}

bss_err bss_db_savepoint(bss_db *db, const char *name, bss_errinfo *ei)
{
    return savepoint_sql(db, "SAVEPOINT ", name, ei);
}

bss_err bss_db_release(bss_db *db, const char *name, bss_errinfo *ei)
{
    return savepoint_sql(db, "RELEASE SAVEPOINT ", name, ei);
}

bss_err bss_db_rollback_to(bss_db *db, const char *name, bss_errinfo *ei)
{
    bss_err rc = savepoint_sql(db, "ROLLBACK TO SAVEPOINT ", name, ei);
    /* told even when the statement failed: the caller rolls the whole transaction back next */
    if (db->in_tx && db->listener.rolled_back)
        db->listener.rolled_back(db->listener.arg);
    return rc;
}

static uint64_t next_random(bss_db *db)
{
    uint64_t x = db->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    db->rng = x;
    return x;
}

/* Sleeps base*2^attempt (capped), jittered into its upper half. */
static void backoff(bss_db *db, int attempt)
{
    int64_t us = BACKOFF_BASE_US;
    for (int i = 0; i < attempt && us < BACKOFF_CAP_US; i++)
        us *= 2;
    if (us > BACKOFF_CAP_US)
        us = BACKOFF_CAP_US;
    us = us / 2 + (int64_t)(next_random(db) % (uint64_t)(us / 2 + 1));
    struct timespec ts = {.tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

bss_err bss_db_tx(bss_db *db, bss_db_tx_fn fn, void *arg, bss_errinfo *ei)
{
    bss_err rc;

    if (db->in_tx)
        return bss_fail(ei, BSS_E_STATE, NULL, "bss_db_tx inside an open transaction");
    for (int attempt = 0;; attempt++) {
        rc = bss_db_begin(db, ei);
        if (rc == BSS_OK)
            rc = fn(db, arg, ei);
        if (rc == BSS_OK)
            rc = bss_db_commit(db, ei);
        if (rc == BSS_OK)
            return BSS_OK;
        bss_db_rollback(db);
        if (rc != BSS_E_BUSY)
            return rc;
        if (attempt >= db->opt.retries)
            return bss_fail(ei, BSS_E_BUSY, NULL, "store busy after %d attempts, try again", attempt + 1);
        atomic_fetch_add_explicit(&db->stats.busy_retries, 1, memory_order_relaxed);
        backoff(db, attempt);
    }
}

void bss_db_get_stats(const bss_db *db, bss_db_stats *out)
{
    out->queries = atomic_load_explicit(&db->stats.queries, memory_order_relaxed);
    out->errors = atomic_load_explicit(&db->stats.errors, memory_order_relaxed);
    out->busy_retries = atomic_load_explicit(&db->stats.busy_retries, memory_order_relaxed);
    out->commits = atomic_load_explicit(&db->stats.commits, memory_order_relaxed);
}

void bss_db_inject_busy(bss_db *db, int n)
{
    db->inject_busy = n < 0 ? 0 : n;
}

/* Length of the dollar-quote tag starting at p ("$tag$" or "$$"), 0 if none. */
static size_t dollar_tag(const char *p)
{
    size_t i = 1;
    if (p[i] >= '0' && p[i] <= '9')
        return 0; /* $1 is a parameter, not a tag */
    while ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') ||
           p[i] == '_')
        i++;
    return p[i] == '$' ? i + 1 : 0;
}

/* Skips a literal, identifier or comment starting at p; returns its end (or p if none starts there). */
static const char *skip_quoted(const char *p, char prev)
{
    bool ident = (prev >= 'a' && prev <= 'z') || (prev >= 'A' && prev <= 'Z') ||
                 (prev >= '0' && prev <= '9') || prev == '_' || prev == '$';
    if ((*p == 'E' || *p == 'e') && p[1] == '\'' && !ident) { /* E'...': backslash escapes */
        p += 2;
        while (*p && *p != '\'') {
            if (*p == '\\' && p[1])
                p++;
            p++;
        }
        return *p ? p + 1 : p;
    }
    if (*p == '\'' || *p == '"') {
        char q = *p++;
        while (*p) {
            if (*p == q && p[1] == q)
                p += 2;
            else if (*p == q)
                return p + 1;
            else
                p++;
        }
        return p;
    }
    if (p[0] == '-' && p[1] == '-') {
        while (*p && *p != '\n')
            p++;
        return p;
    }
    if (p[0] == '/' && p[1] == '*') {
        int depth = 1; /* PostgreSQL nests block comments */
        p += 2;
        while (*p && depth > 0) {
            if (p[0] == '/' && p[1] == '*')
                depth++, p += 2;
            else if (p[0] == '*' && p[1] == '/')
                depth--, p += 2;
            else
                p++;
        }
        return p;
    }
    if (*p == '$' && !ident) {
        size_t t = dollar_tag(p);
        if (t == 0)
            return p;
        const char *end = p + t;
        while (*end && strncmp(end, p, t) != 0)
            end++;
        return *end ? end + t : end;
    }
    return p;
}

char *bss__db_rewrite_placeholders(const char *sql, int *nparams, bool *several)
{
    bool after_semicolon = false;
    size_t n = 0, cap;
    int k = 0;
    const char *p;

    for (p = sql; *p; p++)
        n += (*p == '?');
    cap = strlen(sql) + n * 10 + 1;
    char *out = bss_malloc(cap);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    p = sql;
    *several = false;
    while (*p) {
        const char *e = skip_quoted(p, p == sql ? ' ' : p[-1]);
        bool comment = e != p && (*p == '-' || *p == '/');
        if (after_semicolon && !comment && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != ';')
            *several = true;
        if (*p == ';' && e == p)
            after_semicolon = true;
        if (e != p) {
            memcpy(out + o, p, (size_t)(e - p));
            o += (size_t)(e - p);
            p = e;
        } else if (*p == '?') {
            o += (size_t)snprintf(out + o, cap - o, "$%d", ++k);
            p++;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    *nparams = k;
    return out;
}
