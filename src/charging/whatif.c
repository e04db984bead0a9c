/*
 * whatif.c: what-if pricing (charging.h bss_usage_what_if; docs/charging.md
 * "What-if pricing"): a past period's real usage rated under a draft
 * catalog, nothing changed, revenue before and after per offering and per
 * customer segment.
 *
 * Both sides are rated the same way, so the difference is the tariff's
 * alone: each line starts each bill period with its offering's allowances
 * (as the catalog gives them) and takes its events in time order through
 * the rating core; money is what the events cost after allowances,
 * whatever the line's payment mode. "Before" uses the catalog in force,
 * "after" the draft, whose documents are taken as in force at every
 * instant (their validFor is ignored: the question is what the period
 * would have cost had the draft applied). What the usage was charged for
 * real (with add-ons, promotions, the buckets as they were) is reported
 * beside them.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "charging/charging_int.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/money.h"
#include "customer/customer.h"

#define WI_BUCKETS 16

typedef struct wi_side {
    const bss_catalog *cat;
    bss_rate_line line;
    bss_rate_bucket buckets[WI_BUCKETS];
    const bss_offering *o;
    int64_t period;
    bool known;
} wi_side;

typedef struct wi_line {
    wi_side side[2]; /* before, after */
} wi_line;

typedef struct wi_sum {
    char key[BSS_ID_MAX + 1];
    int64_t events, charged, before, after, not_rated;
} wi_sum;

typedef struct wi {
    wi_sum *offerings, *segments;
    size_t noff, nseg, cap;
} wi;

static wi_sum *sum_of(wi_sum **arr, size_t *n, size_t cap, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*arr)[i].key, key) == 0)
            return &(*arr)[i];
    if (*n >= cap)
        return &(*arr)[cap - 1]; /* the last row takes the rest */
    wi_sum *s = &(*arr)[(*n)++];
    memset(s, 0, sizeof *s);
    snprintf(s->key, sizeof s->key, "%s", key);
    return s;
}

/* The offering's usage prices and a fresh set of its allowances. */
static void side_reset(wi_side *s, int64_t at_ms)
{
    memset(&s->line, 0, sizeof s->line);
    s->line.buckets = s->buckets;
    size_t nb = 0;
    for (size_t i = 0; s->o && i < bss_offering_price_count(s->o); i++) {
        const bss_price *pr = bss_offering_price_at(s->cat, s->o, i, at_ms);
        if (!pr)
            continue;
        bss_bucket_template t;
        if (bss_price_kind(pr) == BSS_PRICE_USAGE) {
            bss_service sv = bss_price_service(pr);
            if (sv > BSS_SERVICE_NONE && sv <= BSS_SERVICE_EVENT)
                s->line.usage[sv] = pr;
        } else if (nb < WI_BUCKETS && bss_rate_allowance(pr, &t) == BSS_OK) {
            s->buckets[nb++] = (bss_rate_bucket){.service = t.service,
                                                 .source = t.shared ? BSS_BUCKET_SHARED : BSS_BUCKET_PLAN,
                                                 .priority = t.priority,
                                                 .valid_from_ms = INT64_MIN,
                                                 .valid_to_ms = INT64_MAX,
                                                 .value = t.unlimited ? 0 : t.units,
                                                 .initial = t.unlimited ? 0 : t.units,
                                                 .unlimited = t.unlimited,
                                                 .allowance = pr};
        }
    }
    s->line.nbuckets = nb;
}

/* A draft document as if in force at every instant. */
static json_t *timeless(const json_t *arr)
{
    json_t *out = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(arr, i, d)
    {
        json_t *c = json_deep_copy(d);
        if (c)
            json_object_del(c, "validFor");
        json_array_append_new(out, c);
    }
    return out;
}

static bss_err draft_catalog(const json_t *doc, bss_catalog **out, bss_errinfo *ei)
{
    bss_err rc = bss_catalog_validate(doc, ei);
    if (rc != BSS_OK)
        return rc;
    bss_catalog_source src;
    bss_catalog_source_init(&src);
    static const struct {
        const char *member;
        size_t off;
    } map[] = {
        {"productOfferings", offsetof(bss_catalog_source, offerings)},
        {"productOfferingPrices", offsetof(bss_catalog_source, prices)},
        {"productSpecifications", offsetof(bss_catalog_source, specifications)},
        {"zoneTables", offsetof(bss_catalog_source, zone_tables)},
        {"timeBandPlans", offsetof(bss_catalog_source, timeband_plans)},
        {"promotions", offsetof(bss_catalog_source, promotions)},
        {"catalogs", offsetof(bss_catalog_source, catalogs)},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        json_t **slot = (json_t **)((char *)&src + map[i].off);
        json_decref(*slot);
        *slot = timeless(json_object_get(doc, map[i].member));
    }
    rc = bss_catalog_compile(&src, out, ei);
    bss_catalog_source_clear(&src);
    if (rc != BSS_OK)
        return bss_fail(ei, rc, ei ? ei->field : NULL, "the draft catalog does not compile: %s",
                        ei ? ei->message : "");
    return BSS_OK;
}

/*
 * The period's usage, by the time index (usage_record_start) when a slice
 * of the period holds little of the stored usage; else by a plain scan
 * (+start_ms takes no index): reading rows through the index measured 2.5
 * times slower than reading the table and skipping the rest
 * (docs/benchmarks.md). No ORDER BY: the events are put in line and time
 * order in memory, which SQLite's sorter did at 1.3 s a million rows.
 */
#define PERIOD_COLS                                                                                          \
    "SELECT product_id, account_id, offering_id, service, destination, quantity, rating_group, "             \
    "visited_plmn, "                                                                                         \
    "start_ms, charge, period_start, currency FROM usage_record WHERE "
#define PERIOD_REST                                                                                          \
    " AND status IN ('rated', 'recycled', 'billed') AND (CAST(? AS TEXT) IS NULL OR account_id = ?)"
static const char SQL_PERIOD[] = PERIOD_COLS "start_ms >= ? AND start_ms < ?" PERIOD_REST;
static const char SQL_PERIOD_ALL[] = PERIOD_COLS "+start_ms >= ? AND +start_ms < ?" PERIOD_REST;
static const char SQL_SPAN[] =
    "SELECT COALESCE(MIN(start_ms), 0), COALESCE(MAX(start_ms), 0) FROM usage_record";

#define WI_SLICES 2 /* the period read in two halves, on two connections at once */
#define WI_RATERS 2 /* the lines rated on two threads */
#define WI_ODD 0xff /* a text that is not short digits: its bytes in the slice's arena */

static uint64_t fnv(const char *s, size_t n)
{
    return bss_fnv1a(s, n, BSS_FNV_START);
}

/* Interned texts: each distinct one gets the next id from 0. */
typedef struct wi_names {
    bss_buf text; /* each NUL-terminated */
    size_t *off;  /* per id */
    uint32_t n;
    size_t cap;
    uint32_t *slot; /* open addressing, 0 empty, else id + 1; nslot a power of two */
    size_t nslot;
} wi_names;

#define WI_TEXT_MAX ((size_t)UINT32_MAX) /* a slice's or the run's texts: offsets in 32 bits (a visited network's) */

static void names_init(wi_names *t)
{
    memset(t, 0, sizeof *t);
    bss_buf_init(&t->text, WI_TEXT_MAX);
}

static void names_free(wi_names *t)
{
    bss_buf_free(&t->text);
    bss_free(t->off);
    bss_free(t->slot);
    bss_buf text = t->text;
    memset(t, 0, sizeof *t);
    t->text = text;
}

static const char *names_text(const wi_names *t, uint32_t id)
{
    return t->text.data + t->off[id];
}

/* s[0..n) and a NUL appended to b: *off where it starts. */
static bool text_put(bss_buf *b, const char *s, size_t n, size_t *off)
{
    *off = b->len;
    return bss_buf_append(b, s, n) == BSS_OK && bss_buf_append(b, "", 1) == BSS_OK;
}

static bool names_grow(wi_names *t)
{
    size_t ns = t->nslot ? t->nslot * 2 : 1024;
    uint32_t *slot = bss_calloc(ns, sizeof *slot);
    if (!slot)
        return false;
    for (uint32_t id = 0; id < t->n; id++) {
        const char *s = names_text(t, id);
        size_t x = fnv(s, strlen(s)) & (ns - 1);
        while (slot[x])
            x = (x + 1) & (ns - 1);
        slot[x] = id + 1;
    }
    bss_free(t->slot);
    t->slot = slot;
    t->nslot = ns;
    return true;
}

/* The slot of s[0..n) (h its fnv): its id + 1 there, or 0 where it would go. */
static size_t names_probe(const wi_names *t, const char *s, size_t n, uint64_t h)
{
    size_t x = h & (t->nslot - 1);
    for (; t->slot[x]; x = (x + 1) & (t->nslot - 1)) {
        const char *c = names_text(t, t->slot[x] - 1);
        if (strncmp(c, s, n) == 0 && c[n] == '\0')
            break;
    }
    return x;
}

/* s's id, if it has one. */
static bool names_find(const wi_names *t, const char *s, uint32_t *id)
{
    if (!t->nslot)
        return false;
    size_t n = strlen(s), x = names_probe(t, s, n, fnv(s, n));
    *id = t->slot[x] - 1;
    return t->slot[x] != 0;
}

/* s[0..n)'s id (h its fnv), added if new; false when out of memory. */
static bool names_id(wi_names *t, const char *s, size_t n, uint64_t h, uint32_t *id)
{
    if ((size_t)(t->n + 1) * 2 > t->nslot && !names_grow(t))
        return false;
    size_t x = names_probe(t, s, n, h);
    if (t->slot[x]) {
        *id = t->slot[x] - 1;
        return true;
    }
    if (!bss_grow(&t->off, &t->cap, t->n, sizeof *t->off, 256, UINT32_MAX - 1) ||
        !text_put(&t->text, s, n, &t->off[t->n]))
        return false;
    t->slot[x] = t->n + 1;
    *id = t->n++;
    return true;
}

/* One rated usage as the rating needs it. */
typedef struct wi_ev {
    int64_t start_ms, quantity, charge, period;
    uint64_t dest; /* dlen digits as a number; dlen WI_ODD: its offset in the slice's arena */
    uint32_t line, account, offering; /* ids: the slice's while it reads, then the run's */
    uint32_t visited;                 /* the visited network's MCC MNC digits, the same way (vlen) */
    uint32_t rating_group;            /* 0..4294967295, when has_rg */
    uint8_t service, dlen, vlen, has_rg;
} wi_ev;
_Static_assert(sizeof(wi_ev) <= 64, "a what-if event is at most 64 bytes");

typedef struct wi_slice {
    bss_db *db; /* the caller's (slice 0), or a sibling of it */
    const char *sql, *account;
    int64_t from_ms, to_ms;
    uint32_t pass, passes; /* the lines (by their product's hash) this pass keeps */
    size_t limit;          /* events it may hold */
    wi_names lines, accounts, offerings;
    bss_buf odd; /* texts that are not short digits */
    wi_ev *ev;
    size_t n, cap;
    char currency[4];
    bool full; /* stopped at limit */
    bss_err rc;
    bss_errinfo ei;
} wi_slice;

static void slice_reset(wi_slice *sl)
{
    names_free(&sl->lines);
    names_free(&sl->accounts);
    names_free(&sl->offerings);
    bss_buf_free(&sl->odd);
    bss_free(sl->ev);
    sl->ev = NULL;
    sl->n = sl->cap = 0;
    sl->full = false;
    sl->rc = BSS_OK;
}

/* t[0..n) as a number of at most max digits (*v), else in the slice's arena (*v its offset, false on OOM). */
static bool encode(wi_slice *sl, const char *t, size_t n, size_t max, uint64_t *v, uint8_t *len)
{
    *v = 0;
    *len = 0;
    if (!t || !n)
        return true;
    size_t i = 0;
    while (i < n && i < max && t[i] >= '0' && t[i] <= '9')
        *v = *v * 10 + (uint64_t)(t[i++] - '0');
    if (i == n) {
        *len = (uint8_t)n;
        return true;
    }
    size_t off = 0;
    if (!text_put(&sl->odd, t, n, &off))
        return false;
    *v = off;
    *len = WI_ODD;
    return true;
}

/* The text encode kept (NULL: none), in buf[24] when it was digits. */
static const char *decode(const wi_slice *sl, uint64_t v, uint8_t len, char *buf, size_t *n)
{
    *n = 0;
    if (len == 0)
        return NULL;
    if (len == WI_ODD) {
        const char *t = sl->odd.data + v;
        *n = strlen(t);
        return t;
    }
    for (int i = len - 1; i >= 0; i--, v /= 10)
        buf[i] = (char)('0' + v % 10);
    buf[len] = '\0';
    *n = len;
    return buf;
}

static bool slice_event(wi_slice *sl, bss_db_rows *rows)
{
    size_t lp = 0, la = 0, lo = 0;
    const char *prod = bss_db_col_text(rows, 0, &lp), *acct = bss_db_col_text(rows, 1, &la);
    const char *off = bss_db_col_text(rows, 2, &lo);
    if (!prod || !acct || !off)
        return true;
    uint64_t h = fnv(prod, lp);
    if (sl->passes > 1 && h % sl->passes != sl->pass)
        return true;
    if (sl->n == sl->limit) {
        sl->full = true;
        return false;
    }
    if (!bss_grow(&sl->ev, &sl->cap, sl->n, sizeof *sl->ev, 4096, sl->limit))
        goto oom;
    wi_ev *e = &sl->ev[sl->n];
    if (!names_id(&sl->lines, prod, lp, h, &e->line) ||
        !names_id(&sl->accounts, acct, la, fnv(acct, la), &e->account) ||
        !names_id(&sl->offerings, off, lo, fnv(off, lo), &e->offering))
        goto oom;
    size_t ld = 0, lv = 0;
    const char *dest = bss_db_col_text(rows, 4, &ld), *plmn = bss_db_col_text(rows, 7, &lv);
    char visited[8] = "";
    if (plmn && lv >= 6) /* "MCC-MNC" as the rating core takes it: MCC MNC digits */
        snprintf(visited, sizeof visited, "%.3s%s", plmn, plmn + 4);
    uint64_t vv = 0;
    if (!encode(sl, dest, ld, 19, &e->dest, &e->dlen) ||
        !encode(sl, visited, strlen(visited), 9, &vv, &e->vlen))
        goto oom;
    e->visited = (uint32_t)vv;
    e->service = (uint8_t)bss_cdr_catalog_service(bss_cdr_service_parse(bss_db_col_text(rows, 3, NULL)));
    e->quantity = bss_db_col_int64(rows, 5);
    e->has_rg = !bss_db_col_null(rows, 6);
    e->rating_group = e->has_rg ? (uint32_t)bss_db_col_int64(rows, 6) : 0;
    e->start_ms = bss_db_col_int64(rows, 8);
    e->charge = bss_db_col_int64(rows, 9);
    e->period = bss_db_col_int64(rows, 10);
    if (!sl->currency[0] && bss_db_col_text(rows, 11, NULL))
        snprintf(sl->currency, sizeof sl->currency, "%s", bss_db_col_text(rows, 11, NULL));
    sl->n++;
    return true;
oom:
    sl->rc = bss_fail(&sl->ei, BSS_E_NOMEM, NULL, "out of memory reading the period's usage");
    return false;
}

static void *slice_scan(void *arg)
{
    wi_slice *sl = arg;
    bss_db_rows *rows = NULL;
    sl->rc = bss_db_query_stream(sl->db, sl->sql,
                          BSS_DB_ARGS(BSS_DB_I64(sl->from_ms), BSS_DB_I64(sl->to_ms), BSS_DB_STR(sl->account),
                                      BSS_DB_STR(sl->account)),
                          &rows, &sl->ei);
    if (sl->rc != BSS_OK)
        return NULL;
    while (bss_db_next(rows) && slice_event(sl, rows))
        ;
    if (sl->rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        sl->rc = bss_fail(&sl->ei, bss_db_rows_error(rows), NULL, "reading the period's usage failed");
    bss_db_rows_close(rows);
    return NULL;
}

typedef struct wi_tot {
    int64_t events, charged, before, after, not_rated;
} wi_tot;

static void tot_add(wi_tot *a, const wi_tot *b)
{
    a->events += b->events;
    a->charged += b->charged;
    a->before += b->before;
    a->after += b->after;
    a->not_rated += b->not_rated;
}

/* The run: its ids across slices and passes, its sums; the pass being rated. */
typedef struct wi_run {
    const bss_catalog *cat[2]; /* before, after */
    wi_names lines, accounts, offerings;
    wi_tot all, *by_offering, *by_account; /* per run id */
    size_t cap_offering, cap_account;
    wi_slice slices[WI_SLICES];
    size_t base[WI_SLICES + 1]; /* event numbers: slice s's are base[s]..base[s+1] */
    uint32_t *order;            /* event numbers by line (counting sort), in read order within a line */
    size_t *first;              /* per run line id: where its events start in order; [nlines] the end */
} wi_run;

static const wi_ev *run_event(const wi_run *run, uint32_t g, const wi_slice **sl)
{
    size_t s = 0;
    while (g >= run->base[s + 1])
        s++;
    *sl = &run->slices[s];
    return &run->slices[s].ev[g - run->base[s]];
}

/* The slices' ids become the run's; false when out of memory. */
static bool run_merge(wi_run *run)
{
    for (size_t s = 0; s < WI_SLICES; s++) {
        wi_slice *sl = &run->slices[s];
        struct {
            wi_names *from, *to;
            uint32_t *map;
        } m[3] = {{&sl->lines, &run->lines, NULL},
                  {&sl->accounts, &run->accounts, NULL},
                  {&sl->offerings, &run->offerings, NULL}};
        bool ok = true;
        for (int k = 0; k < 3 && ok; k++) {
            ok = (m[k].map = bss_calloc(m[k].from->n + 1, sizeof *m[k].map)) != NULL;
            for (uint32_t i = 0; ok && i < m[k].from->n; i++) {
                const char *t = names_text(m[k].from, i);
                size_t n = strlen(t);
                ok = names_id(m[k].to, t, n, fnv(t, n), &m[k].map[i]);
            }
        }
        for (size_t i = 0; ok && i < sl->n; i++) {
            sl->ev[i].line = m[0].map[sl->ev[i].line];
            sl->ev[i].account = m[1].map[sl->ev[i].account];
            sl->ev[i].offering = m[2].map[sl->ev[i].offering];
        }
        for (int k = 0; k < 3; k++)
            bss_free(m[k].map);
        if (!ok)
            return false;
    }
    return true;
}

/* order and first: the pass's event numbers grouped by line, each line's in read order. */
static bool run_order(wi_run *run)
{
    size_t nl = run->lines.n, n = run->base[WI_SLICES];
    bss_free(run->order);
    bss_free(run->first);
    run->order = bss_malloc((n ? n : 1) * sizeof *run->order);
    run->first = bss_calloc(nl + 2, sizeof *run->first);
    size_t *at = bss_calloc(nl + 1, sizeof *at);
    if (!run->order || !run->first || !at) {
        bss_free(at);
        return false;
    }
    for (size_t s = 0; s < WI_SLICES; s++)
        for (size_t i = 0; i < run->slices[s].n; i++)
            run->first[run->slices[s].ev[i].line + 1]++;
    for (size_t l = 0; l < nl; l++) {
        run->first[l + 1] += run->first[l];
        at[l] = run->first[l];
    }
    uint32_t g = 0;
    for (size_t s = 0; s < WI_SLICES; s++)
        for (size_t i = 0; i < run->slices[s].n; i++, g++)
            run->order[at[run->slices[s].ev[i].line]++] = g;
    bss_free(at);
    return true;
}

typedef struct wi_key {
    int64_t start_ms;
    uint32_t g;
} wi_key;

static int key_cmp(const void *a, const void *b)
{
    const wi_key *x = a, *y = b;
    if (x->start_ms != y->start_ms)
        return x->start_ms < y->start_ms ? -1 : 1;
    return x->g < y->g ? -1 : x->g > y->g;
}

typedef struct wi_rater {
    const wi_run *run;
    uint32_t t; /* rates the lines whose id % WI_RATERS is t */
    wi_tot all, *by_offering, *by_account;
    wi_key *keys;
    size_t ckeys;
    wi_line line;
    bool oom;
} wi_rater;

/* One line's events of the pass, in time order (the read order between equal times), under both catalogs. */
static void rate_line(wi_rater *r, uint32_t id)
{
    const wi_run *run = r->run;
    size_t a = run->first[id], n = run->first[id + 1] - a;
    if (n > r->ckeys) {
        wi_key *k = bss_realloc(r->keys, n * sizeof *k);
        if (!k) {
            r->oom = true;
            return;
        }
        r->keys = k;
        r->ckeys = n;
    }
    bool sorted = true;
    for (size_t i = 0; i < n; i++) {
        const wi_slice *sl;
        r->keys[i] =
            (wi_key){.start_ms = run_event(run, run->order[a + i], &sl)->start_ms, .g = run->order[a + i]};
        sorted = sorted && (i == 0 || r->keys[i - 1].start_ms <= r->keys[i].start_ms);
    }
    if (!sorted)
        qsort(r->keys, n, sizeof *r->keys, key_cmp);
    wi_line *l = &r->line;
    memset(l, 0, sizeof *l);
    for (size_t i = 0; i < n; i++) {
        const wi_slice *sl;
        const wi_ev *e = run_event(run, r->keys[i].g, &sl);
        if (i == 0)
            for (int k = 0; k < 2; k++) {
                l->side[k].cat = run->cat[k];
                l->side[k].o =
                    bss_catalog_offering(run->cat[k], names_text(&run->offerings, e->offering), e->start_ms);
                l->side[k].period = INT64_MIN;
            }
        char db[24], vb[24];
        size_t dn = 0, vn = 0;
        const char *dest = decode(sl, e->dest, e->dlen, db, &dn),
                   *vis = decode(sl, e->visited, e->vlen, vb, &vn);
        bss_rate_input in = {.service = (bss_service)e->service,
                             .quantity = e->quantity,
                             .destination = dest,
                             .destination_len = dn,
                             .start_ms = e->start_ms,
                             .visited = vis,
                             .visited_len = vn,
                             .rating_group = e->has_rg ? (int64_t)e->rating_group : -1};
        wi_tot d = {.events = 1, .charged = e->charge};
        for (int k = 0; k < 2; k++) {
            wi_side *s = &l->side[k];
            if (s->period != e->period) {
                side_reset(s, e->start_ms);
                s->period = e->period;
            }
            bss_rate_result res;
            if (s->o && bss_charging_rate(&s->line, &in, &res) == BSS_OK) {
                bss_charging_apply(&s->line, &res);
                *(k ? &d.after : &d.before) = res.charge_micros;
            } else if (k) {
                d.not_rated = 1;
            }
        }
        tot_add(&r->all, &d);
        tot_add(&r->by_offering[e->offering], &d);
        tot_add(&r->by_account[e->account], &d);
    }
}

static void *rater_main(void *arg)
{
    wi_rater *r = arg;
    for (uint32_t id = r->t; id < r->run->lines.n && !r->oom; id += WI_RATERS)
        if (r->run->first[id + 1] > r->run->first[id])
            rate_line(r, id);
    return NULL;
}

/* Grows a per-id array of sums to n ids (the new ones zero). */
static bool tots_fit(wi_tot **arr, size_t *cap, size_t n)
{
    if (n <= *cap)
        return true;
    size_t c = *cap ? *cap : 256;
    while (c < n)
        c *= 2;
    wi_tot *a = bss_realloc(*arr, c * sizeof *a);
    if (!a)
        return false;
    memset(a + *cap, 0, (c - *cap) * sizeof *a);
    *arr = a;
    *cap = c;
    return true;
}

/* Runs fn over WI_RATERS args on threads (the first on this one); one that cannot start runs here after. */
static void run_parallel(void *(*fn)(void *), void *args, size_t size, size_t n)
{
    pthread_t tid[WI_RATERS > WI_SLICES ? WI_RATERS : WI_SLICES];
    bool started[sizeof tid / sizeof tid[0]] = {false};
    for (size_t i = 1; i < n; i++)
        started[i] = pthread_create(&tid[i], NULL, fn, (char *)args + i * size) == 0;
    fn(args);
    for (size_t i = 1; i < n; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            fn((char *)args + i * size);
    }
}

/* Rates the pass's events: counting sort by line, then the lines on WI_RATERS threads. */
static bss_err run_rate(wi_run *run, bss_errinfo *ei)
{
    if (!run_merge(run) || !run_order(run) ||
        !tots_fit(&run->by_offering, &run->cap_offering, run->offerings.n) ||
        !tots_fit(&run->by_account, &run->cap_account, run->accounts.n))
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory rating the period's usage");
    wi_rater r[WI_RATERS];
    memset(r, 0, sizeof r);
    bool oom = false;
    for (uint32_t t = 0; t < WI_RATERS; t++) {
        r[t].run = run;
        r[t].t = t;
        r[t].by_offering = bss_calloc(run->offerings.n + 1, sizeof *r[t].by_offering);
        r[t].by_account = bss_calloc(run->accounts.n + 1, sizeof *r[t].by_account);
        oom = oom || !r[t].by_offering || !r[t].by_account;
    }
    if (!oom)
        run_parallel(rater_main, r, sizeof r[0], WI_RATERS);
    for (uint32_t t = 0; t < WI_RATERS; t++) {
        oom = oom || r[t].oom;
        for (uint32_t i = 0; !oom && i < run->offerings.n; i++)
            tot_add(&run->by_offering[i], &r[t].by_offering[i]);
        for (uint32_t i = 0; !oom && i < run->accounts.n; i++)
            tot_add(&run->by_account[i], &r[t].by_account[i]);
        if (!oom)
            tot_add(&run->all, &r[t].all);
        bss_free(r[t].by_offering);
        bss_free(r[t].by_account);
        bss_free(r[t].keys);
    }
    return oom ? bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory rating the period's usage") : BSS_OK;
}

static void run_free(wi_run *run)
{
    for (size_t s = 0; s < WI_SLICES; s++)
        slice_reset(&run->slices[s]);
    names_free(&run->lines);
    names_free(&run->accounts);
    names_free(&run->offerings);
    bss_free(run->by_offering);
    bss_free(run->by_account);
    bss_free(run->order);
    bss_free(run->first);
    run->by_offering = run->by_account = NULL;
    run->cap_offering = run->cap_account = 0;
    run->order = NULL;
    run->first = NULL;
    memset(&run->all, 0, sizeof run->all);
}

/*
 * Reads and rates [from, to) in passes passes (each the lines of one part
 * of their products' hashes); *full when a pass held more than budget
 * events (the run is then to be done again in more passes).
 */
static bss_err run_passes(wi_run *run, bss_db *db, bss_db *sibling, int64_t from_ms, int64_t to_ms,
                          const char *account, int64_t first, int64_t last, size_t budget, uint32_t passes,
                          bool *full, bss_errinfo *ei)
{
    *full = false;
    /* the halves of what the period holds (by time), each its own scan */
    int64_t lo = from_ms > first ? from_ms : first, hi = to_ms < last + 1 ? to_ms : last + 1;
    if (hi <= lo)
        lo = hi = from_ms;
    int64_t cut[WI_SLICES + 1];
    for (size_t s = 0; s <= WI_SLICES; s++)
        cut[s] = lo + (int64_t)(((__int128)(hi - lo) * (int64_t)s) / WI_SLICES);
    cut[0] = from_ms;
    cut[WI_SLICES] = to_ms;
    for (uint32_t pass = 0; pass < passes; pass++) {
        for (size_t s = 0; s < WI_SLICES; s++) {
            wi_slice *sl = &run->slices[s];
            slice_reset(sl);
            /* a slice over a fifth of the stored usage's time or more: the plain scan (the break-even
             * measured) */
            int64_t a = cut[s] > lo ? cut[s] : lo, b = cut[s + 1] < hi ? cut[s + 1] : hi;
            __int128 span = (__int128)(last - first) + 1, part = b > a ? (__int128)(b - a) : 0;
            sl->db = s == 0 || !sibling ? db : sibling;
            sl->sql = part * 5 >= span ? SQL_PERIOD_ALL : SQL_PERIOD;
            sl->account = account;
            sl->from_ms = cut[s];
            sl->to_ms = cut[s + 1];
            sl->pass = pass;
            sl->passes = passes;
            sl->limit = budget / WI_SLICES;
        }
        if (sibling)
            run_parallel(slice_scan, run->slices, sizeof run->slices[0], WI_SLICES);
        else
            for (size_t s = 0; s < WI_SLICES; s++)
                slice_scan(&run->slices[s]);
        run->base[0] = 0;
        for (size_t s = 0; s < WI_SLICES; s++) {
            wi_slice *sl = &run->slices[s];
            if (sl->rc != BSS_OK) {
                if (ei)
                    *ei = sl->ei;
                return sl->rc;
            }
            if (sl->full && sl->lines.n <= 1)
                return bss_fail(
                    ei, BSS_E_UNPROCESSABLE, "to",
                    "one line's usage in half the period is more than the what-if memory holds (%zu "
                    "events): ask for a shorter period, or give the server more (--what-if-memory)",
                    sl->limit);
            *full = *full || sl->full;
            run->base[s + 1] = run->base[s] + sl->n;
        }
        if (*full)
            return BSS_OK;
        bss_err rc = run_rate(run, ei);
        if (rc != BSS_OK)
            return rc;
    }
    return BSS_OK;
}

static json_t *rows_json(const wi_sum *arr, size_t n, const char *name)
{
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            out, json_pack("{s:s, s:I, s:o, s:o, s:o, s:o, s:I}", name, arr[i].key, "events",
                           (json_int_t)arr[i].events, "charged", bss_money_to_json(arr[i].charged), "before",
                           bss_money_to_json(arr[i].before), "after", bss_money_to_json(arr[i].after),
                           "delta", bss_money_to_json(arr[i].after - arr[i].before), "notRatedAfter",
                           (json_int_t)arr[i].not_rated));
    return out;
}

static void sum_add(wi_sum *s, const wi_tot *t)
{
    s->events += t->events;
    s->charged += t->charged;
    s->before += t->before;
    s->after += t->after;
    s->not_rated += t->not_rated;
}

/*
 * The sums by customer segment (the account's customer's): each account
 * looked up when there are few, else every account read once with its
 * customer (a million accounts are one read, not a million).
 */
#define WI_SEGMENT_LOOKUPS 2048

static void segment_add(wi *w, const char *segment, const wi_tot *t)
{
    sum_add(sum_of(&w->segments, &w->nseg, w->cap, segment && *segment ? segment : "unknown"), t);
}

typedef struct wi_seg_scan {
    const wi_run *run;
    wi *w;
    bool *seen;
} wi_seg_scan;

static bool segment_row(void *arg, const char *account, const char *segment)
{
    wi_seg_scan *s = arg;
    uint32_t id = 0;
    if (names_find(&s->run->accounts, account, &id) && !s->seen[id] && s->run->by_account[id].events) {
        s->seen[id] = true;
        segment_add(s->w, segment, &s->run->by_account[id]);
    }
    return true;
}

static bss_err segments(bss_db *db, const wi_run *run, wi *w, bss_errinfo *ei)
{
    bss_err rc = BSS_OK;
    if (run->accounts.n <= WI_SEGMENT_LOOKUPS) {
        for (uint32_t i = 0; i < run->accounts.n; i++) {
            char seg[64];
            if (!run->by_account[i].events)
                continue;
            rc = bss_billing_account_segment(db, names_text(&run->accounts, i), seg, sizeof seg, ei);
            if (rc != BSS_OK && rc != BSS_E_NOT_FOUND) /* an account no longer stored: unknown */
                return rc;
            segment_add(w, rc == BSS_OK ? seg : NULL, &run->by_account[i]);
        }
        return BSS_OK;
    }
    wi_seg_scan s = {run, w, bss_calloc(run->accounts.n, sizeof(bool))};
    if (!s.seen)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    rc = bss_billing_account_segments(db, segment_row, &s, ei);
    for (uint32_t i = 0; rc == BSS_OK && i < run->accounts.n; i++)
        if (!s.seen[i] && run->by_account[i].events)
            segment_add(w, NULL, &run->by_account[i]);
    bss_free(s.seen);
    return rc;
}

bss_err bss_usage_what_if(bss_db *db, const bss_catalog *current, const json_t *draft_doc, int64_t from_ms,
                          int64_t to_ms, const char *account_id, int64_t memory_bytes, json_t **report,
                          bss_errinfo *ei)
{
    *report = NULL;
    if (!current)
        return bss_fail(ei, BSS_E_UNSUPPORTED, NULL, "the catalog is not loaded yet: try again");
    if (to_ms <= from_ms || to_ms - from_ms > INT64_C(400) * 86400000)
        return bss_fail(ei, BSS_E_INVALID, "to", "the period is from < to, at most 400 days");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bss_catalog *draft = NULL;
    bss_err rc = draft_catalog(draft_doc, &draft, ei);
    if (rc != BSS_OK)
        return rc;
    int64_t first = 0, last = 0;
    bss_db_rows *rows = NULL;
    if ((rc = bss_db_query(db, SQL_SPAN, BSS_DB_NOARGS, &rows, ei)) == BSS_OK) {
        if (bss_db_next(rows)) {
            first = bss_db_col_int64(rows, 0);
            last = bss_db_col_int64(rows, 1);
        }
        rc = bss_db_rows_error(rows);
        bss_db_rows_close(rows);
    }
    /* the second half on a connection of its own; none (an in-memory store, no connection left): after the
     * first */
    bss_db *sibling = NULL;
    if (rc == BSS_OK && bss_db_open_sibling(db, &sibling, NULL) != BSS_OK)
        sibling = NULL;
    wi_run *run = bss_calloc(1, sizeof *run);
    if (rc == BSS_OK && !run)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (run) {
        run->cat[0] = current;
        run->cat[1] = draft;
        names_init(&run->lines);
        names_init(&run->accounts);
        names_init(&run->offerings);
        for (size_t s = 0; s < WI_SLICES; s++) {
            names_init(&run->slices[s].lines);
            names_init(&run->slices[s].accounts);
            names_init(&run->slices[s].offerings);
            bss_buf_init(&run->slices[s].odd, WI_TEXT_MAX);
        }
    }
    /* an event and its place in the order; at least one event a slice */
    size_t budget =
        (size_t)((memory_bytes > 0 ? memory_bytes : INT64_C(1) << 30) / (int64_t)(sizeof(wi_ev) + 4));
    budget = budget < WI_SLICES ? WI_SLICES : budget > UINT32_MAX ? UINT32_MAX : budget;
    bool full = true;
    uint32_t passes = 1;
    for (; rc == BSS_OK && full; passes *= 2) {
        run_free(run);
        rc = run_passes(run, db, sibling, from_ms, to_ms, account_id, first, last, budget, passes, &full, ei);
        if (rc == BSS_OK && full && passes >= (UINT32_C(1) << 16))
            rc = bss_fail(ei, BSS_E_UNPROCESSABLE, "to", "the period's usage is too large to rate at once");
    }
    passes /= 2; /* the loop doubled it after the last run */
    bss_db_close(sibling);
    char currency[4] = "";
    for (size_t s = 0; run && s < WI_SLICES && !currency[0]; s++)
        memcpy(currency, run->slices[s].currency, sizeof currency);
    if (run)
        for (size_t s = 0; s < WI_SLICES; s++)
            slice_reset(&run->slices[s]); /* the events, before the report is made */
    wi w = {.cap = 256};
    w.offerings = bss_calloc(w.cap, sizeof *w.offerings);
    w.segments = bss_calloc(w.cap, sizeof *w.segments);
    if (rc == BSS_OK && (!w.offerings || !w.segments))
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    for (uint32_t i = 0; rc == BSS_OK && i < run->offerings.n; i++)
        if (run->by_offering[i].events)
            sum_add(sum_of(&w.offerings, &w.noff, w.cap, names_text(&run->offerings, i)),
                    &run->by_offering[i]);
    if (rc == BSS_OK)
        rc = segments(db, run, &w, ei);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc == BSS_OK) {
        const wi_tot *a = &run->all;
        char f[32], t[32];
        bss_time_format(from_ms, f);
        bss_time_format(to_ms, t);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        *report = json_pack(
            "{s:s, s:s, s:I, s:s, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:I, s:I}", "from", f, "to", t, "events",
            (json_int_t)a->events, "currency", currency[0] ? currency : "EUR", "charged",
            bss_money_to_json(a->charged), "before", bss_money_to_json(a->before), "after",
            bss_money_to_json(a->after), "delta", bss_money_to_json(a->after - a->before), "notRatedAfter",
            (json_int_t)a->not_rated, "byOffering", rows_json(w.offerings, w.noff, "offering"), "bySegment",
            rows_json(w.segments, w.nseg, "segment"), "elapsedMicroseconds", (json_int_t)(secs * 1e6),
            "passes", (json_int_t)passes);
        if (!*report)
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    if (run)
        run_free(run);
    bss_free(run);
    bss_free(w.offerings);
    bss_free(w.segments);
    bss_catalog_free(draft);
    return rc;
}
