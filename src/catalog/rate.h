/*
 * rate.h: the pure rating functions over a compiled bss_price (price.h).
 * They take typed inputs, do no I/O, read no clock, allocate nothing and
 * log nothing, so the charging hot path and the bill run call them from any
 * thread and tests check them against hand-computed charges.
 *
 * Rounding rules (all amounts int64 micros, never floating point):
 *  - a per-unit price applies as value * rated_units / units_per_uom with
 *    bss_money_muldiv (exact 128-bit product, half-up to the micro);
 *  - graduated tiers: each tier's portion is computed that way, then summed;
 *  - recurring proration: value * active_days / period_days, half-up;
 *  - percentage discounts: base * percentage / 100, half-up; a discount
 *    never exceeds its base;
 *  - rounding to the currency's minor unit happens once, on the invoice line
 *    (billing), not here.
 * Usage increments: quantity 0 rates 0 units and charges nothing (no
 * connect fee, no minimum); otherwise rated = max(first, first + ceil((q -
 * first) / next) * next, minimumUnits), then the price applies to rated units
 * and the connect fee is added once.
 * Instants are accepted within core/time.h's range (bss_time_in_range:
 * |ms| <= BSS_TIME_MAX_MS, about years -6000 to 9999); outside it the
 * functions return BSS_E_RANGE instead of overflowing (an open end,
 * INT64_MAX, stays allowed where documented).
 */
#ifndef BSS_CATALOG_RATE_H
#define BSS_CATALOG_RATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/price.h"
#include "catalog/tz.h"
#include "core/err.h"

/* One one-time charge: the price's value. BSS_E_INVALID if p is not oneTime. */
bss_err bss_rate_one_time(const bss_price *p, int64_t *out_micros);

/*
 * The period of a recurring price that contains at_ms, for a price whose
 * periods are anchored at anchor_ms (the activation or the bill-cycle start):
 * day/week add 1/7 days * length, month/year add calendar months
 * (bss_time_add_months from the anchor, so the 31st clamps in short months).
 * at_ms before anchor_ms is BSS_E_RANGE.
 */
bss_err bss_rate_recurring_period(const bss_price *p, int64_t anchor_ms, int64_t at_ms, int64_t *out_start_ms,
                                  int64_t *out_end_ms);

/*
 * The charge for period [period_start, period_end) of a product active over
 * [active_from, active_to) (active_to = INT64_MAX while active). Days are
 * the calendar days (UTC, counted from period_start) that intersect the
 * active span: a day partly active counts in full. "daily" proration pays
 * value * active_days / period_days; "none" pays value if any day is active.
 * No overlap: 0. *out_days (may be NULL) gets active_days.
 */
bss_err bss_rate_recurring(const bss_price *p, int64_t period_start_ms, int64_t period_end_ms,
                           int64_t active_from_ms, int64_t active_to_ms, int64_t *out_micros, int *out_days);

/* One usage event, as the rater sees it. */
typedef struct bss_usage_event {
    int64_t quantity;        /* base units: seconds, messages, bytes, events (>= 0) */
    const char *destination; /* E.164 digits without '+' (voice, sms); NULL = none */
    size_t destination_len;
    int64_t start_ms;    /* UTC instant, for the time band */
    const bss_tz *tz;    /* the account's time zone; NULL = the plan's */
    const char *visited; /* visited network MCC-MNC digits; NULL = at home */
    size_t visited_len;
    int64_t rating_group; /* data rating group; -1 = none */
    int64_t used_units;   /* rated units already used this period (tiers) */
} bss_usage_event;

typedef enum bss_rate_source {
    BSS_RATE_SRC_FLAT = 1,     /* the price's own value */
    BSS_RATE_SRC_RATE,         /* usage.rates[index] */
    BSS_RATE_SRC_ROAMING,      /* usage.roaming[index] price */
    BSS_RATE_SRC_RATING_GROUP, /* usage.ratingGroups[index] */
    BSS_RATE_SRC_TIERS,        /* usage.tiers */
} bss_rate_source;

typedef enum bss_roam_rule { BSS_ROAM_NONE = 0, BSS_ROAM_HOME, BSS_ROAM_PRICE } bss_roam_rule;

/* How the charge was found (the price trace), for CDRs and explanations. */
typedef struct bss_rate_trace {
    bss_rate_source source;
    int index;                 /* into rates / roaming / ratingGroups; -1 otherwise */
    int64_t unit_price_micros; /* per unitOfMeasure (the last tier's for tiers) */
    int64_t units_per_uom;     /* base units per unitOfMeasure */
    int64_t connect_fee_micros;
    int first_tier, last_tier; /* tiers touched; -1 without tiers */
} bss_rate_trace;

typedef struct bss_usage_charge {
    int64_t charge_micros;
    int64_t rated_units;      /* after increments and minimum */
    const char *zone;         /* destination zone name; NULL without a zone table */
    const char *band;         /* time band name; NULL without a plan */
    const char *roaming_zone; /* NULL at home */
    bss_roam_rule roaming;
    bool zero_rated;
    bss_rate_trace trace;
} bss_usage_charge;

/*
 * Rates one usage event. Order: roaming (a "price" rule replaces
 * everything), then rating group (data), then zone x band rate, then flat or
 * tiers. Errors: BSS_E_INVALID (p not usage, negative quantity),
 * BSS_E_NOT_FOUND (no zone for the destination or visited network, or no
 * roaming rule for it), BSS_E_UNSUPPORTED (the price was built without its
 * tables: NULL refs), BSS_E_RANGE (overflow).
 */
bss_err bss_rate_usage(const bss_price *p, const bss_usage_event *ev, bss_usage_charge *out);

/* Rated units for a quantity under the price's increments and minimum (0 for 0). */
int64_t bss_rate_round_units(const bss_price *p, int64_t quantity);

/* "flat zone=national-mobile band=peak 0.10/60 connect=0.05": a readable trace. Returns the length. */
size_t bss_rate_trace_format(const bss_usage_charge *c, char *buf, size_t cap);

/* What an allowance price gives when a product is activated: a bucket template. */
typedef enum bss_fair_action { BSS_FAIR_NONE = 0, BSS_FAIR_THROTTLE, BSS_FAIR_OVERAGE } bss_fair_action;

typedef struct bss_bucket_template {
    bss_service service;
    bool unlimited;
    int64_t units;     /* base units (0 when unlimited) */
    int validity_days; /* 0 = one billing cycle */
    bool renew_each_cycle;
    bool rollover;
    int64_t rollover_cap; /* base units */
    bool shared;          /* pooled across the account's lines */
    int priority;         /* lower first */
    bss_fair_action fair_action;
    int64_t fair_after_units; /* base units */
    int64_t throttle_kbps;
    int64_t overage_price_micros; /* per overage_units_per_uom base units */
    int64_t overage_units_per_uom;
    const char *const *zones; /* zone names the allowance covers; NULL = all */
    size_t nzones;
} bss_bucket_template;

/* BSS_E_INVALID if p is not an allowance. Pointers in *out live as long as p. */
bss_err bss_rate_allowance(const bss_price *p, bss_bucket_template *out);

/* Whether an allowance covers usage to a destination zone name (NULL zone: only an all-zones allowance). */
bool bss_rate_allowance_covers(const bss_price *p, const char *zone);

/* What a discount applies to (its appliesTo). */
typedef enum bss_charge_kind {
    BSS_CHARGE_ONE_TIME = 1 << 0,
    BSS_CHARGE_RECURRING = 1 << 1,
    BSS_CHARGE_USAGE = 1 << 2,
} bss_charge_kind;

/*
 * The discount (a positive amount to subtract) on a base amount of a kind for
 * billing cycle n (1 = the first cycle of the product): 0 when n exceeds
 * applicationDuration.cycles, the kind is not in appliesTo or base <= 0.
 * Percentage: base * p / 100 half-up; fixed: min(value, base).
 * BSS_E_INVALID if p is not a discount or n < 1.
 */
bss_err bss_rate_discount(const bss_price *p, int64_t base_micros, bss_charge_kind kind, int cycle_n,
                          int64_t *out_discount_micros);

#endif
