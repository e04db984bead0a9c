/*
 * migrate_int.h: the migration engine behind migrate.h, exposed to tests
 * (tests/unit/db/test_migrate.c) so they can run it on their own lists of
 * migrations instead of the ones embedded in the binary.
 */
#ifndef BSS_DB_MIGRATE_INT_H
#define BSS_DB_MIGRATE_INT_H

#include "db/migrate.h"

/*
 * Applies the migrations of list (n entries, versions strictly increasing)
 * that the store lacks, exactly as bss_db_migrate does with the embedded list.
 */
bss_err bss__db_migrate_list(bss_db *db, const bss_migration *list, size_t n, int64_t now_ms, int *applied,
                             bss_errinfo *ei);

/*
 * The SQL of one migration as run on `kind`: lines inside another backend's
 * "-- sqlite-only"/"-- postgres-only" ... "-- end" section are dropped.
 * *out is bss_malloc'ed. BSS_E_INVALID (with the line number) on a section
 * opened inside another, an "-- end" without a section, or a section left open.
 */
bss_err bss__db_migration_sql(const bss_migration *m, bss_db_backend kind, char **out, bss_errinfo *ei);

#endif
