/*
 * db_pg.c: the PostgreSQL backend of the store (db.h, through the ops
 * table of db_int.h), on libpq. Each statement is rewritten once (`?` ->
 * $n), prepared under a generated name and cached per connection by its SQL
 * text pointer (the text is compared too). Parameters and results travel in
 * text format. lock_timeout is set from busy_timeout_ms, so a lock wait ends
 * as SQLSTATE 55P03; that, serialization failures (40001) and deadlocks
 * (40P01) become BSS_E_BUSY; a unique violation (23505) BSS_E_EXISTS. If the
 * server dropped the connection while no transaction was open, the
 * statement is retried once on a fresh connection.
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"
#include "db/db_int.h"

#define CACHE_SLOTS 512 /* power of two */
#define CACHE_PROBE 4
#define MAX_PARAMS 2048 /* the most a statement binds (bulk rows go by COPY, not by parameters) */

typedef struct pg_stmt {
    const char *key; /* the caller's SQL pointer */
    char *text;      /* our copy of the caller's SQL */
    int nparams;
    char name[24];
} pg_stmt;

typedef struct pg_rows {
    struct bss_db_rows base;
    PGresult *res;
    int row, nrows;
    bool cursor; /* bss_db_query_stream: FETCH the next batch at the end of this one */
    bool own_tx; /* the cursor's own transaction, ended when the rows are closed */
    bool more;   /* the last FETCH filled its batch */
} pg_rows;

typedef struct pg_db {
    struct bss_db base;
    PGconn *conn;
    pg_rows rows;
    unsigned next_id;
    char *scratch; /* parameter text, NUL-terminated */
    size_t scratch_cap;
    pg_stmt cache[CACHE_SLOTS];
} pg_db;

static void quiet_notices(void *arg, const char *message) {}

/* Copies a libpq message without its trailing newline. */
static bss_err fail_msg(bss_errinfo *ei, bss_err code, const char *prefix, const char *msg)
{
    size_t n = msg ? strlen(msg) : 0;
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    return bss_fail(ei, code, NULL, "%s%.*s", prefix, (int)n, msg ? msg : "");
}

static bss_err map_result(pg_db *p, const PGresult *res, bss_errinfo *ei)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

    if (msg == NULL)
        msg = PQerrorMessage(p->conn);
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0))
        return fail_msg(ei, BSS_E_BUSY, "store busy: ", msg);
    if (state && strcmp(state, "23505") == 0)
        return fail_msg(ei, BSS_E_EXISTS, "", msg);
    return fail_msg(ei, BSS_E_DB, "postgres: ", msg);
}

static bss_err result_ok(pg_db *p, PGresult *res, bss_errinfo *ei)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return BSS_OK;
    return map_result(p, res, ei);
}

static void cache_forget_all(pg_db *p)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        bss_free(p->cache[i].text);
        memset(&p->cache[i], 0, sizeof(p->cache[i]));
    }
}

/*
 * Session settings, run after every (re)connect. plan_cache_mode: every
 * execution of a prepared statement is planned for its values. With the
 * default, PostgreSQL settles after five executions on a generic plan made
 * from the statistics of that moment and keeps it until the table is next
 * analysed: a statement first run on an empty table (a fresh store, a new
 * usage table) kept scanning it as it grew (the duplicate check of a CDR
 * import fell to 1,200 records/s, docs/benchmarks.md). Planning our short
 * statements costs microseconds; a wrong plan costs a table scan.
 */
static bss_err session_setup(pg_db *p, bss_errinfo *ei)
{
    char sql[160];
    PQsetNoticeProcessor(p->conn, quiet_notices, NULL);
    snprintf(sql, sizeof(sql),
             "SET lock_timeout = %" PRId64 "; SET client_min_messages = warning; SET plan_cache_mode = force_custom_plan",
             p->base.opt.busy_timeout_ms);
    PGresult *res = PQexec(p->conn, sql);
    bss_err rc = result_ok(p, res, ei);
    PQclear(res);
    return rc;
}

/* After a failure: if the connection is gone and no transaction was open, reconnect. True if it did. */
static bool reconnected(pg_db *p)
{
    if (PQstatus(p->conn) != CONNECTION_BAD || p->base.in_tx)
        return false;
    PQreset(p->conn);
    if (PQstatus(p->conn) != CONNECTION_OK)
        return false;
    cache_forget_all(p);
    return session_setup(p, NULL) == BSS_OK;
}

static size_t slot_of(const char *key)
{
    uintptr_t h = (uintptr_t)key;
    h ^= h >> 17;
    h *= (uintptr_t)0x9e3779b97f4a7c15ULL;
    h ^= h >> 29;
    return (size_t)h & (CACHE_SLOTS - 1);
}

static void stmt_drop(pg_db *p, pg_stmt *e)
{
    if (e->key != NULL && !p->base.in_tx) {
        char sql[48];
        snprintf(sql, sizeof(sql), "DEALLOCATE %s", e->name);
        PQclear(PQexec(p->conn, sql));
    }
    /* Inside a transaction the server-side statement is kept: a failing DEALLOCATE would abort it. */
    bss_free(e->text);
    memset(e, 0, sizeof(*e));
}

static bss_err get_stmt(pg_db *p, const char *sql, pg_stmt **out, bss_errinfo *ei)
{
    size_t home = slot_of(sql);
    pg_stmt *victim = NULL;

    for (size_t i = 0; i < CACHE_PROBE; i++) {
        pg_stmt *e = &p->cache[(home + i) & (CACHE_SLOTS - 1)];
        if (e->key == sql && strcmp(e->text, sql) == 0) {
            *out = e;
            return BSS_OK;
        }
        if (victim == NULL && (e->key == NULL || e->key == sql))
            victim = e;
    }
    if (victim == NULL)
        victim = &p->cache[home];
    int nparams = 0;
    bool several = false;
    char *text = bss_strdup(sql);
    char *rewritten = bss__db_rewrite_placeholders(sql, &nparams, &several);
    if (text == NULL || rewritten == NULL || several) {
        bss_free(text);
        bss_free(rewritten);
        if (several)
            return bss_fail(ei, BSS_E_INVALID, NULL,
                            "one statement at a time (scripts go to bss_db_exec_script)");
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory preparing a statement");
    }
    stmt_drop(p, victim);
    char name[24];
    snprintf(name, sizeof(name), "bss_%u", ++p->next_id);
    PGresult *res = PQprepare(p->conn, name, rewritten, nparams, NULL);
    bss_free(rewritten);
    bss_err rc = result_ok(p, res, ei);
    PQclear(res);
    if (rc != BSS_OK) {
        bss_free(text);
        return rc;
    }
    victim->key = sql;
    victim->text = text;
    victim->nparams = nparams;
    memcpy(victim->name, name, sizeof(name));
    *out = victim;
    return BSS_OK;
}

/* Renders the parameters as NUL-terminated text into p->scratch; values[i] point into it. */
static bss_err render_params(pg_db *p, const bss_db_val *args, size_t nargs, const char **values,
                             bss_errinfo *ei)
{
    size_t need = 0, off = 0;
    for (size_t i = 0; i < nargs; i++)
        need += args[i].type == BSS_DB_TEXT ? args[i].len + 1 : args[i].type == BSS_DB_INT64 ? 24 : 0;
    if (need > p->scratch_cap) {
        char *grown = bss_realloc(p->scratch, need);
        if (grown == NULL)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory binding parameters");
        p->scratch = grown;
        p->scratch_cap = need;
    }
    for (size_t i = 0; i < nargs; i++) {
        values[i] = NULL;
        if (args[i].type == BSS_DB_INT64) {
            values[i] = p->scratch + off;
            off += (size_t)snprintf(p->scratch + off, 24, "%" PRId64, args[i].i) + 1;
        } else if (args[i].type == BSS_DB_TEXT) {
            if (args[i].len > 0 && memchr(args[i].s, '\0', args[i].len) != NULL)
                return bss_fail(ei, BSS_E_INVALID, NULL, "text parameter %zu contains a NUL byte", i + 1);
            values[i] = p->scratch + off;
            if (args[i].len > 0)
                memcpy(p->scratch + off, args[i].s, args[i].len);
            p->scratch[off + args[i].len] = '\0';
            off += args[i].len + 1;
        }
    }
    return BSS_OK;
}

static bss_err run_once(pg_db *p, const char *sql, const bss_db_val *args, size_t nargs, PGresult **out,
                        bss_errinfo *ei)
{
    const char *values[MAX_PARAMS];
    pg_stmt *stmt = NULL;

    if (nargs > MAX_PARAMS)
        return bss_fail(ei, BSS_E_INVALID, NULL, "too many parameters (%zu, at most %d)", nargs, MAX_PARAMS);
    bss_err rc = get_stmt(p, sql, &stmt, ei);
    if (rc != BSS_OK)
        return rc;
    if ((size_t)stmt->nparams != nargs)
        return bss_fail(ei, BSS_E_INVALID, NULL, "statement takes %d parameters, %zu given", stmt->nparams,
                        nargs);
    rc = render_params(p, args, nargs, values, ei);
    if (rc != BSS_OK)
        return rc;
    PGresult *res = PQexecPrepared(p->conn, stmt->name, (int)nargs, values, NULL, NULL, 0);
    rc = result_ok(p, res, ei);
    if (rc != BSS_OK) {
        PQclear(res);
        return rc;
    }
    *out = res;
    return BSS_OK;
}

static bss_err run(pg_db *p, const char *sql, const bss_db_val *args, size_t nargs, PGresult **out,
                   bss_errinfo *ei)
{
    bss_err rc = run_once(p, sql, args, nargs, out, ei);
    if (rc == BSS_E_DB && reconnected(p))
        rc = run_once(p, sql, args, nargs, out, ei);
    return rc;
}

static bss_err pg_exec(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, int64_t *changes,
                       bss_errinfo *ei)
{
    pg_db *p = (pg_db *)db;
    PGresult *res;
    bss_err rc = run(p, sql, args, nargs, &res, ei);

    if (rc != BSS_OK)
        return rc;
    if (changes) {
        const char *n = PQcmdTuples(res);
        int64_t count = 0;
        *changes =
            n && bss_parse_int64(n, strlen(n), BSS_NUM_DIGITS, 0, INT64_MAX, &count) == BSS_OK ? count : 0;
    }
    PQclear(res);
    return BSS_OK;
}

/* ---- COPY FROM STDIN (bss_db_insert_rows) ---- */

#define COPY_FLUSH 65536 /* bytes of rows handed to libpq at a time */

/* Appends a value in COPY's text format: \N for NULL; backslash, tab, newline and return escaped. */
static bool copy_value(pg_db *p, size_t *at, const bss_db_val *v, bool last, bss_errinfo *ei)
{
    size_t need = (v->type == BSS_DB_TEXT ? v->len * 2 : 24) + 2;
    if (*at + need > p->scratch_cap) {
        size_t cap = p->scratch_cap ? p->scratch_cap : COPY_FLUSH * 2;
        while (cap < *at + need)
            cap *= 2;
        char *grown = bss_realloc(p->scratch, cap);
        if (!grown) {
            bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory copying rows");
            return false;
        }
        p->scratch = grown;
        p->scratch_cap = cap;
    }
    char *o = p->scratch;
    if (v->type == BSS_DB_INT64) {
        *at += (size_t)snprintf(o + *at, 24, "%" PRId64, v->i);
    } else if (v->type == BSS_DB_TEXT) {
        for (size_t i = 0; i < v->len; i++) {
            char c = v->s[i];
            if (c == '\0') {
                bss_fail(ei, BSS_E_INVALID, NULL, "a text value contains a NUL byte");
                return false;
            }
            if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
                o[(*at)++] = '\\';
                c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
            }
            o[(*at)++] = c;
        }
    } else {
        o[(*at)++] = '\\';
        o[(*at)++] = 'N';
    }
    o[(*at)++] = last ? '\n' : '\t';
    return true;
}

static bss_err pg_copy_rows(bss_db *db, const char *target, const bss_db_val *vals, size_t ncols, size_t nrows,
                            bss_errinfo *ei)
{
    pg_db *p = (pg_db *)db;
    char sql[1024];
    if (snprintf(sql, sizeof sql, "COPY %s FROM STDIN", target) >= (int)sizeof sql)
        return bss_fail(ei, BSS_E_INVALID, NULL, "COPY target too long");
    PGresult *res = PQexec(p->conn, sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        bss_err rc = result_ok(p, res, ei);
        PQclear(res);
        return rc != BSS_OK ? rc : bss_fail(ei, BSS_E_DB, NULL, "COPY did not start");
    }
    PQclear(res);
    size_t at = 0;
    bss_errinfo why;
    bss_errinfo_clear(&why);
    bool ok = true;
    for (size_t r = 0; ok && r < nrows; r++) {
        for (size_t c = 0; ok && c < ncols; c++)
            ok = copy_value(p, &at, &vals[r * ncols + c], c + 1 == ncols, &why);
        if (ok && (at >= COPY_FLUSH || r + 1 == nrows)) {
            ok = PQputCopyData(p->conn, p->scratch, (int)at) == 1;
            at = 0;
            if (!ok)
                bss_fail(&why, BSS_E_DB, NULL, "%s", PQerrorMessage(p->conn));
        }
    }
    /* a failure ends the COPY with an error: the server writes none of the rows */
    if (PQputCopyEnd(p->conn, ok ? NULL : "rows not sent") != 1 && ok) {
        ok = false;
        bss_fail(&why, BSS_E_DB, NULL, "%s", PQerrorMessage(p->conn));
    }
    bss_err rc = BSS_OK;
    while ((res = PQgetResult(p->conn)) != NULL) {
        if (rc == BSS_OK && ok)
            rc = result_ok(p, res, ei);
        PQclear(res);
    }
    if (!ok) {
        if (ei)
            *ei = why;
        return why.code != BSS_OK ? why.code : BSS_E_DB;
    }
    return rc;
}

static bss_err script_once(pg_db *p, const char *sql, bss_errinfo *ei)
{
    PGresult *res = PQexec(p->conn, sql);
    bss_err rc = (res && PQresultStatus(res) == PGRES_EMPTY_QUERY) ? BSS_OK : result_ok(p, res, ei);
    /* COMMIT of a transaction that already failed "succeeds" as ROLLBACK. */
    if (rc == BSS_OK && strcmp(sql, "COMMIT") == 0 && strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
        rc = bss_fail(ei, BSS_E_DB, NULL, "postgres: transaction aborted by an earlier error, rolled back");
    PQclear(res);
    return rc;
}

static bss_err pg_exec_script(bss_db *db, const char *sql, bss_errinfo *ei)
{
    pg_db *p = (pg_db *)db;
    bss_err rc = script_once(p, sql, ei);
    if (rc == BSS_E_DB && reconnected(p))
        rc = script_once(p, sql, ei);
    return rc;
}

static bss_err pg_query(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, bss_db_rows **out,
                        bss_errinfo *ei)
{
    pg_db *p = (pg_db *)db;
    PGresult *res;
    bss_err rc = run(p, sql, args, nargs, &res, ei);

    if (rc != BSS_OK)
        return rc;
    p->rows.base.db = db;
    p->rows.base.err = BSS_OK;
    p->rows.res = res;
    p->rows.row = -1;
    p->rows.nrows = PQntuples(res);
    p->rows.cursor = false;
    *out = &p->rows.base;
    return BSS_OK;
}

#define STREAM_CURSOR "bss_stream"
#define STR2(x) #x
#define STR(x) STR2(x)

/* A statement without parameters or rows (BEGIN, ROLLBACK), or a FETCH into *out. */
static bss_err simple(pg_db *p, const char *sql, PGresult **out, bss_errinfo *ei)
{
    PGresult *res = PQexec(p->conn, sql);
    bss_err rc = result_ok(p, res, ei);
    if (rc != BSS_OK || !out)
        PQclear(res);
    else
        *out = res;
    return rc;
}

static bss_err fetch(pg_db *p, pg_rows *r, bss_errinfo *ei)
{
    PQclear(r->res);
    r->res = NULL;
    r->row = -1;
    r->nrows = 0;
    r->more = false;
    bss_err rc = simple(p, "FETCH " STR(BSS_DB_STREAM_BATCH) " FROM " STREAM_CURSOR, &r->res, ei);
    if (rc != BSS_OK)
        return rc;
    r->nrows = PQntuples(r->res);
    r->more = r->nrows == BSS_DB_STREAM_BATCH;
    return BSS_OK;
}

static bss_err pg_query_stream(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs,
                               bss_db_rows **out, bss_errinfo *ei)
{
    pg_db *p = (pg_db *)db;
    pg_rows *r = &p->rows;
    const char *values[MAX_PARAMS];
    int nparams = 0;
    bool several = false;
    if (nargs > MAX_PARAMS)
        return bss_fail(ei, BSS_E_INVALID, NULL, "too many parameters (%zu, at most %d)", nargs, MAX_PARAMS);
    char *q = bss__db_rewrite_placeholders(sql, &nparams, &several);
    if (!q)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    size_t n = strlen(q) + sizeof "DECLARE " STREAM_CURSOR " NO SCROLL CURSOR FOR ";
    char *decl = bss_malloc(n);
    if (decl)
        snprintf(decl, n, "DECLARE " STREAM_CURSOR " NO SCROLL CURSOR FOR %s", q);
    bss_free(q);
    bss_err rc = !decl ? bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory")
                 : several ? bss_fail(ei, BSS_E_INVALID, NULL, "a stream reads one statement")
                 : (size_t)nparams != nargs
                     ? bss_fail(ei, BSS_E_INVALID, NULL, "statement takes %d parameters, %zu given", nparams, nargs)
                     : render_params(p, args, nargs, values, ei);
    bool own = !db->in_tx;
    *r = (pg_rows){.base = {.db = db, .err = BSS_OK}, .cursor = true, .own_tx = own};
    if (rc == BSS_OK && own)
        rc = simple(p, "BEGIN", NULL, ei);
    if (rc == BSS_OK) {
        PGresult *res = PQexecParams(p->conn, decl, (int)nargs, NULL, values, NULL, NULL, 0);
        rc = result_ok(p, res, ei);
        PQclear(res);
    }
    bss_free(decl);
    if (rc == BSS_OK)
        rc = fetch(p, r, ei);
    if (rc != BSS_OK) { /* a transaction of the caller's is left to it to roll back */
        if (own)
            PQclear(PQexec(p->conn, "ROLLBACK"));
        PQclear(r->res);
        *r = (pg_rows){.base = {.db = db}};
        return rc;
    }
    *out = &r->base;
    return BSS_OK;
}

static bool pg_next(bss_db_rows *rows)
{
    pg_rows *r = (pg_rows *)rows;
    if (r->row + 1 >= r->nrows && r->cursor && r->more) {
        bss_errinfo ei;
        bss_errinfo_clear(&ei);
        bss_err rc = fetch((pg_db *)r->base.db, r, &ei);
        if (rc != BSS_OK)
            r->base.err = rc;
    }
    if (r->row + 1 >= r->nrows) {
        r->row = r->nrows;
        return false;
    }
    r->row++;
    return true;
}

static bool pg_col_null(bss_db_rows *rows, int col)
{
    pg_rows *r = (pg_rows *)rows;
    if (r->row < 0 || r->row >= r->nrows || col < 0 || col >= PQnfields(r->res))
        return true;
    return PQgetisnull(r->res, r->row, col) != 0;
}

static const char *pg_col_text(bss_db_rows *rows, int col, size_t *len)
{
    pg_rows *r = (pg_rows *)rows;
    if (len)
        *len = 0;
    if (pg_col_null(rows, col))
        return NULL;
    if (len)
        *len = (size_t)PQgetlength(r->res, r->row, col);
    return PQgetvalue(r->res, r->row, col);
}

static int64_t pg_col_int64(bss_db_rows *rows, int col)
{
    const char *text = pg_col_text(rows, col, NULL);
    if (text == NULL)
        return 0;
    if (strcmp(text, "t") == 0) /* booleans (pg_try_advisory_lock) */
        return 1;
    if (strcmp(text, "f") == 0)
        return 0;
    int64_t v = 0;
    return bss_parse_int64(text, strlen(text), BSS_NUM_MINUS, INT64_MIN, INT64_MAX, &v) == BSS_OK ? v : 0;
}

static void pg_rows_close(bss_db_rows *rows)
{
    pg_rows *r = (pg_rows *)rows;
    PQclear(r->res);
    r->res = NULL;
    if (r->cursor) /* in a failed transaction of the caller's, CLOSE fails too: its rollback ends both */
        PQclear(PQexec(((pg_db *)r->base.db)->conn, r->own_tx ? "ROLLBACK" : "CLOSE " STREAM_CURSOR));
    r->cursor = false;
}

static void pg_close(bss_db *db)
{
    pg_db *p = (pg_db *)db;
    PQclear(p->rows.res); /* a result left open by the caller */
    cache_forget_all(p);
    PQfinish(p->conn);
    bss_free(p->scratch);
    bss_free(p);
}

static const bss_db_ops pg_ops = {
    .name = "postgres",
    .begin_sql = "BEGIN",
    .exec = pg_exec,
    .exec_script = pg_exec_script,
    .copy_rows = pg_copy_rows,
    .query = pg_query,
    .query_stream = pg_query_stream,
    .next = pg_next,
    .col_null = pg_col_null,
    .col_int64 = pg_col_int64,
    .col_text = pg_col_text,
    .rows_close = pg_rows_close,
    .close = pg_close,
};

bss_err bss__db_pg_open(const char *url, const bss_db_options *opt, bss_db **out, bss_errinfo *ei)
{
    pg_db *p = bss_calloc(1, sizeof(*p));
    if (p == NULL)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory opening the store");
    p->base.ops = &pg_ops;
    p->base.kind = BSS_DB_POSTGRES;
    p->base.opt = *opt;
    p->conn = PQconnectdb(url);
    if (p->conn == NULL || PQstatus(p->conn) != CONNECTION_OK) {
        fail_msg(ei, BSS_E_DB,
                 "postgres: cannot connect: ", p->conn ? PQerrorMessage(p->conn) : "out of memory");
        if (ei)
            snprintf(ei->field, sizeof(ei->field), "db");
        pg_close(&p->base);
        return BSS_E_DB;
    }
    bss_err rc = session_setup(p, ei);
    if (rc != BSS_OK) {
        pg_close(&p->base);
        return rc;
    }
    *out = &p->base;
    return BSS_OK;
}
