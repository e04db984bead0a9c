/*
 * catalog_store.c: the SQL of the catalog's version history (tmf620_version)
 * and of its in-use check on the product inventory (product), behind the
 * typed functions of catalog_int.h. The TMF620 interface calls these so
 * that no SQL lives in src/api; the statements are written once for both
 * backends (db/db.h: `?` placeholders, BIGINT and TEXT, NULL for an open
 * end) and are string literals, so each connection prepares them once.
 */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "core/json.h"

static const char SQL_VERSION_INSERT[] = "INSERT INTO tmf620_version (kind, id, version, valid_from_ms, "
                                         "valid_to_ms, doc) VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_VERSION_AT[] =
    "SELECT doc FROM tmf620_version WHERE kind = ? AND id = ? AND valid_from_ms <= ? "
    "AND (valid_to_ms IS NULL OR valid_to_ms > ?) ORDER BY version DESC LIMIT 1";
static const char SQL_VERSIONS_ALL[] = "SELECT kind, id, version, valid_from_ms, valid_to_ms, doc "
                                       "FROM tmf620_version ORDER BY kind, id, version";
static const char SQL_VERSIONS_KIND[] = "SELECT kind, id, version, valid_from_ms, valid_to_ms, doc "
                                        "FROM tmf620_version WHERE kind = ? ORDER BY kind, id, version";
static const char SQL_VERSIONS_DOC[] = "SELECT kind, id, version, valid_from_ms, valid_to_ms, doc "
                                       "FROM tmf620_version WHERE kind = ? AND id = ? ORDER BY version";
static const char SQL_PRODUCTS_USING[] = "SELECT COUNT(*) FROM product WHERE offering_id = ? AND "
                                         "(status IS NULL OR status NOT IN ('terminated', 'cancelled'))";

bss_err bss_catalog_version_save(bss_db *db, const char *kind, const char *id, int64_t version,
                                 int64_t valid_from_ms, int64_t valid_to_ms, const char *doc_text,
                                 size_t doc_len, bss_errinfo *ei)
{
    if (!kind || !id || !doc_text)
        return bss_fail(ei, BSS_E_INVALID, NULL, "a catalog version needs a kind, an id and a document");
    bss_db_val to = valid_to_ms == BSS_CATALOG_NO_END ? BSS_DB_NIL : BSS_DB_I64(valid_to_ms);
    bss_err rc = bss_db_exec(db, SQL_VERSION_INSERT,
                             BSS_DB_ARGS(BSS_DB_STR(kind), BSS_DB_STR(id), BSS_DB_I64(version),
                                         BSS_DB_I64(valid_from_ms), to, BSS_DB_STRN(doc_text, doc_len)),
                             NULL, ei);
    if (rc == BSS_E_EXISTS)
        return bss_fail(ei, BSS_E_CONFLICT, "version", "version %lld of %s %.64s is already recorded",
                        (long long)version, kind, id);
    return rc;
}

bss_err bss_catalog_version_at(bss_db *db, const char *kind, const char *id, int64_t as_of_ms, json_t **doc,
                               bss_errinfo *ei)
{
    *doc = NULL;
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(
        db, SQL_VERSION_AT,
        BSS_DB_ARGS(BSS_DB_STR(kind), BSS_DB_STR(id), BSS_DB_I64(as_of_ms), BSS_DB_I64(as_of_ms)), &rows, ei);
    if (rc)
        return rc;
    if (bss_db_next(rows)) {
        size_t len = 0;
        const char *text = bss_db_col_text(rows, 0, &len);
        if (text && bss_json_parse(text, len, doc, NULL) != BSS_OK)
            rc = bss_fail(ei, BSS_E_INTERNAL, NULL, "a stored version of %s %.64s is not valid JSON",
                          kind ? kind : "", id ? id : "");
    } else {
        rc = bss_db_rows_error(rows);
        if (rc)
            bss_fail(ei, rc, NULL, "reading the versions of %s %.64s failed", kind ? kind : "", id ? id : "");
    }
    bss_db_rows_close(rows);
    return rc;
}

bss_err bss_catalog_versions_list(bss_db *db, const char *kind, const char *id, bss_catalog_version_fn fn,
                                  void *arg, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc;
    if (kind && id)
        rc = bss_db_query(db, SQL_VERSIONS_DOC, BSS_DB_ARGS(BSS_DB_STR(kind), BSS_DB_STR(id)), &rows, ei);
    else if (kind)
        rc = bss_db_query(db, SQL_VERSIONS_KIND, BSS_DB_ARGS(BSS_DB_STR(kind)), &rows, ei);
    else
        rc = bss_db_query(db, SQL_VERSIONS_ALL, BSS_DB_NOARGS, &rows, ei);
    if (rc)
        return rc;
    while (bss_db_next(rows)) {
        bss_catalog_version_row row = {0};
        row.kind = bss_db_col_text(rows, 0, NULL);
        row.id = bss_db_col_text(rows, 1, NULL);
        row.version = bss_db_col_int64(rows, 2);
        row.valid_from_ms = bss_db_col_int64(rows, 3);
        row.valid_to_ms = bss_db_col_null(rows, 4) ? BSS_CATALOG_NO_END : bss_db_col_int64(rows, 4);
        row.doc = bss_db_col_text(rows, 5, &row.doc_len);
        if (!row.kind || !row.id || !row.doc)
            continue; /* NOT NULL columns: cannot happen */
        if ((rc = fn(&row, arg)) != BSS_OK) {
            bss_db_rows_close(rows);
            return rc;
        }
    }
    rc = bss_db_rows_error(rows);
    if (rc)
        bss_fail(ei, rc, NULL, "reading the catalog versions failed");
    bss_db_rows_close(rows);
    return rc;
}

bss_err bss_catalog_count_active_products(bss_db *db, const char *offering_id, int64_t *n, bss_errinfo *ei)
{
    *n = 0;
    return bss_db_query_int64(db, SQL_PRODUCTS_USING, BSS_DB_ARGS(BSS_DB_STR(offering_id)), n, ei);
}
