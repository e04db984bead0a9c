/*
 * catalog_io.h: the whole catalog as one JSON file, out and back in.
 *
 * Export writes one document
 *   {"format": "bss-catalog/1", "catalogs": [...], "categories": [...],
 *    "productSpecifications": [...], "zoneTables": [...], "timeBandPlans": [...],
 *    "productOfferingPrices": [...], "productOfferings": [...], "promotions": [...]}
 * with every stored resource of each kind ordered by id, and the members
 * the server manages (href, lastUpdate) stripped, so two exports of the
 * same catalog are byte-identical and a changed catalog diffs cleanly.
 *
 * Import is declarative and idempotent: for each document, in dependency
 * order (zone tables, time-band plans, specifications, prices, offerings,
 * categories, catalogs, promotions; inside one kind, a document that names
 * another of the same kind by id comes after it), it creates the document
 * with its id when missing, patches it (a JSON merge patch computed from the
 * difference, server-managed members ignored) when different, and leaves it
 * alone when equal: importing the same file twice writes nothing and records
 * no event. Every write goes through the kind's prepare hook (the same rules
 * as the REST API) and records its event. The whole import is one writer
 * job, so it is all or nothing: the first invalid document fails it with
 * its kind, id and field path ("productOfferings[3].productOfferingPrice[0].id")
 * and the code its prepare hook gave (400, 409, 422). A dry run does the
 * same inside a savepoint it rolls back, so its diff is exactly what the
 * real import would do.
 *
 * The report: {"dryRun": bool, "created": [{"kind", "id"}],
 *              "updated": [{"kind", "id", "changes": [member names]}], "unchanged": N}
 */
#ifndef BSS_CATALOG_CATALOG_IO_H
#define BSS_CATALOG_CATALOG_IO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "core/err.h"
#include "db/db.h"

#define BSS_CATALOG_FORMAT "bss-catalog/1"

/* Reads every catalog kind on db into a new export document (*out, a new reference). */
bss_err bss_catalog_export(bss_db *db, json_t **out, bss_errinfo *ei);

/* The export as file text: 2-space indent, insertion order, exact money, final newline. bss_free it. */
char *bss_catalog_export_text(const json_t *doc, size_t *len);

/* Checks the shape of an import document (format, arrays of objects with unique string ids). */
bss_err bss_catalog_validate(const json_t *doc, bss_errinfo *ei);

typedef struct bss_catalog_import_opts {
    bool dry_run;
    int64_t now_ms;
    const char *base_url; /* href prefix of created documents */
} bss_catalog_import_opts;

/*
 * Imports doc on db inside the caller's open transaction (a writer job).
 * *report receives the report (a new reference) on success. Safe to run
 * more than once (a writer batch retry): it recomputes everything.
 */
bss_err bss_catalog_import(bss_db *db, const json_t *doc, const bss_catalog_import_opts *opts,
                           json_t **report, bss_errinfo *ei);

/*
 * Runs bss_catalog_import as one job on app->writer and waits for it (call
 * from a worker, the CLI's seeding or a test, never from an event loop).
 * When something was written, asks for a catalog rebuild.
 */
bss_err bss_catalog_import_run(bss_app *app, const json_t *doc, bool dry_run, const char *base_url,
                               json_t **report, bss_errinfo *ei);

/*
 * TMF620 importJob (catalog.h bss_import_job_kind): checks a POST body
 * {content: <catalog document>, contentType?: "application/json"} and
 * builds the job to create: *body {status "Running", contentType,
 * contentSize, creationDate} and *content (a new reference to the catalog
 * document, which is not stored in the job). BSS_E_INVALID naming
 * "content", "contentType" or "content.<path>" of the document.
 */
bss_err bss_catalog_import_job_body(const json_t *req, int64_t now_ms, json_t **body, json_t **content,
                                    bss_errinfo *ei);

/*
 * Runs a created import job to its end, on a background worker (never an
 * event loop): the import (bss_catalog_import_run), then the job's final
 * state through the writer: "Succeeded" with "report", or "Failed" with
 * "errorLog" {code, message, field}, and completionDate. The import's own
 * failure is the job's, not this call's: the return is the job update's.
 */
bss_err bss_catalog_import_job_finish(bss_app *app, const char *job_id, const json_t *content,
                                      const char *base_url, bss_errinfo *ei);

/* TMF620 exportJob: the job to create, already "Succeeded", whose url is the export (url). */
bss_err bss_catalog_export_job_body(const char *url, int64_t now_ms, json_t **body, bss_errinfo *ei);

#endif
