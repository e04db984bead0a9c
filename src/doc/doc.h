/*
 * doc.h: TMF documents, the shape every resource of bss is kept in, and
 * the one way they are written. A domain module describes each kind of
 * document it owns with one bss_doc_kind row (its table, the members it
 * requires, its rules as hooks, its event names); the functions here
 * create, merge-patch and delete a document of any kind inside the
 * caller's transaction, running the kind's hooks and recording its event
 * in the same transaction (events/events.h). Nothing here knows HTTP: the
 * REST API (src/api/tmf.c binds a kind to its routes and roles), the
 * catalog import, the demo seeding, background jobs and the tests all
 * write documents through these same functions, so they all get the same
 * rules, derived rows and events.
 *
 * A document is stored as posted, unknown members kept, in its kind's table
 * (db/resource.h: id, doc, created/updated ms, row_version, typed columns
 * copied from members). The server assigns id and href (href = base_url +
 * kind->path + "/" + id) and defaults @type to kind->type.
 *
 * Create: the body must be an object; id and href are the server's (the
 * caller's id must be of the safe alphabet, bss_doc_id_ok); the kind's
 * server-managed members are dropped; @type, when given, must be the
 * kind's type or name it as @baseType (an extension subtype); the required
 * members must be present; the limits hold; no document of any kind may
 * hold a card number anywhere (core/pan.h: 400 naming the member); then
 * prepare, insert, after_store, and the {Type}CreateEvent.
 * Patch: an RFC 7396 merge patch of the stored document; id and href cannot
 * change (their current values may be sent); server-managed members keep
 * their stored values whatever the patch says; @type, required, limits,
 * card numbers, prepare as on create; a patch that changes nothing writes
 * nothing and records no event; otherwise {Type}AttributeValueChangeEvent
 * when a member other than the status changed and {Type}StateChangeEvent
 * when the status member did (both when both did).
 * Delete: 409 while another document names this one (its kind's refs,
 * indexed in doc_ref); delete_guard may refuse too (409 "used by 3 active
 * products"); then the row goes, after_store runs with doc NULL, and the
 * {Type}DeleteEvent carries the old document.
 *
 * Also here, because every kind needs them: loading a document as JSON,
 * the TimePeriod and member-type checks, and the walk up a parent chain
 * (category, organization and account hierarchies) with its cycle and
 * depth limits.
 */
#ifndef BSS_DOC_DOC_H
#define BSS_DOC_DOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "db/db.h"
#include "db/resource.h"

struct bss_app;
struct bss_principal; /* auth/auth.h */

typedef struct bss_doc_kind bss_doc_kind;

/*
 * How big a document may grow. The serialized document (max_bytes: 413
 * TOO_BIG), any one string member (max_string bytes) and any one array
 * (max_array elements) are bounded, so no stored document can make a later
 * read, filter or sort expensive (400 naming the member). 0 = the default.
 * --doc-max-bytes, --doc-max-string and --doc-max-array set them for the
 * server; a kind whose documents are big by nature raises its own (zone
 * tables hold thousands of prefixes).
 */
typedef struct bss_doc_limits {
    int64_t max_bytes;
    int64_t max_string;
    int64_t max_array;
} bss_doc_limits;

#define BSS_DOC_MAX_BYTES_DEFAULT (256 * 1024)
#define BSS_DOC_MAX_STRING_DEFAULT (16 * 1024)
#define BSS_DOC_MAX_ARRAY_DEFAULT 1000

/*
 * A member that names another document: path is a dotted path from the
 * top ("parentId", "productSpecification", "action.offeringIds",
 * "usage.zoneTableId"); what it reaches is an id string, an object with an
 * "id", or an array of either. target is the kind named; NULL when the
 * member may name several kinds (a relatedParty entry).
 */
typedef struct bss_doc_ref {
    const char *path;
    const bss_doc_kind *target;
} bss_doc_ref;

/* What a kind's hooks see. */
typedef struct bss_doc_ctx {
    const bss_doc_kind *kind;
    /* the writer's connection, inside the write's transaction; NULL: no store (pure tests, fuzzing) */
    bss_db *db;
    int64_t now_ms;                  /* from the injected clock */
    const char *base_url;            /* href prefix ("http://127.0.0.1:8080"); NULL: relative hrefs */
    const struct bss_principal *who; /* who writes; NULL when unknown (seeding, tests) */
    const bss_doc_limits *limits;    /* the server's limits; NULL: the defaults */
    const char *via;                 /* the door, for the change history: NULL = "api" with who, else "system" */
    bool confirmed;                  /* the client confirmed a create the rules would question (a duplicate) */
    /*
     * Members the server itself sets (NULL: none), applied after the kind's
     * server-managed members were dropped (create) or kept as stored
     * (patch), before prepare: an order's state, dates and prices, which
     * its submission and its provisioning compute.
     */
    const json_t *server_set;
} bss_doc_ctx;

/*
 * Validates and normalises doc in place before it is stored: defaults,
 * server-managed members (lastUpdate), transition rules, references
 * checked against the store (when ctx->db). old is the stored document on
 * patch, NULL on create. doc already has id, href, @type and every required
 * member. BSS_OK, or a code with ei (field = the member's path).
 */
typedef bss_err (*bss_doc_prepare_fn)(const bss_doc_ctx *ctx, json_t *doc, const json_t *old,
                                      bss_errinfo *ei);

/* Refuses a delete (BSS_E_CONFLICT "used by 3 active products") or lets it go; old = the stored doc. */
typedef bss_err (*bss_doc_guard_fn)(const bss_doc_ctx *ctx, const char *id, const json_t *old,
                                    bss_errinfo *ei);

/* Derived rows kept in step with the document, in its transaction (doc NULL after a delete). */
typedef bss_err (*bss_doc_after_store_fn)(const bss_doc_ctx *ctx, const char *id, const json_t *doc,
                                          bss_errinfo *ei);

/* After the write's transaction committed (the catalog rebuild): called by whoever committed it. */
typedef void (*bss_doc_after_commit_fn)(struct bss_app *app);

struct bss_doc_kind {
    const char *api;          /* "productCatalogManagement": the events' domain and hub */
    const char *path;         /* "/tmf-api/productCatalogManagement/v4/category": the href of a document is
                                 base_url + path + "/" + id */
    const char *name;         /* "category": in messages ("no category with id ..."), the member of an event
                                 holding the document, the kind of a catalog version row */
    const char *type;         /* "Category": the @type default and the event type prefix */
    const char *status_field; /* "lifecycleStatus": a change is a StateChangeEvent (NULL: none) */
    bss_res_table *table;     /* a static descriptor (db/resource.h) */
    const char *const *required; /* NULL-terminated member paths required on create and kept on patch */
    /*
     * NULL-terminated top-level members only the server sets (lastUpdate,
     * creationDate, resolutionDate, a balance): ignored in a POST body and
     * in a PATCH alike (dropped on create, kept as stored on patch) before
     * the prepare hook runs, which may then set them. id and href always
     * are the server's.
     */
    const char *const *server_managed;
    bss_doc_limits limits; /* raised limits for this kind (0 = the server's) */
    /*
     * The members naming other documents, ended by {NULL}: indexed in
     * doc_ref on every write, so deleting a document something still names
     * is 409 naming the referrers, for every kind by the same rule (the
     * kind's own checks that a named document exists stay in prepare).
     */
    const bss_doc_ref *refs;
    bss_doc_prepare_fn prepare;  /* NULL: no rules */
    bss_doc_guard_fn delete_guard;
    bss_doc_after_store_fn after_store;
    bss_doc_after_commit_fn after_commit;
    /*
     * The kind holds personal data (parties, customers, accounts,
     * interactions, tickets): the interfaces record reads by staff keys in
     * the access audit (card numbers are refused in every kind).
     */
    bool personal_data;
};

/*
 * The write paths. Each runs in the caller's open transaction on ctx->db
 * (a writer job, an import, a seed) and records the event there. body and
 * patch are not stolen; *out receives a new reference to the stored
 * document. id of a create is the caller's (a new UUIDv7 from the API, the
 * document's own in an import).
 */
bss_err bss_doc_create(const bss_doc_ctx *ctx, const char *id, const json_t *body, json_t **out,
                       bss_errinfo *ei);
bss_err bss_doc_patch(const bss_doc_ctx *ctx, const char *id, const json_t *patch, json_t **out,
                      bss_errinfo *ei);
bss_err bss_doc_delete(const bss_doc_ctx *ctx, const char *id, bss_errinfo *ei);

/*
 * Start-up: makes doc_ref match the refs declarations of kinds (NULL-
 * terminated; src/modules.c lists every kind): when the declarations
 * changed since the rows were built (or were never built), rebuilds them
 * from every stored document. *rebuilt (may be NULL) says whether it did.
 * Runs its own transaction.
 */
bss_err bss_doc_refs_sync(bss_db *db, const bss_doc_kind *const *kinds, bool *rebuilt, bss_errinfo *ei);

/* Every kind of document of bss, NULL-terminated (defined in src/modules.c, where modules are wired). */
extern const bss_doc_kind *const bss_doc_kinds[];

/* What bss_doc_load reports of a stored row besides its document. */
typedef struct bss_doc_meta {
    int64_t created_ms;
    int64_t updated_ms;
    int64_t row_version;
} bss_doc_meta;

/*
 * Reads and parses one stored document of kind: *out a new reference,
 * *meta (may be NULL) its row data. BSS_E_NOT_FOUND "no <name> with id
 * <id>" (field "id"); a stored text that is not JSON is BSS_E_INTERNAL.
 */
bss_err bss_doc_load(bss_db *db, const bss_doc_kind *kind, const char *id, json_t **out, bss_doc_meta *meta,
                     bss_errinfo *ei);

/* Whether a document of kind with this id is stored: *found /out/; store errors only. */
bss_err bss_doc_exists(bss_db *db, const bss_doc_kind *kind, const char *id, bool *found, bss_errinfo *ei);

/* How many documents of kind are stored: *n /out/. */
bss_err bss_doc_count(bss_db *db, const bss_doc_kind *kind, int64_t *n, bss_errinfo *ei);

/* The href of a document: base_url (may be NULL) + kind->path + "/" + id into buf; false if it does
 * not fit. */
bool bss_doc_href(const char *base_url, const bss_doc_kind *kind, const char *id, char *buf, size_t cap);

/*
 * Whether id is a document id bss accepts: 1..BSS_ID_MAX characters of
 * letters, digits, '-', '.', '_' and '~' (RFC 3986 unreserved: an id is
 * its href's last segment as is), and not "." or "..". Server ids (UUIDv7)
 * always are; imported documents bring their own.
 */
bool bss_doc_id_ok(const char *id);

/* kind->required on doc: BSS_E_INVALID "name is required" (field = the path). */
bss_err bss_doc_check_required(const bss_doc_kind *kind, const json_t *doc, bss_errinfo *ei);

/*
 * A TMF TimePeriod at path ("validFor", "billingAccount.validFor"): absent
 * or null is fine; otherwise an object whose startDateTime/endDateTime, when
 * present, are RFC 3339 with start <= end. BSS_E_INVALID naming the member.
 */
bss_err bss_doc_check_period(const json_t *period, const char *path, bss_errinfo *ei);

/*
 * Members of obj (at path prefix, "" for the top: messages and fields read
 * prefix + name) that must have a type when present and not null: strings
 * ("%s must be a string"; with nonempty also "%s must not be empty"),
 * booleans ("%s must be true or false"), arrays ("%s must be an array").
 * names is NULL-terminated.
 */
bss_err bss_doc_check_strings(const json_t *obj, const char *prefix, const char *const *names, bool nonempty,
                              bss_errinfo *ei);
bss_err bss_doc_check_bools(const json_t *obj, const char *prefix, const char *const *names, bss_errinfo *ei);
bss_err bss_doc_check_arrays(const json_t *obj, const char *prefix, const char *const *names,
                             bss_errinfo *ei);

/*
 * The members most TMF documents share: name, description, @type,
 * @baseType and @schemaLocation are strings when present, and name is not
 * empty ("name must not be empty").
 */
bss_err bss_doc_check_names(const json_t *doc, bss_errinfo *ei);

/* What a walk up a hierarchy found. */
typedef struct bss_doc_walk {
    int steps;     /* documents read */
    bool cycle;    /* self was reached: linking to start would close a loop */
    bool too_deep; /* max_depth documents were read and the chain went on */
} bss_doc_walk;

/*
 * Follows parent links upwards from the document start of kind: reads it,
 * takes its parent's id at parent_path (a dotted path to a string member:
 * "parentId", "organizationParentRelationship.organization.id",
 * "parentAccount.id"), and goes on until a document has no parent or its
 * parent is not stored (the end of the chain), self is reached (cycle:
 * start == self counts), or max_depth documents were read (too_deep).
 * Without a store (db NULL) only start == self is checked.
 * BSS_E_NOT_FOUND (field = field) when start itself is not stored;
 * BSS_E_INVALID (field = field) when start is longer than BSS_ID_MAX (ids
 * are never cut to fit); a longer id stored further up ends the walk as a
 * missing parent would. Store errors as they come.
 */
bss_err bss_doc_walk_up(bss_db *db, const bss_doc_kind *kind, const char *start, const char *parent_path,
                        const char *self, int max_depth, const char *field, bss_doc_walk *out,
                        bss_errinfo *ei);

/*
 * What a 409 on a state change should say next: "; from <from> it may
 * become: A, B" or "; <from> is final", into buf (row = allowed[from], n
 * states named by names). Returns buf.
 */
const char *bss_doc_next_states(const char *const *names, const bool *row, int n, int from, char *buf, size_t cap);

/*
 * ---- the change history (history.c, table doc_history) ----
 *
 * Every create, patch that changes something, and delete through the
 * functions above records who (ctx->who: key id, name, role), when
 * (ctx->now_ms), through which door (ctx->via) and which top-level members
 * changed, in the write's transaction. For kinds without personal data the
 * values before and after are kept too (each at most
 * BSS_DOC_HISTORY_VALUE_MAX bytes serialized, else "truncated": true); for
 * personal kinds only the member names, so the history never holds what an
 * erasure must remove. lastUpdate and href are not changes.
 */
#define BSS_DOC_HISTORY_VALUE_MAX 2048

/* Records one change by hand (erasures write their rows this way): changes is a JSON array, not stolen. */
bss_err bss_doc_history_add(bss_db *db, const bss_doc_kind *kind, const char *id, int64_t now_ms,
                            const struct bss_principal *who, const char *via, const char *action, const char *note,
                            const json_t *changes, bss_errinfo *ei);

/* The changes of one document, newest first, at most limit (1..1000): a JSON array of entries. */
bss_err bss_doc_history_list(bss_db *db, const bss_doc_kind *kind, const char *id, int64_t limit, json_t **out,
                             bss_errinfo *ei);

/* The top-level members that differ between before and after (either may be NULL), as history changes. */
json_t *bss_doc_history_changes(const bss_doc_kind *kind, const json_t *before, const json_t *after);

#endif
