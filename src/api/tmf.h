/*
 * tmf.h: the TM Forum Open API v4 conventions in one place. A domain
 * module describes each kind of document it owns with one bss_doc_kind row
 * (doc/doc.h: table, required members, rules, events); an API file of
 * src/api (tmf620.c, tmf632.c, ...) binds each kind to its paths and roles
 * with one bss_tmf_binding row, bss_tmf_register adds its five routes, and
 * the generic handlers here do the rest:
 *
 *   POST   {base}/{seg}        201, Location: href, body = the stored doc.
 *                              id = UUIDv7 from the clock and href =
 *                              base_url + path are always assigned by the
 *                              server: an id/href in the body is ignored
 *                              (TMF "...Create" schemas have no id/href).
 *                              @type defaults to the kind's type.
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
 * write is one group-commit writer job running bss_doc_create / _patch /
 * _delete (doc/doc.h: the kind's rules and its event in the same
 * transaction); after the commit the kind's after_commit runs on the
 * loop. A PATCH that changes nothing writes nothing and records no event.
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
#include "doc/doc.h"

struct bss_app;

#define BSS_TMF_MAX_SCAN 10000 /* rows read for one list request filtered in memory */
#define BSS_TMF_JSON_CT "application/json;charset=utf-8" /* as bss_http_send_json answers */

/*
 * A document kind (doc/doc.h, owned by its domain module) bound to the
 * REST API: where it is served, who may read and write it, the metrics
 * names of its routes and, for the few kinds that read differently
 * (catalog "as of" reads), their own list and get handlers. The route data
 * of each of its routes is the binding.
 */
typedef struct bss_tmf_binding {
    const bss_doc_kind *kind;
    const char *collection_path; /* kind->path (checked at registration) */
    const char *item_path;       /* collection_path "/{id}" */
    const char *history_path;    /* item_path "/history": the document's change history (admin) */
    unsigned read_roles;
    unsigned write_roles;
    bool allow_delete;
    const char *route_names[6]; /* metrics labels: list, get, create, patch, delete, history (BSS_TMF_NAMES) */
    bss_handler handle_list;    /* NULL: bss_tmf_handle_list (an override may delegate to it) */
    bss_handler handle_get;     /* NULL: bss_tmf_handle_get */
    bss_handler handle_create;  /* NULL: bss_tmf_handle_create (an order's submission is its own) */
} bss_tmf_binding;

/* Fill the path and route-name members from literals: BSS_TMF_PATHS("/tmf-api/x/v4", "category"). */
#define BSS_TMF_PATHS(base, seg)                                                                             \
    .collection_path = base "/" seg, .item_path = base "/" seg "/{id}", .history_path = base "/" seg "/{id}/history"
#define BSS_TMF_NAMES(prefix)                                                                                \
    .route_names = {prefix ".list", prefix ".get", prefix ".create", prefix ".patch", prefix ".delete",          \
                    prefix ".history"}

/* The binding of a request on a binding's route. */
static inline const bss_tmf_binding *bss_tmf_binding_of(const bss_req *r)
{
    return (const bss_tmf_binding *)r->route->data;
}

/*
 * The access audit of reads of personal data (doc/doc.h personal_data):
 * the generic GET and list handlers ask wants(who) and hand the ids they
 * answered with to submit, which queues the audit rows without making the
 * reader wait. Defined where the interface is wired (src/api/routes.c:
 * the customer module's audit), so this generic layer names no domain
 * module.
 */
typedef struct bss_tmf_audit {
    bool (*wants)(const bss_principal *who);
    void (*submit)(struct bss_app *app, const bss_principal *who, const char *action, const char *kind,
                   const char *ids, size_t len);
} bss_tmf_audit;
extern const bss_tmf_audit bss_tmf_read_audit;

/*
 * Adds the routes of b (b must outlive the router) and prepares its kind's
 * table. BSS_E_INVALID when b's paths are not its kind's.
 */
bss_err bss_tmf_register(bss_router *rt, const bss_tmf_binding *b);

/* Adds the routes of every binding of a NULL-terminated list. */
bss_err bss_tmf_register_all(bss_router *rt, const bss_tmf_binding *const *list);

/* The generic handlers (route data = the bss_tmf_binding). */
int bss_tmf_handle_list(bss_req *r);
int bss_tmf_handle_get(bss_req *r);
/* GET {item}/history?limit=N: the change history (doc.h), newest first; 404 for a document never stored. */
int bss_tmf_handle_history(bss_req *r);
int bss_tmf_handle_create(bss_req *r);
int bss_tmf_handle_patch(bss_req *r);
int bss_tmf_handle_delete(bss_req *r);

/*
 * Documents selected in memory (the slow path of bss_tmf_handle_list, the
 * catalog's "as of" lists), on a worker: bss_tmf_docs_keep keeps a
 * document (stolen) when it matches q's filters, in the order given (id
 * order); the list then sorts them by q's sort= (then id) and answers the
 * page of offset/limit with X-Total-Count and X-Result-Count (and the
 * access audit of personal data).
 */
typedef struct bss_tmf_docs {
    const struct bss_query *q;
    json_t **docs;
    size_t n, cap;
} bss_tmf_docs;
bss_err bss_tmf_docs_keep(bss_tmf_docs *d, json_t *doc);

/*
 * A list whose documents come from elsewhere than the kind's table (the
 * catalog's "as of" lists): collect runs on a worker and keeps documents
 * with bss_tmf_docs_keep; the sort, page and answer follow as for any list.
 * q is moved into the job (left empty); arg is freed with arg_free.
 */
typedef bss_err (*bss_tmf_collect_fn)(bss_db *db, void *arg, bss_tmf_docs *d, bss_errinfo *ei);
void bss_tmf_list_collected(bss_req *r, struct bss_query *q, bss_tmf_collect_fn collect, void *arg,
                            void (*arg_free)(void *));
void bss_tmf_docs_free(bss_tmf_docs *d);

/*
 * A list's answer: 200 with *page (stolen: set NULL) and X-Total-Count
 * (total) / X-Result-Count; the error when rc is not BSS_OK; nothing when
 * the client went away (r NULL).
 */
void bss_tmf_send_page(bss_req *r, bss_err rc, const bss_errinfo *ei, int64_t total, json_t **page);

/* The {id} path parameter, or NULL after answering 404 "no <what> with id ..." when no document can
 * have it. */
const char *bss_tmf_path_id(bss_req *r, const char *what);

/* Whether a Content-Type (may be NULL) is a JSON merge patch: BSS_OK or BSS_E_UNSUPPORTED with a message. */
bss_err bss_tmf_check_patch_type(const char *content_type, size_t len, bss_errinfo *ei);

#endif
