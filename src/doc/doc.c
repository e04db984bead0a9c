/*
 * doc.c: the generic write path of TMF documents and the helpers every
 * kind shares (doc.h). Each write reads, validates (the kind's prepare
 * hook), stores (db/resource.h), keeps derived rows (after_store) and
 * records its event (bss_outbox_add) on the caller's connection, inside
 * the caller's transaction: a writer job of the REST API, the catalog
 * import, the demo seeding. No document stores a card number (core/pan.h),
 * checked on the whole document after the merge and before
 * the prepare hook, so the field path is the client's ("note[0].text"), and
 * for every kind: catalog documents and promotions as much as parties.
 */
#include "doc/doc.h"

#include <stdio.h>
#include <string.h>

#include "core/id.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/pan.h"
#include "events/events.h"

static bss_err nomem(bss_errinfo *ei)
{
    return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
}

bool bss_doc_href(const char *base_url, const bss_doc_kind *kind, const char *id, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s%s/%s", base_url ? base_url : "", kind->path, id);
    return n >= 0 && (size_t)n < cap;
}

bss_err bss_doc_check_required(const bss_doc_kind *kind, const json_t *doc, bss_errinfo *ei)
{
    const char *first = NULL;
    int missing = 0;
    char msg[200];
    if (ei)
        ei->details[0] = '\0';
    for (const char *const *p = kind->required; p && *p; p++) {
        const json_t *v = bss_json_path(doc, *p);
        if (v && !json_is_null(v))
            continue;
        if (!first)
            first = *p;
        if (++missing == 2) { /* several: every one in details, the first included */
            snprintf(msg, sizeof msg, "%s is required", first);
            bss_errinfo_add_detail(ei, BSS_E_INVALID, first, msg);
        }
        if (missing >= 2) {
            snprintf(msg, sizeof msg, "%s is required", *p);
            bss_errinfo_add_detail(ei, BSS_E_INVALID, *p, msg);
        }
    }
    if (!first)
        return BSS_OK;
    char details[BSS_ERR_DETAILS_MAX];
    snprintf(details, sizeof details, "%s", ei ? ei->details : "");
    bss_fail(ei, BSS_E_INVALID, first, "%s is required%s", first, missing > 1 ? " (and more: see details)" : "");
    if (ei)
        snprintf(ei->details, sizeof ei->details, "%s", details);
    return BSS_E_INVALID;
}

bool bss_doc_id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > BSS_ID_MAX || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '.' || c == '_' || c == '~';
        if (!ok)
            return false;
    }
    return true;
}

static bool is_server_managed(const bss_doc_kind *kind, const char *key)
{
    if (strcmp(key, "id") == 0 || strcmp(key, "href") == 0)
        return true;
    for (const char *const *m = kind->server_managed; m && *m; m++)
        if (strcmp(*m, key) == 0)
            return true;
    return false;
}

/* Puts the stored values of the server-managed members back (absent where the old document had none). */
static bss_err keep_server_managed(const bss_doc_kind *kind, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    for (const char *const *m = kind->server_managed; m && *m; m++) {
        const json_t *was = old ? json_object_get(old, *m) : NULL;
        if (!was) {
            json_object_del(doc, *m);
        } else if (!json_equal((json_t *)was, json_object_get(doc, *m)) &&
                   json_object_set_new(doc, *m, json_deep_copy(was)) != 0) {
            return nomem(ei);
        }
    }
    return BSS_OK;
}

/*
 * @type names what the document is: absent or null is the kind's type; a
 * string must be the kind's type, or an extension type that says whose
 * ("@baseType": the kind's type). Anything else contradicts the resource.
 */
static bss_err check_type(const bss_doc_kind *kind, json_t *doc, bss_errinfo *ei)
{
    const json_t *t = json_object_get(doc, "@type");
    if (!t || json_is_null(t))
        return json_object_set_new(doc, "@type", json_string(kind->type)) ? nomem(ei) : BSS_OK;
    if (!json_is_string(t))
        return bss_fail(ei, BSS_E_INVALID, "@type", "@type must be a string (%s)", kind->type);
    const char *v = json_string_value(t);
    if (strcmp(v, kind->type) == 0)
        return BSS_OK;
    const char *base = json_string_value(json_object_get(doc, "@baseType"));
    if (base && strcmp(base, kind->type) == 0 && json_string_length(t) > 0)
        return BSS_OK;
    return bss_fail(ei, BSS_E_INVALID, "@type",
                    "@type '%.64s' does not match this resource (%s); an extension type must also say "
                    "\"@baseType\": \"%s\"",
                    v, kind->type, kind->type);
}

/* ---- limits ---- */

typedef struct limit_walk {
    int64_t max_string, max_array;
    char path[256];
} limit_walk;

static bss_err walk_limits(limit_walk *w, const json_t *v, size_t at, bss_errinfo *ei)
{
    if (json_is_string(v)) {
        if ((int64_t)json_string_length(v) > w->max_string)
            return bss_fail(ei, BSS_E_INVALID, w->path, "%s is longer than %lld bytes", at ? w->path : "the value",
                            (long long)w->max_string);
        return BSS_OK;
    }
    if (json_is_array(v)) {
        if ((int64_t)json_array_size(v) > w->max_array)
            return bss_fail(ei, BSS_E_INVALID, w->path, "%s has more than %lld elements",
                            at ? w->path : "the value", (long long)w->max_array);
        size_t i;
        json_t *item;
        json_array_foreach((json_t *)v, i, item)
        {
            int n = snprintf(w->path + at, sizeof w->path - at, "[%zu]", i);
            size_t next = n > 0 && (size_t)n < sizeof w->path - at ? at + (size_t)n : at;
            bss_err rc = walk_limits(w, item, next, ei);
            w->path[at] = '\0';
            if (rc)
                return rc;
        }
        return BSS_OK;
    }
    if (json_is_object(v)) {
        const char *key;
        json_t *member;
        json_object_foreach((json_t *)v, key, member)
        {
            if (at == 0 && (strcmp(key, "id") == 0 || strcmp(key, "href") == 0))
                continue; /* the server's, bounded by BSS_ID_MAX and the base URL */
            if ((int64_t)strlen(key) > w->max_string)
                return bss_fail(ei, BSS_E_INVALID, at ? w->path : "", "a member name of %lld bytes or more",
                                (long long)w->max_string);
            int n = snprintf(w->path + at, sizeof w->path - at, "%s%s", at ? "." : "", key);
            size_t next = n > 0 && (size_t)n < sizeof w->path - at ? at + (size_t)n : sizeof w->path - 1;
            bss_err rc = walk_limits(w, member, next, ei);
            w->path[at] = '\0';
            if (rc)
                return rc;
        }
    }
    return BSS_OK;
}

static int64_t limit_of(int64_t kind_value, const bss_doc_limits *server, int64_t server_value, int64_t def)
{
    if (kind_value > 0)
        return kind_value;
    if (server && server_value > 0)
        return server_value;
    return def;
}

/* The document within its kind's (or the server's) size, string and array limits. */
static bss_err check_limits(const bss_doc_ctx *ctx, const json_t *doc, bss_errinfo *ei)
{
    const bss_doc_limits *k = &ctx->kind->limits, *srv = ctx->limits;
    limit_walk w = {
        .max_string = limit_of(k->max_string, srv, srv ? srv->max_string : 0, BSS_DOC_MAX_STRING_DEFAULT),
        .max_array = limit_of(k->max_array, srv, srv ? srv->max_array : 0, BSS_DOC_MAX_ARRAY_DEFAULT),
    };
    bss_err rc = walk_limits(&w, doc, 0, ei);
    if (rc)
        return rc;
    int64_t max_bytes = limit_of(k->max_bytes, srv, srv ? srv->max_bytes : 0, BSS_DOC_MAX_BYTES_DEFAULT);
    size_t bytes = json_dumpb(doc, NULL, 0, BSS_JSON_DUMP_FLAGS);
    if ((int64_t)bytes > max_bytes)
        return bss_fail(ei, BSS_E_TOO_BIG, NULL, "the %s would be %zu bytes, over the limit of %lld", ctx->kind->name,
                        bytes, (long long)max_bytes);
    return BSS_OK;
}

/* ---- references (doc_ref) ---- */

#define REF_ANY "*" /* to_kind of a reference that may name several kinds */
#define REFERRERS_SHOWN 3

/* One reference found in a document. */
typedef struct found_ref {
    const char *to_kind;
    const char *path;
    char to_id[BSS_ID_MAX + 1];
} found_ref;

typedef struct ref_list {
    found_ref *v;
    size_t n, cap;
} ref_list;

static bss_err ref_add(ref_list *l, const bss_doc_ref *r, const json_t *v)
{
    if (json_is_object(v))
        v = json_object_get(v, "id");
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > BSS_ID_MAX)
        return BSS_OK; /* not an id: the kind's own checks judge the member */
    const char *to_kind = r->target ? r->target->name : REF_ANY;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].to_kind, to_kind) == 0 && strcmp(l->v[i].path, r->path) == 0 &&
            strcmp(l->v[i].to_id, json_string_value(v)) == 0)
            return BSS_OK;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        found_ref *g = bss_realloc(l->v, cap * sizeof *g);
        if (!g)
            return BSS_E_NOMEM;
        l->v = g;
        l->cap = cap;
    }
    found_ref *f = &l->v[l->n++];
    f->to_kind = to_kind;
    f->path = r->path;
    memcpy(f->to_id, json_string_value(v), json_string_length(v) + 1);
    return BSS_OK;
}

/* The references doc makes, by its kind's declarations. */
static bss_err refs_find(const bss_doc_kind *kind, const json_t *doc, ref_list *l)
{
    for (const bss_doc_ref *r = kind->refs; r && r->path; r++) {
        const json_t *v = bss_json_path(doc, r->path);
        bss_err rc = BSS_OK;
        if (json_is_array(v)) {
            size_t i;
            const json_t *e;
            json_array_foreach(v, i, e) if ((rc = ref_add(l, r, e)) != BSS_OK) break;
        } else if (v) {
            rc = ref_add(l, r, v);
        }
        if (rc)
            return rc;
    }
    return BSS_OK;
}

static bss_err refs_insert(bss_db *db, const bss_doc_kind *kind, const char *id, const ref_list *l, bss_errinfo *ei)
{
    for (size_t i = 0; i < l->n; i++) {
        bss_err rc = bss_db_exec(db,
                                 "INSERT INTO doc_ref (to_kind, to_id, from_kind, from_id, path) VALUES (?, ?, ?, ?, ?) "
                                 "ON CONFLICT DO NOTHING",
                                 BSS_DB_ARGS(BSS_DB_STR(l->v[i].to_kind), BSS_DB_STRN(l->v[i].to_id, strlen(l->v[i].to_id)),
                                             BSS_DB_STR(kind->name), BSS_DB_STR(id), BSS_DB_STR(l->v[i].path)),
                                 NULL, ei);
        if (rc)
            return rc;
    }
    return BSS_OK;
}

/* Rewrites the rows of what document id (of ctx's kind) refers to; doc NULL after a delete. */
static bss_err refs_write(const bss_doc_ctx *ctx, const char *id, const json_t *doc, bss_errinfo *ei)
{
    const bss_doc_kind *kind = ctx->kind;
    if (!ctx->db || !kind->refs)
        return BSS_OK;
    bss_err rc = bss_db_exec(ctx->db, "DELETE FROM doc_ref WHERE from_kind = ? AND from_id = ?",
                             BSS_DB_ARGS(BSS_DB_STR(kind->name), BSS_DB_STR(id)), NULL, ei);
    if (rc || !doc)
        return rc;
    ref_list l = {0};
    rc = refs_find(kind, doc, &l);
    if (rc)
        rc = nomem(ei);
    else
        rc = refs_insert(ctx->db, kind, id, &l, ei);
    bss_free(l.v);
    return rc;
}

/* 409 while any other document names (kind, id), naming the first few referrers. */
static bss_err refs_guard(const bss_doc_ctx *ctx, const char *id, bss_errinfo *ei)
{
    const bss_doc_kind *kind = ctx->kind;
    if (!ctx->db)
        return BSS_OK;
    bss_db_rows *rows;
    bss_err rc = bss_db_query(ctx->db,
                              "SELECT from_kind, from_id, path FROM doc_ref WHERE to_id = ? AND (to_kind = ? OR "
                              "to_kind = '" REF_ANY "') AND NOT (from_kind = ? AND from_id = ?) "
                              "ORDER BY from_kind, from_id, path LIMIT 100",
                              BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_STR(kind->name), BSS_DB_STR(kind->name), BSS_DB_STR(id)),
                              &rows, ei);
    if (rc)
        return rc;
    char list[600] = "";
    size_t used = 0;
    int n = 0;
    while (bss_db_next(rows)) {
        if (n++ >= REFERRERS_SHOWN)
            continue;
        const char *fk = bss_db_col_text(rows, 0, NULL), *fid = bss_db_col_text(rows, 1, NULL),
                   *path = bss_db_col_text(rows, 2, NULL);
        int w = snprintf(list + used, sizeof list - used, "%s%s %.64s (%s)", used ? ", " : "", fk ? fk : "?",
                         fid ? fid : "?", path ? path : "?");
        if (w > 0 && (size_t)w < sizeof list - used)
            used += (size_t)w;
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (rc || n == 0)
        return rc;
    if (n > REFERRERS_SHOWN)
        snprintf(list + used, sizeof list - used, " and %s%d more", n >= 100 ? "at least " : "",
                 n - REFERRERS_SHOWN);
    return bss_fail(ei, BSS_E_CONFLICT, "id", "%s %.64s is still named by %s: change or delete %s first",
                    kind->name, id, list, n == 1 ? "it" : "them");
}

/* The declarations as one text: a change to any makes bss_doc_refs_sync rebuild. */
static uint64_t refs_signature(const bss_doc_kind *const *kinds)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (const bss_doc_kind *const *k = kinds; k && *k; k++)
        for (const bss_doc_ref *r = (*k)->refs; r && r->path; r++) {
            const char *parts[] = {(*k)->name, ":", r->path, ">", r->target ? r->target->name : REF_ANY, ";"};
            for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
                for (const char *c = parts[i]; *c; c++)
                    h = (h ^ (uint8_t)*c) * UINT64_C(1099511628211);
        }
    return h;
}

typedef struct sync_page {
    const bss_doc_kind *kind;
    ref_list refs;
    struct page_doc {
        char id[BSS_ID_MAX + 1];
        size_t first, count; /* its refs in refs.v */
    } *docs;
    size_t ndocs, cap;
} sync_page;

static bss_err sync_row(const bss_res_row *row, void *arg)
{
    sync_page *sp = arg;
    if (strlen(row->id) > BSS_ID_MAX)
        return BSS_OK;
    json_t *doc = NULL;
    if (bss_json_parse(row->doc, row->doc_len, &doc, NULL) != BSS_OK)
        return BSS_OK; /* not JSON: nothing it names can be known */
    if (sp->ndocs == sp->cap) {
        size_t cap = sp->cap ? sp->cap * 2 : 64;
        struct page_doc *g = bss_realloc(sp->docs, cap * sizeof *g);
        if (!g) {
            json_decref(doc);
            return BSS_E_NOMEM;
        }
        sp->docs = g;
        sp->cap = cap;
    }
    struct page_doc *d = &sp->docs[sp->ndocs++];
    memcpy(d->id, row->id, strlen(row->id) + 1);
    d->first = sp->refs.n;
    bss_err rc = refs_find(sp->kind, doc, &sp->refs);
    d->count = sp->refs.n - d->first;
    json_decref(doc);
    return rc;
}

#define SYNC_PAGE 500

static bss_err sync_kind(bss_db *db, const bss_doc_kind *kind, bss_errinfo *ei)
{
    bss_err rc = bss_resource_table_prepare(kind->table);
    if (rc)
        return bss_fail(ei, rc, NULL, "bad table descriptor %s", kind->table->name);
    bool exists = false;
    if ((rc = bss_db_table_exists(db, kind->table->name, &exists, ei)) != BSS_OK || !exists)
        return rc;
    for (int64_t offset = 0;; offset += SYNC_PAGE) {
        sync_page sp = {.kind = kind};
        rc = bss_resource_list(db, kind->table, NULL, 0, offset, SYNC_PAGE, NULL, sync_row, &sp, ei);
        if (rc == BSS_E_NOMEM)
            rc = nomem(ei);
        for (size_t i = 0; !rc && i < sp.ndocs; i++) {
            ref_list one = {.v = sp.refs.v + sp.docs[i].first, .n = sp.docs[i].count};
            rc = refs_insert(db, kind, sp.docs[i].id, &one, ei);
        }
        size_t got = sp.ndocs;
        bss_free(sp.docs);
        bss_free(sp.refs.v);
        if (rc || got < SYNC_PAGE)
            return rc;
    }
}

typedef struct sync_ctx {
    const bss_doc_kind *const *kinds;
    bool rebuilt;
} sync_ctx;

static bss_err sync_tx(bss_db *db, void *arg, bss_errinfo *ei)
{
    sync_ctx *sc = arg;
    char want[24];
    snprintf(want, sizeof want, "%016llx", (unsigned long long)refs_signature(sc->kinds));
    sc->rebuilt = false;
    bss_db_rows *rows;
    bss_err rc = bss_db_query(db, "SELECT signature FROM doc_ref_state WHERE name = 'refs'", BSS_DB_NOARGS, &rows, ei);
    if (rc)
        return rc;
    bool same = bss_db_next(rows) && strcmp(bss_db_col_text(rows, 0, NULL) ? bss_db_col_text(rows, 0, NULL) : "", want) == 0;
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (rc || same)
        return rc;
    rc = bss_db_exec(db, "DELETE FROM doc_ref", BSS_DB_NOARGS, NULL, ei);
    for (const bss_doc_kind *const *k = sc->kinds; !rc && k && *k; k++)
        if ((*k)->refs)
            rc = sync_kind(db, *k, ei);
    if (!rc)
        rc = bss_db_exec(db, "DELETE FROM doc_ref_state WHERE name = 'refs'", BSS_DB_NOARGS, NULL, ei);
    if (!rc)
        rc = bss_db_exec(db, "INSERT INTO doc_ref_state (name, signature) VALUES ('refs', ?)",
                         BSS_DB_ARGS(BSS_DB_STRN(want, strlen(want))), NULL, ei);
    sc->rebuilt = rc == BSS_OK;
    return rc;
}

bss_err bss_doc_refs_sync(bss_db *db, const bss_doc_kind *const *kinds, bool *rebuilt, bss_errinfo *ei)
{
    sync_ctx sc = {.kinds = kinds};
    bss_err rc = bss_db_tx(db, sync_tx, &sc, ei);
    if (rebuilt)
        *rebuilt = rc == BSS_OK && sc.rebuilt;
    return rc;
}

/* A new object: id, href, the body's other members in order, @type if the body had none. */
static bss_err new_doc(const bss_doc_ctx *ctx, const char *id, const json_t *body, json_t **out,
                       bss_errinfo *ei)
{
    char href[1024];
    if (!bss_doc_href(ctx->base_url, ctx->kind, id, href, sizeof href))
        return bss_fail(ei, BSS_E_INVALID, "id", "the href of %s %.64s is too long", ctx->kind->name, id);
    json_t *doc = json_object();
    int bad = !doc || json_object_set_new(doc, "id", json_string(id)) ||
              json_object_set_new(doc, "href", json_string(href));
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)body, key, val)
    {
        if (bad)
            break;
        if (!is_server_managed(ctx->kind, key))
            bad = json_object_set_new(doc, key, json_deep_copy(val));
    }
    if (!bad && ctx->server_set) {
        json_t *set = json_deep_copy(ctx->server_set);
        bad = !set || json_object_update(doc, set);
        json_decref(set);
    }
    if (!bad && !json_object_get(doc, "@type"))
        bad = json_object_set_new(doc, "@type", json_string(ctx->kind->type));
    if (bad) {
        json_decref(doc);
        return nomem(ei);
    }
    *out = doc;
    return BSS_OK;
}

static bss_err add_event(const bss_doc_ctx *ctx, const char *what, const json_t *doc, bss_errinfo *ei)
{
    char type[128];
    snprintf(type, sizeof type, "%s%s", ctx->kind->type, what);
    return bss_outbox_add(ctx->db, ctx->now_ms, ctx->kind->api, type, ctx->kind->name, doc, ei);
}

/* The change history row of a write (history.c); before/after NULL on create/delete. */
static bss_err history(const bss_doc_ctx *ctx, const char *id, const char *action, const json_t *before,
                       const json_t *after, bss_errinfo *ei)
{
    json_t *changes = after ? bss_doc_history_changes(ctx->kind, before, after) : json_array();
    if (!changes)
        return nomem(ei);
    bss_err rc = bss_doc_history_add(ctx->db, ctx->kind, id, ctx->now_ms, ctx->who, ctx->via, action, NULL, changes,
                                     ei);
    json_decref(changes);
    return rc;
}

/* Card numbers are never stored, in a document of any kind (core/pan.h). */
static bss_err check_card_numbers(const json_t *doc, bss_errinfo *ei)
{
    return bss_pan_reject_json(doc, ei);
}

/* The required members but those in skip (taken out to find the next problem: their own is known). */
static bss_err check_required_but(const bss_doc_kind *kind, const json_t *doc, char (*skip)[128], size_t nskip,
                                  bss_errinfo *ei)
{
    if (nskip == 0)
        return bss_doc_check_required(kind, doc, ei);
    for (const char *const *p = kind->required; p && *p; p++) {
        bool skipped = false;
        for (size_t i = 0; i < nskip; i++)
            skipped |= strncmp(*p, skip[i], strlen(skip[i])) == 0 &&
                       ((*p)[strlen(skip[i])] == '\0' || (*p)[strlen(skip[i])] == '.');
        const json_t *v = bss_json_path(doc, *p);
        if (!skipped && (!v || json_is_null(v)))
            return bss_fail(ei, BSS_E_INVALID, *p, "%s is required", *p);
    }
    return BSS_OK;
}

/* The rules every write runs on the document it would store (old: the stored one on a patch). */
static bss_err check_rules(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, char (*skip)[128],
                           size_t nskip, bss_errinfo *ei)
{
    const bss_doc_kind *kind = ctx->kind;
    bss_err rc = check_type(kind, doc, ei);
    if (!rc)
        rc = check_required_but(kind, doc, skip, nskip, ei);
    if (!rc)
        rc = check_limits(ctx, doc, ei);
    if (!rc)
        rc = check_card_numbers(doc, ei);
    if (!rc && kind->prepare)
        rc = kind->prepare(ctx, doc, old, ei);
    if (!rc)
        rc = check_limits(ctx, doc, ei);
    return rc;
}

/* Every rule of a create, up to the store: the document to insert in *doc (NULL on failure). */
static bss_err validate_create(const bss_doc_ctx *ctx, const char *id, const json_t *body, json_t **doc,
                               char (*skip)[128], size_t nskip, bss_errinfo *ei)
{
    *doc = NULL;
    bss_err rc = new_doc(ctx, id, body, doc, ei);
    if (rc)
        return rc;
    rc = check_rules(ctx, *doc, NULL, skip, nskip, ei);
    if (rc) {
        json_decref(*doc);
        *doc = NULL;
    }
    return rc;
}

/* The top-level member a field path starts with ("price" of "price.value", "note" of "note[2].text"). */
static void top_member(const char *field, char *out, size_t cap)
{
    size_t n = strcspn(field, ".[");
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), field);
}

#define MORE_PROBLEMS_MAX 8

static bss_err validate_patch(const bss_doc_ctx *ctx, const json_t *old, const json_t *patch, json_t **doc,
                              bss_errinfo *ei);

/*
 * After a create (old NULL) or a patch of old failed on one member, the
 * other problems of the same input: the rules run again without each member
 * found wrong so far, until they pass, fail on something that is not the
 * input's (a store error), or name a member already taken out. With two or
 * more, ei->details lists them all (the first included). The write fails
 * anyway, so whatever a rule touched in the store is rolled back with it.
 */
static void more_problems(const bss_doc_ctx *ctx, const char *id, const json_t *old, const json_t *input,
                          bss_errinfo *ei)
{
    if ((ei->code != BSS_E_INVALID && ei->code != BSS_E_UNPROCESSABLE) || ei->details[0] || !ei->field[0])
        return;
    json_t *rest = json_deep_copy(input);
    if (!rest)
        return;
    char removed[MORE_PROBLEMS_MAX][128];
    size_t nremoved = 0;
    bss_errinfo acc;
    bss_errinfo_clear(&acc);
    bss_errinfo_add_detail(&acc, ei->code, ei->field, ei->message);
    int found = 1;
    char field[128];
    snprintf(field, sizeof field, "%s", ei->field);
    while (nremoved < MORE_PROBLEMS_MAX) {
        top_member(field, removed[nremoved], sizeof removed[0]);
        if (!removed[nremoved][0] || !json_object_get(rest, removed[nremoved]))
            break;
        json_object_del(rest, removed[nremoved++]);
        bss_errinfo next;
        bss_errinfo_clear(&next);
        json_t *doc = NULL;
        bss_err rc = old ? validate_patch(ctx, old, rest, &doc, &next)
                         : validate_create(ctx, id, rest, &doc, removed, nremoved, &next);
        json_decref(doc);
        if (rc == BSS_OK || (next.code != BSS_E_INVALID && next.code != BSS_E_UNPROCESSABLE) || !next.field[0])
            break;
        char top[128];
        top_member(next.field, top, sizeof top);
        bool again = false;
        for (size_t i = 0; i < nremoved; i++)
            again |= strcmp(removed[i], top) == 0;
        if (again) /* "price is required" once price is out: not another problem of the input */
            break;
        bss_errinfo_add_detail(&acc, next.code, next.field, next.message);
        found++;
        snprintf(field, sizeof field, "%s", next.field);
    }
    json_decref(rest);
    if (found >= 2)
        snprintf(ei->details, sizeof ei->details, "%s", acc.details);
}

bss_err bss_doc_create(const bss_doc_ctx *ctx, const char *id, const json_t *body, json_t **out,
                       bss_errinfo *ei)
{
    const bss_doc_kind *kind = ctx->kind;
    json_t *doc;
    *out = NULL;
    if (!json_is_object(body))
        return bss_fail(ei, BSS_E_INVALID, NULL, "the request body must be a JSON object");
    if (!bss_doc_id_ok(id))
        return bss_fail(ei, BSS_E_INVALID, "id",
                        "id '%.80s' must be 1 to %d letters, digits, '-', '.', '_' or '~'", id ? id : "",
                        BSS_ID_MAX);
    bss_err rc = validate_create(ctx, id, body, &doc, NULL, 0, ei);
    if (rc) {
        if (ei)
            more_problems(ctx, id, NULL, body, ei);
        return rc;
    }
    if (!rc)
        rc = bss_resource_insert(ctx->db, kind->table, id, doc, ctx->now_ms, ei);
    if (!rc)
        rc = refs_write(ctx, id, doc, ei);
    if (!rc && kind->after_store)
        rc = kind->after_store(ctx, id, doc, ei);
    if (!rc)
        rc = history(ctx, id, "create", NULL, doc, ei);
    if (!rc)
        rc = add_event(ctx, "CreateEvent", doc, ei);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return BSS_OK;
}

bss_err bss_doc_load(bss_db *db, const bss_doc_kind *kind, const char *id, json_t **out, bss_doc_meta *meta,
                     bss_errinfo *ei)
{
    bss_res_doc row;
    *out = NULL;
    bss_err rc = bss_resource_table_prepare(kind->table);
    if (rc)
        return bss_fail(ei, rc, NULL, "bad table descriptor %s", kind->table->name);
    rc = bss_resource_get(db, kind->table, id, &row, ei);
    if (rc == BSS_E_NOT_FOUND)
        return bss_fail(ei, rc, "id", "no %s with id %.64s", kind->name, id);
    if (rc)
        return rc;
    if (meta)
        *meta = (bss_doc_meta){row.created_ms, row.updated_ms, row.row_version};
    rc = bss_json_parse(row.doc, row.doc_len, out, NULL);
    bss_resource_doc_free(&row);
    if (rc)
        return bss_fail(ei, BSS_E_INTERNAL, NULL, "stored %s %.64s is not valid JSON", kind->name, id);
    return BSS_OK;
}

bss_err bss_doc_exists(bss_db *db, const bss_doc_kind *kind, const char *id, bool *found, bss_errinfo *ei)
{
    bss_res_doc row;
    *found = false;
    bss_err rc = bss_resource_table_prepare(kind->table);
    if (rc)
        return bss_fail(ei, rc, NULL, "bad table descriptor %s", kind->table->name);
    rc = bss_resource_get(db, kind->table, id, &row, ei);
    bss_resource_doc_free(&row);
    if (rc == BSS_E_NOT_FOUND)
        return BSS_OK;
    *found = rc == BSS_OK;
    return rc;
}

static bss_err count_none(const bss_res_row *row, void *arg)
{
    (void)row;
    (void)arg;
    return BSS_OK;
}

bss_err bss_doc_count(bss_db *db, const bss_doc_kind *kind, int64_t *n, bss_errinfo *ei)
{
    *n = 0;
    bss_err rc = bss_resource_table_prepare(kind->table);
    if (rc)
        return bss_fail(ei, rc, NULL, "bad table descriptor %s", kind->table->name);
    return bss_resource_list(db, kind->table, NULL, 0, 0, 0, n, count_none, NULL, ei);
}

/* id and href cannot be patched to another value (their current values may be sent back). */
static bss_err check_fixed(const json_t *patch, const json_t *old, bss_errinfo *ei)
{
    static const char *const fixed[] = {"id", "href"};
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(patch, fixed[i]);
        if (v && !json_equal((json_t *)v, json_object_get(old, fixed[i])))
            return bss_fail(ei, BSS_E_INVALID, fixed[i], "%s is assigned by the server and cannot be changed",
                            fixed[i]);
    }
    return BSS_OK;
}

/* Whether two members are the same; absent on both sides is (jansson's json_equal says no to NULL). */
static bool same_member(const json_t *a, const json_t *b)
{
    return (!a && !b) || json_equal((json_t *)a, (json_t *)b);
}

/* Which kinds of change a patch made: bit 1 = an attribute, bit 2 = the status. */
static int change_kind(const bss_doc_kind *kind, const json_t *patch, const json_t *old, const json_t *doc)
{
    int changed = 0;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)patch, key, val)
    {
        if (kind->status_field && strcmp(key, kind->status_field) == 0)
            continue;
        if (!same_member(json_object_get(old, key), json_object_get(doc, key)))
            changed |= 1;
    }
    if (kind->status_field &&
        !same_member(json_object_get(old, kind->status_field), json_object_get(doc, kind->status_field)))
        changed |= 2;
    return changed;
}

/* Every rule of a patch of old, up to the store: the patched document in *doc (NULL on failure). */
static bss_err validate_patch(const bss_doc_ctx *ctx, const json_t *old, const json_t *patch, json_t **doc,
                              bss_errinfo *ei)
{
    const bss_doc_kind *kind = ctx->kind;
    bss_err rc = check_fixed(patch, old, ei);
    if (!rc && !(*doc = json_deep_copy(old)))
        rc = nomem(ei);
    if (!rc && (rc = bss_json_merge_patch(*doc, patch)))
        rc = bss_fail(ei, rc, NULL, "could not apply the merge patch");
    if (!rc)
        rc = keep_server_managed(kind, *doc, old, ei);
    if (!rc && ctx->server_set) {
        json_t *set = json_deep_copy(ctx->server_set);
        if (!set || json_object_update(*doc, set))
            rc = nomem(ei);
        json_decref(set);
    }
    if (!rc)
        rc = check_rules(ctx, *doc, old, NULL, 0, ei);
    if (rc) {
        json_decref(*doc);
        *doc = NULL;
    }
    return rc;
}

bss_err bss_doc_patch(const bss_doc_ctx *ctx, const char *id, const json_t *patch, json_t **out,
                      bss_errinfo *ei)
{
    const bss_doc_kind *kind = ctx->kind;
    json_t *old = NULL, *doc = NULL;
    bss_doc_meta meta = {0};
    *out = NULL;
    if (!json_is_object(patch))
        return bss_fail(ei, BSS_E_INVALID, NULL, "a merge patch must be a JSON object");
    bss_err rc = bss_doc_load(ctx->db, kind, id, &old, &meta, ei);
    if (!rc && (rc = validate_patch(ctx, old, patch, &doc, ei)) && ei)
        more_problems(ctx, id, old, patch, ei);
    int changed = rc ? 0 : change_kind(kind, patch, old, doc);
    if (!rc && changed == 0) { /* nothing changed: nothing written */
        json_decref(doc);
        *out = old;
        return BSS_OK;
    }
    if (!rc)
        rc = bss_resource_update(ctx->db, kind->table, id, doc, ctx->now_ms, meta.row_version, NULL, ei);
    if (!rc)
        rc = refs_write(ctx, id, doc, ei);
    if (!rc && kind->after_store)
        rc = kind->after_store(ctx, id, doc, ei);
    if (!rc)
        rc = history(ctx, id, "patch", old, doc, ei);
    if (!rc && (changed & 1))
        rc = add_event(ctx, "AttributeValueChangeEvent", doc, ei);
    if (!rc && (changed & 2))
        rc = add_event(ctx, "StateChangeEvent", doc, ei);
    json_decref(old);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return BSS_OK;
}

bss_err bss_doc_delete(const bss_doc_ctx *ctx, const char *id, bss_errinfo *ei)
{
    const bss_doc_kind *kind = ctx->kind;
    json_t *old = NULL;
    bss_doc_meta meta = {0};
    bss_err rc = bss_doc_load(ctx->db, kind, id, &old, &meta, ei);
    if (!rc)
        rc = refs_guard(ctx, id, ei);
    if (!rc && kind->delete_guard)
        rc = kind->delete_guard(ctx, id, old, ei);
    if (!rc)
        rc = bss_resource_delete(ctx->db, kind->table, id, meta.row_version, ei);
    if (!rc)
        rc = refs_write(ctx, id, NULL, ei);
    if (!rc && kind->after_store)
        rc = kind->after_store(ctx, id, NULL, ei);
    if (!rc)
        rc = history(ctx, id, "delete", old, NULL, ei);
    if (!rc)
        rc = add_event(ctx, "DeleteEvent", old, ei);
    json_decref(old);
    return rc;
}

/* ---- member checks ---- */

const char *bss_doc_next_states(const char *const *names, const bool *row, int n, int from, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i == from || !row[i])
            continue;
        int w = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
    char list[256];
    snprintf(list, sizeof list, "%s", buf);
    if (used == 0)
        snprintf(buf, cap, "; %s is final", names[from]);
    else
        snprintf(buf, cap, "; from %s it may become: %s", names[from], list);
    return buf;
}

bss_err bss_doc_check_period(const json_t *vf, const char *path, bss_errinfo *ei)
{
    if (!vf || json_is_null(vf))
        return BSS_OK;
    if (!json_is_object(vf))
        return bss_fail(ei, BSS_E_INVALID, path, "%s must be an object {startDateTime, endDateTime}", path);
    char fs[160], fe[160];
    snprintf(fs, sizeof fs, "%s.startDateTime", path);
    snprintf(fe, sizeof fe, "%s.endDateTime", path);
    int64_t start = INT64_MIN, end = INT64_MAX;
    bss_err rc = bss_json_get_time(vf, "startDateTime", fs, false, &start, ei);
    if (!rc)
        rc = bss_json_get_time(vf, "endDateTime", fe, false, &end, ei);
    if (!rc && start > end)
        rc = bss_fail(ei, BSS_E_INVALID, fe, "%s is before %s", fe, fs);
    return rc;
}

/* The member obj[name] when present and not null, with its path prefix + name in path. */
static const json_t *member(const json_t *obj, const char *prefix, const char *name, char *path, size_t cap)
{
    const json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v))
        return NULL;
    snprintf(path, cap, "%.120s%s", prefix ? prefix : "", name);
    return v;
}

bss_err bss_doc_check_strings(const json_t *obj, const char *prefix, const char *const *names, bool nonempty,
                              bss_errinfo *ei)
{
    char path[160];
    for (; names && *names; names++) {
        const json_t *v = member(obj, prefix, *names, path, sizeof path);
        if (v && !json_is_string(v))
            return bss_fail(ei, BSS_E_INVALID, path, "%s must be a string", path);
        if (v && nonempty && json_string_length(v) == 0)
            return bss_fail(ei, BSS_E_INVALID, path, "%s must not be empty", path);
    }
    return BSS_OK;
}

bss_err bss_doc_check_bools(const json_t *obj, const char *prefix, const char *const *names, bss_errinfo *ei)
{
    char path[160];
    for (; names && *names; names++) {
        const json_t *v = member(obj, prefix, *names, path, sizeof path);
        if (v && !json_is_boolean(v))
            return bss_fail(ei, BSS_E_INVALID, path, "%s must be true or false", path);
    }
    return BSS_OK;
}

bss_err bss_doc_check_arrays(const json_t *obj, const char *prefix, const char *const *names, bss_errinfo *ei)
{
    char path[160];
    for (; names && *names; names++) {
        const json_t *v = member(obj, prefix, *names, path, sizeof path);
        if (v && !json_is_array(v))
            return bss_fail(ei, BSS_E_INVALID, path, "%s must be an array", path);
    }
    return BSS_OK;
}

bss_err bss_doc_check_names(const json_t *doc, bss_errinfo *ei)
{
    static const char *const strings[] = {"name",      "description",     "@type",
                                          "@baseType", "@schemaLocation", NULL};
    bss_err rc = bss_doc_check_strings(doc, "", strings, false, ei);
    const json_t *name = json_object_get(doc, "name");
    if (!rc && json_is_string(name) && json_string_length(name) == 0)
        rc = bss_fail(ei, BSS_E_INVALID, "name", "name must not be empty");
    return rc;
}

/* ---- hierarchies ---- */

bss_err bss_doc_walk_up(bss_db *db, const bss_doc_kind *kind, const char *start, const char *parent_path,
                        const char *self, int max_depth, const char *field, bss_doc_walk *out,
                        bss_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    if (strlen(start) > BSS_ID_MAX)
        return bss_fail(ei, BSS_E_INVALID, field, "%s: an id is at most %d characters", field, BSS_ID_MAX);
    if (self && strcmp(start, self) == 0) {
        out->cycle = true;
        return BSS_OK;
    }
    if (!db)
        return BSS_OK;
    char cur[BSS_ID_MAX + 1];
    memcpy(cur, start, strlen(start) + 1);
    while (out->steps < max_depth) {
        json_t *doc = NULL;
        bss_err rc = bss_doc_load(db, kind, cur, &doc, NULL, ei);
        if (rc == BSS_E_NOT_FOUND && out->steps == 0)
            return bss_fail(ei, rc, field, "%s: no %s with id %.64s", field, kind->name, cur);
        if (rc == BSS_E_NOT_FOUND)
            return BSS_OK; /* the chain ends at a parent that is gone */
        if (rc)
            return rc;
        out->steps++;
        const char *next = json_string_value(bss_json_path(doc, parent_path));
        size_t len = next ? strlen(next) : 0;
        bool more = next && len <= BSS_ID_MAX;
        if (more && self && strcmp(next, self) == 0)
            out->cycle = true;
        else if (more)
            memcpy(cur, next, len + 1);
        json_decref(doc);
        if (!more || out->cycle)
            return BSS_OK;
    }
    out->too_deep = true;
    return BSS_OK;
}
