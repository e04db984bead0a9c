/*
 * auth_store.c: the api_key table (migration 0002_api_keys.sql), the one
 * file of the auth module with SQL: insert, revoke, count, list, the
 * last-used stamp and the lookup by hash. Written once for SQLite and
 * PostgreSQL (db/db.h).
 */
#include <stdbool.h>
#include <string.h>

#include "auth/auth.h"

bss_err bss_auth_key_insert(bss_db *db, const bss_api_key *row, const char *hash_hex, bss_errinfo *ei)
{
    return bss_db_exec(
        db, "INSERT INTO api_key (id, name, role, key_hash, prefix, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
        BSS_DB_ARGS(BSS_DB_STR(row->id), BSS_DB_STR(row->name), BSS_DB_STR(bss_auth_role_name(row->role)),
                    BSS_DB_STR(hash_hex), BSS_DB_STR(row->prefix), BSS_DB_I64(row->created_ms)),
        NULL, ei);
}

bss_err bss_auth_key_revoke(bss_db *db, const char *id, int64_t now_ms, bss_errinfo *ei)
{
    int64_t changes = 0;
    bss_err rc = bss_db_exec(db, "UPDATE api_key SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL",
                             BSS_DB_ARGS(BSS_DB_I64(now_ms), BSS_DB_STR(id)), &changes, ei);
    if (rc != BSS_OK)
        return rc;
    if (changes == 0)
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "no active API key with id %s", id);
    return BSS_OK;
}

bss_err bss_auth_key_count(bss_db *db, int64_t *out, bss_errinfo *ei)
{
    return bss_db_query_int64(db, "SELECT COUNT(*) FROM api_key", BSS_DB_NOARGS, out, ei);
}

static void copy_col(bss_db_rows *rows, int col, char *dst, size_t cap)
{
    size_t len = 0;
    const char *s = bss_db_col_text(rows, col, &len);
    if (s == NULL)
        len = 0;
    if (len >= cap)
        len = cap - 1;
    if (len > 0)
        memcpy(dst, s, len);
    dst[len] = '\0';
}

bss_err bss_auth_key_list(bss_db *db, bss_auth_key_fn fn, void *arg, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc =
        bss_db_query(db,
                     "SELECT id, name, role, prefix, created_ms, revoked_ms, last_used_ms FROM api_key "
                     "ORDER BY created_ms, id",
                     BSS_DB_NOARGS, &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        bss_api_key k;
        char role[16];
        memset(&k, 0, sizeof(k));
        copy_col(rows, 0, k.id, sizeof(k.id));
        copy_col(rows, 1, k.name, sizeof(k.name));
        copy_col(rows, 2, role, sizeof(role));
        if (bss_auth_role_parse(role, &k.role, NULL) != BSS_OK)
            k.role = 0;
        copy_col(rows, 3, k.prefix, sizeof(k.prefix));
        k.created_ms = bss_db_col_int64(rows, 4);
        k.revoked_ms = bss_db_col_null(rows, 5) ? 0 : bss_db_col_int64(rows, 5);
        k.last_used_ms = bss_db_col_null(rows, 6) ? 0 : bss_db_col_int64(rows, 6);
        fn(&k, arg);
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "reading api keys failed");
}

bss_err bss_auth_touch(bss_db *db, const char *key_id, int64_t now_ms, bss_errinfo *ei)
{
    return bss_db_exec(db,
                       "UPDATE api_key SET last_used_ms = ? WHERE id = ? "
                       "AND (last_used_ms IS NULL OR last_used_ms < ?)",
                       BSS_DB_ARGS(BSS_DB_I64(now_ms), BSS_DB_STR(key_id), BSS_DB_I64(now_ms)), NULL, ei);
}

bss_err bss_auth_key_lookup(bss_db *db, const char *hash_hex, bss_principal *out, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, "SELECT id, name, role, revoked_ms FROM api_key WHERE key_hash = ?",
                              BSS_DB_ARGS(BSS_DB_STR(hash_hex)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    bool found = bss_db_next(rows);
    rc = bss_db_rows_error(rows);
    if (rc == BSS_OK && found) {
        char role[16];
        copy_col(rows, 0, out->key_id, sizeof(out->key_id));
        copy_col(rows, 1, out->name, sizeof(out->name));
        copy_col(rows, 2, role, sizeof(role));
        bool revoked = !bss_db_col_null(rows, 3);
        if (revoked || bss_auth_role_parse(role, &out->role, NULL) != BSS_OK)
            found = false;
    }
    bss_db_rows_close(rows);
    if (rc != BSS_OK)
        return bss_fail(ei, rc, NULL, "looking up the API key failed");
    if (!found)
        return bss_fail(ei, BSS_E_UNAUTHORIZED, NULL, "unknown or revoked API key");
    return BSS_OK;
}
