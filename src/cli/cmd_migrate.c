/*
 * cmd_migrate.c: `bss migrate`, the offline way to bring a store's schema
 * up to this binary's (`bss serve` also migrates at start). It reads the
 * same configuration as serve (file, environment, flags), takes the store
 * lock so it never runs beside a live server (exit 1 with a message naming
 * the holder), applies the pending migrations and prints each one it
 * applied. Exit 0 on success, 1 on a store or lock failure, 2 on bad
 * configuration.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/config.h"
#include "core/err.h"
#include "core/time.h"
#include "db/db.h"
#include "db/lock.h"
#include "db/migrate.h"

static void print_applied(int before, int after)
{
    for (size_t i = 0; i < bss_migrations_count; i++) {
        const bss_migration *m = &bss_migrations[i];
        if (m->version > before && m->version <= after)
            printf("applied %04d_%s\n", m->version, m->name);
    }
}

/* The file of a sqlite: URL, else NULL (PostgreSQL). */
static const char *sqlite_path(const char *url)
{
    return strncmp(url, "sqlite:", 7) == 0 ? url + 7 : NULL;
}

static int migrate_store(const bss_config *cfg, bool create)
{
    bss_db_options opt = {.busy_timeout_ms = cfg->db_busy_timeout_ms, .retries = cfg->db_retries};
    bss_errinfo ei;
    bss_db *db = NULL;
    bss_clock clock;
    int before = 0, after = 0, applied = 0;

    bss_errinfo_clear(&ei);
    bss_clock_init_real(&clock);
    bss_err rc = bss_db_open(cfg->db_url, &opt, &db, &ei);
    if (rc == BSS_OK)
        rc = bss_db_schema_version(db, &before, &ei);
    if (rc == BSS_OK && before == 0 && !create) {
        fprintf(stderr,
                "bss migrate: the store at %s has no bss schema: is --db right? `bss migrate --create` makes a "
                "new store there\n",
                cfg->db_url);
        bss_db_close(db);
        return 1;
    }
    if (rc == BSS_OK)
        rc = bss_db_migrate(db, bss_clock_now(&clock), &applied, &ei);
    if (rc == BSS_OK)
        rc = bss_db_schema_version(db, &after, &ei);
    if (rc != BSS_OK) {
        fprintf(stderr, "bss migrate: %s\n", ei.message[0] ? ei.message : bss_strerror(rc));
        bss_db_close(db);
        return 1;
    }
    print_applied(before, after);
    if (applied == 0)
        printf("store is up to date at schema version %d (%s)\n", after, bss_db_kind_name(db));
    else
        printf("applied %d migration%s: store now at schema version %d (%s)\n", applied,
               applied == 1 ? "" : "s", after, bss_db_kind_name(db));
    bss_db_close(db);
    return 0;
}

int bss_cmd_migrate(int argc, char **argv)
{
    bss_config cfg;
    bss_errinfo ei;
    bss_store_lock *lock = NULL;

    bss_errinfo_clear(&ei);
    bss_config_defaults(&cfg);
    bool create = false;
    char *rest[128];
    int nrest = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--create") == 0)
            create = true;
        else if (nrest < 128)
            rest[nrest++] = argv[i];
    }
    if (bss_config_load(&cfg, nrest, rest, NULL, NULL, &ei) != BSS_OK) {
        bool prefixed = strncmp(ei.message, "config", 6) == 0;
        fprintf(stderr, "bss migrate: %s%s\n", prefixed ? "" : "config: ", ei.message);
        return 2;
    }
    const char *file = sqlite_path(cfg.db_url);
    struct stat st;
    if (!create && file && stat(file, &st) != 0) {
        fprintf(stderr,
                "bss migrate: there is no store at %s (is --data-dir or --db mistyped?); `bss migrate --create` "
                "makes a new one\n",
                file);
        return 1;
    }
    if (bss_store_lock_acquire(cfg.data_dir, cfg.db_url, &lock, &ei) != BSS_OK) {
        fprintf(stderr, "bss migrate: %s\n", ei.message);
        return 1;
    }
    int status = migrate_store(&cfg, create);
    bss_store_lock_release(lock);
    return status;
}

void bss_cmd_migrate_help(FILE *out)
{
    fprintf(
        out,
        "usage: bss migrate [--create] [--data-dir DIR] [--db URL] [--config FILE]\n"
        "\n"
        "Applies the schema migrations this binary carries that the store lacks, each in its\n"
        "own transaction, and prints the ones it applied. `bss serve` does the same at start;\n"
        "this command is for upgrading a store offline. It refuses to run while a server holds\n"
        "the store (exit 1), and refuses a store whose schema is newer than this binary.\n"
        "It never makes a new store by accident: a SQLite file that does not exist, or a\n"
        "database without the bss schema, is exit 1 unless --create is given.\n"
        "\n"
        "  --create           make the store when there is none (a new SQLite file, or the schema\n"
        "                     in an empty PostgreSQL database)\n"
        "\n"
        "options (each also settable in the config file and the environment; see `bss help serve`):\n"
        "  --data-dir DIR     data directory (lock file, default SQLite store): ./var  [BSS_DATA_DIR]\n"
        "  --db URL           the store: sqlite:PATH or postgres://user@host:port/db;\n"
        "                     default sqlite:<data-dir>/bss.db  [BSS_DB]\n"
        "  --config FILE      config file to read (default <data-dir>/bss.conf if it exists)  [BSS_CONFIG]\n"
        "  --db-busy-timeout MS  how long to wait for a locked store: 5000  [BSS_DB_BUSY_TIMEOUT]\n"
        "  --db-retries N     attempts on a busy store: 5  [BSS_DB_RETRIES]\n"
        "\n"
        "exit status: 0 done (or nothing to do), 1 store error or store in use, 2 bad configuration\n");
}
