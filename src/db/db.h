/*
 * db.h: the one store API of bss, over SQLite (the default, embedded) and
 * PostgreSQL. SQL is written once for both: placeholders are `?` (rewritten
 * to $1.. for PostgreSQL), types are BIGINT and TEXT (JSON documents are
 * TEXT), booleans are BIGINT 0/1, times are BIGINT ms, money BIGINT micros;
 * upserts use ON CONFLICT, inserts may use RETURNING. Both backends agree on
 * that subset; anything outside it needs a reason in docs/architecture.md.
 *
 * A bss_db is one connection, used by one thread at a time (each event loop
 * and each worker owns one). Statements are prepared once per connection and
 * cached by their SQL text pointer, so pass string literals.
 *
 * Errors: BSS_E_BUSY when the store stayed locked (SQLite busy timeout) or a
 * serialization failure/deadlock happened (PostgreSQL) after retries;
 * BSS_E_EXISTS on a unique violation; BSS_E_DB otherwise, with the driver's
 * message in ei.
 */
#ifndef BSS_DB_DB_H
#define BSS_DB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"

typedef struct bss_db bss_db;
typedef struct bss_db_rows bss_db_rows;

typedef enum bss_db_backend { BSS_DB_SQLITE = 1, BSS_DB_POSTGRES = 2 } bss_db_backend;

typedef enum bss_db_type { BSS_DB_NULL = 0, BSS_DB_INT64, BSS_DB_TEXT } bss_db_type;

/* A bound parameter. Text need not be NUL-terminated (len given). */
typedef struct bss_db_val {
    bss_db_type type;
    int64_t i;
    const char *s;
    size_t len;
} bss_db_val;

#define BSS_DB_I64(x) ((bss_db_val){.type = BSS_DB_INT64, .i = (int64_t)(x)})
#define BSS_DB_STR(x)                                                                                        \
    ((bss_db_val){.type = (x) ? BSS_DB_TEXT : BSS_DB_NULL, .s = (x), .len = (x) ? strlen(x) : 0})
#define BSS_DB_STRN(x, n) ((bss_db_val){.type = BSS_DB_TEXT, .s = (x), .len = (n)})
#define BSS_DB_NIL ((bss_db_val){.type = BSS_DB_NULL})
#define BSS_DB_ARGS(...)                                                                                     \
    ((const bss_db_val[]){__VA_ARGS__}), (sizeof((bss_db_val[]){__VA_ARGS__}) / sizeof(bss_db_val))
#define BSS_DB_NOARGS NULL, 0

typedef struct bss_db_options {
    int64_t busy_timeout_ms; /* SQLite busy handler wait; PostgreSQL lock_timeout. 5000 */
    int retries;             /* bss_db_tx attempts on BUSY before giving up. 5 */
} bss_db_options;

/*
 * Opens a connection: "sqlite:/path/to/bss.db" (created if missing; WAL,
 * synchronous=FULL, foreign keys on) or "postgres://user@host:port/db"
 * (also "postgresql://"). Does not migrate.
 */
bss_err bss_db_open(const char *url, const bss_db_options *opt, bss_db **out, bss_errinfo *ei);
void bss_db_close(bss_db *db); /* NULL is a no-op */
/*
 * Another connection to db's store, with its options (a job that reads on
 * several threads). It sees the store as of its own first read, not db's.
 */
bss_err bss_db_open_sibling(const bss_db *db, bss_db **out, bss_errinfo *ei);
bss_db_backend bss_db_kind(const bss_db *db);
const char *bss_db_kind_name(const bss_db *db); /* "sqlite" | "postgres" */

/* Runs one statement; *changes (may be NULL) receives the affected row count. */
bss_err bss_db_exec(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, int64_t *changes,
                    bss_errinfo *ei);

/*
 * Inserts nrows rows of ncols values each (vals row after row). insert_sql
 * is a one-row INSERT of ncols placeholders, run once a row on SQLite
 * (where a statement costs no round trip) and when copy_target is NULL;
 * copy_target, "table (col, ...)" in the INSERT's column order, sends
 * them on PostgreSQL as one COPY ... FROM STDIN (no statement to plan, no
 * round trip a row: bulk writes such as a CDR import's usage rows). Both
 * texts are the caller's constants. A text with a NUL byte is
 * BSS_E_INVALID, as for a parameter. A failure leaves the transaction to
 * be rolled back (on PostgreSQL none of the rows is written).
 */
bss_err bss_db_insert_rows(bss_db *db, const char *insert_sql, const char *copy_target, const bss_db_val *vals,
                           size_t ncols, size_t nrows, bss_errinfo *ei);

/* Runs a script of several ';'-separated statements without parameters (migrations). */
bss_err bss_db_exec_script(bss_db *db, const char *sql, bss_errinfo *ei);

/*
 * Runs a query; iterate with bss_db_next and read columns (0-based) until it
 * returns false, then bss_db_rows_close. At most one open result per
 * connection at a time. bss_db_rows_error tells whether iteration stopped on an error.
 */
/*
 * The same for a result too big to hold (a scan of a whole table): SQLite
 * steps through it as always; PostgreSQL, which otherwise receives every
 * row before the first is read, reads it through a cursor, BSS_DB_STREAM_BATCH
 * rows at a time, in a transaction of its own when none is open (ended when
 * the rows are closed). A read only: the statement is a SELECT.
 */
#define BSS_DB_STREAM_BATCH 10000
bss_err bss_db_query_stream(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, bss_db_rows **out,
                            bss_errinfo *ei);
bss_err bss_db_query(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, bss_db_rows **out,
                     bss_errinfo *ei);
bool bss_db_next(bss_db_rows *rows);
bss_err bss_db_rows_error(const bss_db_rows *rows);
bool bss_db_col_null(bss_db_rows *rows, int col);
int64_t bss_db_col_int64(bss_db_rows *rows, int col);                 /* 0 if NULL */
const char *bss_db_col_text(bss_db_rows *rows, int col, size_t *len); /* NULL if NULL; valid until next */
void bss_db_rows_close(bss_db_rows *rows);                            /* NULL is a no-op */

/* Convenience: first column of the first row as int64 (BSS_E_NOT_FOUND if no row). */
bss_err bss_db_query_int64(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, int64_t *out,
                           bss_errinfo *ei);

/* Whether the store answers at all (one trivial query): BSS_OK or the store's error. */
bss_err bss_db_ping(bss_db *db, bss_errinfo *ei);

/*
 * Copies the SQLite store at from into the SQLite file to with SQLite's
 * online backup API (a consistent copy while a server writes; 256 pages
 * at a time, so writers wait at most for one step). to is created if
 * missing; the caller makes it first with the mode it wants. max_schema
 * > 0: from must be a bss store (a SQLite file with the schema table, at
 * a version 1..max_schema, passing the integrity check), else
 * BSS_E_INVALID; *schema (may be NULL) gets its version. to NULL: only
 * those checks, nothing copied. BSS_E_IO /
 * BSS_E_DB with a message otherwise.
 */
bss_err bss_db_sqlite_copy(const char *from, const char *to, int busy_timeout_ms, int max_schema, int *schema,
                           bss_errinfo *ei);

/*
 * Whether a table exists where the connection's queries would find it (a
 * table of a module that has not landed yet may not): *exists /out/. A
 * catalog lookup (sqlite_master, to_regclass), no table scan.
 */
bss_err bss_db_table_exists(bss_db *db, const char *table, bool *exists, bss_errinfo *ei);

/* Explicit transactions (prefer bss_db_tx). Nested begin is an error. */
bss_err bss_db_begin(bss_db *db, bss_errinfo *ei);
bss_err bss_db_commit(bss_db *db, bss_errinfo *ei);
bss_err bss_db_rollback(bss_db *db); /* safe to call when no transaction is open */
bool bss_db_in_tx(const bss_db *db);

/*
 * A listener for a cache kept above the store on this connection (the
 * charging engine's resident lines, on the writer's): modules that change a
 * row such a cache copies call bss_db_changed (table, the row's id, its new
 * document or NULL); the connection itself reports every commit and every
 * rollback (a whole transaction or back to a savepoint), so a cache can
 * forget what it read inside work that was undone. Callbacks run on the
 * connection's thread, inside the call that caused them; any may be NULL.
 * A listener is set once, before the connection is used.
 */
struct json_t;
typedef struct bss_db_listener {
    void (*changed)(void *arg, const char *table, const char *id, const struct json_t *doc);
    void (*committed)(void *arg);
    void (*rolled_back)(void *arg);
    void *arg;
} bss_db_listener;
void bss_db_set_listener(bss_db *db, const bss_db_listener *l);
/* Whether arg's listener is set on db (a cache serves only the connection whose changes it hears). */
bool bss_db_heard_by(const bss_db *db, const void *arg);
void bss_db_changed(bss_db *db, const char *table, const char *id, const struct json_t *doc);

/* Savepoints inside a transaction (group commit isolates each job in one). */
bss_err bss_db_savepoint(bss_db *db, const char *name, bss_errinfo *ei);
bss_err bss_db_release(bss_db *db, const char *name, bss_errinfo *ei);
bss_err bss_db_rollback_to(bss_db *db, const char *name, bss_errinfo *ei);

/*
 * Runs fn inside a transaction and commits; on BSS_E_BUSY (from fn or the
 * commit) rolls back and retries with jittered backoff up to opt.retries
 * times, then returns BSS_E_BUSY. Any other error from fn rolls back and is
 * returned as is. fn must be safe to run more than once.
 */
typedef bss_err (*bss_db_tx_fn)(bss_db *db, void *arg, bss_errinfo *ei);
bss_err bss_db_tx(bss_db *db, bss_db_tx_fn fn, void *arg, bss_errinfo *ei);

/* Counters for /metrics. */
typedef struct bss_db_stats {
    int64_t queries, errors, busy_retries, commits;
} bss_db_stats;
void bss_db_get_stats(const bss_db *db, bss_db_stats *out);

/*
 * Test hook: makes the next n statements on this connection fail with
 * BSS_E_BUSY (as if the store were locked), to test retry and 503 paths.
 */
void bss_db_inject_busy(bss_db *db, int n);

#endif
