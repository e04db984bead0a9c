/*
 * rate.c: the pure rating functions (catalog.h) over a compiled bss_price:
 * one-time and recurring charges (calendar periods, daily proration), usage
 * events (increments, minimums, connect fee, roaming rule, rating group,
 * zone x band matrix, graduated and volume tiers), allowance bucket
 * templates and discounts. No I/O, no clock, no allocation; every product
 * of a price and a quantity goes through bss_money_muldiv (exact, half-up).
 */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog_int_price.h"
#include "catalog/catalog.h"
#include "core/money.h"
#include "core/time.h"

bss_err bss_rate_one_time(const bss_price *p, int64_t *out_micros)
{
    if (!p || p->kind != BSS_PRICE_ONE_TIME)
        return BSS_E_INVALID;
    *out_micros = p->value;
    return BSS_OK;
}

/*
 * The instants the recurring functions accept (anchors, instants, period
 * bounds) are those of core/time.h (bss_time_in_range); outside is
 * BSS_E_RANGE (fuzz/fuzz_price.c found the overflow with a period spanning
 * most of int64). A product's active_from/active_to may be anything
 * (INT64_MAX while active): they are clamped to the period before any
 * arithmetic.
 */
static bool instant_ok(int64_t ms)
{
    return bss_time_in_range(ms);
}

static int64_t period_start(const bss_price *p, int64_t anchor_ms, int64_t k)
{
    int months = p->period_length * (p->period == BSS__YEAR ? 12 : 1);
    return bss_time_add_months(anchor_ms, (int)(k * months));
}

bss_err bss_rate_recurring_period(const bss_price *p, int64_t anchor_ms, int64_t at_ms, int64_t *out_start_ms,
                                  int64_t *out_end_ms)
{
    if (!p || p->kind != BSS_PRICE_RECURRING)
        return BSS_E_INVALID;
    if (at_ms < anchor_ms || !instant_ok(anchor_ms) || !instant_ok(at_ms))
        return BSS_E_RANGE;
    if (p->period == BSS__DAY || p->period == BSS__WEEK) {
        int64_t len = BSS_MS_PER_DAY * p->period_length * (p->period == BSS__WEEK ? 7 : 1);
        int64_t k = (at_ms - anchor_ms) / len;
        *out_start_ms = anchor_ms + k * len;
        *out_end_ms = *out_start_ms + len;
        return BSS_OK;
    }
    int y0, m0, d, y1, m1, h, mi, s, wd;
    bss_time_to_civil(anchor_ms, &y0, &m0, &d, &h, &mi, &s, &wd);
    bss_time_to_civil(at_ms, &y1, &m1, &d, &h, &mi, &s, &wd);
    int months = p->period_length * (p->period == BSS__YEAR ? 12 : 1);
    int64_t k = ((int64_t)(y1 - y0) * 12 + (m1 - m0)) / months;
    int64_t start = period_start(p, anchor_ms, k);
    while (start > at_ms && k > 0)
        start = period_start(p, anchor_ms, --k);
    int64_t end = period_start(p, anchor_ms, k + 1);
    while (end <= at_ms) {
        start = end;
        end = period_start(p, anchor_ms, ++k + 1);
    }
    *out_start_ms = start;
    *out_end_ms = end;
    return BSS_OK;
}

bss_err bss_rate_recurring(const bss_price *p, int64_t period_start_ms, int64_t period_end_ms,
                           int64_t active_from_ms, int64_t active_to_ms, int64_t *out_micros, int *out_days)
{
    if (!p || p->kind != BSS_PRICE_RECURRING)
        return BSS_E_INVALID;
    if (period_end_ms <= period_start_ms || !instant_ok(period_start_ms) || !instant_ok(period_end_ms))
        return BSS_E_RANGE;
    int64_t a = active_from_ms > period_start_ms ? active_from_ms : period_start_ms;
    int64_t b = active_to_ms < period_end_ms ? active_to_ms : period_end_ms;
    int64_t period_days = (period_end_ms - period_start_ms + BSS_MS_PER_DAY - 1) / BSS_MS_PER_DAY;
    int64_t days = 0;
    if (a < b) {
        int64_t first = (a - period_start_ms) / BSS_MS_PER_DAY;
        int64_t last = (b - period_start_ms + BSS_MS_PER_DAY - 1) / BSS_MS_PER_DAY; /* exclusive */
        days = last - first;
    }
    if (out_days)
        *out_days = (int)days;
    if (days == 0) {
        *out_micros = 0;
        return BSS_OK;
    }
    if (!p->prorate_daily || days >= period_days) {
        *out_micros = p->value;
        return BSS_OK;
    }
    return bss_money_muldiv(p->value, days, period_days, out_micros) ? BSS_OK : BSS_E_RANGE;
}

static bool round_units(const bss__usage *us, int64_t q, int64_t *out)
{
    if (q <= 0) {
        *out = 0;
        return true;
    }
    int64_t r = us->first;
    if (q > us->first) {
        int64_t k = (q - us->first - 1) / us->next + 1;
        if (__builtin_mul_overflow(k, us->next, &k) || __builtin_add_overflow(r, k, &r))
            return false;
    }
    *out = r < us->minimum ? us->minimum : r;
    return true;
}

int64_t bss_rate_round_units(const bss_price *p, int64_t quantity)
{
    int64_t r = quantity;
    if (p && p->kind == BSS_PRICE_USAGE && !round_units(&p->usage, quantity, &r))
        return -1;
    return r;
}

/* Graduated: each unit priced by the tier its position [used, used + units) falls in. */
static bool rate_graduated(const bss__usage *us, int64_t used, int64_t units, int64_t *out,
                           bss_rate_trace *tr)
{
    int64_t start = used, end, total = 0;
    if (__builtin_add_overflow(used, units, &end))
        return false;
    for (int i = 0; i < us->ntiers; i++) {
        const bss__tier *t = &us->tiers[i];
        int64_t lo = start > t->from_units ? start : t->from_units;
        int64_t hi = end < t->to_units ? end : t->to_units;
        if (lo >= hi)
            continue;
        int64_t part;
        if (!bss_money_muldiv(t->price_micros, hi - lo, us->units_per_uom, &part) ||
            __builtin_add_overflow(total, part, &total))
            return false;
        if (tr->first_tier < 0)
            tr->first_tier = i;
        tr->last_tier = i;
        tr->unit_price_micros = t->price_micros;
    }
    *out = total;
    return true;
}

/* Volume: every unit priced by the tier holding the period total after the event. */
static bool rate_volume(const bss__usage *us, int64_t used, int64_t units, int64_t *out, bss_rate_trace *tr)
{
    int64_t end;
    *out = 0;
    if (units == 0)
        return true;
    if (__builtin_add_overflow(used, units, &end))
        return false;
    for (int i = 0; i < us->ntiers; i++) {
        const bss__tier *t = &us->tiers[i];
        if (end - 1 >= t->from_units && end - 1 < t->to_units) {
            tr->first_tier = tr->last_tier = i;
            tr->unit_price_micros = t->price_micros;
            return bss_money_muldiv(t->price_micros, units, us->units_per_uom, out);
        }
    }
    return false;
}

/* Destination zone row and band of the event; BSS_E_NOT_FOUND when the destination is in no zone. */
static bss_err locate(const bss_price *p, const bss_usage_event *ev, bss_usage_charge *out, int *zone_row,
                      int *band)
{
    const bss__usage *us = &p->usage;
    *zone_row = us->nzones;
    *band = 0;
    if (us->plan) {
        *band = bss_timeband_at(us->plan, ev->start_ms, ev->tz);
        if (*band < 0)
            return BSS_E_NOT_FOUND;
        out->band = bss_timeband_name(us->plan, *band);
    }
    if (us->zones && ev->destination) {
        int z = bss_zone_lookup(us->zones, ev->destination, ev->destination_len);
        if (z < 0)
            return BSS_E_NOT_FOUND;
        *zone_row = z;
        out->zone = bss_zone_name(us->zones, z);
    }
    return BSS_OK;
}

/* Roaming: a "price" rule decides the unit price (returns true); "home" rates as at home. */
static bss_err roam(const bss_price *p, const bss_usage_event *ev, bss_usage_charge *out, bool *decided)
{
    const bss__usage *us = &p->usage;
    if (!ev->visited || !us->roam_zones)
        return BSS_OK;
    int rz = bss_zone_lookup(us->roam_zones, ev->visited, ev->visited_len);
    if (rz < 0 || rz >= us->nroam_zones)
        return BSS_E_NOT_FOUND;
    int e = us->roam_by_zone[rz];
    out->roaming_zone = bss_zone_name(us->roam_zones, rz);
    out->roaming = us->roam[e].rule;
    if (us->roam[e].rule == BSS_ROAM_PRICE) {
        out->trace.source = BSS_RATE_SRC_ROAMING;
        out->trace.index = e;
        out->trace.unit_price_micros = us->roam[e].price_micros;
        *decided = true;
    }
    return BSS_OK;
}

/* Zone x band rate or the flat price: sets the trace's unit price. */
static bss_err home_rate(const bss_price *p, int zone_row, int band, bss_rate_trace *tr)
{
    const bss__usage *us = &p->usage;
    tr->source = BSS_RATE_SRC_FLAT;
    tr->unit_price_micros = p->value;
    if (us->nrates == 0)
        return BSS_OK;
    int cell = us->matrix[zone_row * us->nbands + band];
    if (cell == BSS__NO_RATE)
        return BSS_E_NOT_FOUND;
    if (cell >= 0) {
        tr->source = BSS_RATE_SRC_RATE;
        tr->index = cell;
        tr->unit_price_micros = us->rates[cell].price_micros;
    }
    return BSS_OK;
}

/*
 * Steps within one event: each part of the quantity that falls in a step
 * is rounded up to the step's increment and priced at its price (half-up
 * to the micro, per step); the connect fee once when the quantity is
 * above 0. Zones and bands do not apply (steps go without rates), but the
 * event must still be rateable where it happened (roaming).
 */
static bss_err rate_steps(const bss_price *p, const bss_usage_event *ev, bss_usage_charge *out)
{
    const bss__usage *us = &p->usage;
    bss_rate_trace *tr = &out->trace;
    bool decided = false;
    bss_err rc = roam(p, ev, out, &decided);
    if (rc != BSS_OK)
        return rc;
    tr->source = BSS_RATE_SRC_STEPS;
    int64_t q = ev->quantity, rated = 0, charge = 0;
    for (int i = 0; i < us->nsteps && q > us->steps[i].from_units; i++) {
        const bss__step *st = &us->steps[i];
        int64_t part = (q < st->to_units ? q : st->to_units) - st->from_units;
        int64_t k = (part - 1) / st->increment + 1, units = 0, c = 0;
        if (__builtin_mul_overflow(k, st->increment, &units) ||
            !bss_money_muldiv(decided ? tr->unit_price_micros : st->price_micros, units, us->units_per_uom, &c) ||
            __builtin_add_overflow(rated, units, &rated) || __builtin_add_overflow(charge, c, &charge))
            return BSS_E_RANGE;
        tr->steps = i + 1;
        tr->unit_price_micros = decided ? tr->unit_price_micros : st->price_micros;
    }
    out->rated_units = rated;
    if (rated > 0) {
        tr->connect_fee_micros = us->connect_fee;
        if (__builtin_add_overflow(charge, us->connect_fee, &charge))
            return BSS_E_RANGE;
    }
    out->charge_micros = charge;
    return BSS_OK;
}

bss_err bss_rate_usage(const bss_price *p, const bss_usage_event *ev, bss_usage_charge *out)
{
    memset(out, 0, sizeof *out);
    out->trace.index = out->trace.first_tier = out->trace.last_tier = -1;
    if (!p || p->kind != BSS_PRICE_USAGE || !ev || ev->quantity < 0)
        return BSS_E_INVALID;
    if (!p->resolved)
        return BSS_E_UNSUPPORTED;
    const bss__usage *us = &p->usage;
    bss_rate_trace *tr = &out->trace;
    tr->units_per_uom = us->units_per_uom;
    if (us->nsteps > 0)
        return rate_steps(p, ev, out);
    if (!round_units(us, ev->quantity, &out->rated_units))
        return BSS_E_RANGE;
    int zone_row, band;
    bool decided = false;
    bss_err rc = locate(p, ev, out, &zone_row, &band);
    if (rc == BSS_OK)
        rc = roam(p, ev, out, &decided);
    if (rc != BSS_OK)
        return rc;
    for (int i = 0; !decided && ev->rating_group >= 0 && i < us->nrgs; i++) {
        if (us->rgs[i].rating_group != ev->rating_group)
            continue;
        tr->source = BSS_RATE_SRC_RATING_GROUP;
        tr->index = i;
        tr->unit_price_micros = us->rgs[i].price_micros;
        if (us->rgs[i].zero_rated) {
            out->zero_rated = true;
            return BSS_OK; /* nothing charged, not even the connect fee */
        }
        decided = true;
    }
    int64_t charge = 0;
    if (!decided && us->structure != BSS__FLAT) {
        tr->source = BSS_RATE_SRC_TIERS;
        bool ok = us->structure == BSS__TIERED
                      ? rate_graduated(us, ev->used_units, out->rated_units, &charge, tr)
                      : rate_volume(us, ev->used_units, out->rated_units, &charge, tr);
        if (!ok)
            return BSS_E_RANGE;
    } else {
        if (!decided && (rc = home_rate(p, zone_row, band, tr)) != BSS_OK)
            return rc;
        if (!bss_money_muldiv(tr->unit_price_micros, out->rated_units, us->units_per_uom, &charge))
            return BSS_E_RANGE;
    }
    if (out->rated_units > 0) {
        tr->connect_fee_micros = us->connect_fee;
        if (__builtin_add_overflow(charge, us->connect_fee, &charge))
            return BSS_E_RANGE;
    }
    out->charge_micros = charge;
    return BSS_OK;
}

bss_err bss_rate_usage_part(const bss_price *p, const bss_usage_event *ev, const bss_usage_charge *c, int64_t units,
                           int64_t *out_micros)
{
    *out_micros = 0;
    if (!p || p->kind != BSS_PRICE_USAGE || !ev || !c || units < 0)
        return BSS_E_INVALID;
    if (units > c->rated_units)
        units = c->rated_units;
    if (units == 0 || c->zero_rated)
        return BSS_OK;
    if (units == c->rated_units) { /* the whole event: its charge without the connect fee, exactly */
        *out_micros = c->charge_micros - c->trace.connect_fee_micros;
        return BSS_OK;
    }
    const bss__usage *us = &p->usage;
    int64_t total = 0;
    if (c->trace.source == BSS_RATE_SRC_STEPS) {
        /* the first units of the event, step by step, each step's share of its rounded units */
        bool decided = c->roaming == BSS_ROAM_PRICE;
        int64_t left = units;
        for (int i = 0; i < us->nsteps && left > 0; i++) {
            const bss__step *st = &us->steps[i];
            if (ev->quantity <= st->from_units)
                break;
            int64_t part = (ev->quantity < st->to_units ? ev->quantity : st->to_units) - st->from_units;
            int64_t k = (part - 1) / st->increment + 1, step_units;
            if (__builtin_mul_overflow(k, st->increment, &step_units))
                return BSS_E_RANGE;
            int64_t take = left < step_units ? left : step_units, m;
            if (!bss_money_muldiv(decided ? c->trace.unit_price_micros : st->price_micros, take, us->units_per_uom,
                                  &m) ||
                __builtin_add_overflow(total, m, &total))
                return BSS_E_RANGE;
            left -= take;
        }
    } else if (c->trace.source == BSS_RATE_SRC_TIERS && us->structure == BSS__TIERED) {
        bss_rate_trace scratch = {.first_tier = -1, .last_tier = -1};
        if (!rate_graduated(us, ev->used_units, units, &total, &scratch))
            return BSS_E_RANGE;
    } else if (!bss_money_muldiv(c->trace.unit_price_micros, units, us->units_per_uom, &total)) {
        return BSS_E_RANGE; /* flat, zone x band, roaming price, rating group, volume tier: one unit price */
    }
    int64_t whole = c->charge_micros - c->trace.connect_fee_micros;
    *out_micros = total < whole ? total : whole; /* never more than the whole event's */
    return BSS_OK;
}

size_t bss_rate_trace_format(const bss_usage_charge *c, char *buf, size_t cap)
{
    static const char *const src[] = {"?", "flat", "rate", "roaming", "ratingGroup", "tiers", "steps"};
    static const char *const rules[] = {"none", "home", "price"};
    char unit[32], fee[32], charge[32];
    bss_money_format(c->trace.unit_price_micros, unit);
    bss_money_format(c->trace.connect_fee_micros, fee);
    bss_money_format(c->charge_micros, charge);
    int src_i = (c->trace.source >= BSS_RATE_SRC_FLAT && c->trace.source <= BSS_RATE_SRC_STEPS)
                    ? (int)c->trace.source
                    : 0;
    int n = snprintf(
        buf, cap, "%s[%d] zone=%s band=%s roaming=%s/%s units=%lld price=%s/%lld connect=%s%s charge=%s",
        src[src_i], c->trace.index, c->zone ? c->zone : "-", c->band ? c->band : "-",
        c->roaming_zone ? c->roaming_zone : "-", rules[c->roaming], (long long)c->rated_units, unit,
        (long long)c->trace.units_per_uom, fee, c->zero_rated ? " zero-rated" : "", charge);
    return n < 0 ? 0 : (size_t)n;
}

bss_err bss_rate_allowance(const bss_price *p, bss_bucket_template *out)
{
    if (!p || p->kind != BSS_PRICE_ALLOWANCE)
        return BSS_E_INVALID;
    *out = p->bucket;
    return BSS_OK;
}

bool bss_rate_allowance_covers(const bss_price *p, const char *zone)
{
    if (!p || p->kind != BSS_PRICE_ALLOWANCE)
        return false;
    if (!p->bucket.zones)
        return true;
    for (size_t i = 0; zone && i < p->bucket.nzones; i++)
        if (strcmp(p->bucket.zones[i], zone) == 0)
            return true;
    return false;
}

bss_err bss_rate_discount(const bss_price *p, int64_t base_micros, bss_charge_kind kind, int cycle_n,
                          int64_t *out_discount_micros)
{
    if (!p || p->kind != BSS_PRICE_DISCOUNT || cycle_n < 1)
        return BSS_E_INVALID;
    const bss__discount *d = &p->discount;
    *out_discount_micros = 0;
    if (base_micros <= 0 || !(d->applies_to & (unsigned)kind) || (d->cycles > 0 && cycle_n > d->cycles))
        return BSS_OK;
    int64_t off = p->value;
    if (d->is_percentage &&
        !bss_money_muldiv(base_micros, d->percentage_micros, 100 * BSS_MICROS_PER_UNIT, &off))
        return BSS_E_RANGE;
    *out_discount_micros = off < base_micros ? off : base_micros;
    return BSS_OK;
}
