/*
 * tmf.h: the TM Forum Open API v4 conventions in one place. A resource
 * module (tmf620.c, ...) describes each resource kind with one
 * bss_tmf_resource row and a domain hook; bss_tmf_register adds its five
 * routes, and the generic handlers here do the rest:
 *
 *   POST   {base}/{seg}        201, Location: href, body = the stored doc.
 *                              id = UUIDv7 from the clock and href =
 *                              base_url + path are always assigned by the
 *                              server: an id/href in the body is ignored
 *                              (TMF "...Create" schemas have no id/href).
 *                              @type defaults to the descriptor's type.
 *   GET    {base}/{seg}/{id}   200 doc / 404
 *   GET    {base}/{seg}        200 array (never 206), X-Total-Count and
 *                              X-Result-Count; offset, limit, fields,
 *                              sort and attribute filters (api/query.h)
 *   PATCH  {base}/{seg}/{id}   JSON merge patch (RFC 7396) for Content-Type
 *                              application/json or application/merge-patch+json
 *                              (none given: the same); any other type is 415
 *                              (BSS_E_UNSUPPORTED). Changing id or href is 400
 *                              (sending their current values is allowed).
 *                              200 with the new doc.
 *   DELETE {base}/{seg}/{id}   204 / 404 (route only if allow_delete)
 *
 * Members the server does not know are kept and returned as posted. Each
 * write runs in one group-commit writer job that also records its event
 * with bss_outbox_add in the same transaction: {Type}CreateEvent,
 * {Type}AttributeValueChangeEvent (a member other than the status changed),
 * {Type}StateChangeEvent (the status member changed), {Type}DeleteEvent.
 * A PATCH that changes nothing writes nothing and records no event.
 *
 * Lists: filters on "id" and on typed columns (resource.h) run in SQL, page
 * included, unless the shape is too large for the store (then in memory);
 * any other filter or a sort= reads every row the SQL filters let through
 * (at most BSS_TMF_MAX_SCAN, beyond that 400 asking for a narrower query),
 * filters and sorts in memory, then pages.
 */
#ifndef BSS_API_TMF_H
#define BSS_API_TMF_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/http.h"
#include "api/router.h"
#include "core/err.h"
#include "db/db.h"
#include "db/resource.h"

struct bss_app;

#define BSS_TMF_MAX_SCAN 10000 /* rows read for one list request filtered in memory */
#define BSS_TMF_JSON_CT "application/json;charset=utf-8" /* as bss_http_send_json answers */

struct bss_tmf_resource;

/* What the domain hook sees. db is the writer's connection inside the write's transaction (NULL in fuzzing).
 */
typedef struct bss_tmf_ctx {
    const struct bss_tmf_resource *res;
    bss_db *db;
    int64_t now_ms;
    const char *base_url;
    const bss_principal *who; /* NULL when unknown (tests) */
} bss_tmf_ctx;

/*
 * Validates and normalises doc in place before it is stored: defaults,
 * server-managed members (lastUpdate), transition rules. old is the stored
 * document on PATCH, NULL on POST. doc already has id, href and @type and
 * every required member. Returns BSS_OK or a code with ei (field = path).
 */
typedef bss_err (*bss_tmf_prepare_fn)(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old,
                                      bss_errinfo *ei);

/*
 * Optional guard run by bss_tmf_delete_doc in the write's transaction before
 * the row goes (old = the stored document): a non-OK return (BSS_E_CONFLICT
 * "used by 3 active products") refuses the delete.
 */
typedef bss_err (*bss_tmf_delete_guard_fn)(const bss_tmf_ctx *ctx, const char *id, const json_t *old,
                                           bss_errinfo *ei);

/* Optional: called on the loop thread after a write through the HTTP handlers committed. */
typedef void (*bss_tmf_after_commit_fn)(struct bss_app *app);

typedef struct bss_tmf_resource {
    const char *api;             /* "productCatalogManagement": hub and event domain */
    const char *base_path;       /* "/tmf-api/productCatalogManagement/v4" */
    const char *segment;         /* "category" */
    const char *collection_path; /* base_path "/" segment (BSS_TMF_PATHS) */
    const char *item_path;       /* collection_path "/{id}" */
    const char *type;            /* "Category": @type default and event type prefix */
    const char *event_key;       /* "category": the member of the event holding the resource */
    const char *status_field;    /* "lifecycleStatus": a change is a StateChangeEvent (NULL: none) */
    bss_res_table *table;
    const char *const *required; /* NULL-terminated member paths required on create (and kept on PATCH) */
    bss_tmf_prepare_fn prepare;  /* NULL: no domain rules */
    unsigned read_roles;
    unsigned write_roles;
    bool allow_delete;
    const char *route_names[5]; /* metrics labels: list, get, create, patch, delete (BSS_TMF_NAMES) */
    bss_tmf_delete_guard_fn delete_guard; /* NULL: no guard */
    bss_tmf_after_commit_fn after_commit; /* NULL: nothing (e.g. the catalog rebuild for TMF620) */
    bss_handler handle_list;              /* NULL: bss_tmf_handle_list (an override may delegate to it) */
    bss_handler handle_get;               /* NULL: bss_tmf_handle_get */
    /*
     * The resource holds personal data (parties, customers, contacts,
     * interactions, tickets): every read of it by an agent key is recorded
     * in the access audit (src/customer/audit.h: who, what, when), and
     * every create and patch is refused (400) if any member holds a card
     * number (src/core/pan.h): card numbers are never stored.
     */
    bool personal_data;
    /*
     * Called inside the write's transaction after the document is stored
     * (doc NULL after a delete): for derived rows kept in step with the
     * document, e.g. the customer search index (src/customer/search.h).
     */
    bss_err (*after_store)(const bss_tmf_ctx *ctx, const char *id, const json_t *doc, bss_errinfo *ei);
} bss_tmf_resource;

/* Fill the path and route-name members from literals: BSS_TMF_PATHS("/tmf-api/x/v4", "category"). */
#define BSS_TMF_PATHS(base, seg)                                                                             \
    .base_path = base, .segment = seg, .collection_path = base "/" seg, .item_path = base "/" seg "/{id}"
#define BSS_TMF_NAMES(prefix)                                                                                \
    .route_names = {prefix ".list", prefix ".get", prefix ".create", prefix ".patch", prefix ".delete"}

/* Adds the routes of res (res must outlive the router) and prepares its table. */
bss_err bss_tmf_register(bss_router *rt, const bss_tmf_resource *res);

/* The generic handlers (route data = the bss_tmf_resource). */
int bss_tmf_handle_list(bss_req *r);
int bss_tmf_handle_get(bss_req *r);
int bss_tmf_handle_create(bss_req *r);
int bss_tmf_handle_patch(bss_req *r);
int bss_tmf_handle_delete(bss_req *r);

/*
 * The write paths without HTTP, for tests, the CLI and seeding: each runs
 * in the caller's open transaction on db and records the event. body/patch
 * are not stolen; *out receives a new reference to the stored document.
 */
bss_err bss_tmf_create_doc(const bss_tmf_ctx *ctx, const char *id, const json_t *body, json_t **out,
                           bss_errinfo *ei);
bss_err bss_tmf_patch_doc(const bss_tmf_ctx *ctx, const char *id, const json_t *patch, json_t **out,
                          bss_errinfo *ei);
bss_err bss_tmf_delete_doc(const bss_tmf_ctx *ctx, const char *id, bss_errinfo *ei);

/*
 * A TMF TimePeriod at path ("validFor", "billingAccount.validFor"): absent
 * or null is fine; otherwise an object whose startDateTime/endDateTime, when
 * present, are RFC 3339 with start <= end. BSS_E_INVALID naming the member.
 */
bss_err bss_tmf_check_period(const json_t *period, const char *path, bss_errinfo *ei);

/* Checks res->required on doc: BSS_E_INVALID "name is required" (field = the path). */
bss_err bss_tmf_check_required(const bss_tmf_resource *res, const json_t *doc, bss_errinfo *ei);

/* Whether a Content-Type (may be NULL) is a JSON merge patch: BSS_OK or BSS_E_UNSUPPORTED with a message. */
bss_err bss_tmf_check_patch_type(const char *content_type, size_t len, bss_errinfo *ei);

#endif
