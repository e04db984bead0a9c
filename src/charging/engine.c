/*
 * engine.c: the resident lines (charging.h "The resident lines"): what
 * bss_charging_line_load reads from the store (the number's product from its
 * typed columns, its offering, its add-ons' documents, its account's bill
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

/* A bucket of a resident line: what the rating core takes (bss_rate_bucket), packed; reserved is the holds'. */
typedef struct rbucket {
    int64_t valid_from_ms, valid_to_ms, value, initial, used;
    const bss_price *allowance;
    ref id;
    int16_t priority;
    uint8_t service, source;
    bool unlimited;
    char unit[7]; /* a currency, s, msg, byte, event */
} rbucket;

static void pack(rbucket *r, const bss_rate_bucket *b)
{
    r->valid_from_ms = b->valid_from_ms;
    r->valid_to_ms = b->valid_to_ms;
    r->value = b->value;
    r->initial = b->initial;
    r->used = b->used;
    r->allowance = b->allowance;
    r->priority = (int16_t)b->priority;
    r->service = (uint8_t)b->service;
    r->source = (uint8_t)b->source;
    r->unlimited = b->unlimited;
}

static void unpack(const rbucket *r, bss_rate_bucket *b)
{
    *b = (bss_rate_bucket){.service = (bss_service)r->service, .source = (bss_bucket_source)r->source,
                           .priority = r->priority, .valid_from_ms = r->valid_from_ms, .valid_to_ms = r->valid_to_ms,
                           .value = r->value, .initial = r->initial, .used = r->used, .unlimited = r->unlimited,
                           .allowance = r->allowance};
}

/* Whether b packs without loss (a priority beyond 16 bits, a unit beyond 6 characters: kept in the store only). */
static bool packable(const bss_rate_bucket *b, const char *unit)
{
    return b->priority >= INT16_MIN && b->priority <= INT16_MAX && (unsigned)b->service <= UINT8_MAX &&
           (unsigned)b->source <= UINT8_MAX && strlen(unit) < 7;
}

/* An active hold on one of them. */
typedef struct rhold {
    int64_t amount, expires_ms;
    char *source_id; /* bss_strdup'd: a session's id, a TMF654 reservation's */
    char id[BSS_ID_LEN + 1];
    uint8_t k;
    bool session; /* source_kind 'session' */
} rhold;

typedef struct line {
    uint64_t key; /* 0: never filled */
    rbucket *bk; /* has_buckets: nbk of them, in the store's order */
    rhold *holds;
    uint16_t nholds, capholds;
    uint8_t nbk;
    bool has_buckets;
    int64_t span_from_ms, span_to_ms;
    int64_t activated_ms, spending_cap_micros;
    const bss_offering *offering;
    const bss_offering *addons[LINE_ADDONS];
    ref product, account, addon_products[LINE_ADDONS];
    uint8_t naddons, bill_cycle_day;
    bool valid;
    char status[24];
    char currency[4];
} line;

/* A resident session: online charging's record of an open session (session.c packs it), by id. */
typedef struct rsession {
    struct rsession *next; /* in its hash chain */
    uint32_t hash;
    uint16_t id_len;
    uint32_t len;   /* of the record after the id and its NUL */
    char data[];    /* id, NUL, record */
} rsession;

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
    uint32_t cur;     /* index + 1 of the line bss_lines_get gave last in this transaction; 0 none */
    bool cur_filled;  /* bss_lines_buckets filled that line's buckets from what is kept */
    /* sessions */
    rsession **sess;
    size_t sess_mask, nsess;
    char **sess_fresh; /* ids kept since the last commit (bss_strdup'd): forgotten on a rollback */
    size_t nsess_fresh, sess_fresh_cap;
    bss_db_listener listener;
    bool verify; /* every hit compared with a fresh load */
    /* line documents heard changing: odd while a transaction holds a product or account change not yet
     * committed, moved on at its first such change and at its end (bss_lines_heard) */
    _Atomic uint64_t heard;
    bool heard_dirty;
    _Atomic int64_t sessions, session_hits, session_misses;
    _Atomic int64_t hits, misses, forgotten, resets, resident, mismatches, bucket_hits, bucket_misses;
    _Atomic int64_t bytes; /* what the tables hold, as of the last bss_lines_measure */
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

/* Open-addressing slots (index + 1, 0 empty) twice the size of *mask + 1, for n entries hashed by hash(t, i). */
static bool rehash(const bss_lines *t, uint32_t **slots, size_t *mask, size_t n,
                   uint32_t (*hash)(const bss_lines *t, size_t i))
{
    size_t cap = (*mask + 1) * 2;
    uint32_t *s = bss_calloc(cap, sizeof *s);
    if (!s)
        return false;
    for (size_t i = 0; i < n; i++) {
        size_t j = hash(t, i) & (cap - 1);
        while (s[j])
            j = (j + 1) & (cap - 1);
        s[j] = (uint32_t)i + 1;
    }
    bss_free(*slots);
    *slots = s;
    *mask = cap - 1;
    return true;
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

static uint32_t id_hash(const bss_lines *t, size_t i)
{
    return t->ids[i].hash;
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
        if (!rehash(t, &t->id_slots, &t->id_mask, t->nids, id_hash))
            return -1;
        for (k = h & t->id_mask; t->id_slots[k]; k = (k + 1) & t->id_mask)
            ;
    }
    if (!bss_grow(&t->ids, &t->ids_cap, t->nids, sizeof *t->ids, 1024, UINT32_MAX))
        return -1;
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

static void free_buckets(line *e)
{
    for (size_t i = 0; i < e->nholds; i++)
        bss_free(e->holds[i].source_id);
    bss_free(e->holds);
    bss_free(e->bk);
    e->holds = NULL;
    e->bk = NULL;
    e->nholds = e->capholds = 0;
    e->nbk = 0;
    e->has_buckets = false;
}

static void reset(bss_lines *t)
{
    for (size_t i = 0; i < t->nlines; i++)
        free_buckets(&t->lines[i]);
    t->cur = 0;
    t->cur_filled = false;
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

/* ---- sessions ---- */

static rsession **sess_slot(bss_lines *t, const char *id, size_t n, uint32_t h)
{
    rsession **p = &t->sess[h & t->sess_mask];
    while (*p && !((*p)->hash == h && (*p)->id_len == n && memcmp((*p)->data, id, n) == 0))
        p = &(*p)->next;
    return p;
}

static void sess_clear(bss_lines *t)
{
    for (size_t i = 0; t->sess && i <= t->sess_mask; i++)
        for (rsession *e = t->sess[i], *next; e; e = next) {
            next = e->next;
            bss_free(e);
        }
    bss_free(t->sess);
    t->sess = NULL;
    t->sess_mask = t->nsess = 0;
    atomic_store(&t->sessions, 0);
}

static void sess_fresh_clear(bss_lines *t)
{
    for (size_t i = 0; i < t->nsess_fresh; i++)
        bss_free(t->sess_fresh[i]);
    t->nsess_fresh = 0;
}

/* true when id was kept (and is no longer) */
static bool sess_drop(bss_lines *t, const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (!t->sess || n == 0 || n > BSS_CC_SESSION_ID_MAX)
        return false;
    rsession **p = sess_slot(t, id, n, hash_bytes(id, n));
    if (!*p)
        return false;
    rsession *e = *p;
    *p = e->next;
    bss_free(e);
    t->nsess--;
    atomic_store(&t->sessions, (int64_t)t->nsess);
    return true;
}

/* The chains, empty, when there are none yet: false when memory ran out. */
static bool sess_init(bss_lines *t)
{
    if (!t->sess && (t->sess = bss_calloc(1024, sizeof *t->sess)) != NULL)
        t->sess_mask = 1023;
    return t->sess != NULL;
}

/* Twice the chains, when there are more sessions than chains; false when memory ran out (the old ones stay). */
static bool sess_grow(bss_lines *t)
{
    size_t cap = (t->sess_mask + 1) * 2;
    rsession **c = bss_calloc(cap, sizeof *c);
    if (!c)
        return false;
    for (size_t i = 0; i <= t->sess_mask; i++)
        for (rsession *e = t->sess[i], *next; e; e = next) {
            next = e->next;
            e->next = c[e->hash & (cap - 1)];
            c[e->hash & (cap - 1)] = e;
        }
    bss_free(t->sess);
    t->sess = c;
    t->sess_mask = cap - 1;
    return true;
}

bool bss_lines_session(bss_lines *t, bss_db *db, const char *id, const void **rec, size_t *len)
{
    size_t n = id ? strlen(id) : 0;
    if (!t || !bss_db_heard_by(db, t) || !bss_db_in_tx(db) || n == 0 || n > BSS_CC_SESSION_ID_MAX)
        return false;
    rsession *e = t->sess ? *sess_slot(t, id, n, hash_bytes(id, n)) : NULL;
    if (!e) {
        atomic_fetch_add_explicit(&t->session_misses, 1, memory_order_relaxed);
        return false;
    }
    atomic_fetch_add_explicit(&t->session_hits, 1, memory_order_relaxed);
    *rec = e->data + e->id_len + 1;
    *len = e->len;
    return true;
}

void bss_lines_session_keep(bss_lines *t, bss_db *db, const char *id, const void *rec, size_t len)
{
    size_t n = id ? strlen(id) : 0;
    if (!t || !bss_db_heard_by(db, t) || !bss_db_in_tx(db) || n == 0 || n > BSS_CC_SESSION_ID_MAX ||
        len > UINT32_MAX)
        return;
    /* the job's write may yet be rolled back: its id is remembered to forget it then */
    char *copy = bss_strdup(id);
    if (!copy || !bss_grow(&t->sess_fresh, &t->sess_fresh_cap, t->nsess_fresh, sizeof *t->sess_fresh, 64,
                       SIZE_MAX / sizeof *t->sess_fresh)) {
        bss_free(copy);
        sess_drop(t, id);
        return;
    }
    t->sess_fresh[t->nsess_fresh++] = copy;
    if (!sess_init(t))
        return;
    uint32_t h = hash_bytes(id, n);
    rsession **p = sess_slot(t, id, n, h);
    if (!*p && t->nsess >= t->max_lines) { /* bounded: the next requests read their sessions again */
        atomic_fetch_add_explicit(&t->resets, 1, memory_order_relaxed);
        sess_clear(t);
        if (!sess_init(t))
            return;
        p = sess_slot(t, id, n, h);
    }
    rsession *e = bss_malloc(sizeof *e + n + 1 + len);
    if (!e) {
        sess_drop(t, id);
        return;
    }
    e->hash = h;
    e->id_len = (uint16_t)n;
    e->len = (uint32_t)len;
    memcpy(e->data, id, n + 1);
    memcpy(e->data + n + 1, rec, len);
    if (*p) { /* in the old one's place */
        e->next = (*p)->next;
        bss_free(*p);
        *p = e;
        return;
    }
    e->next = NULL;
    *p = e;
    t->nsess++;
    atomic_store(&t->sessions, (int64_t)t->nsess);
    if (t->nsess > t->sess_mask + 1)
        (void)sess_grow(t);
}

void bss_lines_session_drop(bss_lines *t, const char *id)
{
    if (t)
        sess_drop(t, id);
}

bool bss_lines_verifying(const bss_lines *t)
{
    return t && t->verify;
}

void bss_lines_session_mismatch(bss_lines *t, const char *id, const char *what)
{
    if (!t)
        return;
    atomic_fetch_add_explicit(&t->mismatches, 1, memory_order_relaxed);
    bss_log(BSS_LOG_ERROR, "charging.lines.mismatch", "session", id, "member", what, NULL);
    sess_drop(t, id);
}

static void heard_change(bss_lines *t)
{
    if (!t->heard_dirty) {
        t->heard_dirty = true;
        atomic_fetch_add_explicit(&t->heard, 1, memory_order_acq_rel);
    }
}

static void heard_end(bss_lines *t)
{
    if (t->heard_dirty) {
        t->heard_dirty = false;
        atomic_fetch_add_explicit(&t->heard, 1, memory_order_acq_rel);
    }
}

uint64_t bss_lines_heard(bss_lines *t)
{
    return t ? atomic_load_explicit(&t->heard, memory_order_acquire) : 1;
}

static void on_changed(void *arg, const char *table, const char *id, const struct json_t *doc)
{
    bss_lines *t = arg;
    if (strcmp(table, bss_product_kind.table->name) == 0 || strcmp(table, bss_billing_account_kind.table->name) == 0)
        heard_change(t);
    if (strcmp(table, bss_product_kind.table->name) == 0) {
        id_bump(t, id);
        /* a new or changed add-on names its account: the account's lines look at their add-ons again */
        id_bump(t, json_string_value(json_object_get(json_object_get(doc, "billingAccount"), "id")));
    } else if (strcmp(table, bss_billing_account_kind.table->name) == 0 || strcmp(table, BSS__BUCKET_TABLE) == 0 ||
               strcmp(table, BSS__BUCKET_ACCOUNT_TABLE) == 0) {
        id_bump(t, id); /* the account, a bucket, the account that has a new bucket */
    } else if (strcmp(table, BSS__SESSION_TABLE) == 0) {
        sess_drop(t, id);
    }
}

static void on_committed(void *arg)
{
    bss_lines *t = arg;
    heard_end(t);
    t->nfresh = 0;
    sess_fresh_clear(t);
    t->cur = 0;
    t->cur_filled = false;
}

static void on_rolled_back(void *arg)
{
    bss_lines *t = arg;
    heard_end(t);
    for (size_t i = 0; i < t->nfresh; i++)
        if (t->lines[t->fresh[i]].valid) {
            t->lines[t->fresh[i]].valid = false;
            atomic_fetch_add_explicit(&t->forgotten, 1, memory_order_relaxed);
        }
    t->nfresh = 0;
    for (size_t i = 0; i < t->nsess_fresh; i++)
        if (sess_drop(t, t->sess_fresh[i]))
            atomic_fetch_add_explicit(&t->forgotten, 1, memory_order_relaxed);
    sess_fresh_clear(t);
    t->cur = 0;
    t->cur_filled = false;
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
    for (size_t i = 0; i < t->nlines; i++)
        free_buckets(&t->lines[i]);
    bss_free(t->text);
    bss_free(t->ids);
    bss_free(t->id_slots);
    bss_free(t->lines);
    bss_free(t->line_slots);
    bss_free(t->fresh);
    sess_clear(t);
    sess_fresh_clear(t);
    bss_free(t->sess_fresh);
    bss_free(t);
}

const bss_db_listener *bss_lines_listener(bss_lines *t)
{
    return t ? &t->listener : NULL;
}

void bss_lines_measure(bss_lines *t)
{
    if (!t)
        return;
    int64_t b = (int64_t)(sizeof *t + t->text_cap + t->ids_cap * sizeof *t->ids +
                          (t->id_mask + 1) * sizeof *t->id_slots + t->lines_cap * sizeof *t->lines +
                          (t->line_mask + 1) * sizeof *t->line_slots + t->fresh_cap * sizeof *t->fresh);
    for (size_t i = 0; i < t->nlines; i++) {
        const line *e = &t->lines[i];
        b += (int64_t)(e->nbk * sizeof *e->bk + e->capholds * sizeof *e->holds);
        for (size_t h = 0; h < e->nholds; h++)
            b += (int64_t)strlen(e->holds[h].source_id) + 1;
    }
    b += (int64_t)((t->sess ? t->sess_mask + 1 : 0) * sizeof *t->sess + t->sess_fresh_cap * sizeof *t->sess_fresh);
    for (size_t i = 0; t->sess && i <= t->sess_mask; i++)
        for (const rsession *e = t->sess[i]; e; e = e->next)
            b += (int64_t)(sizeof *e + e->id_len + 1 + e->len);
    atomic_store(&t->bytes, b);
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
    out->bucket_hits = atomic_load(&t->bucket_hits);
    out->bucket_misses = atomic_load(&t->bucket_misses);
    out->bytes = atomic_load(&t->bytes);
    out->sessions = atomic_load(&t->sessions);
    out->session_hits = atomic_load(&t->session_hits);
    out->session_misses = atomic_load(&t->session_misses);
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

static uint32_t line_hash(const bss_lines *t, size_t i)
{
    return hash_key(t->lines[i].key);
}

/* A new line's place (its slot found by line_find), NULL when memory ran out. */
static line *line_add(bss_lines *t, uint64_t key, size_t slot)
{
    if ((t->nlines + 1) * 2 > t->line_mask + 1) {
        if (!rehash(t, &t->line_slots, &t->line_mask, t->nlines, line_hash))
            return NULL;
        for (slot = hash_key(key) & t->line_mask; t->line_slots[slot]; slot = (slot + 1) & t->line_mask)
            ;
    }
    if (!bss_grow(&t->lines, &t->lines_cap, t->nlines, sizeof *t->lines, 1024, UINT32_MAX))
        return NULL;
    line *e = &t->lines[t->nlines];
    memset(e, 0, sizeof *e);
    e->key = key;
    t->line_slots[slot] = (uint32_t)++t->nlines;
    atomic_store(&t->resident, (int64_t)t->nlines);
    return e;
}

static bool remember_fresh(bss_lines *t, uint32_t i)
{
    if (!bss_grow(&t->fresh, &t->fresh_cap, t->nfresh, sizeof *t->fresh, 256, SIZE_MAX / sizeof *t->fresh))
        return false;
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
    free_buckets(e);
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

/* --verify-lines found the kept line of msisdn differing from the store in member what. */
static void mismatch(bss_lines *t, const char *msisdn, const char *what)
{
    atomic_fetch_add_explicit(&t->mismatches, 1, memory_order_relaxed);
    bss_log(BSS_LOG_ERROR, "charging.lines.mismatch", "msisdn", msisdn, "member", what, NULL);
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

/*
 * Whether t may keep lines of cat; bounded (the lines, and the ids they
 * name: a bucket a month each, for ever), so it starts empty for a new
 * snapshot or when full. False: it cannot now.
 */
static bool fit(bss_lines *t, const bss_catalog *cat)
{
    uint64_t gen = cat ? bss_catalog_generation(cat) : 0;
    if (gen == 0 || !t->id_slots || !t->line_slots)
        return false;
    if (cat != t->cat || gen != t->cat_gen || t->nlines >= t->max_lines || t->nids >= t->max_lines * 8) {
        if (t->nlines)
            atomic_fetch_add_explicit(&t->resets, 1, memory_order_relaxed);
        reset(t);
        t->cat = cat;
        t->cat_gen = gen;
    }
    return t->id_slots && t->line_slots;
}

bss_err bss_lines_get(bss_lines *t, bss_db *db, const bss_catalog *cat, const char *msisdn, int64_t at_ms,
                      bool buckets, bss_charging_line *l, bss_errinfo *ei)
{
    /* only on the connection whose changes t hears (the writer's), inside its transaction; an
     * unpublished catalog (a draft, a re-rating's) is not the one lines are kept for */
    if (!bss_db_heard_by(db, t) || !bss_db_in_tx(db))
        return bss_charging_line_load(db, cat, msisdn, at_ms, l, ei);
    uint64_t key = number_key(msisdn);
    if (!key || !fit(t, cat))
        return bss_charging_line_load(db, cat, msisdn, at_ms, l, ei);
    size_t slot = 0;
    line *e = line_find(t, key, &slot);
    t->cur = 0;
    t->cur_filled = false;
    if (e && usable(t, e, at_ms)) {
        atomic_fetch_add_explicit(&t->hits, 1, memory_order_relaxed);
        /* the job may change what is kept: a rollback forgets it */
        if (!remember_fresh(t, (uint32_t)(e - t->lines)))
            return bss_charging_line_load(db, cat, msisdn, at_ms, l, ei);
        t->cur = (uint32_t)(e - t->lines) + 1;
        fill(t, e, cat, msisdn[0] == '+' ? msisdn + 1 : msisdn, l);
        bss_charging_line_at(l, at_ms);
        if (t->verify) {
            bss_charging_line *fresh = bss_calloc(1, sizeof *fresh);
            if (!fresh)
                return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
            bss_err rc = bss_charging_line_load(db, cat, msisdn, at_ms, fresh, ei);
            const char *what = rc == BSS_OK ? differs(l, fresh) : "found";
            if (what) {
                mismatch(t, l->msisdn, what);
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
        return buckets ? bss_lines_buckets(t, db, l, at_ms, ei) : BSS_OK;
    }
    atomic_fetch_add_explicit(&t->misses, 1, memory_order_relaxed);
    bss_err rc = bss_charging_line_load(db, cat, msisdn, at_ms, l, ei);
    if (rc != BSS_OK)
        return rc;
    if (!e)
        e = line_add(t, key, slot);
    if (e)
        keep(t, e, l);
    if (e && e->valid)
        t->cur = (uint32_t)(e - t->lines) + 1;
    return BSS_OK;
}

/* ---- the buckets of the current line ---- */

/* The line bss_lines_get gave last, if it is l's and still kept. */
static line *current(bss_lines *t, bss_db *db, const bss_charging_line *l)
{
    if (!t || !bss_db_heard_by(db, t) || !bss_db_in_tx(db) || !t->cur || t->cur > t->nlines)
        return NULL;
    line *e = &t->lines[t->cur - 1];
    return e->valid && e->key == number_key(l->msisdn) ? e : NULL;
}

static bool buckets_current(const bss_lines *t, const line *e)
{
    for (size_t k = 0; k < e->nbk; k++)
        if (!ref_current(t, e->bk[k].id))
            return false;
    return e->has_buckets;
}

static void fill_buckets(const bss_lines *t, const line *e, bss_charging_line *l, int64_t at_ms)
{
    l->nbuckets = e->nbk;
    l->line.prepaid = false;
    for (size_t k = 0; k < e->nbk; k++) {
        unpack(&e->bk[k], &l->buckets[k]);
        snprintf(l->bucket_ids[k], sizeof l->bucket_ids[k], "%s", id_text(t, e->bk[k].id.id));
        snprintf(l->bucket_units[k], sizeof l->bucket_units[k], "%s", e->bk[k].unit);
        if (e->bk[k].service == BSS_SERVICE_NONE && e->bk[k].source == BSS_BUCKET_WALLET)
            l->line.prepaid = true;
    }
    /* as the store counts them: active and not yet expired */
    for (size_t i = 0; i < e->nholds; i++)
        if (e->holds[i].expires_ms > at_ms)
            l->buckets[e->holds[i].k].reserved += e->holds[i].amount;
    l->line.buckets = l->buckets;
    l->line.nbuckets = l->nbuckets;
}

typedef struct holds_scan {
    line *e;
    const bss_charging_line *l;
    bool ok;
} holds_scan;

/* Appends a hold on bucket k: false when it cannot be kept (memory, an id longer than a UUID). */
static bool add_hold(line *e, size_t k, const char *id, int64_t amount, int64_t expires_ms, const char *source_id,
                     bool session)
{
    size_t cap = e->capholds;
    if (!id || strlen(id) > BSS_ID_LEN || !bss_grow(&e->holds, &cap, e->nholds, sizeof *e->holds, 4, UINT16_MAX))
        return false;
    e->capholds = (uint16_t)cap;
    char *src = bss_strdup(source_id ? source_id : "");
    if (!src)
        return false;
    rhold *r = &e->holds[e->nholds++];
    *r = (rhold){.amount = amount, .expires_ms = expires_ms, .source_id = src, .k = (uint8_t)k, .session = session};
    snprintf(r->id, sizeof r->id, "%s", id);
    return true;
}

static bss_err hold_row(void *arg, const char *id, const char *bucket_id, int64_t amount, int64_t expires_ms,
                        const char *source_kind, const char *source_id, bss_errinfo *ei)
{
    (void)ei;
    holds_scan *h = arg;
    int k = -1;
    for (size_t i = 0; bucket_id && i < h->l->nbuckets && k < 0; i++)
        if (strcmp(h->l->bucket_ids[i], bucket_id) == 0)
            k = (int)i;
    /* another line's bucket is not this line's business */
    if (k >= 0 && h->ok)
        h->ok = add_hold(h->e, (size_t)k, id, amount, expires_ms, source_id,
                         source_kind && strcmp(source_kind, "session") == 0);
    return BSS_OK;
}

/* Keeps l's buckets, just read from the store, and reads their holds. */
static bss_err keep_buckets(bss_lines *t, bss_db *db, line *e, const bss_charging_line *l, bool holds_if_reserved,
                            bss_errinfo *ei)
{
    free_buckets(e);
    if (l->nbuckets == 0 || l->nbuckets > UINT8_MAX)
        return BSS_OK;
    e->bk = bss_calloc(l->nbuckets, sizeof *e->bk);
    if (!e->bk)
        return BSS_OK;
    for (size_t k = 0; k < l->nbuckets; k++) {
        if (!packable(&l->buckets[k], l->bucket_units[k]) || !ref_of(t, l->bucket_ids[k], &e->bk[k].id)) {
            free_buckets(e);
            return BSS_OK;
        }
        pack(&e->bk[k], &l->buckets[k]);
        snprintf(e->bk[k].unit, sizeof e->bk[k].unit, "%s", l->bucket_units[k]);
    }
    e->nbk = (uint8_t)l->nbuckets;
    bool reserved = false;
    for (size_t k = 0; k < l->nbuckets; k++)
        reserved = reserved || l->buckets[k].reserved != 0;
    if (holds_if_reserved && !reserved) { /* no hold counts against them now: none to keep */
        e->has_buckets = true;
        return BSS_OK;
    }
    holds_scan h = {e, l, true};
    bss_err rc = bss__holds_list(db, l->account_id, hold_row, &h, ei);
    if (rc != BSS_OK || !h.ok) {
        free_buckets(e);
        return rc;
    }
    e->has_buckets = true;
    return BSS_OK;
}

/* The first way two lines' buckets differ, NULL when none. */
static const char *buckets_differ(const bss_charging_line *a, const bss_charging_line *b)
{
    if (a->nbuckets != b->nbuckets || a->line.prepaid != b->line.prepaid)
        return "buckets";
    for (size_t k = 0; k < a->nbuckets; k++) {
        const bss_rate_bucket *x = &a->buckets[k], *y = &b->buckets[k];
        if (strcmp(a->bucket_ids[k], b->bucket_ids[k]) != 0 || strcmp(a->bucket_units[k], b->bucket_units[k]) != 0 ||
            x->service != y->service || x->source != y->source || x->priority != y->priority ||
            x->valid_from_ms != y->valid_from_ms || x->valid_to_ms != y->valid_to_ms || x->unlimited != y->unlimited ||
            x->allowance != y->allowance)
            return "bucket";
        if (x->value != y->value || x->used != y->used || x->initial != y->initial)
            return "bucketValue";
        if (x->reserved != y->reserved)
            return "reserved";
    }
    return NULL;
}

/* l's buckets from e (the current line) when they are current, else read and kept; t->cur_filled says which. */
static bss_err lines_buckets(bss_lines *t, bss_db *db, line *e, bss_charging_line *l, int64_t at_ms,
                             bool holds_if_reserved, bss_errinfo *ei)
{
    t->cur_filled = false;
    if (buckets_current(t, e)) {
        atomic_fetch_add_explicit(&t->bucket_hits, 1, memory_order_relaxed);
        fill_buckets(t, e, l, at_ms);
        if (!t->verify) {
            t->cur_filled = true;
            return BSS_OK;
        }
        bss_charging_line *fresh = bss_malloc(sizeof *fresh);
        if (!fresh)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        memcpy(fresh, l, sizeof *fresh);
        bss_err rc = bss_charging_line_buckets(db, fresh, at_ms, ei);
        fresh->line.buckets = fresh->buckets;
        const char *what = rc == BSS_OK ? buckets_differ(l, fresh) : NULL;
        bss_free(fresh);
        if (rc != BSS_OK)
            return rc;
        if (!what) {
            t->cur_filled = true;
            return BSS_OK;
        }
        mismatch(t, l->msisdn, what); /* read again below, and kept as read */
    }
    atomic_fetch_add_explicit(&t->bucket_misses, 1, memory_order_relaxed);
    bss_err rc = bss_charging_line_buckets(db, l, at_ms, ei);
    if (rc == BSS_OK && (rc = keep_buckets(t, db, e, l, holds_if_reserved, ei)) == BSS_OK)
        t->cur_filled = e->has_buckets;
    return rc;
}

bss_err bss_lines_buckets(bss_lines *t, bss_db *db, bss_charging_line *l, int64_t at_ms, bss_errinfo *ei)
{
    line *e = current(t, db, l);
    return e ? lines_buckets(t, db, e, l, at_ms, false, ei) : bss_charging_line_buckets(db, l, at_ms, ei);
}

uint64_t bss_lines_own_begin(bss_lines *t)
{
    if (!t || !t->cur || t->cur > t->nlines)
        return 0;
    const line *e = &t->lines[t->cur - 1];
    uint64_t mask = 0;
    for (size_t k = 0; e->has_buckets && k < e->nbk && k < 64; k++)
        if (ref_current(t, e->bk[k].id))
            mask |= UINT64_C(1) << k;
    return mask;
}

void bss_lines_own_end(bss_lines *t, uint64_t mask)
{
    if (!t || !t->cur || t->cur > t->nlines)
        return;
    line *e = &t->lines[t->cur - 1];
    for (size_t k = 0; e->has_buckets && k < e->nbk && k < 64; k++)
        if (mask & (UINT64_C(1) << k))
            e->bk[k].id.gen = t->ids[e->bk[k].id.id].gen;
}

void bss_lines_released(bss_lines *t, const char *session_id, const char *hold_id)
{
    if (!t || !t->cur || t->cur > t->nlines)
        return;
    line *e = &t->lines[t->cur - 1];
    if (!e->has_buckets)
        return;
    size_t w = 0;
    for (size_t i = 0; i < e->nholds; i++) {
        rhold *h = &e->holds[i];
        /* as the store's releases: a session's holds by its id, or one hold by its own */
        bool gone = (session_id && h->session && strcmp(h->source_id, session_id) == 0) ||
                    (hold_id && strcmp(h->id, hold_id) == 0);
        if (gone)
            bss_free(h->source_id);
        else
            e->holds[w++] = *h;
    }
    e->nholds = (uint16_t)w;
}

void bss_lines_held(bss_lines *t, const char *bucket_id, const char *hold_id, int64_t amount, int64_t expires_ms,
                    const char *session_id)
{
    if (!t || !t->cur || t->cur > t->nlines)
        return;
    line *e = &t->lines[t->cur - 1];
    if (!e->has_buckets)
        return;
    int k = -1;
    for (size_t i = 0; i < e->nbk && k < 0; i++)
        if (strcmp(id_text(t, e->bk[i].id.id), bucket_id) == 0)
            k = (int)i;
    if (k < 0 || !add_hold(e, (size_t)k, hold_id, amount, expires_ms, session_id, true))
        free_buckets(e); /* not kept as it is in the store: read again next time */
}

/* e's buckets as l has them, which the job wrote to the rows (announcing it): kept as current. */
static void put_values(bss_lines *t, line *e, const bss_charging_line *l)
{
    if (!e->valid || !e->has_buckets || e->key != number_key(l->msisdn) || l->nbuckets != e->nbk)
        return;
    for (size_t k = 0; k < e->nbk; k++) {
        if (strcmp(id_text(t, e->bk[k].id.id), l->bucket_ids[k]) != 0) {
            free_buckets(e);
            return;
        }
        e->bk[k].value = l->buckets[k].value;
        e->bk[k].used = l->buckets[k].used;
        e->bk[k].initial = l->buckets[k].initial;
        e->bk[k].id.gen = t->ids[e->bk[k].id.id].gen;
    }
}

void bss_lines_put(bss_lines *t, const bss_charging_line *l)
{
    if (t && t->cur && t->cur <= t->nlines && t->cur_filled)
        put_values(t, &t->lines[t->cur - 1], l);
}

/* ---- many lines a job: a CDR batch ---- */


bss_err bss_lines_batch_buckets(bss_lines *t, bss_db *db, bss_charging_line *l, int64_t at_ms, uint64_t heard,
                                bool *kept, bss_errinfo *ei)
{
    *kept = false;
    uint64_t key = l->msisdn[0] ? number_key(l->msisdn) : 0;
    if (!t || !key || !bss_db_heard_by(db, t) || !bss_db_in_tx(db) || !fit(t, l->cat))
        return bss_charging_line_buckets(db, l, at_ms, ei);
    t->cur = 0;
    t->cur_filled = false;
    size_t slot = 0;
    line *e = line_find(t, key, &slot);
    /* documents read elsewhere are kept only if nothing they come from changed since they were read */
    uint64_t now = atomic_load_explicit(&t->heard, memory_order_acquire);
    bool docs_current = heard == BSS_LINES_HEARD_HERE || (heard == now && (heard & 1) == 0);
    if (e && usable(t, e, at_ms) && e->product.id == (uint32_t)id_find(t, l->product_id, false)) {
        if (!remember_fresh(t, (uint32_t)(e - t->lines)))
            return bss_charging_line_buckets(db, l, at_ms, ei);
    } else if (docs_current) {
        if (!e && !(e = line_add(t, key, slot)))
            return bss_charging_line_buckets(db, l, at_ms, ei);
        keep(t, e, l);
        if (!e->valid)
            return bss_charging_line_buckets(db, l, at_ms, ei);
    } else {
        return bss_charging_line_buckets(db, l, at_ms, ei);
    }
    t->cur = (uint32_t)(e - t->lines) + 1;
    bss_err rc = lines_buckets(t, db, e, l, at_ms, true, ei);
    *kept = rc == BSS_OK && t->cur_filled;
    return rc;
}

void bss_lines_batch_put(bss_lines *t, const bss_charging_line *l)
{
    uint64_t key = t && l->msisdn[0] ? number_key(l->msisdn) : 0;
    size_t slot = 0;
    line *e = key && t->line_slots ? line_find(t, key, &slot) : NULL;
    if (e)
        put_values(t, e, l);
}
