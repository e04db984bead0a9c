/*
 * migrate.c: numbered schema migrations (migrate.h). The binary carries its
 * migrations (src/db/migrations/NNNN_name.sql, embedded by the build); this
 * file applies the ones a store lacks, oldest first, each in its own
 * transaction together with its row in bss_schema(version, name,
 * applied_at), so a failed migration leaves nothing half done. Concurrent
 * migrators are serialised by a PostgreSQL advisory lock or SQLite's write
 * lock (BEGIN IMMEDIATE), and each re-checks inside its transaction that the
 * version is still missing. A store newer than the binary is refused with
 * BSS_E_SCHEMA: an old binary must not write to a schema it does not know.
 */
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "db/migrate_int.h"

#define MIGRATE_LOCK_KEY INT64_C(0x6273730001) /* "bss" + 1: pg_advisory_lock key of migrators */

static const char *create_schema_sql = "CREATE TABLE IF NOT EXISTS bss_schema (version BIGINT PRIMARY KEY, "
                                       "name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

typedef enum marker { M_NONE, M_SQLITE, M_POSTGRES, M_END } marker;

/* Recognises a section marker line ("-- sqlite-only", "-- postgres-only", "-- end"). */
static marker line_marker(const char *p, size_t len)
{
    const char *end = p + len;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    if (end - p < 2 || p[0] != '-' || p[1] != '-')
        return M_NONE;
    p += 2;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    size_t n = (size_t)(end - p);
    if (n == 11 && memcmp(p, "sqlite-only", 11) == 0)
        return M_SQLITE;
    if (n == 13 && memcmp(p, "postgres-only", 13) == 0)
        return M_POSTGRES;
    if (n == 3 && memcmp(p, "end", 3) == 0)
        return M_END;
    return M_NONE;
}

bss_err bss__db_migration_sql(const bss_migration *m, bss_db_backend kind, char **out, bss_errinfo *ei)
{
    const char *p = m->sql;
    size_t total = strlen(p), o = 0;
    marker section = M_NONE;
    int line = 0;
    char *buf = bss_malloc(total + 1);

    *out = NULL;
    if (buf == NULL)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory reading migration %04d", m->version);
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        size_t with_nl = nl ? len + 1 : len;
        marker mk = line_marker(p, len);
        line++;
        if ((mk == M_SQLITE || mk == M_POSTGRES) && section != M_NONE) {
            bss_free(buf);
            return bss_fail(ei, BSS_E_INVALID, NULL,
                            "migration %04d_%s: line %d: section opened inside another", m->version, m->name,
                            line);
        }
        if (mk == M_END && section == M_NONE) {
            bss_free(buf);
            return bss_fail(ei, BSS_E_INVALID, NULL, "migration %04d_%s: line %d: '-- end' without a section",
                            m->version, m->name, line);
        }
        if (mk == M_SQLITE || mk == M_POSTGRES)
            section = mk;
        else if (mk == M_END)
            section = M_NONE;
        bool keep = section == M_NONE || (section == M_SQLITE && kind == BSS_DB_SQLITE) ||
                    (section == M_POSTGRES && kind == BSS_DB_POSTGRES);
        if (keep && mk == M_NONE) {
            memcpy(buf + o, p, with_nl);
            o += with_nl;
        }
        p += with_nl;
    }
    buf[o] = '\0';
    if (section != M_NONE) {
        bss_free(buf);
        return bss_fail(ei, BSS_E_INVALID, NULL, "migration %04d_%s: section not closed by '-- end'",
                        m->version, m->name);
    }
    *out = buf;
    return BSS_OK;
}

static bss_err schema_table_exists(bss_db *db, bool *out, bss_errinfo *ei)
{
    static const char *sqlite_sql =
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'bss_schema'";
    static const char *pg_sql = "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename = 'bss_schema' "
                                "AND schemaname = current_schema()";
    int64_t n = 0;
    bss_err rc =
        bss_db_query_int64(db, bss_db_kind(db) == BSS_DB_SQLITE ? sqlite_sql : pg_sql, BSS_DB_NOARGS, &n, ei);
    *out = n > 0;
    return rc;
}

bss_err bss_db_schema_version(bss_db *db, int *out, bss_errinfo *ei)
{
    bool exists = false;
    int64_t v = 0;
    bss_err rc = schema_table_exists(db, &exists, ei);

    *out = 0;
    if (rc != BSS_OK || !exists)
        return rc;
    rc = bss_db_query_int64(db, "SELECT COALESCE(MAX(version), 0) FROM bss_schema", BSS_DB_NOARGS, &v, ei);
    if (rc == BSS_OK)
        *out = (int)v;
    return rc;
}

int bss_db_binary_version(void)
{
    int v = 0;
    for (size_t i = 0; i < bss_migrations_count; i++)
        if (bss_migrations[i].version > v)
            v = bss_migrations[i].version;
    return v;
}

/* Applies one migration in its own transaction; *ran is false if another migrator got there first. */
static bss_err apply_one(bss_db *db, const bss_migration *m, int64_t now_ms, bool *ran, bss_errinfo *ei)
{
    char *sql = NULL;
    int64_t present = 0;
    bss_err rc = bss__db_migration_sql(m, bss_db_kind(db), &sql, ei);

    *ran = false;
    if (rc != BSS_OK)
        return rc;
    rc = bss_db_begin(db, ei);
    if (rc == BSS_OK)
        rc = bss_db_query_int64(db, "SELECT COUNT(*) FROM bss_schema WHERE version = ?",
                                BSS_DB_ARGS(BSS_DB_I64(m->version)), &present, ei);
    if (rc == BSS_OK && present == 0) {
        rc = bss_db_exec_script(db, sql, ei);
        if (rc == BSS_OK)
            rc = bss_db_exec(db, "INSERT INTO bss_schema (version, name, applied_at) VALUES (?, ?, ?)",
                             BSS_DB_ARGS(BSS_DB_I64(m->version), BSS_DB_STR(m->name), BSS_DB_I64(now_ms)),
                             NULL, ei);
        *ran = rc == BSS_OK;
    }
    if (rc == BSS_OK)
        rc = bss_db_commit(db, ei);
    else
        bss_db_rollback(db);
    bss_free(sql);
    if (rc != BSS_OK && ei) {
        char detail[sizeof(ei->message)];
        memcpy(detail, ei->message, sizeof(detail));
        bss_fail(ei, rc, NULL, "migration %04d_%s failed: %.200s", m->version, m->name, detail);
    }
    if (rc != BSS_OK)
        *ran = false;
    return rc;
}

static bss_err check_list(const bss_migration *list, size_t n, bss_errinfo *ei)
{
    for (size_t i = 0; i < n; i++)
        if (list[i].version <= 0 || (i > 0 && list[i].version <= list[i - 1].version))
            return bss_fail(ei, BSS_E_INTERNAL, NULL, "migrations out of order at %04d_%s", list[i].version,
                            list[i].name);
    return BSS_OK;
}

static bss_err migrate_locked(bss_db *db, const bss_migration *list, size_t n, int64_t now_ms, int *applied,
                              bss_errinfo *ei)
{
    int cur = 0, newest = n > 0 ? list[n - 1].version : 0;
    bss_err rc = bss_db_exec(db, create_schema_sql, BSS_DB_NOARGS, NULL, ei);

    if (rc == BSS_OK)
        rc = bss_db_schema_version(db, &cur, ei);
    if (rc != BSS_OK)
        return rc;
    if (cur > newest)
        return bss_fail(
            ei, BSS_E_SCHEMA, NULL,
            "the store's schema is at version %d but this binary knows only up to %d: run a newer bss", cur,
            newest);
    for (size_t i = 0; i < n; i++) {
        bool ran = false;
        if (list[i].version <= cur)
            continue;
        rc = apply_one(db, &list[i], now_ms, &ran, ei);
        if (rc != BSS_OK)
            return rc;
        if (ran && applied)
            (*applied)++;
    }
    return BSS_OK;
}

bss_err bss__db_migrate_list(bss_db *db, const bss_migration *list, size_t n, int64_t now_ms, int *applied,
                             bss_errinfo *ei)
{
    bool pg = bss_db_kind(db) == BSS_DB_POSTGRES;
    bss_err rc;

    if (applied)
        *applied = 0;
    if (bss_db_in_tx(db))
        return bss_fail(ei, BSS_E_STATE, NULL, "migrations cannot run inside a transaction");
    rc = check_list(list, n, ei);
    if (rc != BSS_OK)
        return rc;
    if (pg) {
        rc = bss_db_exec(db, "SELECT pg_advisory_lock(?)", BSS_DB_ARGS(BSS_DB_I64(MIGRATE_LOCK_KEY)), NULL,
                         ei);
        if (rc == BSS_E_BUSY)
            return bss_fail(ei, BSS_E_BUSY, NULL, "another process is migrating this store; try again");
        if (rc != BSS_OK)
            return rc;
    }
    rc = migrate_locked(db, list, n, now_ms, applied, ei);
    if (pg) {
        bss_errinfo ignored;
        bss_db_exec(db, "SELECT pg_advisory_unlock(?)", BSS_DB_ARGS(BSS_DB_I64(MIGRATE_LOCK_KEY)), NULL,
                    &ignored);
    }
    return rc;
}

bss_err bss_db_migrate(bss_db *db, int64_t now_ms, int *applied, bss_errinfo *ei)
{
    return bss__db_migrate_list(db, bss_migrations, bss_migrations_count, now_ms, applied, ei);
}
