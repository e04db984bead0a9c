/*
 * rating.c: the rating core (charging.h): one usage event against one
 * line's usage prices and buckets. The price is the catalog's
 * (catalog/rate.c); this file adds what a subscriber has: which buckets
 * cover the event, in which order, and how much money is left to pay.
 * Pure: no I/O, no clock, no allocation.
 */
#include <limits.h>
#include <string.h>

#include "charging/charging.h"
#include "core/money.h"

static const char *const source_names[] = {"", "promotion", "plan", "addon", "shared", "wallet"};

const char *bss_bucket_source_name(bss_bucket_source s)
{
    return s >= BSS_BUCKET_PROMOTION && s <= BSS_BUCKET_WALLET ? source_names[s] : "";
}

bss_bucket_source bss_bucket_source_parse(const char *name)
{
    for (int i = BSS_BUCKET_PROMOTION; name && i <= BSS_BUCKET_WALLET; i++)
        if (strcmp(name, source_names[i]) == 0)
            return (bss_bucket_source)i;
    return 0;
}

bss_service bss_cdr_catalog_service(bss_cdr_service s)
{
    switch (s) {
    case BSS_CDR_VOICE:
        return BSS_SERVICE_VOICE;
    case BSS_CDR_SMS:
        return BSS_SERVICE_SMS;
    case BSS_CDR_DATA:
        return BSS_SERVICE_DATA;
    case BSS_CDR_MMS:
    case BSS_CDR_CONTENT:
        return BSS_SERVICE_EVENT;
    }
    return BSS_SERVICE_NONE;
}

static bool valid_at(const bss_rate_bucket *b, int64_t at)
{
    return at >= b->valid_from_ms && at < b->valid_to_ms;
}

/* Consumption order: source, priority, the one ending first, position. */
static bool before(const bss_rate_bucket *bs, int a, int b)
{
    const bss_rate_bucket *x = &bs[a], *y = &bs[b];
    if (x->source != y->source)
        return x->source < y->source;
    if (x->priority != y->priority)
        return x->priority < y->priority;
    if (x->valid_to_ms != y->valid_to_ms)
        return x->valid_to_ms < y->valid_to_ms;
    return a < b;
}

/* The eligible buckets in consumption order into idx (at most cap); returns how many. */
static size_t order_buckets(const bss_rate_line *line, bss_service service, const char *zone, int64_t at, int *idx,
                            size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < line->nbuckets && n < cap; i++) {
        const bss_rate_bucket *b = &line->buckets[i];
        if (b->service != service || !valid_at(b, at))
            continue;
        if (service != BSS_SERVICE_NONE && b->allowance && !bss_rate_allowance_covers(b->allowance, zone))
            continue;
        int k = (int)n++;
        while (k > 0 && before(line->buckets, (int)i, idx[k - 1])) {
            idx[k] = idx[k - 1];
            k--;
        }
        idx[k] = (int)i;
    }
    return n;
}

static int64_t available(const bss_rate_bucket *b)
{
    if (b->unlimited)
        return INT64_MAX;
    int64_t a;
    if (__builtin_sub_overflow(b->value, b->reserved, &a) || a < 0)
        return 0;
    return a;
}

/* Which of 50/80/100 % of initial the bucket's use crossed going from value before to after. */
static unsigned crossed(int64_t initial, int64_t before, int64_t after)
{
    if (initial <= 0)
        return 0;
    static const int pct[] = {50, 80, 100};
    unsigned bits = 0;
    __int128 used0 = (__int128)initial - before, used1 = (__int128)initial - after;
    for (int i = 0; i < 3; i++) {
        __int128 mark = (__int128)initial * pct[i];
        if (used0 * 100 < mark && used1 * 100 >= mark)
            bits |= 1u << i;
    }
    return bits;
}

/* An unlimited bucket (initial 0, units) keeps its value: before = after. */
static bool add_take(bss_rate_result *out, int bucket, int64_t amount, int64_t before_v, bool units, int64_t initial,
                     bool unlimited)
{
    if (out->ntakes >= BSS_RATE_MAX_TAKES)
        return false;
    bss_rate_take *t = &out->takes[out->ntakes++];
    t->bucket = bucket;
    t->amount = amount;
    t->before = before_v;
    t->after = unlimited ? before_v : before_v - amount;
    t->crossed = units ? crossed(initial, t->before, t->after) : 0;
    return true;
}

/*
 * Unit buckets: covers what they can of the event's rated units. *refused
 * gets the units "overage" fair-use limits turned away, and the overage
 * price of the first such limit goes into *tpl.
 */
static void cover_units(const bss_rate_line *line, const bss_rate_input *ev, bss_rate_result *out, int64_t *refused,
                        bss_bucket_template *over)
{
    int idx[64];
    size_t n = order_buckets(line, ev->service, out->charge.zone, ev->start_ms, idx, 64);
    int64_t left = out->charge.rated_units;
    *refused = 0;
    for (size_t k = 0; k < n && left > 0; k++) {
        const bss_rate_bucket *b = &line->buckets[idx[k]];
        int64_t take = available(b);
        take = take < left ? take : left;
        bss_bucket_template t;
        bool fair = b->allowance && bss_rate_allowance(b->allowance, &t) == BSS_OK && t.fair_action != BSS_FAIR_NONE &&
                    t.fair_after_units > 0;
        if (fair) {
            int64_t room = t.fair_after_units - b->used;
            room = room > 0 ? room : 0;
            if (t.fair_action == BSS_FAIR_THROTTLE && b->used + take >= t.fair_after_units && take > 0) {
                out->throttle = true;
                out->throttle_kbps = t.throttle_kbps;
            } else if (t.fair_action == BSS_FAIR_OVERAGE && take > room) {
                if (*refused == 0)
                    *over = t;
                *refused += take - room;
                take = room;
            }
        }
        if (take <= 0)
            continue;
        if (!add_take(out, idx[k], take, b->value, true, b->unlimited ? 0 : b->initial, b->unlimited))
            break;
        out->covered_units += take;
        left -= take;
    }
}

/* Money buckets, then the bill (postpaid), an overdraft (prepaid, when allowed) or short. */
static void pay(const bss_rate_line *line, const bss_rate_input *ev, bss_rate_result *out)
{
    int idx[64];
    size_t n = order_buckets(line, BSS_SERVICE_NONE, NULL, ev->start_ms, idx, 64);
    int64_t left = out->charge_micros;
    int wallet = -1; /* the last money bucket: where an overdraft goes */
    for (size_t k = 0; k < n; k++) {
        const bss_rate_bucket *b = &line->buckets[idx[k]];
        wallet = idx[k];
        int64_t take = available(b);
        take = take < left ? take : left;
        if (take <= 0)
            continue;
        if (!add_take(out, idx[k], take, b->value, false, 0, false))
            break;
        out->wallet_micros += take;
        left -= take;
    }
    if (left <= 0)
        return;
    if (!line->prepaid) {
        out->billed_micros = left;
    } else if (line->overdraft && wallet >= 0) {
        /* the wallet goes below 0 by what is short: the usage already happened */
        size_t t;
        for (t = 0; t < out->ntakes && out->takes[t].bucket != wallet; t++)
            ;
        if (t < out->ntakes) {
            out->takes[t].amount += left;
            out->takes[t].after -= left;
            out->wallet_micros += left;
        } else if (add_take(out, wallet, left, line->buckets[wallet].value, false, 0, false)) {
            out->wallet_micros += left;
        } else {
            out->short_micros = left;
        }
    } else {
        out->short_micros = left;
    }
}

bss_err bss_charging_rate(const bss_rate_line *line, const bss_rate_input *ev, bss_rate_result *out)
{
    memset(out, 0, sizeof *out);
    if (!line || !ev || ev->quantity < 0 || ev->service <= BSS_SERVICE_NONE || ev->service > BSS_SERVICE_EVENT)
        return BSS_E_INVALID;
    const bss_price *p = line->usage[ev->service];
    if (!p)
        return BSS_E_NOT_FOUND;
    out->price = p;
    bss_usage_event ue = {.quantity = ev->quantity,
                          .destination = ev->destination,
                          .destination_len = ev->destination_len,
                          .start_ms = ev->start_ms,
                          .tz = line->tz,
                          .visited = ev->visited,
                          .visited_len = ev->visited_len,
                          .rating_group = ev->rating_group,
                          .used_units = line->used_units[ev->service]};
    bss_err rc = bss_rate_usage(p, &ue, &out->charge);
    if (rc != BSS_OK)
        return rc;
    const bss_usage_charge *c = &out->charge;
    if (c->zero_rated || c->rated_units == 0)
        return BSS_OK;
    int64_t refused = 0;
    bss_bucket_template over = {0};
    if (c->roaming != BSS_ROAM_PRICE) /* allowances apply at home and roaming like at home */
        cover_units(line, ev, out, &refused, &over);
    int64_t rest = c->rated_units - out->covered_units;
    out->overage_units = refused < rest ? refused : rest;
    if (rest == 0)
        return BSS_OK; /* wholly covered: no connect fee either */
    /* the overage units follow the covered ones; the rest pays the usage price, and the connect fee once */
    int64_t part = 0, over_micros = 0, money;
    rc = bss_rate_usage_part(p, &ue, c, out->covered_units + out->overage_units, &part);
    if (rc != BSS_OK)
        return rc;
    if (out->overage_units > 0 && over.overage_units_per_uom > 0 &&
        !bss_money_muldiv(over.overage_price_micros, out->overage_units, over.overage_units_per_uom, &over_micros))
        return BSS_E_RANGE;
    if (__builtin_sub_overflow(c->charge_micros, part, &money) || __builtin_add_overflow(money, over_micros, &money))
        return BSS_E_RANGE;
    out->charge_micros = money;
    pay(line, ev, out);
    return BSS_OK;
}

void bss_charging_apply(bss_rate_line *line, const bss_rate_result *res)
{
    for (size_t i = 0; i < res->ntakes; i++) {
        bss_rate_bucket *b = &line->buckets[res->takes[i].bucket];
        if (!b->unlimited || b->service == BSS_SERVICE_NONE)
            b->value -= res->takes[i].amount;
        if (b->service != BSS_SERVICE_NONE)
            b->used += res->takes[i].amount;
    }
    if (res->price)
        line->used_units[bss_price_service(res->price)] += res->charge.rated_units;
}
