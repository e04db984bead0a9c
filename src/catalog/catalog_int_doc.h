/*
 * catalog_int_doc.h: what the catalog's document kinds (doc_*.c) share and
 * no other module may include: the lifecycle and common rules and the
 * references to other catalog documents (doc_rules.c), the versions of
 * Active documents and the in-use checks of retire and delete
 * (versions.c). Other modules see the kinds through catalog/catalog.h.
 *
 * Every function that reads the store takes the context of the write (its
 * connection, inside the write's transaction); with no store (ctx->db
 * NULL: pure tests, fuzzing) reference checks pass.
 */
#ifndef BSS_CATALOG_INT_DOC_H
#define BSS_CATALOG_INT_DOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
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
 * The whole-catalog compile check of a write (compile.h
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
 * Delete guard: refuses (BSS_E_CONFLICT, naming the first referrer and how
 * many there are) when a document of kind other than id refers to id
 * through member (a dotted path to an object {id}, an array of them or an
 * id string: "productSpecification", "productOfferingPrice",
 * "usage.zoneTableId", ...). Any lifecycle state counts, so no stored
 * reference ever dangles.
 */
bss_err bss__catalog_referrers(bss_db *db, const bss_doc_kind *kind, const char *member, const char *id,
                               bss_errinfo *ei);

/*
 * When doc moves to Retired or Obsolete (from a live state), refuses
 * (BSS_E_UNPROCESSABLE, field lifecycleStatus) while a live document of kind
 * refers to it through member (relationships: addOnTo/requires only): the
 * compiled catalog has no live reference to a retired document.
 */
bss_err bss__catalog_retire_check(const bss_doc_ctx *ctx, const json_t *doc, const json_t *old,
                                  const bss_doc_kind *kind, const char *member, bss_errinfo *ei);

#endif
