/*
 * tmf_list.c: GET on a TMF collection (see tmf.h). Parses the query
 * (api/query.h), plans which attribute filters the store can run on typed
 * columns (db/resource.h) and which must be applied in memory, and renders
 * the page with X-Total-Count and X-Result-Count.
 *
 * Every list runs on a worker (bss_http_read): the loop parses the query
 * and sends the answer the worker built, so no list holds a loop.
 * Fast path (every filter pushed to SQL, no sort=): COUNT plus one page
 * query; stored documents are copied into the answer without parsing
 * unless fields= asks for a projection. Slow path (a filter on an untyped
 * member, a range on a text column, or sort=): reads every row the pushed
 * filters let through, at most BSS_TMF_MAX_SCAN, parses and matches each,
 * sorts, then pages.
 *
 * A kind holding personal data read by an audited key (bss_tmf_read_audit)
 * gets one access-audit row per document in the answer, queued after the
 * answer is sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/query.h"
#include "api/tmf.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/mem.h"

#define LIST_MAX_BYTES (64u << 20)

typedef struct list_plan {
    bss_res_filter push[BSS_RES_MAX_FILTERS];
    size_t npush;
    bool in_memory; /* some filter or the sort is left to memory */
} list_plan;

/* Whether the store can run filter f on column col exactly as the matcher would. */
static bool pushable(const bss_res_table *t, int col, const bss_query_filter *f)
{
    if (col == BSS_RES_COL_NONE)
        return false;
    bss_res_type type = col == BSS_RES_COL_ID ? BSS_RES_TEXT : t->columns[col].type;
    if (f->op == BSS_QOP_EQ)
        return f->nvalues <= BSS_RES_MAX_IN;
    /* text ranges depend on the backend's collation; booleans have no order */
    return f->nvalues == 1 && (type == BSS_RES_INT64 || type == BSS_RES_TIME);
}

static bss_err plan_list(const bss_res_table *t, const bss_query *q, list_plan *plan, bss_errinfo *ei)
{
    memset(plan, 0, sizeof *plan);
    plan->in_memory = q->nsort > 0;
    for (size_t i = 0; i < q->nfilters; i++) {
        const bss_query_filter *f = &q->filters[i];
        int col = bss_resource_column_of(t, f->attr);
        if (!pushable(t, col, f) || plan->npush == BSS_RES_MAX_FILTERS) {
            plan->in_memory = true;
            continue;
        }
        bss_res_filter *p = &plan->push[plan->npush++];
        p->column = col;
        p->op = (bss_res_op)f->op;
        p->nvalues = f->nvalues;
        for (size_t k = 0; k < f->nvalues; k++) {
            bss_err rc = bss_resource_filter_value(t, col, f->values[k], f->param, &p->values[k], ei);
            if (rc)
                return rc;
        }
    }
    return BSS_OK;
}

/* ---- fast path ---- */

typedef struct page_ctx {
    const bss_query *q;
    bss_buf *out;
    int64_t count;
    bss_buf *ids; /* '\n'-separated ids of the answer, for the access audit (NULL: not wanted) */
} page_ctx;

static bss_err note_id(page_ctx *pc, const char *id, size_t len)
{
    if (!pc->ids || !id)
        return BSS_OK;
    bss_err rc = bss_buf_append(pc->ids, id, len);
    return rc ? rc : bss_buf_append(pc->ids, "\n", 1);
}

static bss_err append_doc(page_ctx *pc, json_t *doc)
{
    const char *id = json_string_value(json_object_get(doc, "id"));
    if (id && note_id(pc, id, strlen(id)) != BSS_OK)
        return BSS_E_NOMEM;
    json_t *shown = bss_query_project(pc->q, doc);
    size_t len = 0;
    char *text = shown ? bss_json_dump(shown, &len) : NULL;
    json_decref(shown);
    if (!text)
        return BSS_E_NOMEM;
    bss_err rc = bss_buf_append(pc->out, pc->count ? "," : "", pc->count ? 1 : 0);
    if (!rc)
        rc = bss_buf_append(pc->out, text, len);
    bss_free(text);
    pc->count++;
    return rc;
}

static bss_err page_row(const bss_res_row *row, void *arg)
{
    page_ctx *pc = arg;
    if (!pc->q->has_fields) {
        if (note_id(pc, row->id, strlen(row->id)) != BSS_OK)
            return BSS_E_NOMEM;
        bss_err rc = bss_buf_append(pc->out, pc->count ? "," : "", pc->count ? 1 : 0);
        if (!rc)
            rc = bss_buf_append(pc->out, row->doc, row->doc_len);
        pc->count++;
        return rc;
    }
    json_t *doc;
    if (bss_json_parse(row->doc, row->doc_len, &doc, NULL) != BSS_OK)
        return BSS_E_INTERNAL;
    bss_err rc = append_doc(pc, doc);
    json_decref(doc);
    return rc;
}

/* ---- slow path: documents selected in memory ---- */

bss_err bss_tmf_docs_keep(bss_tmf_docs *d, json_t *doc)
{
    if (!bss_query_match(d->q, doc)) {
        json_decref(doc);
        return BSS_OK;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        json_t **grown = bss_realloc(d->docs, cap * sizeof *grown);
        if (!grown) {
            json_decref(doc);
            return BSS_E_NOMEM;
        }
        d->docs = grown;
        d->cap = cap;
    }
    d->docs[d->n++] = doc;
    return BSS_OK;
}

void bss_tmf_docs_free(bss_tmf_docs *d)
{
    for (size_t i = 0; i < d->n; i++)
        json_decref(d->docs[i]);
    bss_free(d->docs);
    d->docs = NULL;
    d->n = d->cap = 0;
}

typedef struct scan_ctx {
    bss_tmf_docs *d;
    int64_t scanned;
    uint64_t seen; /* bit i: some scanned document has filter i's first member */
} scan_ctx;

/* Members of every TMF resource, and so never unknown in a filter. */
static const char *const common_members[] = {
    "id",          "href",      "@type",     "@baseType", "@schemaLocation", "@referredType", "name",
    "description", "lifecycleStatus", "status", "state",  "validFor",        "lastUpdate",    "version",
    "relatedParty", "characteristic", "note",  "category", NULL,
};

static bool seg_is(const char *path, const char *seg)
{
    size_t n = strlen(seg);
    return strncmp(path, seg, n) == 0 && (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

/* Whether the kind declares the member (common, typed column, required, server-managed or a reference). */
static bool declared(const bss_doc_kind *kind, const char *seg)
{
    for (const char *const *m = common_members; *m; m++)
        if (strcmp(*m, seg) == 0)
            return true;
    for (size_t i = 0; kind->table && i < kind->table->ncolumns; i++)
        if (seg_is(kind->table->columns[i].path, seg))
            return true;
    for (const char *const *m = kind->required; m && *m; m++)
        if (seg_is(*m, seg))
            return true;
    for (const char *const *m = kind->server_managed; m && *m; m++)
        if (seg_is(*m, seg))
            return true;
    for (const bss_doc_ref *r = kind->refs; r && r->path; r++)
        if (seg_is(r->path, seg))
            return true;
    return false;
}

/*
 * A filter on a member that the kind does not declare and that no document
 * read has is a misspelling (?bogusfield=1), not a question whose answer is
 * []: 400 naming it. Known only when documents were read.
 */
static bss_err check_members(const bss_doc_kind *kind, const bss_query *q, const scan_ctx *sc, bss_errinfo *ei)
{
    if (sc->scanned == 0)
        return BSS_OK;
    for (size_t i = 0; i < q->nfilters && i < 64; i++) {
        const bss_query_filter *f = &q->filters[i];
        const char *seg = f->nsegs ? f->segs[0] : f->attr;
        if (!(sc->seen & (UINT64_C(1) << i)) && !declared(kind, seg))
            return bss_fail(ei, BSS_E_INVALID, f->param,
                            "no %s has a member '%s': '%s' filters on nothing (check the spelling)", kind->name,
                            seg, f->param);
    }
    return BSS_OK;
}

static bss_err scan_row(const bss_res_row *row, void *arg)
{
    scan_ctx *sc = arg;
    if (++sc->scanned > BSS_TMF_MAX_SCAN)
        return BSS_E_RANGE;
    json_t *doc;
    if (bss_json_parse(row->doc, row->doc_len, &doc, NULL) != BSS_OK)
        return BSS_E_INTERNAL;
    const bss_query *q = sc->d->q;
    for (size_t i = 0; i < q->nfilters && i < 64; i++) {
        const bss_query_filter *f = &q->filters[i];
        if (json_object_get(doc, f->nsegs ? f->segs[0] : f->attr))
            sc->seen |= UINT64_C(1) << i;
    }
    return bss_tmf_docs_keep(sc->d, doc);
}

static int sort_cmp(const void *a, const void *b, void *arg)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int c = bss_query_compare(arg, x, y);
    if (c)
        return c;
    /* rows came ordered by id: keep that order among equals */
    const char *ix = json_string_value(json_object_get(x, "id")),
               *iy = json_string_value(json_object_get(y, "id"));
    return strcmp(ix ? ix : "", iy ? iy : "");
}

/* The sorted page of d into the answer: *total = every selected document, *count = the page's. */
static bss_err page_docs(bss_tmf_docs *d, bss_buf *out, bss_buf *ids, int64_t *total, int64_t *count)
{
    const bss_query *q = d->q;
    if (q->nsort && d->n > 1) /* qsort_r wants a real array, even for nothing to sort */
        qsort_r(d->docs, d->n, sizeof *d->docs, sort_cmp, (void *)q);
    page_ctx pc = {.q = q, .out = out, .ids = ids};
    bss_err rc = BSS_OK;
    for (size_t i = (size_t)q->offset; !rc && i < d->n && pc.count < q->limit; i++)
        rc = append_doc(&pc, d->docs[i]);
    *total = (int64_t)d->n;
    *count = pc.count;
    return rc;
}

static bss_err list_slow(bss_db *db, const bss_doc_kind *kind, const list_plan *plan, bss_tmf_docs *d,
                         bss_errinfo *ei)
{
    scan_ctx sc = {.d = d};
    bss_err rc = bss_resource_list(db, kind->table, plan->push, plan->npush, 0, BSS_TMF_MAX_SCAN + 1, NULL,
                                   scan_row, &sc, ei);
    if (rc == BSS_E_UNSUPPORTED) /* shape too large for the store: scan everything */
        rc = bss_resource_list(db, kind->table, NULL, 0, 0, BSS_TMF_MAX_SCAN + 1, NULL, scan_row, &sc, ei);
    if (rc == BSS_E_RANGE)
        bss_fail(ei, rc, NULL,
                 "this query reads more than %d %s records: add a filter on id or an indexed attribute",
                 BSS_TMF_MAX_SCAN, kind->name);
    if (rc == BSS_OK)
        rc = check_members(kind, sc.d->q, &sc, ei);
    return rc;
}

static bss_err list_fast(bss_db *db, const bss_doc_kind *kind, const bss_query *q, const list_plan *plan,
                         bss_buf *out, bss_buf *ids, int64_t *total, int64_t *count, bss_errinfo *ei)
{
    page_ctx pc = {.q = q, .out = out, .ids = ids};
    bss_err rc = bss_resource_list(db, kind->table, plan->push, plan->npush, q->offset, q->limit, total,
                                   page_row, &pc, ei);
    *count = pc.count;
    return rc;
}

/*
 * A list on its way through a worker and back: every list runs there, so
 * that no request holds an event loop for what it asks (a page of large
 * documents, a filter or sort in memory over BSS_TMF_MAX_SCAN rows). The
 * loop only parses the query and, at the end, sends what the worker built.
 */
typedef struct list_job {
    const bss_doc_kind *kind;
    bss_query q;
    bss_tmf_collect_fn collect; /* NULL: the kind's table, planned from q */
    void *arg;
    void (*arg_free)(void *);
    bss_buf out, ids;
    bool audit; /* the answer's ids go to the access audit */
    int64_t total, count;
} list_job;

static list_job *list_job_new(bss_req *r, const bss_doc_kind *kind, bss_query *q)
{
    list_job *job = bss_calloc(1, sizeof *job);
    if (!job)
        return NULL;
    job->kind = kind;
    job->q = *q; /* moved: the arena comes along */
    memset(q, 0, sizeof *q);
    bss_buf_init(&job->out, LIST_MAX_BYTES);
    bss_buf_init(&job->ids, LIST_MAX_BYTES);
    job->audit = kind->personal_data && bss_tmf_read_audit.wants(r->who);
    return job;
}

static void list_job_free(list_job *job)
{
    if (!job)
        return;
    bss_query_free(&job->q);
    if (job->arg_free)
        job->arg_free(job->arg);
    bss_buf_free(&job->out);
    bss_buf_free(&job->ids);
    bss_free(job);
}

/* On a worker: the whole answer into job->out, "[...]". */
static bss_err list_work(bss_db *db, void *arg, bss_errinfo *ei)
{
    list_job *job = arg;
    bss_buf *ids = job->audit ? &job->ids : NULL;
    bss_buf_reset(&job->out);
    bss_buf_reset(&job->ids);
    bss_err rc = bss_buf_append(&job->out, "[", 1);
    if (rc)
        return rc;
    if (job->collect) {
        bss_tmf_docs d = {.q = &job->q};
        rc = job->collect(db, job->arg, &d, ei);
        if (!rc)
            rc = page_docs(&d, &job->out, ids, &job->total, &job->count);
        bss_tmf_docs_free(&d);
    } else {
        list_plan plan;
        rc = plan_list(job->kind->table, &job->q, &plan, ei);
        if (!rc && !plan.in_memory) {
            rc = list_fast(db, job->kind, &job->q, &plan, &job->out, ids, &job->total, &job->count, ei);
            if (rc == BSS_E_UNSUPPORTED) { /* the store cannot run this shape: in memory after all */
                plan.in_memory = true;
                bss_buf_reset(&job->out);
                bss_buf_reset(&job->ids);
                bss_errinfo_clear(ei);
                rc = bss_buf_append(&job->out, "[", 1);
            }
        }
        if (!rc && plan.in_memory) {
            bss_tmf_docs d = {.q = &job->q};
            rc = list_slow(db, job->kind, &plan, &d, ei);
            if (!rc)
                rc = page_docs(&d, &job->out, ids, &job->total, &job->count);
            bss_tmf_docs_free(&d);
        }
    }
    if (!rc)
        rc = bss_buf_append(&job->out, "]", 1);
    if (rc == BSS_E_TOO_BIG)
        bss_fail(ei, rc, "limit", "the answer would be over %u MiB: ask for fewer with limit", LIST_MAX_BYTES >> 20);
    else if (rc == BSS_E_NOMEM && ei->message[0] == '\0')
        bss_fail(ei, rc, NULL, "out of memory building the list");
    return rc;
}

/* Back on the loop: the answer, with its counts and the access audit of what it showed. */
static void list_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    list_job *job = arg;
    if (r && rc) {
        bss_http_send_error(r, rc, ei);
    } else if (r) {
        char num[24];
        snprintf(num, sizeof num, "%lld", (long long)job->total);
        bss_http_add_header(r, "X-Total-Count", num);
        snprintf(num, sizeof num, "%lld", (long long)job->count);
        bss_http_add_header(r, "X-Result-Count", num);
        bss_http_send_text(r, 200, BSS_TMF_JSON_CT, job->out.data, job->out.len);
        if (job->audit) /* the access audit of personal data: queued, not waited for */
            bss_tmf_read_audit.submit(r->app, r->who, "list", job->kind->name, job->ids.data, job->ids.len);
    }
    list_job_free(job);
}

void bss_tmf_list_collected(bss_req *r, bss_query *q, bss_tmf_collect_fn collect, void *arg,
                            void (*arg_free)(void *))
{
    list_job *job = list_job_new(r, bss_tmf_binding_of(r)->kind, q);
    if (!job) {
        bss_query_free(q);
        if (arg_free)
            arg_free(arg);
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return;
    }
    job->collect = collect;
    job->arg = arg;
    job->arg_free = arg_free;
    bss_http_read(r, list_work, job, list_done);
}

int bss_tmf_handle_list(bss_req *r)
{
    const bss_doc_kind *kind = bss_tmf_binding_of(r)->kind;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_query q;
    bss_err rc = bss_query_parse(r->query, r->query ? r->query_len : 0, &q, &ei);
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    list_plan plan; /* checked here, so a bad filter value is a 400 before any work is queued */
    rc = plan_list(kind->table, &q, &plan, &ei);
    if (rc) {
        bss_query_free(&q);
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    list_job *job = list_job_new(r, kind, &q);
    if (!job) {
        bss_query_free(&q);
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    bss_http_read(r, list_work, job, list_done);
    return 0;
}

void bss_tmf_send_page(bss_req *r, bss_err rc, const bss_errinfo *ei, int64_t total, json_t **page)
{
    if (!r)
        return;
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, ei);
        return;
    }
    char n[24];
    snprintf(n, sizeof n, "%lld", (long long)total);
    bss_http_add_header(r, "X-Total-Count", n);
    snprintf(n, sizeof n, "%zu", json_array_size(*page));
    bss_http_add_header(r, "X-Result-Count", n);
    bss_http_send_json(r, 200, *page);
    *page = NULL;
}
