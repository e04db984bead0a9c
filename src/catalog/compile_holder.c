/*
 * compile_holder.c: where compiled catalogs come from and how readers reach
 * them. Loading every catalog document (catalogs too: their markets) from
 * the store into a bss_catalog_source, the write-time check (load,
 * substitute the written document, compile), the holder that publishes
 * snapshots to lock-free readers, and the rebuilds (at start, and
 * coalesced on the worker pool after catalog writes).
 *
 * The holder's reader scheme. Each reader thread owns a slot in the holder
 * {nheld, gen, snap}: the slot holds one reference to the snapshot it last
 * used, found through a thread-local cache (holder uid, slot). Acquire on
 * the hot path is: nheld += 1 (seq_cst), then compare the holder's
 * generation with the slot's; equal -> return slot.snap. No lock, no shared
 * cache line written. Only when the generation changed does it take the
 * holder's mutex to move its reference to the current snapshot (unless it
 * is nested inside an outer acquire, which keeps the snapshot it has).
 * Release is nheld -= 1, and on the last one, if the generation moved, it
 * drops its reference under the mutex. Publish (under the mutex) swaps the
 * current snapshot, stores generation + 1 (seq_cst), then drops the
 * reference of every slot whose nheld is 0. Why a reader never sees a freed
 * snapshot: the writer stores gen then loads nheld, the reader stores nheld
 * then loads gen, all seq_cst; so either the writer sees nheld > 0 (and
 * leaves the slot alone) or the reader sees the new gen (and takes the slow
 * path under the mutex). Reference counts change only under the mutex; a
 * snapshot is freed when its last reference (the holder's or a slot's) goes.
 * Holder uids come from a process-wide counter, so a thread's cache never
 * mistakes a new holder for a destroyed one at the same address.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "catalog/catalog_int_compile.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"

void bss_catalog_source_init(bss_catalog_source *src)
{
    src->offerings = json_array();
    src->prices = json_array();
    src->specifications = json_array();
    src->zone_tables = json_array();
    src->timeband_plans = json_array();
    src->promotions = json_array();
    src->versions = json_array();
    src->catalogs = json_array();
    src->focus_kind = src->focus_id = NULL;
}

void bss_catalog_source_clear(bss_catalog_source *src)
{
    json_t **all[] = {&src->offerings,      &src->prices,     &src->specifications, &src->zone_tables,
                      &src->timeband_plans, &src->promotions, &src->versions,       &src->catalogs};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        json_decref(*all[i]);
        *all[i] = NULL;
    }
}

typedef struct load_acc {
    json_t *arr;
    bss_errinfo *ei;
} load_acc;

static bss_err load_row(const bss_res_row *row, void *arg)
{
    load_acc *acc = arg;
    json_t *doc = NULL;
    bss_err rc = bss_json_parse(row->doc, row->doc_len, &doc, acc->ei);
    if (rc == BSS_OK && json_array_append_new(acc->arr, doc) != 0)
        rc = bss_fail(acc->ei, BSS_E_NOMEM, NULL, "out of memory loading the catalog");
    return rc;
}

/* Appends every stored document of kind, in id order, to arr (none when its table does not exist yet). */
static bss_err load_docs(bss_db *db, const bss_doc_kind *kind, json_t *arr, bss_errinfo *ei)
{
    bool exists = false;
    bss_err rc = bss_db_table_exists(db, kind->table->name, &exists, ei);
    if (rc != BSS_OK || !exists)
        return rc;
    if ((rc = bss_resource_table_prepare(kind->table)) != BSS_OK)
        return bss_fail(ei, rc, NULL, "bad table descriptor %s", kind->table->name);
    load_acc acc = {arr, ei};
    return bss_resource_list(db, kind->table, NULL, 0, 0, -1, NULL, load_row, &acc, ei);
}

static bss_err version_row(const bss_catalog_version_row *v, void *arg)
{
    load_acc *acc = arg;
    json_t *doc = NULL;
    bss_err rc = bss_json_parse(v->doc, v->doc_len, &doc, acc->ei);
    if (rc != BSS_OK)
        return rc;
    json_t *row = json_pack("{s:s, s:s, s:I, s:I, s:o}", "kind", v->kind, "id", v->id, "version",
                            (json_int_t)v->version, "validFrom", (json_int_t)v->valid_from_ms, "doc", doc);
    if (row && v->valid_to_ms != BSS_CATALOG_NO_END)
        json_object_set_new(row, "validTo", json_integer(v->valid_to_ms));
    if (!row || json_array_append_new(acc->arr, row) != 0)
        return bss_fail(acc->ei, BSS_E_NOMEM, NULL, "out of memory loading the catalog");
    return BSS_OK;
}

static bss_err load_versions(bss_db *db, json_t *arr, bss_errinfo *ei)
{
    bool exists = false;
    bss_err rc = bss_db_table_exists(db, "tmf620_version", &exists, ei);
    if (rc != BSS_OK || !exists)
        return rc;
    load_acc acc = {arr, ei};
    return bss_catalog_versions_list(db, NULL, NULL, version_row, &acc, ei);
}

bss_err bss_catalog_load(bss_db *db, bss_catalog_source *src, bss_errinfo *ei)
{
    if (!src->offerings || !src->prices || !src->specifications || !src->zone_tables ||
        !src->timeband_plans || !src->promotions || !src->versions || !src->catalogs)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory loading the catalog");
    bss_err rc = load_docs(db, &bss_zone_table_kind, src->zone_tables, ei);
    if (rc == BSS_OK)
        rc = load_docs(db, &bss_timeband_plan_kind, src->timeband_plans, ei);
    if (rc == BSS_OK)
        rc = load_docs(db, &bss_spec_kind, src->specifications, ei);
    if (rc == BSS_OK)
        rc = load_docs(db, &bss_offering_price_kind, src->prices, ei);
    if (rc == BSS_OK)
        rc = load_docs(db, &bss_offering_kind, src->offerings, ei);
    if (rc == BSS_OK)
        rc = load_docs(db, &bss_promotion_kind, src->promotions, ei);
    if (rc == BSS_OK)
        rc = load_docs(db, &bss_catalog_kind, src->catalogs, ei);
    if (rc == BSS_OK)
        rc = load_versions(db, src->versions, ei);
    return rc;
}

static json_t *source_array(bss_catalog_source *src, const char *kind)
{
    static const struct {
        const char *kind;
        size_t offset;
    } kinds[] = {
        {"productOffering", offsetof(bss_catalog_source, offerings)},
        {"productOfferingPrice", offsetof(bss_catalog_source, prices)},
        {"productSpecification", offsetof(bss_catalog_source, specifications)},
        {"zoneTable", offsetof(bss_catalog_source, zone_tables)},
        {"timeBandPlan", offsetof(bss_catalog_source, timeband_plans)},
        {"promotion", offsetof(bss_catalog_source, promotions)},
        {"catalog", offsetof(bss_catalog_source, catalogs)},
    };
    for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kind, kinds[i].kind) == 0)
            return *(json_t **)((char *)src + kinds[i].offset);
    return NULL;
}

/* Puts doc (with id) in place of the document with that id, or removes it (doc NULL). */
static bss_err substitute(json_t *arr, const char *id, const json_t *doc, bss_errinfo *ei)
{
    for (size_t i = json_array_size(arr); i-- > 0;) {
        const char *other = json_string_value(json_object_get(json_array_get(arr, i), "id"));
        if (other && strcmp(other, id) == 0)
            json_array_remove(arr, i);
    }
    if (!doc)
        return BSS_OK;
    json_t *copy = json_deep_copy(doc);
    if (!copy || json_object_set_new(copy, "id", json_string(id)) != 0 ||
        json_array_append_new(arr, copy) != 0) {
        json_decref(copy);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory checking the catalog");
    }
    return BSS_OK;
}

bss_err bss_catalog_check_write(bss_db *db, const char *kind, const char *id, const json_t *doc,
                                bss_errinfo *ei)
{
    bss_catalog_source src;
    bss_catalog_source_init(&src);
    bss_err rc = bss_catalog_load(db, &src, ei);
    json_t *arr = source_array(&src, kind);
    if (rc == BSS_OK && (!arr || !id))
        rc = bss_fail(ei, BSS_E_INVALID, NULL, "unknown catalog kind '%s'", kind ? kind : "");
    if (rc == BSS_OK)
        rc = substitute(arr, id, doc, ei);
    src.focus_kind = kind;
    src.focus_id = id;
    bss_catalog *cat = NULL;
    if (rc == BSS_OK && (rc = bss_catalog_compile(&src, &cat, ei)) == BSS_OK)
        bss_catalog_free(cat);
    bss_catalog_source_clear(&src);
    return rc;
}

/* ---- the holder ---- */

typedef struct slot {
    pthread_t owner;
    atomic_int nheld;
    uint64_t gen;                /* written by the owner thread only */
    _Atomic(bss_catalog *) snap; /* changed under the mutex */
    struct slot *next;
} slot;

struct bss_catalog_holder {
    uint64_t uid;
    pthread_mutex_t mu;
    _Atomic uint64_t gen;
    bss_catalog *current;
    slot *slots;
    atomic_int rebuild_state; /* 0 idle, 1 running, 2 running + one more wanted */
};

static atomic_uint_fast64_t holder_uids = 1;
static _Thread_local struct {
    uint64_t uid;
    slot *s;
} tl_cache;

bss_catalog_holder *bss_catalog_holder_create(void)
{
    bss_catalog_holder *h = bss_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    if (pthread_mutex_init(&h->mu, NULL) != 0) {
        bss_free(h);
        return NULL;
    }
    h->uid = atomic_fetch_add(&holder_uids, 1);
    return h;
}

/* Drops one reference (under the mutex); frees the snapshot with its last. */
static void drop(bss_catalog *cat)
{
    if (cat && --cat->refs == 0)
        bss_catalog_free(cat);
}

void bss_catalog_holder_destroy(bss_catalog_holder *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    for (slot *s = h->slots, *next; s; s = next) {
        next = s->next;
        drop(atomic_load(&s->snap));
        bss_free(s);
    }
    drop(h->current);
    pthread_mutex_unlock(&h->mu);
    pthread_mutex_destroy(&h->mu);
    bss_free(h);
}

void bss_catalog_publish(bss_catalog_holder *h, bss_catalog *cat)
{
    pthread_mutex_lock(&h->mu);
    uint64_t gen = atomic_load(&h->gen) + 1;
    bss_catalog *old = h->current;
    cat->generation = gen;
    cat->refs = 1;
    h->current = cat;
    atomic_store(&h->gen, gen); /* seq_cst: before reading any slot's nheld */
    for (slot *s = h->slots; s; s = s->next) {
        bss_catalog *c = atomic_load(&s->snap);
        if (c && c != cat && atomic_load(&s->nheld) == 0) {
            atomic_store(&s->snap, NULL);
            drop(c);
        }
    }
    drop(old);
    pthread_mutex_unlock(&h->mu);
}

/* This thread's slot in h (under the mutex), created on first use. */
static slot *own_slot(bss_catalog_holder *h)
{
    pthread_t self = pthread_self();
    for (slot *s = h->slots; s; s = s->next)
        if (pthread_equal(s->owner, self))
            return s;
    slot *s = bss_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->owner = self;
    s->gen = UINT64_MAX;
    s->next = h->slots;
    h->slots = s;
    return s;
}

static const bss_catalog *acquire_slow(bss_catalog_holder *h, slot *s)
{
    pthread_mutex_lock(&h->mu);
    if (!s) {
        if (!(s = own_slot(h))) {
            pthread_mutex_unlock(&h->mu);
            return NULL;
        }
        tl_cache.uid = h->uid;
        tl_cache.s = s;
        atomic_fetch_add(&s->nheld, 1);
    }
    bss_catalog *mine = atomic_load(&s->snap), *cur = h->current;
    if (mine != cur && atomic_load(&s->nheld) == 1) { /* not nested: move to the current snapshot */
        drop(mine);
        if (cur)
            cur->refs++;
        atomic_store(&s->snap, cur);
        mine = cur;
    }
    if (mine == cur)
        s->gen = atomic_load(&h->gen);
    if (!mine)
        atomic_fetch_sub(&s->nheld, 1);
    pthread_mutex_unlock(&h->mu);
    return mine;
}

const bss_catalog *bss_catalog_acquire(bss_catalog_holder *h)
{
    if (!h)
        return NULL;
    slot *s = tl_cache.uid == h->uid ? tl_cache.s : NULL;
    if (s) {
        atomic_fetch_add(&s->nheld, 1); /* seq_cst: before reading the generation */
        if (s->gen == atomic_load(&h->gen)) {
            bss_catalog *c = atomic_load_explicit(&s->snap, memory_order_relaxed);
            if (!c)
                atomic_fetch_sub(&s->nheld, 1);
            return c;
        }
    }
    return acquire_slow(h, s);
}

void bss_catalog_release(bss_catalog_holder *h, const bss_catalog *cat)
{
    if (!h || !cat)
        return;
    slot *s = tl_cache.uid == h->uid ? tl_cache.s : NULL;
    if (!s) {
        pthread_mutex_lock(&h->mu);
        s = own_slot(h);
        pthread_mutex_unlock(&h->mu);
        if (!s)
            return;
    }
    if (atomic_fetch_sub(&s->nheld, 1) == 1 && s->gen != atomic_load(&h->gen)) {
        pthread_mutex_lock(&h->mu);
        bss_catalog *c = atomic_load(&s->snap);
        if (atomic_load(&s->nheld) == 0 && c && c != h->current) {
            atomic_store(&s->snap, NULL);
            drop(c);
        }
        pthread_mutex_unlock(&h->mu);
    }
}

/* ---- rebuilds ---- */

bss_err bss_catalog_build(bss_db *db, bss_catalog **out, bss_errinfo *ei)
{
    *out = NULL;
    bss_catalog_source src;
    bss_catalog_source_init(&src);
    bss_err rc = bss_catalog_load(db, &src, ei);
    if (rc == BSS_OK)
        rc = bss_catalog_compile(&src, out, ei);
    bss_catalog_source_clear(&src);
    return rc;
}

bss_err bss_catalog_rebuild_db(bss_app *app, bss_db *db, bss_errinfo *ei)
{
    int64_t t0 = bss_monotonic_ms();
    bss_catalog *cat = NULL;
    bss_err rc = bss_catalog_build(db, &cat, ei);
    if (rc == BSS_OK && !app->catalog && !(app->catalog = bss_catalog_holder_create()))
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory creating the catalog holder");
    if (rc != BSS_OK) {
        bss_catalog_free(cat);
        bss_log(BSS_LOG_ERROR, "catalog.rebuild", "error", bss_errname(rc), "field", ei ? ei->field : "",
                "message", ei ? ei->message : "", NULL);
        return rc;
    }
    size_t n = cat->nids;
    bool first = atomic_load(&app->catalog->gen) == 0; /* nothing published yet: the start-up build */
    bss_catalog_publish(app->catalog, cat);
    /* the start-up build at info; the rebuilds after catalog writes (coalesced per batch) at debug */
    bss_logf(first ? BSS_LOG_INFO : BSS_LOG_DEBUG, "catalog.rebuild", "offerings=%zu ms=%lld", n,
             (long long)(bss_monotonic_ms() - t0));
    return BSS_OK;
}

bss_err bss_catalog_rebuild(bss_app *app, bss_errinfo *ei)
{
    bss_db *db = NULL;
    bss_err rc = bss_db_open(app->cfg.db_url, &app->dbopt, &db, ei);
    if (rc == BSS_OK)
        rc = bss_catalog_rebuild_db(app, db, ei);
    bss_db_close(db);
    return rc;
}

static bss_err rebuild_job(bss_db *db, void *arg, bss_errinfo *ei)
{
    return bss_catalog_rebuild_db(arg, db, ei);
}

static void rebuild_done(void *arg, bss_err rc, const bss_errinfo *ei)
{
    bss_app *app = arg;
    bss_catalog_holder *h = app->catalog;
    if (rc == BSS_E_BUSY)
        bss_log(BSS_LOG_WARN, "catalog.rebuild", "error", "BUSY", "message", ei ? ei->message : "", NULL);
    for (;;) {
        int st = atomic_load(&h->rebuild_state);
        if (st == 2 && atomic_compare_exchange_weak(&h->rebuild_state, &st, 1)) {
            bss_workers_submit(app->workers, rebuild_job, app, rebuild_done);
            return;
        }
        if (st == 0 || (st == 1 && atomic_compare_exchange_weak(&h->rebuild_state, &st, 0)))
            return;
    }
}

void bss_catalog_rebuild_async(bss_app *app)
{
    bss_catalog_holder *h = app->catalog;
    if (!h || !app->workers) {
        bss_log(BSS_LOG_WARN, "catalog.rebuild", "error", "no catalog holder or workers", NULL);
        return;
    }
    for (;;) {
        int st = atomic_load(&h->rebuild_state);
        if (st == 0 && atomic_compare_exchange_weak(&h->rebuild_state, &st, 1)) {
            bss_workers_submit(app->workers, rebuild_job, app, rebuild_done);
            return;
        }
        if (st == 2 || (st == 1 && atomic_compare_exchange_weak(&h->rebuild_state, &st, 2)))
            return;
    }
}
