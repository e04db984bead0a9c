/*
 * catalog_int.h: what the files of src/catalog share (with their unit tests
 * and fuzz targets) and no other module may include: for the document
 * kinds (doc_*.c), the lifecycle and common rules and the references to
 * other catalog documents (doc_rules.c), the versions of Active documents
 * and the in-use checks of retire and delete (versions.c); and the
 * catalog's store (catalog_store.c, at the end). Other modules include
 * catalog/catalog.h.
 *
 * Every function that reads the store takes the context of the write (its
 * connection, inside the write's transaction); with no store (ctx->db
 * NULL: pure tests, fuzzing) reference checks pass.
 */
#ifndef BSS_CATALOG_CATALOG_INT_H
#define BSS_CATALOG_CATALOG_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "core/err.h"
#include "db/db.h"
#include "doc/doc.h"

struct bss_app;

/* Lifecycle states, in transition order. */
enum { BSS__LC_DESIGN, BSS__LC_ACTIVE, BSS__LC_RETIRED, BSS__LC_OBSOLETE, BSS__LC_COUNT };

/* The state named by s (case-insensitive), or -1. */
int bss__catalog_state_of(const char *s);

/* The lifecycle state of a prepared document (BSS__LC_*). */
int bss__catalog_doc_state(const json_t *doc);

/*
 * lifecycleStatus: "In design" when absent on create (the stored one on
 * patch), one of the four states (case-insensitive, stored in this
 * spelling), changed only along the allowed transitions (BSS_E_STATE).
 * Shared with every document that follows the catalog's lifecycle
 * (promotions).
 */
bss_err bss__catalog_check_lifecycle(json_t *doc, const json_t *old, bss_errinfo *ei);

/*
 * The rules every catalog document follows (catalog, productSpecification,
 * productOffering, productOfferingPrice): bss_doc_check_names, the
 * lifecycle, validFor a valid period, "version" server-managed ("1" on
 * create, the stored one on patch unless a new version is made),
 * lastUpdate = now.
 */
bss_err bss__catalog_common(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

/*
 * Checks that {id} at field path (e.g. "productSpecification") names an
 * existing document of kind that is neither Retired nor Obsolete (unless
 * allow_retired): a missing one is BSS_E_INVALID (400), a retired one
 * BSS_E_UNPROCESSABLE (422), both naming path + ".id". If out is not NULL
 * it receives the parsed stored document (caller decrefs). No store: BSS_OK,
 * *out NULL.
 */
bss_err bss__catalog_check_ref(const bss_doc_ctx *ctx, const bss_doc_kind *kind, const json_t *ref,
                               const char *path, bool allow_retired, json_t **out, bss_errinfo *ei);

/*
 * Same for every element of doc[member] (an array of refs, or absent):
 * paths "member[i].id". A reference old (the stored document, NULL on
 * create) already had in member may stay when its target has since been
 * retired, and a Retired/Obsolete doc may keep any reference: only new
 * references must be to live documents.
 */
bss_err bss__catalog_check_refs(const bss_doc_ctx *ctx, const bss_doc_kind *kind, const json_t *doc,
                                const json_t *old, const char *member, bss_errinfo *ei);

/* Whether a retired target may stay referenced by doc at member (see bss__catalog_check_refs). */
bool bss__catalog_may_keep(const json_t *doc, const json_t *old, const char *member, const char *id);

/* The after_commit hook of every catalog kind: rebuild the compiled catalog (when the app has one). */
void bss__catalog_changed(struct bss_app *app);

/*
 * The whole-catalog compile check of a write (catalog.h: the compiled catalog
 * bss_catalog_check_write) for the context's kind with doc: 422 with the
 * path when the catalog would not compile with it. No store: BSS_OK.
 */
bss_err bss__catalog_compile_check(const bss_doc_ctx *ctx, const json_t *doc, bss_errinfo *ei);

/* ---- versions.c ---- */

/*
 * Makes a new version when an Active document's priced members changed:
 * versioned[] (NULL-terminated) names the members that count. Bumps
 * "version", takes validFor.startDateTime (when the request changed it) as
 * the effective date or sets it to now, and copies old into tmf620_version
 * valid until that date. No-op on create, when the old document was not
 * Active, or when nothing in versioned[] changed.
 */
bss_err bss__catalog_version_on_patch(const bss_doc_ctx *ctx, json_t *doc, const json_t *old,
                                      const char *const *versioned, bss_errinfo *ei);

/*
 * When doc moves to Retired or Obsolete (from a live state), refuses
 * (BSS_E_UNPROCESSABLE, field lifecycleStatus) while a live document of kind
 * refers to it through member (relationships: addOnTo/requires only): the
 * compiled catalog has no live reference to a retired document.
 */
bss_err bss__catalog_retire_check(const bss_doc_ctx *ctx, const json_t *doc, const json_t *old,
                                  const bss_doc_kind *kind, const char *member, bss_errinfo *ei);

/* ---- catalog_store.c ---- */

/*
 * The catalog's reads and writes of the store that are not plain TMF
 * document rows (those go through doc/doc.h and db/resource.h): the history of
 * versions of catalog documents (table tmf620_version) and the one question
 * the catalog asks of the product inventory (table product): how many live
 * products still use an offering. The SQL is written once for SQLite and
 * PostgreSQL (db/db.h) in catalog_store.c, the module's one file with SQL.
 *
 * A version row is an earlier document of (kind, id): kind is the TMF
 * resource segment ("productOffering", "productOfferingPrice"), version its
 * number, and it was valid [valid_from_ms, valid_to_ms); valid_to_ms may be
 * open (BSS_CATALOG_NO_END, stored as NULL). The resource table holds the
 * newest version; versions.c explains when a new one is made.
 */

/* valid_to_ms of a version without an end (NULL in the store). */
#define BSS_CATALOG_NO_END INT64_MAX

/*
 * Records version `version` of (kind, id) with its document (doc_len bytes
 * of JSON text), valid [valid_from_ms, valid_to_ms). Runs inside the
 * caller's transaction. A version already recorded for (kind, id) is
 * BSS_E_CONFLICT (field "version"); store errors as db.h.
 */
bss_err bss_catalog_version_save(bss_db *db, const char *kind, const char *id, int64_t version,
                                 int64_t valid_from_ms, int64_t valid_to_ms, const char *doc_text,
                                 size_t doc_len, bss_errinfo *ei);

/*
 * The recorded version of (kind, id) valid at as_of_ms (valid_from_ms <=
 * as_of_ms < valid_to_ms; the highest version number when several are):
 * *doc /out/ = its parsed document (caller decrefs), or NULL when no
 * recorded version was valid then (BSS_OK). Only the history is read: the
 * current document is the caller's. A stored document that is not JSON is
 * BSS_E_INTERNAL.
 */
bss_err bss_catalog_version_at(bss_db *db, const char *kind, const char *id, int64_t as_of_ms, json_t **doc,
                               bss_errinfo *ei);

/* One recorded version as bss_catalog_versions_list hands it out (valid during the callback only). */
typedef struct bss_catalog_version_row {
    const char *kind;
    const char *id;
    int64_t version;
    int64_t valid_from_ms;
    int64_t valid_to_ms; /* BSS_CATALOG_NO_END when open */
    const char *doc;     /* JSON text, doc_len bytes, NUL-terminated */
    size_t doc_len;
} bss_catalog_version_row;

typedef bss_err (*bss_catalog_version_fn)(const bss_catalog_version_row *row, void *arg);

/*
 * Calls fn for every recorded version, ordered by kind, id, version: all of
 * them (kind and id NULL), those of one kind (id NULL) or of one document.
 * fn must not use db (its result is open); a non-BSS_OK return from fn stops
 * the walk and is returned.
 */
bss_err bss_catalog_versions_list(bss_db *db, const char *kind, const char *id, bss_catalog_version_fn fn,
                                  void *arg, bss_errinfo *ei);

/*
 * *n /out/ = the products of the inventory (table product) whose
 * offering_id is offering_id and whose status is neither "terminated" nor
 * "cancelled" (a NULL status counts as live).
 */
bss_err bss_catalog_count_active_products(bss_db *db, const char *offering_id, int64_t *n, bss_errinfo *ei);

#endif
