/*
 * engine.c: the resident lines (charging.h "The resident lines"): what
 * bss_charging_line_load reads from three JSON documents and two lists
 * (the number's product, its offering, its add-ons, its account's bill
 * cycle), kept in memory on the writer's thread between requests, so that
 * an online update or a CDR chunk reads only the buckets from the store.
 *
 * Two tables, both open addressing over arrays (no per-entry allocation):
 *  - ids: every product and account id a resident line names, interned to
 *    a 32-bit number with a generation. A change to the product, to one of
 *    its add-ons or to the account (bss_db_changed, from the write itself)
 *    bumps the generation: O(1), no scan of the lines;
 *  - lines: by number (its digits as an integer, their count in the top
 *    byte, so 0031... and 031... differ), each holding the generations it
 *    was read at; a line whose generations moved is read again.
 *
 * What is read inside a transaction is only known to be committed when
 * the connection says so: lines read since the last commit are forgotten
 * on any rollback (a job's savepoint or the whole batch), so a line never
 * keeps what an undone write showed it. A new catalog snapshot drops every
 * line (they point into the old one), and so does reaching the most lines
 * the table may hold (memory stays bounded; the next requests read again).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "charging/charging_int.h"
#include "core/log.h"
#include "core/mem.h"
#include "customer/customer.h"
#include "order/order.h"

#define LINE_ADDONS 4 /* lines with more add-ons are read every time */

typedef struct ref {
    uint32_t id, gen;
} ref;

typedef struct line {
    uint64_t key; /* 0: never filled */
    int64_t span_from_ms, span_to_ms;
    int64_t activated_ms, spending_cap_micros;
    const bss_offering *offering;
    const bss_offering *addons[LINE_ADDONS];
    ref product, account, addon_products[LINE_ADDONS];
    uint8_t naddons, bill_cycle_day;
    bool valid;
    char status[16];
    char currency[4];
} line;

typedef struct id_entry {
    uint32_t off, len, gen, hash;
} id_entry;

struct bss_lines {
    size_t max_lines;
    const bss_catalog *cat;
    uint64_t cat_gen;
    /* ids */
    char *text;
    size_t text_len, text_cap;
    id_entry *ids;
    size_t nids, ids_cap;
    uint32_t *id_slots; /* index + 1; 0 empty */
    size_t id_mask;
    /* lines */
    line *lines;
    size_t nlines, lines_cap;
    uint32_t *line_slots;
    size_t line_mask;
    /* read since the last commit */
    uint32_t *fresh;
    size_t nfresh, fresh_cap;
    bss_db_listener listener;
    bool verify; /* every hit compared with a fresh load */
    _Atomic int64_t hits, misses, forgotten, resets, resident, mismatches;
};

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h ? h : 1;
}

static uint32_t hash_key(uint64_t k)
{
    k ^= k >> 33;
    k *= UINT64_C(0xff51afd7ed558ccd);
    k ^= k >> 33;
    return (uint32_t)k;
}

/* The number as a key: E.164 digits (6..15) without '+'. 0 when it is not one. */
static uint64_t number_key(const char *msisdn)
{
    const char *d = msisdn && msisdn[0] == '+' ? msisdn + 1 : msisdn;
    size_t n = d ? strlen(d) : 0;
    if (n < 6 || n > 15)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] < '0' || d[i] > '9')
            return 0;
        v = v * 10 + (uint64_t)(d[i] - '0');
    }
    return v | (uint64_t)n << 56;
}

/* ---- ids ---- */

static const char *id_text(const bss_lines *t, uint32_t i)
{
    return t->text + t->ids[i].off;
}

/* The id's number, or -1 when it is not interned (and intern is false, or memory ran out). */
static int64_t id_find(bss_lines *t, const char *s, bool intern)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > BSS_ID_MAX || !t->id_slots)
        return -1;
    uint32_t h = hash_bytes(s, n);
    size_t k = h & t->id_mask;
    for (; t->id_slots[k]; k = (k + 1) & t->id_mask) {
        const id_entry *e = &t->ids[t->id_slots[k] - 1];
        if (e->hash == h && e->len == n && memcmp(t->text + e->off, s, n) == 0)
            return t->id_slots[k] - 1;
    }
    if (!intern)
        return -1;
    if ((t->nids + 1) * 2 > t->id_mask + 1) { /* grow the slots, keep them half empty */
        size_t cap = (t->id_mask + 1) * 2;
        uint32_t *slots = bss_calloc(cap, sizeof *slots);
        if (!slots)
            return -1;
        for (size_t i = 0; i < t->nids; i++) {
            size_t j = t->ids[i].hash & (cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = (uint32_t)i + 1;
        }
        bss_free(t->id_slots);
        t->id_slots = slots;
        t->id_mask = cap - 1;
        for (k = h & t->id_mask; t->id_slots[k]; k = (k + 1) & t->id_mask)
            ;
    }
    if (t->nids == t->ids_cap) {
        size_t cap = t->ids_cap ? t->ids_cap * 2 : 1024;
        id_entry *ids = bss_realloc(t->ids, cap * sizeof *ids);
        if (!ids)
            return -1;
        t->ids = ids;
        t->ids_cap = cap;
    }
    if (t->text_len + n + 1 > t->text_cap) {
        size_t cap = t->text_cap ? t->text_cap * 2 : 65536;
        while (cap < t->text_len + n + 1)
            cap *= 2;
        char *text = bss_realloc(t->text, cap);
        if (!text)
            return -1;
        t->text = text;
        t->text_cap = cap;
    }
    memcpy(t->text + t->text_len, s, n + 1);
    t->ids[t->nids] = (id_entry){.off = (uint32_t)t->text_len, .len = (uint32_t)n, .gen = 1, .hash = h};
    t->text_len += n + 1;
    t->id_slots[k] = (uint32_t)t->nids + 1;
    return (int64_t)t->nids++;
}

static void id_bump(bss_lines *t, const char *s)
{
    int64_t i = id_find(t, s, false);
    if (i >= 0)
        t->ids[i].gen++;
}

static bool ref_of(bss_lines *t, const char *s, ref *out)
{
    int64_t i = id_find(t, s, true);
    if (i < 0)
        return false;
    *out = (ref){(uint32_t)i, t->ids[i].gen};
    return true;
}

static bool ref_current(const bss_lines *t, ref r)
{
    return t->ids[r.id].gen == r.gen;
}

/* ---- the tables ---- */

static void reset(bss_lines *t)
{
    bss_free(t->text);
    bss_free(t->ids);
    bss_free(t->id_slots);
    bss_free(t->lines);
    bss_free(t->line_slots);
    t->text = NULL;
    t->ids = NULL;
    t->lines = NULL;
    t->text_len = t->text_cap = t->nids = t->ids_cap = t->nlines = t->lines_cap = t->nfresh = 0;
    t->id_slots = bss_calloc(1024, sizeof *t->id_slots);
    t->id_mask = t->id_slots ? 1023 : 0;
    t->line_slots = bss_calloc(1024, sizeof *t->line_slots);
    t->line_mask = t->line_slots ? 1023 : 0;
    atomic_store(&t->resident, 0);
}

static void on_changed(void *arg, const char *table, const char *id, const struct json_t *doc)
{
    bss_lines *t = arg;
    if (strcmp(table, bss_product_kind.table->name) == 0) {
        id_bump(t, id);
        /* a new or changed add-on names its account: the account's lines look at their add-ons again */
        id_bump(t, json_string_value(json_object_get(json_object_get(doc, "billingAccount"), "id")));
    } else if (strcmp(table, bss_billing_account_kind.table->name) == 0) {
        id_bump(t, id);
    }
}

static void on_committed(void *arg)
{
    ((bss_lines *)arg)->nfresh = 0;
}

static void on_rolled_back(void *arg)
{
    bss_lines *t = arg;
    for (size_t i = 0; i < t->nfresh; i++)
        if (t->lines[t->fresh[i]].valid) {
            t->lines[t->fresh[i]].valid = false;
            atomic_fetch_add_explicit(&t->forgotten, 1, memory_order_relaxed);
        }
    t->nfresh = 0;
}

bss_lines *bss_lines_new(size_t max_lines, bool verify)
{
    bss_lines *t = bss_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->verify = verify;
    t->max_lines = max_lines ? max_lines : BSS_LINES_DEFAULT_MAX;
    reset(t);
    if (!t->id_slots || !t->line_slots) {
        bss_lines_free(t);
        return NULL;
    }
    t->listener = (bss_db_listener){on_changed, on_committed, on_rolled_back, t};
    return t;
}

void bss_lines_free(bss_lines *t)
{
    if (!t)
        return;
    bss_free(t->text);
    bss_free(t->ids);
    bss_free(t->id_slots);
    bss_free(t->lines);
    bss_free(t->line_slots);
    bss_free(t->fresh);
    bss_free(t);
}

const bss_db_listener *bss_lines_listener(bss_lines *t)
{
    return t ? &t->listener : NULL;
}

void bss_lines_get_stats(bss_lines *t, bss_lines_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!t)
        return;
    out->resident = atomic_load(&t->resident);
    out->hits = atomic_load(&t->hits);
    out->misses = atomic_load(&t->misses);
    out->forgotten = atomic_load(&t->forgotten);
    out->resets = atomic_load(&t->resets);
    out->mismatches = atomic_load(&t->mismatches);
}

static line *line_find(bss_lines *t, uint64_t key, size_t *slot)
{
    size_t k = hash_key(key) & t->line_mask;
    for (; t->line_slots[k]; k = (k + 1) & t->line_mask)
        if (t->lines[t->line_slots[k] - 1].key == key)
            return &t->lines[t->line_slots[k] - 1];
    *slot = k;
    return NULL;
}

/* A new line's place (its slot found by line_find), NULL when memory ran out. */
static line *line_add(bss_lines *t, uint64_t key, size_t slot)
{
    if ((t->nlines + 1) * 2 > t->line_mask + 1) {
        size_t cap = (t->line_mask + 1) * 2;
        uint32_t *slots = bss_calloc(cap, sizeof *slots);
        if (!slots)
            return NULL;
        for (size_t i = 0; i < t->nlines; i++) {
            size_t j = hash_key(t->lines[i].key) & (cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = (uint32_t)i + 1;
        }
        bss_free(t->line_slots);
        t->line_slots = slots;
        t->line_mask = cap - 1;
        for (slot = hash_key(key) & t->line_mask; t->line_slots[slot]; slot = (slot + 1) & t->line_mask)
            ;
    }
    if (t->nlines == t->lines_cap) {
        size_t cap = t->lines_cap ? t->lines_cap * 2 : 1024;
        line *lines = bss_realloc(t->lines, cap * sizeof *lines);
        if (!lines)
            return NULL;
        t->lines = lines;
        t->lines_cap = cap;
    }
    line *e = &t->lines[t->nlines];
    memset(e, 0, sizeof *e);
    e->key = key;
    t->line_slots[slot] = (uint32_t)++t->nlines;
    atomic_store(&t->resident, (int64_t)t->nlines);
    return e;
}

static bool remember_fresh(bss_lines *t, uint32_t i)
{
    if (t->nfresh == t->fresh_cap) {
        size_t cap = t->fresh_cap ? t->fresh_cap * 2 : 256;
        uint32_t *f = bss_realloc(t->fresh, cap * sizeof *f);
        if (!f)
            return false;
        t->fresh = f;
        t->fresh_cap = cap;
    }
    t->fresh[t->nfresh++] = i;
    return true;
}

static bool usable(const bss_lines *t, const line *e, int64_t at_ms)
{
    if (!e->valid || at_ms < e->span_from_ms || at_ms >= e->span_to_ms || !ref_current(t, e->product) ||
        !ref_current(t, e->account))
        return false;
    for (size_t i = 0; i < e->naddons; i++)
        if (!ref_current(t, e->addon_products[i]))
            return false;
    return true;
}

/* Keeps what l's load read (l loaded at this moment of the transaction). */
static void keep(bss_lines *t, line *e, const bss_charging_line *l)
{
    e->valid = false;
    if (l->naddons > LINE_ADDONS || !l->offering || !l->account_id[0] || !ref_of(t, l->product_id, &e->product) ||
        !ref_of(t, l->account_id, &e->account))
        return;
    for (size_t i = 0; i < l->naddons; i++) {
        if (!ref_of(t, l->addon_ids[i], &e->addon_products[i]))
            return;
        e->addons[i] = l->addons[i];
    }
    if (!remember_fresh(t, (uint32_t)(e - t->lines)))
        return;
    e->naddons = (uint8_t)l->naddons;
    e->span_from_ms = l->span_from_ms;
    e->span_to_ms = l->span_to_ms;
    e->activated_ms = l->activated_ms;
    e->spending_cap_micros = l->spending_cap_micros;
    e->offering = l->offering;
    e->bill_cycle_day = (uint8_t)l->bill_cycle_day;
    snprintf(e->status, sizeof e->status, "%s", l->status);
    snprintf(e->currency, sizeof e->currency, "%s", l->currency);
    e->valid = true;
}

/* The first member in which the kept line a differs from the line just read b, NULL when none. */
static const char *differs(const bss_charging_line *a, const bss_charging_line *b)
{
    if (strcmp(a->product_id, b->product_id) != 0)
        return "product";
    if (strcmp(a->account_id, b->account_id) != 0)
        return "billingAccount";
    if (strcmp(a->status, b->status) != 0)
        return "status";
    if (a->offering != b->offering)
        return "productOffering";
    if (a->naddons != b->naddons)
        return "addOns";
    for (size_t i = 0; i < a->naddons; i++)
        if (a->addons[i] != b->addons[i] || strcmp(a->addon_ids[i], b->addon_ids[i]) != 0)
            return "addOns";
    if (a->activated_ms != b->activated_ms)
        return "startDate";
    if (a->spending_cap_micros != b->spending_cap_micros)
        return "spendingCap";
    if (a->bill_cycle_day != b->bill_cycle_day)
        return "billCycleDay";
    if (strcmp(a->currency, b->currency) != 0)
        return "currency";
    if (memcmp(a->line.usage, b->line.usage, sizeof a->line.usage) != 0)
        return "usagePrices";
    return NULL;
}

/* l as bss_charging_line_load leaves it, before the usage prices and the buckets. */
static void fill(const bss_lines *t, const line *e, const bss_catalog *cat, const char *digits, bss_charging_line *l)
{
    memset(l, 0, sizeof *l);
    l->cat = cat;
    snprintf(l->msisdn, sizeof l->msisdn, "%s", digits);
    snprintf(l->product_id, sizeof l->product_id, "%s", id_text(t, e->product.id));
    snprintf(l->account_id, sizeof l->account_id, "%s", id_text(t, e->account.id));
    snprintf(l->status, sizeof l->status, "%s", e->status);
    l->offering = e->offering;
    snprintf(l->offering_id, sizeof l->offering_id, "%s", bss_offering_id(e->offering));
    snprintf(l->offering_version, sizeof l->offering_version, "%s", bss_offering_version(e->offering));
    snprintf(l->currency, sizeof l->currency, "%s", e->currency);
    l->activated_ms = e->activated_ms;
    l->spending_cap_micros = e->spending_cap_micros;
    l->bill_cycle_day = e->bill_cycle_day;
    for (size_t i = 0; i < e->naddons; i++) {
        l->addons[i] = e->addons[i];
        snprintf(l->addon_ids[i], sizeof l->addon_ids[i], "%s", id_text(t, e->addon_products[i].id));
    }
    l->naddons = e->naddons;
    l->span_from_ms = e->span_from_ms;
    l->span_to_ms = e->span_to_ms;
}

bss_err bss_lines_get(bss_lines *t, bss_db *db, const bss_catalog *cat, const char *msisdn, int64_t at_ms,
                      bool buckets, bss_charging_line *l, bss_errinfo *ei)
{
    /* only on the connection whose changes t hears (the writer's), inside its transaction; an
     * unpublished catalog (a draft, a re-rating's) is not the one lines are kept for */
    if (!bss_db_heard_by(db, t) || !bss_db_in_tx(db))
        return bss_charging_line_load(db, cat, msisdn, at_ms, l, ei);
    uint64_t key = number_key(msisdn);
    uint64_t gen = cat ? bss_catalog_generation(cat) : 0;
    if (!key || gen == 0 || !t->id_slots || !t->line_slots)
        return bss_charging_line_load(db, cat, msisdn, at_ms, l, ei);
    if (cat != t->cat || gen != t->cat_gen || t->nlines >= t->max_lines) {
        if (t->nlines)
            atomic_fetch_add_explicit(&t->resets, 1, memory_order_relaxed);
        reset(t);
        t->cat = cat;
        t->cat_gen = gen;
        if (!t->id_slots || !t->line_slots)
            return bss_charging_line_load(db, cat, msisdn, at_ms, l, ei);
    }
    size_t slot = 0;
    line *e = line_find(t, key, &slot);
    if (e && usable(t, e, at_ms)) {
        atomic_fetch_add_explicit(&t->hits, 1, memory_order_relaxed);
        fill(t, e, cat, msisdn[0] == '+' ? msisdn + 1 : msisdn, l);
        bss_charging_line_at(l, at_ms);
        if (t->verify) {
            bss_charging_line *fresh = bss_calloc(1, sizeof *fresh);
            if (!fresh)
                return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
            bss_err rc = bss_charging_line_load(db, cat, msisdn, at_ms, fresh, ei);
            const char *what = rc == BSS_OK ? differs(l, fresh) : "found";
            if (what) {
                atomic_fetch_add_explicit(&t->mismatches, 1, memory_order_relaxed);
                bss_log(BSS_LOG_ERROR, "charging.lines.mismatch", "msisdn", l->msisdn, "member", what, NULL);
                e->valid = false;
            }
            if (rc == BSS_OK && what) {
                memcpy(l, fresh, sizeof *l);
                keep(t, e, l);
            }
            bss_free(fresh);
            if (rc != BSS_OK)
                return rc;
            if (what)
                return BSS_OK; /* the load read the buckets too */
        }
        return buckets ? bss_charging_line_buckets(db, l, at_ms, ei) : BSS_OK;
    }
    atomic_fetch_add_explicit(&t->misses, 1, memory_order_relaxed);
    bss_err rc = bss_charging_line_load(db, cat, msisdn, at_ms, l, ei);
    if (rc != BSS_OK)
        return rc;
    if (!e)
        e = line_add(t, key, slot);
    if (e)
        keep(t, e, l);
    return BSS_OK;
}
