/*
 * catalog_io.c: catalog export and declarative import (catalog.h: the catalog file). The
 * kinds table below is the one place that knows which document kind holds
 * each member of the file and in which order they are imported; every
 * write goes through the generic document write paths (doc/doc.h) and so
 * through the kind's prepare hook and event, exactly as a REST call would.
 * Also here: the TMF620 importJob and exportJob kinds and the background
 * run of an import job.
 */
#include "catalog/catalog.h"

#include <stdio.h>
#include <string.h>

#include "core/id.h"
#include "core/json.h"
#include "core/time.h"
#include "core/log.h"
#include "core/mem.h"

typedef struct kind_row {
    const char *member;       /* member of the file */
    const bss_doc_kind *kind; /* its name is the one of reports and errors */
} kind_row;

/* Import order: what a document refers to comes first (offerings name categories, catalogs name categories).
 */
static const kind_row kinds[] = {
    {"zoneTables", &bss_zone_table_kind},      {"timeBandPlans", &bss_timeband_plan_kind},
    {"productSpecifications", &bss_spec_kind}, {"productOfferingPrices", &bss_offering_price_kind},
    {"categories", &bss_category_kind},        {"productOfferings", &bss_offering_kind},
    {"catalogs", &bss_catalog_kind},           {"promotions", &bss_promotion_kind},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* The order of members in an export (readable: catalogs first, as the issue lists them). */
static const char *const export_order[] = {"catalogs",         "categories",    "productSpecifications",
                                           "zoneTables",       "timeBandPlans", "productOfferingPrices",
                                           "productOfferings", "promotions"};

/* Members the server manages: never exported, never compared. */
static bool server_managed(const char *key)
{
    return strcmp(key, "href") == 0 || strcmp(key, "lastUpdate") == 0 || strcmp(key, "version") == 0;
}

static bool export_stripped(const char *key)
{
    return strcmp(key, "href") == 0 || strcmp(key, "lastUpdate") == 0;
}

/* ---- export -------------------------------------------------------------- */

typedef struct export_acc {
    json_t *list;
    bss_err rc;
} export_acc;

static bss_err export_row(const bss_res_row *row, void *arg)
{
    export_acc *acc = arg;
    json_t *doc = NULL;
    if (bss_json_parse(row->doc, row->doc_len, &doc, NULL) != BSS_OK)
        return BSS_OK; /* an unreadable row cannot be exported; the REST API shows it as stored */
    json_t *out = json_object();
    const char *key;
    json_t *val;
    int bad = !out;
    json_object_foreach(doc, key, val)
    {
        if (!bad && !export_stripped(key))
            bad = json_object_set(out, key, val);
    }
    if (bad || json_array_append_new(acc->list, out)) {
        json_decref(doc);
        return acc->rc = BSS_E_NOMEM;
    }
    json_decref(doc);
    return BSS_OK;
}

static const kind_row *kind_by_member(const char *member)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (strcmp(kinds[i].member, member) == 0)
            return &kinds[i];
    return NULL;
}

bss_err bss_catalog_export(bss_db *db, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    json_t *doc = json_object();
    if (!doc || json_object_set_new(doc, "format", json_string(BSS_CATALOG_FORMAT))) {
        json_decref(doc);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < sizeof export_order / sizeof export_order[0]; i++) {
        const kind_row *k = kind_by_member(export_order[i]);
        export_acc acc = {json_array(), BSS_OK};
        if (!acc.list || json_object_set_new(doc, k->member, acc.list)) {
            json_decref(doc);
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        }
        bss_err rc = bss_resource_table_prepare(k->kind->table);
        if (!rc)
            rc = bss_resource_list(db, k->kind->table, NULL, 0, 0, -1, NULL, export_row, &acc, ei);
        if (rc) {
            json_decref(doc);
            return rc == BSS_E_NOMEM ? bss_fail(ei, rc, NULL, "out of memory exporting %s", k->member) : rc;
        }
    }
    *out = doc;
    return BSS_OK;
}

char *bss_catalog_export_text(const json_t *doc, size_t *len)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    if (!text)
        return NULL;
    size_t n = strlen(text);
    char *out = bss_realloc(text, n + 2);
    if (!out) {
        bss_free(text);
        return NULL;
    }
    out[n] = '\n';
    out[n + 1] = '\0';
    if (len)
        *len = n + 1;
    return out;
}

/* ---- validation ---------------------------------------------------------- */

bss_err bss_catalog_validate(const json_t *doc, bss_errinfo *ei)
{
    if (!json_is_object(doc))
        return bss_fail(ei, BSS_E_INVALID, NULL, "a catalog file is a JSON object {\"format\": \"%s\", ...}",
                        BSS_CATALOG_FORMAT);
    const char *format = json_string_value(json_object_get(doc, "format"));
    if (!format || strcmp(format, BSS_CATALOG_FORMAT) != 0)
        return bss_fail(ei, BSS_E_INVALID, "format", "format must be \"%s\"", BSS_CATALOG_FORMAT);
    const char *key;
    json_t *list;
    json_object_foreach((json_t *)doc, key, list)
    {
        if (strcmp(key, "format") == 0)
            continue;
        if (!kind_by_member(key))
            return bss_fail(
                ei, BSS_E_INVALID, key,
                "%.60s is not a member of a catalog file (catalogs, categories, productSpecifications, "
                "zoneTables, timeBandPlans, productOfferingPrices, productOfferings, promotions)",
                key);
        if (!json_is_array(list))
            return bss_fail(ei, BSS_E_INVALID, key, "%s must be an array of documents", key);
        size_t i;
        json_t *d;
        json_array_foreach(list, i, d)
        {
            char at[96];
            snprintf(at, sizeof at, "%s[%zu].id", key, i);
            const json_t *id = json_object_get(d, "id");
            if (!json_is_object(d) || !json_is_string(id) || json_string_length(id) == 0 ||
                json_string_length(id) > BSS_ID_MAX)
                return bss_fail(ei, BSS_E_INVALID, at, "%s must be a string of 1 to %d characters", at,
                                BSS_ID_MAX);
            for (size_t k = 0; k < i; k++)
                if (json_equal(id, json_object_get(json_array_get(list, k), "id")))
                    return bss_fail(ei, BSS_E_INVALID, at, "%s repeats id %s", at, json_string_value(id));
        }
    }
    return BSS_OK;
}

/* ---- ordering inside one kind -------------------------------------------- */

/* Whether v (any depth) holds a member "id" or "parentId" equal to target, other than the top-level id. */
static bool refers_to(const json_t *v, const char *target, bool top)
{
    if (json_is_array(v)) {
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e) if (refers_to(e, target, false)) return true;
        return false;
    }
    if (!json_is_object(v))
        return false;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)v, key, val)
    {
        bool idish = strcmp(key, "parentId") == 0 || (!top && strcmp(key, "id") == 0);
        if (idish && json_is_string(val) && strcmp(json_string_value(val), target) == 0)
            return true;
        if ((json_is_object(val) || json_is_array(val)) && refers_to(val, target, false))
            return true;
    }
    return false;
}

/*
 * The order to write list's documents in: one that refers to another of
 * the list comes after it (Kahn's algorithm; documents in a cycle keep
 * file order at the end, and their prepare hooks will say what is wrong).
 */
static bss_err order_docs(const json_t *list, size_t *order, bss_errinfo *ei)
{
    size_t n = json_array_size(list);
    bool *done = bss_calloc(n ? n : 1, sizeof *done);
    if (!done)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    size_t placed = 0;
    bool progress = true;
    while (placed < n && progress) {
        progress = false;
        for (size_t i = 0; i < n; i++) {
            if (done[i])
                continue;
            bool ready = true;
            for (size_t j = 0; j < n && ready; j++) {
                const char *other = json_string_value(json_object_get(json_array_get(list, j), "id"));
                if (j != i && !done[j] && refers_to(json_array_get(list, i), other, true))
                    ready = false;
            }
            if (ready) {
                done[i] = true;
                order[placed++] = i;
                progress = true;
            }
        }
    }
    for (size_t i = 0; i < n && placed < n; i++)
        if (!done[i])
            order[placed++] = i;
    bss_free(done);
    return BSS_OK;
}

/* ---- diff and patch ------------------------------------------------------ */

/*
 * JSON equality where numbers compare by value (15 equals 15.0): a file
 * written by another tool (JavaScript drops ".0") must not count as a change.
 */
static bool same(const json_t *a, const json_t *b)
{
    if (!a || !b)
        return a == b;
    if (json_is_number(a) && json_is_number(b)) {
        if (json_is_integer(a) && json_is_integer(b))
            return json_integer_value(a) == json_integer_value(b);
        return json_number_value(a) == json_number_value(b);
    }
    if (json_typeof(a) != json_typeof(b))
        return false;
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!same(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    if (json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)a, key, val)
        {
            if (!same(val, json_object_get(b, key)))
                return false;
        }
        return true;
    }
    return json_equal((json_t *)a, (json_t *)b);
}

/* Whether doc has versions before this one (its "version" above 1). */
static bool has_history(const json_t *doc)
{
    const char *v = json_string_value(json_object_get(doc, "version"));
    return v && strcmp(v, "1") != 0 && strcmp(v, "") != 0;
}

/*
 * The merge patch that turns old into want (server-managed top-level
 * members ignored); NULL on OOM.
 *
 * The start of a versioned document's validity (version 2 and later) was
 * set by the server when it made the current version, and the history
 * before it ends there. A file that leaves it out, or gives a start that is
 * not later (typically the document's first start, as the file was first
 * written), keeps the stored one, so importing a file again writes nothing
 * and never rewrites history. A later start is the file's: the effective
 * date of a new version when a priced member changes too (versions.c
 * refuses it otherwise).
 */
static json_t *make_patch_in(const json_t *old, const json_t *want, bool top, bool keep_start);

static json_t *make_patch(const json_t *old, const json_t *want, bool top)
{
    return make_patch_in(old, want, top, false);
}

/* Whether the instant text a is not later than b (both RFC 3339); false when either is not one. */
static bool not_later(const json_t *a, const json_t *b)
{
    int64_t ta, tb;
    return json_is_string(a) && json_is_string(b) &&
           bss_time_parse(json_string_value(a), json_string_length(a), &ta, NULL) == BSS_OK &&
           bss_time_parse(json_string_value(b), json_string_length(b), &tb, NULL) == BSS_OK && ta <= tb;
}

static json_t *make_patch_in(const json_t *old, const json_t *want, bool top, bool keep_start)
{
    json_t *patch = json_object();
    if (!patch)
        return NULL;
    const char *key;
    json_t *val;
    int bad = 0;
    json_object_foreach((json_t *)want, key, val)
    {
        if (top && (server_managed(key) || strcmp(key, "id") == 0))
            continue;
        const json_t *was = json_object_get(old, key);
        if (was && same(was, val))
            continue;
        if (keep_start && strcmp(key, "startDateTime") == 0 && not_later(val, was))
            continue;
        bool start_kept = top && strcmp(key, "validFor") == 0 && has_history(old);
        if (json_is_object(was) && json_is_object(val) && json_object_size(val) > 0) {
            json_t *sub = make_patch_in(was, val, false, start_kept);
            if (sub && json_object_size(sub) == 0) {
                json_decref(sub);
                continue;
            }
            bad = bad || json_object_set_new(patch, key, sub);
        } else {
            bad = bad || json_object_set_new(patch, key, json_deep_copy(val));
        }
    }
    json_object_foreach((json_t *)old, key, val)
    {
        if (top && (server_managed(key) || strcmp(key, "@type") == 0))
            continue;
        if (top && strcmp(key, "validFor") == 0 && has_history(old))
            continue; /* the file does not say: the current version's start stays */
        if (keep_start && strcmp(key, "startDateTime") == 0)
            continue;
        if (!json_object_get(want, key))
            bad = bad || json_object_set_new(patch, key, json_null());
    }
    if (bad) {
        json_decref(patch);
        return NULL;
    }
    return patch;
}

/* The top-level member names of doc that differ from before (server-managed ones ignored). */
static json_t *changed_members(const json_t *before, const json_t *after)
{
    json_t *names = json_array();
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)after, key, val)
    {
        if (server_managed(key))
            continue;
        if (!same(val, json_object_get(before, key)))
            json_array_append_new(names, json_string(key));
    }
    json_object_foreach((json_t *)before, key, val)
    {
        if (!server_managed(key) && !json_object_get(after, key))
            json_array_append_new(names, json_string(key));
    }
    return names;
}

/* ---- import -------------------------------------------------------------- */

typedef struct import_state {
    bss_db *db;
    const bss_catalog_import_opts *opts;
    json_t *created, *updated;
    int64_t unchanged;
} import_state;

static bss_err record(json_t *list, const kind_row *k, const char *id, json_t *changes)
{
    json_t *e = json_pack("{s:s, s:s}", "kind", k->kind->name, "id", id);
    if (!e || (changes && json_object_set_new(e, "changes", changes)) || json_array_append_new(list, e)) {
        json_decref(e);
        return BSS_E_NOMEM;
    }
    return BSS_OK;
}

static bss_err import_one(import_state *st, const kind_row *k, const json_t *want, bss_errinfo *ei)
{
    const char *id = json_string_value(json_object_get(want, "id"));
    bss_doc_ctx ctx = {k->kind, st->db, st->opts->now_ms, st->opts->base_url, st->opts->who, NULL, "import", false, NULL};
    json_t *old = NULL, *out = NULL;
    bss_err rc = bss_doc_load(st->db, k->kind, id, &old, NULL, ei);
    if (rc == BSS_E_NOT_FOUND) {
        rc = bss_doc_create(&ctx, id, want, &out, ei);
        json_decref(out);
        return rc ? rc : record(st->created, k, id, NULL);
    }
    if (rc)
        return rc;
    json_t *patch = make_patch(old, want, true);
    if (!patch) {
        json_decref(old);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    if (json_object_size(patch) == 0) {
        st->unchanged++;
    } else if (!(rc = bss_doc_patch(&ctx, id, patch, &out, ei))) {
        json_t *changes = changed_members(old, out);
        if (!changes)
            rc = BSS_E_NOMEM;
        else if (json_array_size(changes) == 0) { /* the hook normalised the difference away */
            json_decref(changes);
            st->unchanged++;
        } else {
            rc = record(st->updated, k, id, changes);
        }
    }
    json_decref(out);
    json_decref(patch);
    json_decref(old);
    return rc;
}

static bss_err import_kind(import_state *st, const kind_row *k, const json_t *list, bss_errinfo *ei)
{
    size_t n = json_array_size(list);
    if (n == 0)
        return BSS_OK;
    size_t *order = bss_calloc(n, sizeof *order);
    if (!order)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = order_docs(list, order, ei);
    for (size_t i = 0; !rc && i < n; i++) {
        const json_t *want = json_array_get(list, order[i]);
        rc = import_one(st, k, want, ei);
        if (rc)
            bss_errinfo_at(ei, rc, k->member, order[i], k->kind->name,
                           json_string_value(json_object_get(want, "id")));
    }
    bss_free(order);
    return rc;
}

static bss_err import_all(import_state *st, const json_t *doc, bss_errinfo *ei)
{
    bss_err rc = BSS_OK;
    for (size_t i = 0; !rc && i < NKINDS; i++) {
        rc = bss_resource_table_prepare(kinds[i].kind->table);
        if (!rc)
            rc = import_kind(st, &kinds[i], json_object_get(doc, kinds[i].member), ei);
    }
    return rc;
}

bss_err bss_catalog_import(bss_db *db, const json_t *doc, const bss_catalog_import_opts *opts,
                           json_t **report, bss_errinfo *ei)
{
    *report = NULL;
    bss_err rc = bss_catalog_validate(doc, ei);
    if (rc)
        return rc;
    import_state st = {db, opts, json_array(), json_array(), 0};
    if (!st.created || !st.updated) {
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    } else if (opts->dry_run) {
        rc = bss_db_savepoint(db, "catalog_dry_run", ei);
        if (!rc) {
            bss_err run = import_all(&st, doc, ei);
            bss_err back = bss_db_rollback_to(db, "catalog_dry_run", NULL);
            bss_err rel = bss_db_release(db, "catalog_dry_run", NULL);
            rc = run ? run : back ? back : rel;
        }
    } else {
        rc = import_all(&st, doc, ei);
    }
    if (!rc) {
        *report = json_pack("{s:b, s:O, s:O, s:I}", "dryRun", opts->dry_run, "created", st.created, "updated",
                            st.updated, "unchanged", (json_int_t)st.unchanged);
        if (!*report)
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    json_decref(st.created);
    json_decref(st.updated);
    return rc;
}

/* ---- through the writer -------------------------------------------------- */

typedef struct import_job {
    const json_t *doc;
    bss_catalog_import_opts opts;
    json_t *report;
} import_job;

static bss_err import_job_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    import_job *job = arg;
    json_decref(job->report); /* a batch retry runs the job again */
    job->report = NULL;
    return bss_catalog_import(db, job->doc, &job->opts, &job->report, ei);
}

bss_err bss_catalog_import_run(bss_app *app, const json_t *doc, bool dry_run, const char *base_url,
                               const struct bss_principal *who, json_t **report, bss_errinfo *ei)
{
    *report = NULL;
    bss_err rc = bss_catalog_validate(doc, ei); /* cheap checks before queueing */
    if (rc)
        return rc;
    if (!app->writer)
        return bss_fail(ei, BSS_E_INTERNAL, NULL, "catalog import needs the writer");
    import_job job = {doc, {dry_run, bss_clock_now(&app->clock), base_url ? base_url : app->base_url, who}, NULL};
    rc = bss_writer_run(app->writer, import_job_run, &job, ei);
    if (rc) {
        json_decref(job.report);
        return rc;
    }
    bool wrote = json_array_size(json_object_get(job.report, "created")) > 0 ||
                 json_array_size(json_object_get(job.report, "updated")) > 0;
    if (!dry_run && wrote && app->catalog)
        bss_catalog_rebuild_async(app);
    *report = job.report;
    return BSS_OK;
}

/* ---- TMF620 importJob and exportJob -------------------------------------- */

static const bss_res_column job_columns[] = {{"status", "status", BSS_RES_TEXT}};

static bss_res_table import_job_table = {.name = "tmf620_import_job", .columns = job_columns, .ncolumns = 1};
static bss_res_table export_job_table = {.name = "tmf620_export_job", .columns = job_columns, .ncolumns = 1};

const bss_doc_kind bss_import_job_kind = {
    .api = "productCatalogManagement",
    .path = BSS_TMF620_BASE "/importJob",
    .name = "importJob",
    .type = "ImportJob",
    .status_field = "status",
    .table = &import_job_table,
};

const bss_doc_kind bss_export_job_kind = {
    .api = "productCatalogManagement",
    .path = BSS_TMF620_BASE "/exportJob",
    .name = "exportJob",
    .type = "ExportJob",
    .status_field = "status",
    .table = &export_job_table,
};

bss_err bss_catalog_import_job_body(const json_t *req, int64_t now_ms, json_t **body, json_t **content,
                                    bss_errinfo *ei)
{
    *body = *content = NULL;
    const json_t *c = json_object_get(req, "content");
    const json_t *ct = json_object_get(req, "contentType");
    if (!json_is_object(c))
        return bss_fail(ei, BSS_E_INVALID, "content", "content must be the catalog document (an object)");
    if (ct && !json_is_null(ct) && (!json_is_string(ct) || strcmp(json_string_value(ct), "application/json")))
        return bss_fail(ei, BSS_E_INVALID, "contentType", "contentType must be application/json");
    bss_err rc = bss_catalog_validate(c, ei);
    if (rc) { /* the path is the job's: "content.productOfferings[3].id" */
        bss_errinfo_prefix_field(ei, "content");
        return rc;
    }
    char *text = bss_json_dump(c, NULL);
    json_t *b = json_pack("{s:s, s:s, s:I}", "status", "Running", "contentType", "application/json",
                          "contentSize", (json_int_t)(text ? strlen(text) : 0));
    bss_free(text);
    if (!b || bss_json_set_time(b, "creationDate", now_ms) != 0) {
        json_decref(b);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    *body = b;
    *content = json_incref((json_t *)c);
    return BSS_OK;
}

bss_err bss_catalog_export_job_body(const char *url, int64_t now_ms, json_t **body, bss_errinfo *ei)
{
    json_t *b =
        json_pack("{s:s, s:s, s:s}", "status", "Succeeded", "contentType", "application/json", "url", url);
    if (!b || bss_json_set_time(b, "creationDate", now_ms) ||
        bss_json_set_time(b, "completionDate", now_ms)) {
        json_decref(b);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    *body = b;
    return BSS_OK;
}

typedef struct job_patch {
    const bss_app *app;
    const char *id;
    const char *base_url;
    const json_t *patch;
} job_patch;

static bss_err job_patch_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    job_patch *jp = arg;
    bss_doc_ctx ctx = {&bss_import_job_kind, db, bss_clock_now(&jp->app->clock), jp->base_url, NULL, NULL, "import job", false, NULL};
    json_t *out = NULL;
    bss_err rc = bss_doc_patch(&ctx, jp->id, jp->patch, &out, ei);
    json_decref(out);
    return rc;
}

bss_err bss_catalog_import_job_finish(bss_app *app, const char *job_id, const json_t *content,
                                      const char *base_url, const struct bss_principal *who, bss_errinfo *ei)
{
    bss_errinfo iei;
    bss_errinfo_clear(&iei);
    json_t *report = NULL;
    bss_err rc = bss_catalog_import_run(app, content, false, base_url, who, &report, &iei);
    json_t *patch = json_object();
    int bad = !patch || json_object_set_new(patch, "status", json_string(rc ? "Failed" : "Succeeded")) ||
              bss_json_set_time(patch, "completionDate", bss_clock_now(&app->clock));
    if (!bad && rc)
        bad = json_object_set_new(patch, "errorLog",
                                  json_pack("{s:s, s:s, s:s}", "code", bss_errname(rc), "message",
                                            iei.message, "field", iei.field));
    else if (!bad)
        bad = json_object_set_new(patch, "report", report ? json_incref(report) : json_null());
    json_decref(report);
    if (bad) {
        json_decref(patch);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    job_patch jp = {app, job_id, base_url, patch};
    bss_err wrc = bss_writer_run(app->writer, job_patch_run, &jp, ei);
    json_decref(patch);
    if (rc)
        bss_log(BSS_LOG_WARN, "catalog.import_job", "id", job_id, "error", iei.message, "field", iei.field,
                NULL);
    return wrc;
}
