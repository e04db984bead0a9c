/*
 * catalog.h: the product catalog module, as other modules see it. It owns
 * the TMF620 catalog documents (catalogs, categories, product
 * specifications, offerings, offering prices, zone tables and time-band
 * plans) and TMF671-style promotions as document kinds (doc/doc.h), their
 * versions and "as of" reads, eligibility, the catalog file (import and
 * export, with their TMF620 jobs), and the compiled catalog the rater reads.
 *
 * The kinds (served by src/api/tmf620.c and tmf671.c, written by the
 * catalog import through doc/doc.h like any other kind):
 *
 *   kind                       name                   table
 *   bss_category_kind          category               tmf620_category
 *   bss_catalog_kind           catalog                tmf620_catalog
 *   bss_spec_kind              productSpecification   tmf620_product_specification
 *   bss_offering_kind          productOffering        tmf620_product_offering
 *   bss_offering_price_kind    productOfferingPrice   tmf620_product_offering_price
 *   bss_zone_table_kind        zoneTable              tmf620_zone_table
 *   bss_timeband_plan_kind     timeBandPlan           tmf620_time_band_plan
 *   bss_promotion_kind         promotion              tmf671_promotion
 *   bss_import_job_kind        importJob              tmf620_import_job
 *   bss_export_job_kind        exportJob              tmf620_export_job
 *
 * Each kind's rules are documented at the top of its file (doc_*.c) and in
 * docs/catalog.md. Every catalog write is compiled against the whole
 * catalog in its transaction (a write that would break it is 422 with the
 * path) and rebuilds the compiled catalog after its commit.
 */
#ifndef BSS_CATALOG_CATALOG_H
#define BSS_CATALOG_CATALOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/eligibility.h"
#include "core/err.h"
#include "db/db.h"
#include "doc/doc.h"

#define BSS_TMF620_BASE "/tmf-api/productCatalogManagement/v4"
#define BSS_TMF671_BASE "/tmf-api/promotionManagement/v4"

extern const bss_doc_kind bss_category_kind;
extern const bss_doc_kind bss_catalog_kind;
extern const bss_doc_kind bss_spec_kind;
extern const bss_doc_kind bss_offering_kind;
extern const bss_doc_kind bss_offering_price_kind;
extern const bss_doc_kind bss_zone_table_kind;
extern const bss_doc_kind bss_timeband_plan_kind;
extern const bss_doc_kind bss_promotion_kind;
extern const bss_doc_kind bss_import_job_kind;
extern const bss_doc_kind bss_export_job_kind;

/* ---- versions: reads "as of" an instant (versions.c) ---- */

/*
 * The version of document id of kind (an offering or a price: the
 * versioned kinds) that was valid at at_ms: the current document when its
 * start (validFor.startDateTime, else its creation) is at or before at_ms,
 * else the recorded earlier version whose [valid from, valid to) holds it.
 * *out a new reference; BSS_E_NOT_FOUND (field "id", "no ... as of ...")
 * when the document did not exist then.
 */
bss_err bss_catalog_doc_as_of(bss_db *db, const bss_doc_kind *kind, const char *id, int64_t at_ms,
                              json_t **out, bss_errinfo *ei);

/*
 * Every document of kind as it was at at_ms, in id order: fn gets each
 * (the reference is the callback's: keep it or decref it); documents that
 * did not exist then are left out. At most max_rows stored rows are read:
 * more is BSS_E_RANGE naming the limit. A non-OK return of fn stops the walk
 * and is returned.
 */
typedef bss_err (*bss_catalog_doc_fn)(json_t *doc, void *arg);
bss_err bss_catalog_list_as_of(bss_db *db, const bss_doc_kind *kind, int64_t at_ms, size_t max_rows,
                               bss_catalog_doc_fn fn, void *arg, bss_errinfo *ei);

/* ---- eligibility against the store (eligibility_store.c) ---- */

/*
 * May this customer buy offering_id, and which promotions come with it?
 * Loads the offering (BSS_E_NOT_FOUND naming "id" when it is not stored),
 * the documents of req->held whose offering is NULL (an id that is not
 * stored stays unknown) and the Active promotions, then decides with
 * bss_eligibility_check (eligibility.h). A req->new_customer of -1
 * (unknown) becomes: new when req has a customerSince less than
 * BSS_ELIG_NEW_CUSTOMER_DAYS before now, else when the account holds no
 * offering. Reads only; at most BSS_ELIG_MAX_HELD held offerings (400
 * "accountOfferings"). The strings of out's promotions point into the
 * promotion documents: *keep receives a reference to them, to json_decref
 * once out is no longer needed (NULL on error).
 */
bss_err bss_catalog_check_eligibility(bss_db *db, const char *offering_id, const bss_elig_request *req,
                                      bss_elig_result *out, json_t **keep, bss_errinfo *ei);

#endif
