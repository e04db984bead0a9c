/*
 * migrate.h: numbered schema migrations (src/db/migrations/NNNN_name.sql,
 * embedded at build time). bss_db_migrate applies the missing ones in order,
 * each in its own transaction, recording them in bss_schema(version, name,
 * applied_at). It refuses (BSS_E_SCHEMA) a store whose newest applied
 * version is above the binary's. On PostgreSQL an advisory lock serialises
 * concurrent migrators; on SQLite the write lock does.
 *
 * A migration file is SQL in the portable subset (db.h). Lines between
 * "-- sqlite-only" / "-- postgres-only" and "-- end" apply to one backend.
 */
#ifndef BSS_DB_MIGRATE_H
#define BSS_DB_MIGRATE_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

typedef struct bss_migration {
    int version;
    const char *name;
    const char *sql;
} bss_migration;

extern const bss_migration bss_migrations[];
extern const size_t bss_migrations_count;

/* Applies pending migrations; *applied (may be NULL) gets how many ran. */
bss_err bss_db_migrate(bss_db *db, int64_t now_ms, int *applied, bss_errinfo *ei);
/* The newest applied version (0 for an empty store). */
bss_err bss_db_schema_version(bss_db *db, int *out, bss_errinfo *ei);
/* The newest version this binary knows. */
int bss_db_binary_version(void);

#endif
