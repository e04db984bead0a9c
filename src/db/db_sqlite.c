/*
 * db_sqlite.c: the SQLite backend of the store (db.h, through the ops
 * table of db_int.h). A connection runs in WAL mode with synchronous=FULL
 * (a commit is durable when it returns) and foreign keys on; lock waits go
 * to sqlite3_busy_timeout. Statements are prepared once per connection with
 * SQLITE_PREPARE_PERSISTENT and cached by their SQL text pointer (the text is
 * compared too, so a reused buffer holding other SQL is re-prepared, never
 * confused). Result codes map to bss_err: BUSY/LOCKED -> BSS_E_BUSY, a
 * unique or primary key violation -> BSS_E_EXISTS, anything else -> BSS_E_DB.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "db/db_int.h"

#define CACHE_SLOTS 512 /* power of two */
#define CACHE_PROBE 4

typedef struct stmt_entry {
    const char *key; /* the caller's SQL pointer */
    char *text;      /* our copy, to detect a reused pointer */
    sqlite3_stmt *stmt;
} stmt_entry;

typedef struct sqlite_rows {
    struct bss_db_rows base;
    sqlite3_stmt *stmt;
    bool done;
} sqlite_rows;

typedef struct sqlite_db {
    struct bss_db base;
    sqlite3 *conn;
    sqlite_rows rows; /* the one open result of this connection */
    stmt_entry cache[CACHE_SLOTS];
} sqlite_db;

static bss_err map_rc(sqlite_db *s, int rc, bss_errinfo *ei)
{
    const char *msg = sqlite3_errmsg(s->conn);

    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return bss_fail(ei, BSS_E_BUSY, NULL, "store busy: %s", msg);
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return bss_fail(ei, BSS_E_EXISTS, NULL, "%s", msg);
        return bss_fail(ei, BSS_E_DB, NULL, "sqlite: %s", msg);
    default:
        return bss_fail(ei, BSS_E_DB, NULL, "sqlite: %s", msg);
    }
}

/*
 * SQLite ends a transaction by itself on some errors (SQLITE_FULL, IOERR, NOMEM). Statements after
 * that must not silently run in autocommit mode while the caller believes its transaction is open.
 */
static bool tx_lost(sqlite_db *s, bss_errinfo *ei)
{
    if (!s->base.in_tx || !sqlite3_get_autocommit(s->conn))
        return false;
    bss_fail(ei, BSS_E_DB, NULL, "sqlite: the transaction was rolled back by an earlier error");
    return true;
}

/* True if only whitespace, ';' and "--" comments follow the first statement. */
static bool only_one_statement(const char *tail)
{
    while (tail && *tail) {
        if (*tail == '-' && tail[1] == '-') {
            while (*tail && *tail != '\n')
                tail++;
        } else if (*tail == ' ' || *tail == '\t' || *tail == '\n' || *tail == '\r' || *tail == ';') {
            tail++;
        } else {
            return false;
        }
    }
    return true;
}

static size_t slot_of(const char *key)
{
    uintptr_t h = (uintptr_t)key;
    h ^= h >> 17;
    h *= (uintptr_t)0x9e3779b97f4a7c15ULL;
    h ^= h >> 29;
    return (size_t)h & (CACHE_SLOTS - 1);
}

static void entry_clear(stmt_entry *e)
{
    sqlite3_finalize(e->stmt);
    bss_free(e->text);
    memset(e, 0, sizeof(*e));
}

/* Finds or prepares the statement for sql. */
static bss_err get_stmt(sqlite_db *s, const char *sql, sqlite3_stmt **out, bss_errinfo *ei)
{
    size_t home = slot_of(sql);
    stmt_entry *victim = NULL;

    for (size_t i = 0; i < CACHE_PROBE; i++) {
        stmt_entry *e = &s->cache[(home + i) & (CACHE_SLOTS - 1)];
        bool busy = s->base.rows_open && e->stmt == s->rows.stmt;
        if (e->key == sql && strcmp(e->text, sql) == 0 && !busy) {
            *out = e->stmt;
            return BSS_OK;
        }
        if (victim == NULL && !busy && (e->key == NULL || e->key == sql))
            victim = e;
    }
    for (size_t i = 0; victim == NULL && i < CACHE_PROBE; i++) {
        stmt_entry *e = &s->cache[(home + i) & (CACHE_SLOTS - 1)];
        if (!(s->base.rows_open && e->stmt == s->rows.stmt))
            victim = e;
    }
    sqlite3_stmt *stmt = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v3(s->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK)
        return map_rc(s, rc, ei);
    if (stmt == NULL)
        return bss_fail(ei, BSS_E_INVALID, NULL, "empty SQL statement");
    if (!only_one_statement(tail)) {
        sqlite3_finalize(stmt);
        return bss_fail(ei, BSS_E_INVALID, NULL,
                        "one statement at a time (scripts go to bss_db_exec_script)");
    }
    char *text = bss_strdup(sql);
    if (text == NULL) {
        sqlite3_finalize(stmt);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory preparing a statement");
    }
    entry_clear(victim);
    victim->key = sql;
    victim->text = text;
    victim->stmt = stmt;
    *out = stmt;
    return BSS_OK;
}

static bss_err bind_all(sqlite_db *s, sqlite3_stmt *stmt, const bss_db_val *args, size_t nargs, bool copy,
                        bss_errinfo *ei)
{
    int want = sqlite3_bind_parameter_count(stmt);
    if ((size_t)want != nargs)
        return bss_fail(ei, BSS_E_INVALID, NULL, "statement takes %d parameters, %zu given", want, nargs);
    for (size_t i = 0; i < nargs; i++) {
        int idx = (int)i + 1, rc;
        switch (args[i].type) {
        case BSS_DB_INT64:
            rc = sqlite3_bind_int64(stmt, idx, args[i].i);
            break;
        case BSS_DB_TEXT:
            /* as on PostgreSQL, which cannot store one: the two stores take the same texts */
            if (args[i].len > 0 && memchr(args[i].s, '\0', args[i].len) != NULL)
                return bss_fail(ei, BSS_E_INVALID, NULL, "text parameter %zu contains a NUL byte", i + 1);
            rc = sqlite3_bind_text64(stmt, idx, args[i].s ? args[i].s : "", args[i].len,
                                     copy ? SQLITE_TRANSIENT : SQLITE_STATIC, SQLITE_UTF8);
            break;
        default:
            rc = sqlite3_bind_null(stmt, idx);
            break;
        }
        if (rc != SQLITE_OK)
            return map_rc(s, rc, ei);
    }
    return BSS_OK;
}

static bss_err sq_exec(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, int64_t *changes,
                       bss_errinfo *ei)
{
    sqlite_db *s = (sqlite_db *)db;
    sqlite3_stmt *stmt;
    if (tx_lost(s, ei))
        return BSS_E_DB;
    bss_err rc = get_stmt(s, sql, &stmt, ei);

    if (rc != BSS_OK)
        return rc;
    rc = bind_all(s, stmt, args, nargs, false, ei);
    if (rc == BSS_OK) {
        int step;
        while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
            ;
        if (step != SQLITE_DONE)
            rc = map_rc(s, step, ei);
        else if (changes)
            *changes = (int64_t)sqlite3_changes64(s->conn);
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc;
}

static bss_err sq_exec_script(bss_db *db, const char *sql, bss_errinfo *ei)
{
    sqlite_db *s = (sqlite_db *)db;
    char *err = NULL;
    if (strcmp(sql, "ROLLBACK") != 0 && tx_lost(s, ei))
        return BSS_E_DB;
    int rc = sqlite3_exec(s->conn, sql, NULL, NULL, &err);

    if (rc == SQLITE_OK)
        return BSS_OK;
    bss_err code = map_rc(s, rc, ei);
    if (err) {
        bss_fail(ei, code, NULL, "%s%s", code == BSS_E_BUSY ? "store busy: " : "sqlite: ", err);
        sqlite3_free(err);
    }
    return code;
}

static bss_err sq_query(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, bss_db_rows **out,
                        bss_errinfo *ei)
{
    sqlite_db *s = (sqlite_db *)db;
    sqlite3_stmt *stmt;
    if (tx_lost(s, ei))
        return BSS_E_DB;
    bss_err rc = get_stmt(s, sql, &stmt, ei);

    if (rc != BSS_OK)
        return rc;
    rc = bind_all(s, stmt, args, nargs, true, ei);
    if (rc != BSS_OK) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        return rc;
    }
    s->rows.base.db = db;
    s->rows.base.err = BSS_OK;
    s->rows.stmt = stmt;
    s->rows.done = false;
    *out = &s->rows.base;
    return BSS_OK;
}

static bool sq_next(bss_db_rows *rows)
{
    sqlite_rows *r = (sqlite_rows *)rows;
    if (r->done)
        return false;
    int rc = sqlite3_step(r->stmt);
    if (rc == SQLITE_ROW)
        return true;
    r->done = true;
    if (rc != SQLITE_DONE)
        rows->err = map_rc((sqlite_db *)rows->db, rc, NULL);
    return false;
}

static bool sq_col_null(bss_db_rows *rows, int col)
{
    return sqlite3_column_type(((sqlite_rows *)rows)->stmt, col) == SQLITE_NULL;
}

static int64_t sq_col_int64(bss_db_rows *rows, int col)
{
    return (int64_t)sqlite3_column_int64(((sqlite_rows *)rows)->stmt, col);
}

static const char *sq_col_text(bss_db_rows *rows, int col, size_t *len)
{
    sqlite3_stmt *stmt = ((sqlite_rows *)rows)->stmt;
    const char *text = (const char *)sqlite3_column_text(stmt, col);
    if (len)
        *len = text ? (size_t)sqlite3_column_bytes(stmt, col) : 0;
    return text;
}

static void sq_rows_close(bss_db_rows *rows)
{
    sqlite_rows *r = (sqlite_rows *)rows;
    sqlite3_reset(r->stmt);
    sqlite3_clear_bindings(r->stmt);
    r->stmt = NULL;
}

static void sq_close(bss_db *db)
{
    sqlite_db *s = (sqlite_db *)db;
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (s->cache[i].stmt)
            entry_clear(&s->cache[i]);
    sqlite3_close_v2(s->conn);
    bss_free(s);
}

static const bss_db_ops sqlite_ops = {
    .name = "sqlite",
    .begin_sql = "BEGIN IMMEDIATE",
    .exec = sq_exec,
    .exec_script = sq_exec_script,
    .query = sq_query,
    .next = sq_next,
    .col_null = sq_col_null,
    .col_int64 = sq_col_int64,
    .col_text = sq_col_text,
    .rows_close = sq_rows_close,
    .close = sq_close,
};

/*
 * Before SQLite's first use: no allocation statistics. They are counted
 * under one mutex for the whole process, which every connection's every
 * allocation takes (the writer, the workers and the siblings reading a
 * CDR chunk's lines contend on it); bss reads none of them.
 */
static void sqlite_once(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

bss_err bss__db_sqlite_open(const char *path, const bss_db_options *opt, bss_db **out, bss_errinfo *ei)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_once);
    static const char setup[] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";
    sqlite_db *s;
    int rc;

    if (path[0] == '\0')
        return bss_fail(ei, BSS_E_INVALID, "db", "sqlite: URL has no file path (want sqlite:PATH)");
    s = bss_calloc(1, sizeof(*s));
    if (s == NULL)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory opening the store");
    s->base.ops = &sqlite_ops;
    s->base.kind = BSS_DB_SQLITE;
    rc = sqlite3_open_v2(path, &s->conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                         NULL);
    if (rc != SQLITE_OK) {
        bss_fail(ei, BSS_E_DB, "db", "sqlite: cannot open %s: %s", path,
                 s->conn ? sqlite3_errmsg(s->conn) : sqlite3_errstr(rc));
        sqlite3_close_v2(s->conn);
        bss_free(s);
        return BSS_E_DB;
    }
    sqlite3_extended_result_codes(s->conn, 1);
    sqlite3_busy_timeout(s->conn, (int)(opt->busy_timeout_ms > INT32_MAX ? INT32_MAX : opt->busy_timeout_ms));
    bss_err err = sq_exec_script(&s->base, setup, ei);
    if (err != BSS_OK) {
        sq_close(&s->base);
        return err;
    }
    *out = &s->base;
    return BSS_OK;
}

/* ---- whole-store copies (db.h bss_db_sqlite_copy) ---- */

bss_err bss_db_sqlite_copy(const char *from, const char *to, int busy_timeout_ms, int max_schema, int *schema,
                           bss_errinfo *ei)
{
    sqlite3 *src = NULL, *dst = NULL;
    bss_err rc = BSS_OK;
    bool check_schema = max_schema > 0;
    if (check_schema) { /* a SQLite file at all, before SQLite opens it */
        char head[16] = {0};
        FILE *f = fopen(from, "rb");
        bool ok = f && fread(head, 1, sizeof head, f) == sizeof head && memcmp(head, "SQLite format 3", 16) == 0;
        if (f)
            fclose(f);
        if (!ok)
            return bss_fail(ei, BSS_E_INVALID, NULL, "%s is not a bss store (not a SQLite file)", from);
    }
    if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = bss_fail(ei, BSS_E_IO, NULL, "cannot open %s: %s", from, src ? sqlite3_errmsg(src) : "no memory");
        goto out;
    }
    sqlite3_busy_timeout(src, busy_timeout_ms);
    if (check_schema) { /* a bss store: it has the schema table and passes the integrity check */
        sqlite3_stmt *st = NULL;
        int64_t version = 0;
        bool ok = sqlite3_prepare_v2(src, "SELECT MAX(version) FROM bss_schema", -1, &st, NULL) == SQLITE_OK &&
                  sqlite3_step(st) == SQLITE_ROW && (version = sqlite3_column_int64(st, 0)) > 0;
        sqlite3_finalize(st);
        if (schema)
            *schema = (int)version;
        if (ok && version > max_schema) {
            rc = bss_fail(ei, BSS_E_INVALID, NULL,
                          "%s is at schema version %lld, newer than this binary's %d: use a newer bss", from,
                          (long long)version, max_schema);
            goto out;
        }
        st = NULL;
        const char *verdict = NULL;
        if (ok && sqlite3_prepare_v2(src, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            verdict = (const char *)sqlite3_column_text(st, 0);
        ok = ok && verdict && strcmp(verdict, "ok") == 0;
        sqlite3_finalize(st);
        if (!ok) {
            rc = bss_fail(ei, BSS_E_INVALID, NULL, "%s is not a bss store (no schema, or it fails the integrity check)",
                          from);
            goto out;
        }
    }
    if (!to)
        goto out; /* checked only */
    if (sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        rc = bss_fail(ei, BSS_E_IO, NULL, "cannot open %s: %s", to, dst ? sqlite3_errmsg(dst) : "no memory");
        goto out;
    }
    sqlite3_busy_timeout(dst, busy_timeout_ms);
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        rc = bss_fail(ei, BSS_E_DB, NULL, "cannot copy %s: %s", from, sqlite3_errmsg(dst));
        goto out;
    }
    int step;
    while ((step = sqlite3_backup_step(b, 256)) == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED)
        sqlite3_sleep(step == SQLITE_OK ? 0 : 5); /* 256 pages at a time, so a live server is never held long */
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE)
        rc = bss_fail(ei, BSS_E_DB, NULL, "copying %s to %s failed: %s", from, to, sqlite3_errstr(step));
out:
    sqlite3_close_v2(dst);
    sqlite3_close_v2(src);
    return rc;
}
