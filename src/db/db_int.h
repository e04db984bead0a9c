/*
 * db_int.h: what db.c shares with the two backends (db_sqlite.c, db_pg.c)
 * and nothing else may include. A backend fills a bss_db_ops table; db.c
 * does everything that is the same for both (URL dispatch, transaction
 * state, bss_db_tx retry, stats, busy injection) and calls through the
 * table for the rest. Each backend allocates its own connection and rows
 * structs with `struct bss_db` / `struct bss_db_rows` as their first member.
 */
#ifndef BSS_DB_DB_INT_H
#define BSS_DB_DB_INT_H

#include <stdatomic.h>

#include "db/db.h"

typedef struct bss_db_ops {
    const char *name;      /* "sqlite" | "postgres" */
    const char *begin_sql; /* "BEGIN IMMEDIATE" on SQLite (take the write lock up front) */
    bss_err (*exec)(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, int64_t *changes,
                    bss_errinfo *ei);
    bss_err (*exec_script)(bss_db *db, const char *sql, bss_errinfo *ei);
    /* bss_db_insert_rows through COPY (NULL: the one-row INSERT a row) */
    /* NULL: query (the backend steps through its results anyway) */
    bss_err (*query_stream)(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, bss_db_rows **out,
                            bss_errinfo *ei);
    bss_err (*copy_rows)(bss_db *db, const char *target, const bss_db_val *vals, size_t ncols, size_t nrows,
                         bss_errinfo *ei);
    bss_err (*query)(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, bss_db_rows **out,
                     bss_errinfo *ei);
    bool (*next)(bss_db_rows *rows);
    bool (*col_null)(bss_db_rows *rows, int col);
    int64_t (*col_int64)(bss_db_rows *rows, int col);
    const char *(*col_text)(bss_db_rows *rows, int col, size_t *len);
    void (*rows_close)(bss_db_rows *rows);
    void (*close)(bss_db *db);
} bss_db_ops;

struct bss_db {
    const bss_db_ops *ops;
    bss_db_backend kind;
    bss_db_options opt;
    char *url; /* as opened (bss_db_open_sibling) */
    bool in_tx;
    bool rows_open;  /* a bss_db_rows is open on this connection */
    int inject_busy; /* the next n statements fail with BSS_E_BUSY */
    uint64_t rng;    /* xorshift state for retry jitter */
    bss_db_listener listener; /* bss_db_set_listener (all NULL: none) */
    struct {
        _Atomic int64_t queries, errors, busy_retries, commits; /* read by /metrics from other threads */
    } stats;
};

struct bss_db_rows {
    bss_db *db;
    bss_err err; /* why iteration stopped, BSS_OK at the end of the rows */
};

/* Backend constructors: target is the part of the URL after the scheme (SQLite path) or the whole URL (PG).
 */
bss_err bss__db_sqlite_open(const char *path, const bss_db_options *opt, bss_db **out, bss_errinfo *ei);
bss_err bss__db_pg_open(const char *url, const bss_db_options *opt, bss_db **out, bss_errinfo *ei);

/*
 * Rewrites `?` placeholders to $1, $2, ... (PostgreSQL), leaving string
 * literals, quoted identifiers, dollar-quoted strings and comments alone.
 * Returns a bss_malloc'ed string (NULL on OOM); *nparams gets the count;
 * *several is set when more than one statement follows (a ';' then more SQL).
 */
char *bss__db_rewrite_placeholders(const char *sql, int *nparams, bool *several);

#endif
