/*
 * demo.c: the demo operator seeded by `bss serve --demo` (demo.h). For now
 * that is the product catalog of a Dutch MVNO, data/demo/catalog.json
 * (docs/catalog.md), imported through the same declarative import as
 * `bss catalog import` when the store holds no catalog yet (no offering, no
 * price, no zone table). The file is looked up next to the binary (the
 * repository's data/ seen from build/ or build/<dir>/) and then in the
 * working directory; the log says which file was loaded. Without the file
 * the server still starts, with a warning.
 */
#include "cli/demo.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog_io.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "db/db.h"

#define DEMO_CATALOG "data/demo/catalog.json"
#define MAX_CATALOG_BYTES (64 << 20)

/* Rows of the tables that make a catalog (a table missing counts as empty). */
static bss_err catalog_rows(bss_db *db, int64_t *rows, bss_errinfo *ei)
{
    static const char *const counts[] = {"SELECT COUNT(*) FROM tmf620_product_offering",
                                         "SELECT COUNT(*) FROM tmf620_product_offering_price",
                                         "SELECT COUNT(*) FROM tmf620_zone_table"};
    *rows = 0;
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        int64_t n = 0;
        bss_err rc = bss_db_query_int64(db, counts[i], BSS_DB_NOARGS, &n, ei);
        if (rc)
            return rc;
        *rows += n;
    }
    return BSS_OK;
}

/* The first readable candidate path of the demo catalog into path[cap]; false if none. */
static bool find_catalog(char *path, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char dir[PATH_MAX] = ".";
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(dir, sizeof dir, "%s", exe);
        }
    }
    const char *const ups[] = {"/../../", "/../"};
    for (size_t i = 0; i < 3; i++) {
        if (i < 2)
            snprintf(path, cap, "%s%s%s", dir, ups[i], DEMO_CATALOG);
        else
            snprintf(path, cap, "./%s", DEMO_CATALOG);
        if (access(path, R_OK) == 0)
            return true;
    }
    return false;
}

static bss_err load_file(const char *path, json_t **out, bss_errinfo *ei)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return bss_fail(ei, BSS_E_IO, NULL, "cannot read %s", path);
    char *buf = bss_malloc(MAX_CATALOG_BYTES);
    size_t len = buf ? fread(buf, 1, MAX_CATALOG_BYTES, f) : 0;
    fclose(f);
    if (!buf)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = len == MAX_CATALOG_BYTES ? bss_fail(ei, BSS_E_TOO_BIG, NULL, "%s is too large", path)
                                          : bss_json_parse(buf, len, out, ei);
    bss_free(buf);
    return rc;
}

static bss_err seed_catalog(bss_app *app, bss_errinfo *ei)
{
    char path[PATH_MAX + 64];
    if (!find_catalog(path, sizeof path)) {
        bss_log(BSS_LOG_WARN, "demo.seed", "message",
                "demo: no " DEMO_CATALOG " found next to the binary or here; "
                "the catalog stays empty",
                NULL);
        return BSS_OK;
    }
    json_t *doc = NULL, *report = NULL;
    bss_err rc = load_file(path, &doc, ei);
    if (!rc)
        rc = bss_catalog_import_run(app, doc, false, app->base_url, &report, ei);
    json_decref(doc);
    if (rc) {
        bss_log(BSS_LOG_ERROR, "demo.seed", "file", path, "error", ei ? ei->message : "", "field",
                ei ? ei->field : "", NULL);
        return rc;
    }
    char created[32];
    snprintf(created, sizeof created, "%zu", json_array_size(json_object_get(report, "created")));
    json_decref(report);
    bss_log(BSS_LOG_INFO, "demo.seed", "message", "demo: catalog imported", "file", path, "created", created,
            NULL);
    return BSS_OK;
}

bss_err bss_demo_seed(bss_app *app, bss_errinfo *ei)
{
    bss_db *db = NULL;
    bss_err rc = bss_db_open(app->cfg.db_url, &app->dbopt, &db, ei);
    if (rc != BSS_OK)
        return rc;
    int64_t rows = 0;
    rc = catalog_rows(db, &rows, ei);
    bss_db_close(db);
    if (rc != BSS_OK)
        return rc;
    if (rows > 0) {
        bss_log(BSS_LOG_INFO, "demo.seed", "message", "demo: the store already holds a catalog; left alone",
                NULL);
        return BSS_OK;
    }
    return seed_catalog(app, ei);
}
