/*
 * tmf620_int.h: what the TMF620 resource files (tmf620*.c) share and no
 * other module may include: the lifecycle and validFor rules (tmf620.c),
 * reference checks against the store (tmf620.c), the catalog-changed hook
 * every TMF620 write calls after it commits (tmf620.c), and the versions of
 * Active documents with "as of" reads and the in-use checks
 * (tmf620_version.c).
 */
#ifndef BSS_API_TMF620_INT_H
#define BSS_API_TMF620_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/tmf.h"
#include "core/err.h"

/* Lifecycle states, in transition order. */
enum { BSS__LC_DESIGN, BSS__LC_ACTIVE, BSS__LC_RETIRED, BSS__LC_OBSOLETE, BSS__LC_COUNT };

/* The state named by s (case-insensitive), or -1. */
int bss__tmf620_state_of(const char *s);

/*
 * The rules every catalog document follows (catalog, productSpecification,
 * productOffering, productOfferingPrice): name/version/description are
 * strings, lifecycleStatus is a state ("In design" by default) that changes
 * only along the allowed transitions (BSS_E_STATE, field lifecycleStatus),
 * validFor is a valid period, "version" is server-managed ("1" on create,
 * the stored one on PATCH unless a new version is made), lastUpdate = now.
 */
bss_err bss__tmf620_common(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

/*
 * lifecycleStatus: "In design" when absent on create (the stored one on
 * PATCH), one of the four states (case-insensitive, stored in this
 * spelling), changed only along the allowed transitions (BSS_E_STATE).
 * Shared with every resource that follows the catalog's lifecycle (TMF671).
 */
bss_err bss__tmf620_check_lifecycle(json_t *doc, const json_t *old, bss_errinfo *ei);

/* The lifecycle state of a prepared document (BSS__LC_*). */
int bss__tmf620_doc_state(const json_t *doc);

/*
 * Checks that {id} at field path (e.g. "productSpecification.id") names an
 * existing row of res that is neither Retired nor Obsolete (unless
 * allow_retired): a missing one is BSS_E_INVALID (400), a retired one
 * BSS_E_UNPROCESSABLE (422). If out is not NULL it receives the parsed
 * stored document (caller decrefs). No store (ctx->db NULL): BSS_OK, *out NULL.
 */
bss_err bss__tmf620_check_ref(const bss_tmf_ctx *ctx, const bss_tmf_resource *res, const json_t *ref,
                              const char *path, bool allow_retired, json_t **out, bss_errinfo *ei);

/*
 * Same for every element of doc[member] (an array of refs, or absent):
 * paths "member[i].id". A reference old (the stored document, NULL on
 * create) already had in member may stay when its target has since been
 * retired, and a Retired/Obsolete doc may keep any reference: only new
 * references must be to live documents.
 */
bss_err bss__tmf620_check_refs(const bss_tmf_ctx *ctx, const bss_tmf_resource *res, const json_t *doc,
                               const json_t *old, const char *member, bss_errinfo *ei);

/* Whether a retired target may stay referenced by doc at member (see bss__tmf620_check_refs). */
bool bss__tmf620_may_keep(const json_t *doc, const json_t *old, const char *member, const char *id);

/* Reads and parses one stored document of res (BSS_E_NOT_FOUND if absent). */
bss_err bss__tmf620_load(bss_db *db, const bss_tmf_resource *res, const char *id, json_t **out,
                         int64_t *created_ms, bss_errinfo *ei);

/* The after_commit hook of every TMF620 resource: rebuild the compiled catalog. */
void bss__tmf620_catalog_changed(struct bss_app *app);

/*
 * The whole-catalog compile check of a write (catalog/compile.h
 * bss_catalog_check_write) for kind/id with doc (NULL: removed): 422 with
 * the path when the catalog would not compile. No store: BSS_OK.
 */
bss_err bss__tmf620_compile_check(const bss_tmf_ctx *ctx, const char *kind, const json_t *doc,
                                  bss_errinfo *ei);

/* ---- tmf620_version.c ---- */

/*
 * Makes a new version when an Active document's priced members changed:
 * versioned[] (NULL-terminated) names the members that count. Bumps
 * "version", takes validFor.startDateTime (when the request changed it) as
 * the effective date or sets it to now, and copies old into tmf620_version
 * valid until that date. No-op on create, when the old document was not
 * Active, or when nothing in versioned[] changed.
 */
bss_err bss__tmf620_version_on_patch(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old,
                                     const char *const *versioned, bss_errinfo *ei);

/* GET item / list handlers that honour ?asOf=RFC3339 and otherwise delegate to the generic ones. */
int bss__tmf620_handle_get(bss_req *r);
int bss__tmf620_handle_list(bss_req *r);

/* Active products (product rows not terminated/cancelled) whose offering_id is id: *count. */
bss_err bss__tmf620_products_using(bss_db *db, const char *offering_id, int64_t *count, bss_errinfo *ei);

/*
 * Delete guard: refuses (BSS_E_CONFLICT, naming the first referrer and how
 * many there are) when a document of res other than id refers to id
 * through member (a dotted path to an object {id}, an array of them or an
 * id string: "productSpecification", "productOfferingPrice",
 * "usage.zoneTableId", ...). Any lifecycle
 * state counts, so no stored reference ever dangles.
 */
bss_err bss__tmf620_referrers(bss_db *db, const bss_tmf_resource *res, const char *member, const char *id,
                              bss_errinfo *ei);

/*
 * When doc moves to Retired or Obsolete (from a live state), refuses
 * (BSS_E_UNPROCESSABLE, field lifecycleStatus) while a live document of res
 * refers to it through member (relationships: addOnTo/requires only): the
 * compiled catalog has no live reference to a retired document.
 */
bss_err bss__tmf620_retire_check(const bss_tmf_ctx *ctx, const json_t *doc, const json_t *old,
                                 const bss_tmf_resource *res, const char *member, bss_errinfo *ei);

#endif
