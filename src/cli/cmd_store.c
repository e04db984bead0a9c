/*
 * cmd_store.c: `bss backup FILE` and `bss restore FILE`, whole copies of a
 * SQLite store made with SQLite's online backup API (db.h
 * bss_db_sqlite_copy), so no sqlite3 program is needed.
 *
 * backup runs beside a live server (the copy is consistent and the server
 * waits at most one 256-page step); the file is made with mode 0600 first,
 * since it holds personal data, and an existing file is never overwritten.
 * restore refuses while a server holds the store (the store lock), checks
 * that FILE is a bss store no newer than this binary, keeps the store it
 * replaces as <store>.pre-restore-<time> (0600), then copies FILE in.
 * PostgreSQL stores are backed up with pg_dump / pg_restore (operations.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/config.h"
#include "core/err.h"
#include "db/db.h"
#include "db/lock.h"
#include "db/migrate.h"

/* Loads the configuration from argv minus the first positional argument (FILE). 2 on bad usage. */
static int load(const char *cmd, int argc, char **argv, bss_config *cfg, const char **file)
{
    *file = NULL;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_config_defaults(cfg);
    int nrest = 0;
    char **rest = NULL;
    if (bss_config_load(cfg, argc - 1, argv + 1, &nrest, &rest, &ei) != BSS_OK) {
        fprintf(stderr, "bss %s: %s\n", cmd, ei.message);
        return 2;
    }
    if (nrest != 1) {
        fprintf(stderr, "bss %s: %s; usage: bss %s FILE [--data-dir DIR] [--db URL]\n", cmd,
                nrest ? "one FILE only" : "which file?", cmd);
        return 2;
    }
    *file = rest[0];
    if (strncmp(cfg->db_url, "sqlite:", 7) != 0) {
        fprintf(stderr,
                "bss %s: the store is PostgreSQL: use pg_dump and pg_restore (docs/operations.md, Backups)\n", cmd);
        return 2;
    }
    return 0;
}

int bss_cmd_backup(int argc, char **argv)
{
    bss_config cfg;
    const char *file;
    int st = load("backup", argc, argv, &cfg, &file);
    if (st)
        return st;
    const char *store = cfg.db_url + 7;
    struct stat sb;
    if (stat(store, &sb) != 0) {
        fprintf(stderr, "bss backup: there is no store at %s (is --data-dir or --db mistyped?)\n", store);
        return 1;
    }
    int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "bss backup: cannot create %s: %s%s\n", file, strerror(errno),
                errno == EEXIST ? " (a backup is never written over a file; choose a new name)" : "");
        return 1;
    }
    close(fd);
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    if (bss_db_sqlite_copy(store, file, (int)cfg.db_busy_timeout_ms,
                           (int)bss_migrations[bss_migrations_count - 1].version, NULL, &ei) != BSS_OK) {
        unlink(file);
        fprintf(stderr, "bss backup: %s\n", ei.message);
        return 1;
    }
    stat(file, &sb);
    printf("backed up %s to %s (%lld bytes, mode 0600)\n", store, file, (long long)sb.st_size);
    return 0;
}

static int restore_locked(const bss_config *cfg, const char *file)
{
    const char *store = cfg->db_url + 7;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    int have = (int)bss_migrations[bss_migrations_count - 1].version, v = 0;
    /* FILE is checked before anything changes: a bss store, no newer than this binary */
    if (bss_db_sqlite_copy(file, NULL, (int)cfg->db_busy_timeout_ms, have, &v, &ei) != BSS_OK) {
        fprintf(stderr, "bss restore: %s\n", ei.message);
        return 1;
    }
    struct stat sb;
    char kept[1200] = "";
    if (stat(store, &sb) == 0) {
        char when[32];
        time_t now = time(NULL);
        strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", gmtime(&now));
        snprintf(kept, sizeof kept, "%s.pre-restore-%s", store, when);
        int fd = open(kept, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        for (int n = 2; fd < 0 && errno == EEXIST && n < 100; n++) { /* two restores in one second */
            snprintf(kept, sizeof kept, "%s.pre-restore-%s-%d", store, when, n);
            fd = open(kept, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        }
        if (fd < 0) {
            fprintf(stderr, "bss restore: cannot keep the current store as %s: %s\n", kept, strerror(errno));
            return 1;
        }
        close(fd);
        if (bss_db_sqlite_copy(store, kept, (int)cfg->db_busy_timeout_ms, 0, NULL, &ei) != BSS_OK) {
            unlink(kept);
            fprintf(stderr, "bss restore: cannot keep the current store: %s\n", ei.message);
            return 1;
        }
    } else {
        int fd = open(store, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0)
            close(fd);
    }
    if (bss_db_sqlite_copy(file, store, (int)cfg->db_busy_timeout_ms, have, NULL, &ei) != BSS_OK) {
        fprintf(stderr, "bss restore: %s%s%s\n", ei.message, kept[0] ? "; the store before is kept as " : "", kept);
        return 1;
    }
    printf("restored %s into %s (schema version %d)\n", file, store, v);
    if (kept[0])
        printf("the store it replaced is kept as %s\n", kept);
    return 0;
}

int bss_cmd_restore(int argc, char **argv)
{
    bss_config cfg;
    const char *file;
    int st = load("restore", argc, argv, &cfg, &file);
    if (st)
        return st;
    struct stat sb;
    if (stat(file, &sb) != 0) {
        fprintf(stderr, "bss restore: cannot read %s: %s\n", file, strerror(errno));
        return 1;
    }
    if (mkdir(cfg.data_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "bss restore: cannot create %s: %s\n", cfg.data_dir, strerror(errno));
        return 1;
    }
    bss_store_lock *lock = NULL;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    if (bss_store_lock_acquire(cfg.data_dir, cfg.db_url, &lock, &ei) != BSS_OK) {
        fprintf(stderr, "bss restore: %s\n", ei.message);
        return 1;
    }
    st = restore_locked(&cfg, file);
    bss_store_lock_release(lock);
    return st;
}

void bss_cmd_backup_help(FILE *out)
{
    fprintf(out, "usage: bss backup FILE [--data-dir DIR] [--db sqlite:PATH] [--config FILE]\n\n"
                 "Copies the SQLite store into FILE with SQLite's online backup API: a consistent\n"
                 "copy, safe while bss serve runs (it waits at most one 256-page step). FILE is\n"
                 "made with mode 0600 (it holds personal data) and must not exist. For a\n"
                 "PostgreSQL store use pg_dump (docs/operations.md).\n\n"
                 "Exit status: 0 done, 1 no store / FILE exists / copy failed, 2 bad usage.\n");
}

void bss_cmd_restore_help(FILE *out)
{
    fprintf(out, "usage: bss restore FILE [--data-dir DIR] [--db sqlite:PATH] [--config FILE]\n\n"
                 "Replaces the SQLite store with the backup FILE. Refuses while a server holds the\n"
                 "store (stop it first), and refuses a FILE that is not a bss store or is newer\n"
                 "than this binary. The store it replaces is kept beside it as\n"
                 "<store>.pre-restore-<UTC time> (mode 0600). Start bss serve afterwards: it\n"
                 "migrates the restored store if it is older. For PostgreSQL use pg_restore.\n\n"
                 "Exit status: 0 done, 1 server running / bad FILE / copy failed, 2 bad usage.\n");
}
