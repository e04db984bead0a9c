/*
 * resource.h: generic persistence of TMF resource documents. Every resource
 * kind (TMF620 category, TMF629 customer, ...) has one table:
 *
 *   id TEXT PRIMARY KEY, doc TEXT NOT NULL (the JSON document exactly as the
 *   API returns it), created_ms BIGINT, updated_ms BIGINT, row_version BIGINT,
 *   plus the typed columns its descriptor declares (lifecycle_status TEXT ...)
 *
 * The typed columns are copies of members of the document, written from it
 * on every insert and update, so the store can filter and index on them; the
 * document stays the source of truth. The API layer (src/api/tmf.c) pushes
 * filters on typed columns into SQL (equality, IN lists and ranges) and
 * applies every other attribute filter in memory to the rows SQL returns:
 * such a query reads and parses every row that the typed filters let
 * through, so a kind that is listed by some attribute often should make that
 * attribute a typed column.
 *
 * This is the only file with SQL for resources; it is written once for
 * SQLite and PostgreSQL with `?` placeholders. Statement texts are built
 * from the table descriptor and interned in it (the store caches prepared
 * statements by text pointer), so a table descriptor must live as long as
 * the process (a static) and be prepared once with bss_resource_table_prepare.
 *
 * Every function runs on the connection given: on the writer's inside a
 * write job, or on an event loop's for reads.
 */
#ifndef BSS_DB_RESOURCE_H
#define BSS_DB_RESOURCE_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

/* How a typed column is read from the document. */
typedef enum bss_res_type {
    BSS_RES_TEXT = 1, /* a JSON string -> TEXT */
    BSS_RES_INT64,    /* a JSON integer -> BIGINT */
    BSS_RES_BOOL,     /* true/false -> BIGINT 1/0 */
    BSS_RES_TIME,     /* an RFC 3339 string -> BIGINT ms */
} bss_res_type;

typedef struct bss_res_column {
    const char *path;   /* dotted path in the document: "lifecycleStatus", "validFor.startDateTime" */
    const char *column; /* SQL column: "lifecycle_status" */
    bss_res_type type;
} bss_res_column;

#define BSS_RES_MAX_COLUMNS 8
#define BSS_RES_SQL_SLOTS 40
#define BSS_RES_SQL_MAX 1024
#define BSS_RES_MAX_IN 8      /* values of one IN (...) list */
#define BSS_RES_MAX_FILTERS 8 /* filters pushed into one query */
#define BSS_RES_COL_ID (-1)   /* the id column in a filter */
#define BSS_RES_COL_NONE (-2) /* bss_resource_column_of: not a typed column */

/*
 * A table descriptor: a static in the module that owns the kind. Set name,
 * columns and ncolumns; the sql member is private to resource.c and
 * must be zero-initialised (a static is; an all-zero pthread mutex is
 * PTHREAD_MUTEX_INITIALIZER on glibc).
 */
typedef struct bss_res_table {
    const char *name; /* "tmf620_category" */
    const bss_res_column *columns;
    size_t ncolumns;
    struct {
        pthread_mutex_t mu;
        atomic_bool ready;
        int nslots;
        const char *insert, *get, *update, *del, *del_version, *exists;
        char text[BSS_RES_SQL_SLOTS][BSS_RES_SQL_MAX];
    } sql;
} bss_res_table;

/* Builds the fixed statements. Idempotent and thread-safe; BSS_E_INVALID on a bad descriptor. */
bss_err bss_resource_table_prepare(bss_res_table *t);

/* Index of the typed column at a document path, BSS_RES_COL_ID for "id", else BSS_RES_COL_NONE. */
int bss_resource_column_of(const bss_res_table *t, const char *path);

/* One stored row. In list callbacks the strings are valid during the call only. */
typedef struct bss_res_row {
    const char *id;
    const char *doc;
    size_t doc_len;
    int64_t created_ms;
    int64_t updated_ms;
    int64_t row_version;
} bss_res_row;

/* A row owned by the caller (bss_resource_get): release with bss_resource_doc_free. */
typedef struct bss_res_doc {
    char *doc; /* NUL-terminated JSON text */
    size_t doc_len;
    int64_t created_ms;
    int64_t updated_ms;
    int64_t row_version;
} bss_res_doc;
void bss_resource_doc_free(bss_res_doc *d); /* NULL is a no-op; leaves d empty */

/*
 * Inserts a new row for doc (serialised with BSS_JSON_DUMP_FLAGS), typed
 * columns read from it, row_version 1. BSS_E_EXISTS if the id is taken;
 * BSS_E_INVALID (field = the member's path) if a typed member has the wrong
 * type or a bad time.
 */
bss_err bss_resource_insert(bss_db *db, bss_res_table *t, const char *id, const json_t *doc, int64_t now_ms,
                            bss_errinfo *ei);

/* Reads one row. BSS_E_NOT_FOUND if absent. */
bss_err bss_resource_get(bss_db *db, bss_res_table *t, const char *id, bss_res_doc *out, bss_errinfo *ei);

/*
 * Replaces the document of a row whose row_version is still expect_version
 * (optimistic concurrency), bumping row_version (new value in *new_version,
 * may be NULL). BSS_E_NOT_FOUND if the row is gone, BSS_E_CONFLICT if
 * another writer changed it first.
 */
bss_err bss_resource_update(bss_db *db, bss_res_table *t, const char *id, const json_t *doc, int64_t now_ms,
                            int64_t expect_version, int64_t *new_version, bss_errinfo *ei);

/* Deletes a row (expect_version 0 = any version). BSS_E_NOT_FOUND / BSS_E_CONFLICT as for update. */
bss_err bss_resource_delete(bss_db *db, bss_res_table *t, const char *id, int64_t expect_version,
                            bss_errinfo *ei);

/* A filter the store runs: column <op> value, or column IN (values) for EQ with several. */
typedef enum bss_res_op { BSS_RES_EQ = 0, BSS_RES_GT, BSS_RES_GTE, BSS_RES_LT, BSS_RES_LTE } bss_res_op;

typedef struct bss_res_filter {
    int column; /* index into t->columns, or BSS_RES_COL_ID */
    bss_res_op op;
    size_t nvalues;                    /* 1 (any op) or 2..BSS_RES_MAX_IN (EQ only) */
    bss_db_val values[BSS_RES_MAX_IN]; /* TEXT for TEXT columns and id, INT64 otherwise */
} bss_res_filter;

/*
 * Builds a filter value from query text for column col: TEXT as is, INT64
 * as a decimal integer, BOOL from true/false, TIME from RFC 3339 (to ms).
 * BSS_E_INVALID (field = param) if the text does not fit the type. For
 * TEXT the value points at text (keep it alive while the filter is used).
 */
bss_err bss_resource_filter_value(const bss_res_table *t, int col, const char *text, const char *param,
                                  bss_db_val *out, bss_errinfo *ei);

typedef bss_err (*bss_res_row_fn)(const bss_res_row *row, void *arg);

/*
 * Lists rows matching every filter, ordered by id, skipping offset and
 * returning at most limit (limit < 0: no limit), calling fn per row (a
 * non-OK return stops the listing and is returned). *total (if not NULL)
 * receives the number of matching rows ignoring offset/limit (one more
 * COUNT query). BSS_E_UNSUPPORTED if the filter shape is too large to run
 * (more than BSS_RES_MAX_FILTERS, or no statement slot left): the caller
 * then lists without filters and filters in memory.
 */
bss_err bss_resource_list(bss_db *db, bss_res_table *t, const bss_res_filter *filters, size_t nfilters,
                          int64_t offset, int64_t limit, int64_t *total, bss_res_row_fn fn, void *arg,
                          bss_errinfo *ei);

#endif
