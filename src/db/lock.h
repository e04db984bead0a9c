/*
 * lock.h: "one owner of live state". While `bss serve` runs it owns the
 * store; offline commands that change it (migrate, restore) must not run
 * beside it. The owner holds a store lock: flock(LOCK_EX|LOCK_NB) on
 * <data-dir>/bss.lock (which records its pid) and, for a PostgreSQL store,
 * also a session-level advisory lock (per database and schema) on a
 * dedicated connection, so servers on other machines sharing the database
 * are seen too. The lock ends with bss_store_lock_release or the process.
 */
#ifndef BSS_DB_LOCK_H
#define BSS_DB_LOCK_H

#include "core/err.h"

typedef struct bss_store_lock bss_store_lock;

/*
 * Takes the store lock (creating data_dir if missing). BSS_E_LOCKED, with a
 * message naming the holder's pid when known, if another process holds it;
 * BSS_E_IO if the data dir or lock file cannot be made; BSS_E_DB if the
 * PostgreSQL store cannot be reached.
 */
bss_err bss_store_lock_acquire(const char *data_dir, const char *db_url, bss_store_lock **out,
                               bss_errinfo *ei);

/* Releases and frees the lock. NULL is a no-op. */
void bss_store_lock_release(bss_store_lock *lock);

#endif
