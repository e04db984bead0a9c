/*
 * catalog_store.h: the catalog's reads and writes of the store that are not
 * plain TMF document rows (those go through db/resource.h): the history of
 * versions of catalog documents (table tmf620_version) and the one question
 * the catalog asks of the product inventory (table product): how many live
 * products still use an offering. The TMF620 interface (src/api/tmf620_*.c)
 * calls these instead of writing SQL; the SQL is written once for SQLite and
 * PostgreSQL (db/db.h).
 *
 * A version row is an earlier document of (kind, id): kind is the TMF
 * resource segment ("productOffering", "productOfferingPrice"), version its
 * number, and it was valid [valid_from_ms, valid_to_ms); valid_to_ms may be
 * open (BSS_CATALOG_NO_END, stored as NULL). The resource table holds the
 * newest version; tmf620_version.c explains when a new one is made.
 */
#ifndef BSS_CATALOG_CATALOG_STORE_H
#define BSS_CATALOG_CATALOG_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

/* valid_to_ms of a version without an end (NULL in the store). */
#define BSS_CATALOG_NO_END INT64_MAX

/*
 * Records version `version` of (kind, id) with its document (doc_len bytes
 * of JSON text), valid [valid_from_ms, valid_to_ms). Runs inside the
 * caller's transaction. A version already recorded for (kind, id) is
 * BSS_E_CONFLICT (field "version"); store errors as db.h.
 */
bss_err bss_catalog_version_save(bss_db *db, const char *kind, const char *id, int64_t version,
                                 int64_t valid_from_ms, int64_t valid_to_ms, const char *doc_text,
                                 size_t doc_len, bss_errinfo *ei);

/*
 * The recorded version of (kind, id) valid at as_of_ms (valid_from_ms <=
 * as_of_ms < valid_to_ms; the highest version number when several are):
 * *doc /out/ = its parsed document (caller decrefs), or NULL when no
 * recorded version was valid then (BSS_OK). Only the history is read: the
 * current document is the caller's. A stored document that is not JSON is
 * BSS_E_INTERNAL.
 */
bss_err bss_catalog_version_at(bss_db *db, const char *kind, const char *id, int64_t as_of_ms, json_t **doc,
                               bss_errinfo *ei);

/* One recorded version as bss_catalog_versions_list hands it out (valid during the callback only). */
typedef struct bss_catalog_version_row {
    const char *kind;
    const char *id;
    int64_t version;
    int64_t valid_from_ms;
    int64_t valid_to_ms; /* BSS_CATALOG_NO_END when open */
    const char *doc;     /* JSON text, doc_len bytes, NUL-terminated */
    size_t doc_len;
} bss_catalog_version_row;

typedef bss_err (*bss_catalog_version_fn)(const bss_catalog_version_row *row, void *arg);

/*
 * Calls fn for every recorded version, ordered by kind, id, version: all of
 * them (kind and id NULL), those of one kind (id NULL) or of one document.
 * fn must not use db (its result is open); a non-BSS_OK return from fn stops
 * the walk and is returned.
 */
bss_err bss_catalog_versions_list(bss_db *db, const char *kind, const char *id, bss_catalog_version_fn fn,
                                  void *arg, bss_errinfo *ei);

/*
 * *n /out/ = the products of the inventory (table product) whose
 * offering_id is offering_id and whose status is neither "terminated" nor
 * "cancelled" (a NULL status counts as live).
 */
bss_err bss_catalog_count_active_products(bss_db *db, const char *offering_id, int64_t *n, bss_errinfo *ei);

#endif
