/*
 * demo.c: the demo operator seeded by `bss serve --demo` (demo.h). For now
 * there is nothing to seed: the function only decides whether the store is
 * empty (no rows in bss_meta besides what migrations write, no API keys
 * besides the first admin key) and says so in the log.
 */
#include "cli/demo.h"

#include "core/log.h"
#include "db/db.h"

bss_err bss_demo_seed(bss_app *app, bss_errinfo *ei)
{
    bss_db *db = NULL;
    bss_err rc = bss_db_open(app->cfg.db_url, &app->dbopt, &db, ei);
    if (rc != BSS_OK)
        return rc;
    int64_t keys = 0;
    rc = bss_db_query_int64(db, "SELECT COUNT(*) FROM api_key", BSS_DB_NOARGS, &keys, ei);
    bss_db_close(db);
    if (rc != BSS_OK)
        return rc;
    if (keys <= 1)
        bss_log(BSS_LOG_INFO, "demo.seed", "message", "demo: nothing to seed yet", NULL);
    else
        bss_log(BSS_LOG_INFO, "demo.seed", "message", "demo: the store already holds data; left alone", NULL);
    return BSS_OK;
}
