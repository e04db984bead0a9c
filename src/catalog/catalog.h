/*
 * catalog.h: the product catalog module, as other modules see it. It owns
 * the TMF620 catalog documents (catalogs, categories, product
 * specifications, offerings, offering prices, zone tables and time-band
 * plans) and TMF671-style promotions as document kinds (doc/doc.h), their
 * versions and "as of" reads, eligibility, the catalog file (import and
 * export, with their TMF620 jobs), the pricing model and its pure rating
 * functions, and the compiled catalog the rater reads. This is the
 * module's one public header: its sections follow the order in which the
 * parts build on each other (time zones, zone tables, time-band plans,
 * prices, rating, the compiled catalog, eligibility, the catalog file, the
 * document kinds); what only the module's own files share is in
 * catalog_int.h, catalog_int_compile.h and catalog_int_price.h.
 *
 * The kinds (served by src/api/tmf620.c and tmf671.c, written by the
 * catalog import through doc/doc.h like any other kind):
 *
 *   kind                       name                   table
 *   bss_category_kind          category               tmf620_category
 *   bss_catalog_kind           catalog                tmf620_catalog
 *   bss_spec_kind              productSpecification   tmf620_product_specification
 *   bss_offering_kind          productOffering        tmf620_product_offering
 *   bss_offering_price_kind    productOfferingPrice   tmf620_product_offering_price
 *   bss_zone_table_kind        zoneTable              tmf620_zone_table
 *   bss_timeband_plan_kind     timeBandPlan           tmf620_time_band_plan
 *   bss_promotion_kind         promotion              tmf671_promotion
 *   bss_import_job_kind        importJob              tmf620_import_job
 *   bss_export_job_kind        exportJob              tmf620_export_job
 *
 * Each kind's rules are documented at the top of its file (doc_*.c) and in
 * docs/catalog.md. Every catalog write is compiled against the whole
 * catalog in its transaction (a write that would break it is 422 with the
 * path) and rebuilds the compiled catalog after its commit.
 */
#ifndef BSS_CATALOG_CATALOG_H
#define BSS_CATALOG_CATALOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "core/err.h"
#include "db/db.h"
#include "doc/doc.h"

/* ==== Time zones (tz.c) ================================================================================= */

/*
 * IANA time zones ("Europe/Amsterdam") read from the system's
 * compiled zoneinfo files (Debian's tzdata, /usr/share/zoneinfo, TZif
 * version 2+), for time bands "in the account's time zone". A loaded zone
 * is immutable and lives until process exit; bss_tz_get caches by name, so
 * a zone file is read once. Thread-safe. Never uses TZ/localtime.
 */

typedef struct bss_tz bss_tz;

/* "UTC", "Europe/Amsterdam", ... BSS_E_INVALID (unknown or malformed name; no '..', no leading '/'). */
bss_err bss_tz_get(const char *name, const bss_tz **out, bss_errinfo *ei);
const char *bss_tz_name(const bss_tz *tz);
/* Offset from UTC in seconds at the instant (DST included); beyond the file's transitions its POSIX TZ rule
 * applies. */
int32_t bss_tz_offset_s(const bss_tz *tz, int64_t utc_ms);

/* ==== Zone tables (zones.c) ============================================================================= */

/*
 * zone tables, compiled. A destination zone table maps E.164
 * numbers to zones by longest-prefix match (national fixed, national mobile,
 * each international zone, premium/special numbers, on-net ranges); a
 * roaming zone table maps visited networks (MCC-MNC, 5 or 6 digits) to
 * roaming zones (e.g. "eu" for roam-like-at-home). Built once from the
 * zoneTable document (TMF620 extension resource, docs/catalog.md), then
 * immutable and read without locks by any number of threads.
 *
 * Document shape:
 *   {"name": "NL destinations", "kind": "destination" | "roaming",
 *    "zones": [{"name": "national-mobile", "prefixes": ["316"]},
 *              {"name": "premium", "prefixes": ["31900", "31906"]}, ...],
 *    "defaultZone": "international-rest"}        (optional: zone for no match)
 * Prefixes are strings of 1..15 decimal digits (no '+'); for roaming tables
 * exactly 5 or 6 digits. A prefix listed twice (in one zone or two) is
 * BSS_E_UNPROCESSABLE naming both places; a zone with no prefixes that is not
 * the defaultZone is unreachable: BSS_E_UNPROCESSABLE. Field paths in errors
 * look like "zones[2].prefixes[5]".
 */

typedef struct bss_zone_table bss_zone_table;

typedef enum bss_zone_kind { BSS_ZONE_DESTINATION = 1, BSS_ZONE_ROAMING = 2 } bss_zone_kind;

bss_err bss_zone_table_build(const json_t *doc, bss_zone_table **out, bss_errinfo *ei);
void bss_zone_table_free(bss_zone_table *t); /* NULL is a no-op */

bss_zone_kind bss_zone_table_zone_kind(const bss_zone_table *t);
size_t bss_zone_count(const bss_zone_table *t);
const char *bss_zone_name(const bss_zone_table *t, int zone);  /* NULL if out of range */
int bss_zone_index(const bss_zone_table *t, const char *name); /* -1 if unknown */
size_t bss_zone_prefix_count(const bss_zone_table *t);

/*
 * The zone of a number: digits[0..len) are decimal digits (E.164 without
 * '+', or MCC-MNC); the longest matching prefix wins; no match gives the
 * defaultZone, or -1 when there is none. A non-digit stops the match.
 * Lock-free, allocation-free: the rater's hot path.
 */
int bss_zone_lookup(const bss_zone_table *t, const char *digits, size_t len);

/* ==== Time-band plans (timebands.c) ===================================================================== */

/*
 * time-band plans, compiled: which band (peak, off-peak,
 * weekend, holiday ...) an instant falls in, in a time zone. Built from the
 * timeBandPlan document (TMF620 extension resource, docs/catalog.md), then
 * immutable and read without locks.
 *
 * Document shape:
 *   {"name": "NL standard", "timeZone": "Europe/Amsterdam",
 *    "bands": [{"name": "peak",    "days": ["mon","tue","wed","thu","fri"], "from": "08:00", "to": "20:00"},
 *              {"name": "offpeak", "days": ["mon","tue","wed","thu","fri"], "from": "00:00", "to": "08:00"},
 *              {"name": "offpeak", "days": ["mon","tue","wed","thu","fri"], "from": "20:00", "to": "24:00"},
 *              {"name": "weekend", "days": ["sat","sun"], "from": "00:00", "to": "24:00"}],
 *    "holidays": [{"date": "2026-12-25", "band": "weekend"}]}
 * Entries sharing a name form one band with several ranges. A range may
 * wrap midnight (from > to: the part after midnight belongs to the next day,
 * so "fri 20:00-08:00" covers Saturday 00:00-08:00 too); from == to is 24
 * hours starting at from. Every minute of the week must be in exactly one band:
 * a gap is BSS_E_UNPROCESSABLE "Tuesday 20:00-22:00 is in no band" (field
 * "bands"), an overlap names both bands (field "bands[i]"). Holidays name an
 * existing band and apply to the whole local day.
 */

typedef struct bss_timeband_plan bss_timeband_plan;

bss_err bss_timeband_plan_build(const json_t *doc, bss_timeband_plan **out, bss_errinfo *ei);
void bss_timeband_plan_free(bss_timeband_plan *p); /* NULL is a no-op */

size_t bss_timeband_count(const bss_timeband_plan *p);
const char *bss_timeband_name(const bss_timeband_plan *p, int band);
int bss_timeband_index(const bss_timeband_plan *p, const char *name); /* -1 if unknown */
const bss_tz *bss_timeband_plan_tz(const bss_timeband_plan *p);

/*
 * The band of an instant, in tz (the account's time zone) or, when tz is
 * NULL, the plan's own. Lock-free, allocation-free.
 */
int bss_timeband_at(const bss_timeband_plan *p, int64_t utc_ms, const bss_tz *tz);

/* ==== The pricing model (price.c, price_usage.c) ======================================================== */

/*
 * a TMF620 productOfferingPrice as bss understands it, parsed and
 * validated once into an immutable compiled bss_price that the pure rating
 * functions (rating)) read without locks. The TMF620 REST layer calls
 * bss_price_build in its prepare hook, so a bad price is a 422 naming the
 * offending field; the compiled catalog (the compiled catalog)) builds every
 * price again with its zone tables and time-band plans resolved.
 *
 * Document shape (TMF members where TMF has them, extension members
 * otherwise; every Money is TMF Money {"unit": "EUR", "value": 9.99}, value
 * a JSON number or a string, at most 6 decimals, never negative; every
 * Money in one price has the same currency):
 *
 *  common: "id", "name", "priceType", "price" (Money), "validFor",
 *    "lifecycleStatus", "version" (carried, not rated), "taxCategory"
 *    (extension string, default "standard").
 *
 *  "priceType": "oneTime"    {"price": Money}                 activation, SIM, porting fee
 *  "priceType": "recurring"  {"price": Money,
 *      "recurringChargePeriodType": "day"|"week"|"month"|"year",
 *      "recurringChargePeriodLength": 1 (default 1, 1..366),
 *      "prorationPolicy": "daily"|"none" (extension, default "daily")}
 *    Charged in advance for each period. "daily": a partial period pays
 *    price * active_days / days_in_period (calendar days, UTC, half-up to
 *    the micro); the day of activation counts in full (joining on the 10th
 *    of a 30-day month pays 21/30). "none": any part of a period pays it all.
 *
 *  "priceType": "usage" {"price": Money (per unitOfMeasure; optional when
 *      "tiers" or "rates" carry the prices),
 *    "unitOfMeasure": {"amount": 1, "units": "minute"}  (TMF Quantity; default
 *      1 of the service's base unit). units: second, minute (60 s), hour
 *      (3600 s), message, event, byte, KB (1024 B), MB (1024 KB), GB
 *      (1024 MB): binary multiples, like the network counts octets.
 *    "usage": {                                         (extension member)
 *      "service": "voice"|"sms"|"data"|"event",  base unit second|message|byte|event
 *      "increments": {"first": 60, "next": 60}   base units; default 1/1.
 *          60/60 per minute, 30/1, {"first":60,"next":1} per second after the
 *          first minute, {"first":1024,"next":1024} per-KB rounding.
 *      "minimumUnits": 0                         base units charged at least
 *      "connectFee": Money                       once per event with quantity > 0
 *      "structure": "flat"|"tiered"|"volume"     default "flat"
 *      "tiers": [{"from": 0, "to": 100, "price": Money}, {"from": 100, "price": Money}]
 *          bounds counted in the unitOfMeasure's "units" (minutes, MB; not
 *          multiples of its amount), from inclusive, to exclusive,
 *          first from 0, each from = previous to, only the last open-ended;
 *          otherwise 422 "usage.tiers[1].from". Tier prices are per
 *          unitOfMeasure. "tiered" (graduated): each unit is priced by the
 *          tier its position in the period's usage falls in (units already
 *          used come from the event). "volume": every unit of the event is
 *          priced by the tier of the period total after the event.
 *      "zoneTableId": "...", "timeBandPlanId": "...",   ids of zoneTable / timeBandPlan
 *      "rates": [{"zone": "national-mobile", "band": "peak", "price": Money},
 *                {"zone": "*", "band": "offpeak", "price": Money}, ...]
 *          "*" matches any zone / band; the most specific rate wins
 *          (zone+band, zone+*, *+band, *+*), then the top-level "price".
 *          Every (zone, band) pair must resolve to a rate or that price
 *          (422 "usage.rates" naming the pair); a name
 *          not in the table or plan is 422 "usage.rates[2].zone". Rates
 *          need "structure": "flat". On-net vs off-net are zones too.
 *          A data event has no destination: only "*" zone rates (or the
 *          price) apply to it. A destination in no zone (and no
 *          defaultZone) is not rateable (BSS_E_NOT_FOUND at rating).
 *      "roamingZoneTableId": "...",
 *      "roaming": [{"zone": "eu", "rule": "home"},            roam like at home
 *                  {"zone": "rest", "price": Money}]          flat roaming price
 *          every zone of the roaming table must be covered ("*" allowed).
 *          A visited network in no zone is not rateable (BSS_E_NOT_FOUND).
 *          A price without "roaming" rates visited-network events as at home.
 *      "steps": [{"upTo": 60, "increment": 60, "price": Money},   within one event
 *                {"increment": 1, "price": Money}]
 *          each part of an event priced by its own step: "connect fee 0.40,
 *          the first 60 s of each call at 0.20 a minute, then 0.10 a minute
 *          in 1 s increments". upTo in base units of the event, increasing,
 *          the last open-ended; increment (default 1) rounds the event's
 *          part in the step up; price per unitOfMeasure, half-up to the
 *          micro per step. Not with increments, minimumUnits, tiers, rates
 *          or ratingGroups (422 naming the member). Not the period tiers.
 *      "ratingGroups": [{"ratingGroup": 10, "price": Money},
 *                       {"ratingGroup": 20, "zeroRated": true}]   data only
 *          at home or under a "home" roaming rule, a listed rating group
 *          replaces the zone/band price; zeroRated charges 0.
 *    }}
 *
 *  "priceType": "allowance" {"price": Money (optional, not charged),
 *    "allowance": {"service": "voice"|"sms"|"data"|"event",
 *      "amount": Quantity (e.g. {"amount": 10, "units": "GB"}) | "unlimited": true,
 *      "validity": "cycle" | {"days": 30}        default "cycle"
 *      "renewal": "cycle"|"none"                 default "cycle"
 *      "rollover": {"enabled": true, "cap": Quantity}   cap defaults to amount
 *      "shared": false                           pooled across an account's lines
 *      "fairUsage": {"after": Quantity, "action": "throttle"|"overage",
 *                    "throttleKbps": 512 (throttle), "overagePrice": Money (overage,
 *                    per the price's unitOfMeasure)}
 *      "priority": 100                           lower is consumed first
 *      "zoneTableId": "...", "zones": ["national-fixed", "national-mobile"]
 *          (optional: the allowance covers usage to these zones only)}}
 *
 *  "priceType": "discount" {"percentage": 50 (TMF member; 0 < p <= 100, at
 *      most 2 decimals, number or string, exact) | "price": Money (fixed off),
 *    "applicationDuration": {"cycles": 3}   (extension; absent = forever)
 *    "appliesTo": ["recurring"|"usage"|"oneTime"]  (extension, default ["recurring"])}
 *
 * Errors: BSS_E_INVALID (400) for a missing member, a wrong type, an
 * unknown enum value, unit or currency, money with more than 6 decimals;
 * BSS_E_UNPROCESSABLE (422) for a value out of its allowed range (negative
 * money, percentage over 100, period length 0) and rules between members
 * (tiers, rate coverage, unknown zone/band/table, currency mix); BSS_E_RANGE
 * only for money beyond 10^12; BSS_E_TOO_BIG for over 1000 tiers. ei->field
 * is always the path ("price.value", "usage.tiers[1].from", "usage.rates").
 */

typedef struct bss_price bss_price; /* opaque, immutable once built */

typedef enum bss_price_type {
    BSS_PRICE_ONE_TIME = 1,
    BSS_PRICE_RECURRING,
    BSS_PRICE_USAGE,
    BSS_PRICE_ALLOWANCE,
    BSS_PRICE_DISCOUNT,
} bss_price_type;

typedef enum bss_service {
    BSS_SERVICE_NONE = 0,
    BSS_SERVICE_VOICE, /* base unit: second */
    BSS_SERVICE_SMS,   /* message */
    BSS_SERVICE_DATA,  /* byte */
    BSS_SERVICE_EVENT, /* event */
} bss_service;

/*
 * How a price finds the zone tables and time-band plans it names. Each
 * callback returns NULL for an unknown (or retired) id. The price keeps the
 * pointers (it does not own them): they must outlive it. NULL refs = check
 * the shape only (names in rates are then not checked, and the price can
 * rate only what needs no table).
 */
typedef struct bss_price_refs {
    void *ctx;
    const bss_zone_table *(*zone_table)(void *ctx, const char *id);
    const bss_timeband_plan *(*timeband_plan)(void *ctx, const char *id);
} bss_price_refs;

/* Parses and validates pop; on success *out is a new price (free with bss_price_free). */
bss_err bss_price_build(const json_t *pop, const bss_price_refs *refs, bss_price **out, bss_errinfo *ei);
void bss_price_free(bss_price *p); /* NULL is a no-op */

bss_price_type bss_price_kind(const bss_price *p);
const char *bss_price_id(const bss_price *p);           /* "" when the document has none */
const char *bss_price_name(const bss_price *p);         /* "" when none */
const char *bss_price_currency(const bss_price *p);     /* "EUR"; "" for a percentage discount */
const char *bss_price_tax_category(const bss_price *p); /* "standard" by default */
bss_service bss_price_service(const bss_price *p);      /* usage and allowance; NONE otherwise */
/* Whether a usage price's rate depends on the period's usage so far ("tiered" or "volume" tiers). */
bool bss_price_period_tiers(const bss_price *p);
/* The main amount: price.value (0 when absent). */
int64_t bss_price_amount_micros(const bss_price *p);

/* "voice" -> BSS_SERVICE_VOICE; NONE if unknown. And back ("" for NONE). */
bss_service bss_service_parse(const char *name);
const char *bss_service_name(bss_service s);

/*
 * Reads a TMF Quantity {"amount": N, "units": "GB"} as base units of the
 * service (bytes, seconds ...). amount is a non-negative number (number or
 * string, up to 6 decimals: 1.5 GB is fine) that must come to a whole number
 * of base units. The unit must fit the service (minutes for voice, MB for
 * data; any unit when service is NONE); path names the Quantity.
 */
bss_err bss_price_quantity(const json_t *q, bss_service service, const char *path, int64_t *out_units,
                           bss_errinfo *ei);

/* ==== Rating (rate.c) =================================================================================== */

/*
 * the pure rating functions over a compiled bss_price (the pricing model)).
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
    BSS_RATE_SRC_STEPS,        /* usage.steps */
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
    int steps;                 /* usage.steps the event reached; 0 without steps */
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

/*
 * The charge of the first `units` rated units of an event c rated (what an
 * allowance covering them would have cost), connect fee excluded: the unit
 * price times the units (half-up) for a flat, zone, roaming or rating-group
 * price and for a volume tier; the tiers the units fall in for graduated
 * tiers; the steps they fall in, each step's share half-up, for steps. All
 * of the event gives exactly c's charge less its connect fee; the result is
 * never more. The charging core charges an event an allowance covered in
 * part as c's charge less this part (docs/charging.md, "Rounding").
 */
bss_err bss_rate_usage_part(const bss_price *p, const bss_usage_event *ev, const bss_usage_charge *c, int64_t units,
                           int64_t *out_micros);

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

/* ==== The compiled catalog (compile.c, compile_market.c, compile_holder.c) ============================== */

/*
 * the compiled catalog, an immutable in-memory snapshot of every
 * catalog document that the rater and the bill run read thousands of times
 * a second without locks: offerings by id and version with their resolved
 * price chains (offering -> productOfferingPrice refs -> compiled bss_price),
 * bundles resolved, zone tables and time-band plans compiled once and shared
 * by the prices that name them, ids found by binary search over sorted
 * arrays. A catalog change builds a new snapshot (bss_catalog_rebuild) and
 * publishes it into the holder; the old one is freed when its last reader
 * releases it.
 *
 * Versions: the tables hold the newest document of each id; tmf620_version
 * holds older ones (kind "productOffering" / "productOfferingPrice", an
 * integer version, valid [valid_from_ms, valid_to_ms)). The newest is valid
 * from the later of its validFor.startDateTime and the end of its last older
 * version (or forever), to validFor.endDateTime (or forever). "As of" a
 * time, the entry containing it with the highest version wins; subscribers
 * on an older version use bss_catalog_offering_version. An older offering
 * resolves its price refs as of its own valid_from (its current price when
 * none was valid then).
 *
 * Compile checks (BSS_E_UNPROCESSABLE, ei->field relative to the offending
 * document, ei->message naming it): prices that do not build (the pricing model)), zone
 * tables and plans that do not build, references to missing productOffering
 * Price / productSpecification / bundledProductOffering / relationship
 * targets ("productOfferingPrice[1].id"), references from a live offering to
 * a Retired/Obsolete one, cycles in bundledProductOffering, an add-on
 * (productOfferingRelationship "addOnTo"/"requires") whose target is missing,
 * retired or itself an add-on (no compatible base).
 *
 * Markets and tax (compile_market.c). A TMF620 catalog may declare the
 * extension members "market": {"country": ISO 3166-1 alpha-2, "currency":
 * ISO 4217} and "pricesIncludeTax": bool (only with a market; absent =
 * false: prices are net of tax, the B2B convention; consumer catalogs in
 * the EU say true). An offering belongs to a catalog when one of its
 * category[].id is one of the catalog's category[].id (direct membership:
 * sub-categories are not followed, list them in the catalog too). Only
 * live catalogs (not Retired/Obsolete) with a market count. Checks, for a
 * live current offering: every catalog reaching it declares the same
 * country, currency and pricesIncludeTax (else 422 "category[j].id" of the
 * offering; "market.country" / "market.currency" / "pricesIncludeTax" of a
 * catalog being written; the message names both catalogs), and each of its
 * prices with a currency uses the market's (else 422
 * "productOfferingPrice[i].id"; "market.currency" of a catalog, "price.unit"
 * of a price being written). A bundled offering without categories of its
 * own has no market: it is sold under its bundle's.
 *
 * Reader protocol (lock-free on the hot path), see compile.c for the proof:
 *   const bss_catalog *cat = bss_catalog_acquire(app->catalog);
 *   const bss_offering *o = bss_catalog_offering(cat, id, now_ms); ...
 *   bss_catalog_release(app->catalog, cat);
 * acquire/release nest on a thread; never keep pointers past release.
 */

typedef struct bss_catalog bss_catalog;
typedef struct bss_offering bss_offering;
typedef struct bss_catalog_holder bss_catalog_holder;

/*
 * The documents a catalog is compiled from: JSON arrays (each may be NULL =
 * empty), owned by the source. versions holds objects {"kind", "id",
 * "version" (integer), "validFrom" (ms integer), "validTo" (ms integer or
 * absent), "doc"} as read from tmf620_version.
 */
typedef struct bss_catalog_source {
    json_t *offerings, *prices, *specifications, *zone_tables, *timeband_plans, *promotions;
    json_t *versions;
    json_t *catalogs; /* TMF620 catalog documents (markets, see below); NULL = none */
    /*
     * The document a write-time check is about (bss_catalog_check_write sets
     * them; NULL otherwise): market errors then name a field of that document
     * ("market.currency" of a catalog, "price.unit" of a price) when it is
     * one of the two sides of the conflict.
     */
    const char *focus_kind, *focus_id;
} bss_catalog_source;

void bss_catalog_source_init(bss_catalog_source *src);  /* all empty arrays (NULL on OOM) */
void bss_catalog_source_clear(bss_catalog_source *src); /* drops every array; safe twice */

/*
 * Reads every document from tmf620_product_offering, _price,
 * _specification, tmf620_zone_table, tmf620_time_band_plan, tmf620_catalog,
 * tmf671_promotion and tmf620_version on db; a table that does not exist
 * yet reads as empty. src must be initialised; arrays are appended to.
 */
bss_err bss_catalog_load(bss_db *db, bss_catalog_source *src, bss_errinfo *ei);

/* Compiles; on success *out is a new snapshot (free with bss_catalog_free unless published). */
bss_err bss_catalog_compile(const bss_catalog_source *src, bss_catalog **out, bss_errinfo *ei);
void bss_catalog_free(bss_catalog *cat); /* NULL is a no-op; only for unpublished snapshots */

/* Load and compile on db in one: the catalog as db's transaction sees it (*out as bss_catalog_compile's). */
bss_err bss_catalog_build(bss_db *db, bss_catalog **out, bss_errinfo *ei);

/*
 * The check a catalog write runs before it commits (cC's prepare hooks):
 * loads the catalog on db (the writer's connection, inside the write),
 * replaces the document of kind ("productOffering", "productOfferingPrice",
 * "productSpecification", "zoneTable", "timeBandPlan", "promotion",
 * "catalog") and id with doc (or
 * removes it when doc is NULL), compiles and frees the result. The error is
 * the compile error, as 422 with the field path.
 */
bss_err bss_catalog_check_write(bss_db *db, const char *kind, const char *id, const json_t *doc,
                                bss_errinfo *ei);

/* Lookups. All returned pointers live as long as the snapshot. */
const bss_offering *bss_catalog_offering(const bss_catalog *cat, const char *id, int64_t as_of_ms);
/*
 * The instants around as_of_ms between which bss_catalog_offering(cat, id,
 * t) gives the same answer: [*from_ms, *to_ms) (INT64_MIN / INT64_MAX: open),
 * so a cache of what it resolved knows when to ask again.
 */
void bss_catalog_offering_span(const bss_catalog *cat, const char *id, int64_t as_of_ms, int64_t *from_ms,
                               int64_t *to_ms);
/* An exact version ("version" member of the document); NULL if unknown. */
const bss_offering *bss_catalog_offering_version(const bss_catalog *cat, const char *id, const char *version);
const bss_price *bss_catalog_price(const bss_catalog *cat, const char *id, int64_t as_of_ms);
const bss_zone_table *bss_catalog_zone_table(const bss_catalog *cat, const char *id);
const bss_timeband_plan *bss_catalog_timeband_plan(const bss_catalog *cat, const char *id);
const json_t *bss_catalog_promotions(const bss_catalog *cat); /* array of documents */
size_t bss_catalog_offering_count(const bss_catalog *cat);    /* distinct ids */
uint64_t bss_catalog_generation(const bss_catalog *cat);      /* set by publish; 0 before */

const char *bss_offering_id(const bss_offering *o);
const char *bss_offering_name(const bss_offering *o);
const char *bss_offering_version(const bss_offering *o);   /* "" when none */
const char *bss_offering_lifecycle(const bss_offering *o); /* "" when none */
int64_t bss_offering_valid_from(const bss_offering *o);    /* INT64_MIN = always */
int64_t bss_offering_valid_to(const bss_offering *o);      /* INT64_MAX = open */
bool bss_offering_is_bundle(const bss_offering *o);
const json_t *bss_offering_doc(const bss_offering *o);
/* Its own prices (productOfferingPrice, in document order). */
size_t bss_offering_price_count(const bss_offering *o);
const bss_price *bss_offering_price(const bss_offering *o, size_t i);
/*
 * The version of o's i-th price valid at as_of (a price changed after the
 * offering, effective from a date), else the one of the static chain above
 * (current for the current offering, as of its start for an older one).
 */
const bss_price *bss_offering_price_at(const bss_catalog *cat, const bss_offering *o, size_t i,
                                       int64_t as_of_ms);
/* The first own price of a kind (and, for usage/allowance, service; NONE = any); NULL if none. */
const bss_price *bss_offering_find_price(const bss_offering *o, bss_price_type kind, bss_service service);
/* The market an offering is sold in (see "Markets and tax" above). */
typedef struct bss_market {
    const char *catalog_id; /* the (first, by id) catalog declaring it */
    const char *country;    /* "NL" */
    const char *currency;   /* "EUR" */
    bool prices_include_tax;
} bss_market;
/* NULL when no live catalog with a market reaches o. */
const bss_market *bss_offering_market(const bss_offering *o);
/* Whether o's prices include tax; false (net prices) when o has no market. */
bool bss_offering_prices_include_tax(const bss_offering *o);

/*
 * Reads the market members of a catalog document into *out (strings point
 * into doc): BSS_OK with *has = false when it declares none. BSS_E_INVALID
 * (400) with the field: market not an object, country not an assigned ISO
 * 3166-1 alpha-2 code ("market.country", upper case: "NL"), currency not an
 * ISO 4217 code ("market.currency"), pricesIncludeTax not a boolean, or
 * pricesIncludeTax without a market ("pricesIncludeTax").
 */
bss_err bss_catalog_market_parse(const json_t *catalog_doc, bss_market *out, bool *has, bss_errinfo *ei);

/*
 * Splits an amount for billing: with includes_tax the amount is gross and
 * net = amount * 10^6 / (10^6 + rate_ppm) rounded half-up to the micro,
 * tax = amount - net; without, the amount is net and tax = amount * rate_ppm
 * / 10^6 rounded half-up. rate_ppm is the tax rate in millionths (21% =
 * 210000, 0..10^6). Gross EUR 24.20 at 21%: net 20.00, tax 4.20. Returns
 * BSS_E_RANGE when the rate is out of range or a result overflows.
 */
bss_err bss_catalog_split_tax(int64_t amount_micros, bool includes_tax, int64_t rate_ppm,
                              int64_t *net_micros /* out */, int64_t *tax_micros /* out */);

/* Bundled offerings (bundledProductOffering), resolved as of the same instant. */
size_t bss_offering_bundled_count(const bss_offering *o);
const bss_offering *bss_offering_bundled(const bss_offering *o, size_t i);

/* The holder: the one published snapshot. */
bss_catalog_holder *bss_catalog_holder_create(void);
/* Frees the holder and its snapshots. No reader may be inside acquire/release. NULL is a no-op. */
void bss_catalog_holder_destroy(bss_catalog_holder *h);
/* Publishes cat (ownership moves to the holder); the previous snapshot goes when its readers release it. */
void bss_catalog_publish(bss_catalog_holder *h, bss_catalog *cat);
/* The current snapshot (NULL if none was published); pair with release on the same thread. */
const bss_catalog *bss_catalog_acquire(bss_catalog_holder *h);
void bss_catalog_release(bss_catalog_holder *h, const bss_catalog *cat);

/*
 * Loads from the store (a connection of its own to app->cfg.db_url),
 * compiles and publishes into app->catalog (created when NULL). Call once
 * at serve start, before the loops and workers read the catalog. The _db
 * variant uses the connection given (a worker's).
 */
bss_err bss_catalog_rebuild(bss_app *app, bss_errinfo *ei);
bss_err bss_catalog_rebuild_db(bss_app *app, bss_db *db, bss_errinfo *ei);

/*
 * Schedules a rebuild on app->workers after a catalog write commits.
 * Coalesced: calls while a rebuild runs give exactly one more rebuild after
 * it. Compile errors are logged (event=catalog.rebuild) and the current
 * snapshot stays. app->catalog must exist (bss_catalog_rebuild ran).
 */
void bss_catalog_rebuild_async(bss_app *app);

/* ==== Eligibility (eligibility.c) ======================================================================= */

/*
 * may this customer buy this offering, here and now, and
 * which promotions come with it? A pure decision (no store, no clock, no
 * log): the caller (src/api/tmf620_eligibility.c, later order management)
 * loads the productOffering document, the promotions that might apply and
 * the account's current offerings, and passes them in with `now`.
 *
 * Rules on the offering (every failing rule is reported, not just the first):
 *   OFFERING_NOT_ACTIVE       lifecycleStatus is not "Active"
 *   OUTSIDE_VALID_FOR         now is outside the offering's validFor
 *   SEGMENT_NOT_ALLOWED       the offering lists segments (marketSegment
 *                             [{id,name}] and/or our extension
 *                             "eligibility": {"segments": [...]}) and the
 *                             customer's segment is none of them (matched
 *                             case-insensitively against ids and names);
 *                             an unknown segment fails such an offering
 *   CHANNEL_NOT_ALLOWED       the same with channel [{id,name}] and
 *                             "eligibility": {"channels": [...]}
 *   MAX_QUANTITY_EXCEEDED     "eligibility": {"maxQuantityPerAccount": N} and
 *                             held quantity + requested quantity > N
 *   BASE_PLAN_REQUIRED        productOfferingRelationship entries of type
 *                             "addOnTo" name base plans: the account must
 *                             hold at least one of them
 *   REQUIRED_OFFERING_MISSING entries of type "requires": the account must
 *                             hold every one of them
 *   EXCLUDED_OFFERING_HELD    entries of type "excludes" name offerings the
 *                             account must not hold; a held offering whose
 *                             own document is passed and which excludes
 *                             this one counts too (exclusion is symmetric)
 * Relationship types are matched case-insensitively.
 *
 * Promotions: one applies when it is Active, now is inside its validFor,
 * its action.offeringIds is absent/empty or names the offering, and its
 * "eligibility" ({segments, channels, newCustomersOnly}) and couponCodes
 * (when it has any, the request must carry one of them, compared without
 * regard to case) admit the request. When a non-stackable promotion
 * applies, it is the only one: the one whose coupon was given, else the
 * first non-stackable in input order. A coupon given that no applicable
 * promotion accepts is a warning (COUPON_NOT_APPLICABLE), not a reason.
 *
 * Lines. A line is one unit of a base plan: an offering whose document is
 * known and that is not an add-on (no productOfferingRelationship of type
 * "addOnTo"); the extension "eligibility": {"countsAsLine": true|false} on
 * the offering overrides that (a fixed-line plan that is no mobile line, a
 * data SIM sold as an add-on). In the demo catalog these are exactly the
 * offerings whose productSpecification has "MSISDN required" true. The
 * account's lines are numbered 1..lines_held in the order they were
 * taken; the units ordered get the next numbers, lines_held + 1 ..
 * lines_held + lines_ordered.
 *
 * Loyalty and multi-line promotions ("eligibility" and "action" members):
 *   "minLines": N          lines after the order (lines_held +
 *                          lines_ordered) must be at least N
 *   "minTenureMonths": N   the customer for at least N whole calendar
 *                          months (customerSince + N months <= now);
 *                          unknown customerSince: does not apply
 *   "action": {"perLine": {"fromLine": 2}}   (fromLine default 2: "each
 *                          additional line") the percentage or amount is
 *                          given to each line numbered fromLine or more,
 *                          per line; it applies to an order only when at
 *                          least one ordered unit gets it
 *                          (discounted_lines >= 1).
 * Example "10% off each additional line": an account with 1 line ordering
 * 2 more has lines 2 and 3 ordered, both discounted: discounted_lines 2.
 */

#define BSS_ELIG_MAX_REASONS 16
#define BSS_ELIG_MAX_PROMOTIONS 16
#define BSS_ELIG_MAX_HELD 100         /* offerings of the account one check may name */
#define BSS_ELIG_NEW_CUSTOMER_DAYS 30 /* a customer since fewer days than this is new */

/* An offering the account holds now. */
typedef struct bss_elig_held {
    const char *offering_id;
    int64_t quantity;       /* >= 1 */
    const json_t *offering; /* its productOffering document, or NULL when not loaded */
} bss_elig_held;

typedef struct bss_elig_request {
    const char *segment;       /* "consumer", "business" ...; NULL when unknown */
    const char *channel;       /* "web", "shop", "care", "app"; NULL when unknown */
    const bss_elig_held *held; /* the account's offerings (may be NULL when nheld is 0) */
    size_t nheld;
    int64_t quantity;   /* how many are being ordered, >= 1 */
    const char *coupon; /* NULL when none */
    int new_customer;   /* 1 new, 0 existing, -1 unknown (newCustomersOnly then does not apply) */
    int64_t now_ms;
    /* When the customer became one (customerSince); false = unknown (minTenureMonths does not apply). */
    bool has_customer_since;
    int64_t customer_since_ms;
    /*
     * Lines (see "Lines" above): bss_eligibility_check computes both from
     * the documents (bss_eligibility_count_lines) and ignores these; a
     * caller of bss_eligibility_promotion_applies sets them.
     */
    int64_t lines_held;    /* lines the account holds */
    int64_t lines_ordered; /* lines this order adds: quantity when the offering is a line, else 0 */
} bss_elig_request;

typedef struct bss_elig_reason {
    const char *code; /* "SEGMENT_NOT_ALLOWED" ... (a literal) */
    char message[240];
} bss_elig_reason;

/* A promotion that applies. Strings point into the promotion document passed in. */
typedef struct bss_elig_promotion {
    const char *id;
    const char *name;
    const char *coupon;     /* the matching code as stored, NULL when the promotion needs none */
    int64_t percent_micros; /* 50% = 50,000,000; 0 for an amount discount */
    int64_t amount_micros;  /* fixed discount per cycle; 0 for a percentage */
    const char *currency;   /* of amount_micros, NULL for a percentage */
    int64_t cycles;         /* 0 = every cycle */
    bool stackable;
    int64_t min_lines;           /* eligibility.minLines, 0 when none */
    int64_t min_tenure_months;   /* eligibility.minTenureMonths, 0 when none */
    bool per_line;               /* action.perLine: the discount is per line from from_line on */
    int64_t from_line;           /* per_line: the first line number discounted (default 2) */
    int64_t discounted_lines;    /* per_line: how many of the ordered units get it */
    int64_t total_amount_micros; /* per_line amount: amount_micros * discounted_lines; else amount_micros */
    char description[200];       /* "50% off the recurring charges for the first 3 cycles" */
} bss_elig_promotion;

typedef struct bss_elig_result {
    bool eligible;
    size_t nreasons;
    bss_elig_reason reasons[BSS_ELIG_MAX_REASONS];
    size_t nwarnings;
    bss_elig_reason warnings[4];
    size_t npromotions;
    bss_elig_promotion promotions[BSS_ELIG_MAX_PROMOTIONS];
    int64_t lines_held, lines_ordered; /* as counted for this check */
    int64_t tenure_months;             /* -1 when customerSince is unknown */
} bss_elig_result;

/*
 * Decides. offering is the productOffering document (must have "id");
 * promotions is an array of promotion documents (may be NULL). Returns
 * BSS_OK with *out filled (eligible or not, with every reason), or
 * BSS_E_INVALID when the request itself is malformed (quantity < 1,
 * offering without id). The result's strings point into offering and
 * promotions: keep them alive while reading it.
 */
bss_err bss_eligibility_check(const json_t *offering, const json_t *promotions, const bss_elig_request *req,
                              bss_elig_result *out, bss_errinfo *ei);

/*
 * Whether one promotion document applies to offering_id for req (the
 * promotion rules above, without the stacking choice); fills *out when it
 * does. Exposed for tests and for order management's price calculation.
 */
bool bss_eligibility_promotion_applies(const json_t *promotion, const char *offering_id,
                                       const bss_elig_request *req, bss_elig_promotion *out);

/* Whether one unit of this productOffering document is a line (see "Lines"). */
bool bss_eligibility_is_line(const json_t *offering);

/* Sets req->lines_held (from req->held) and req->lines_ordered (offering may be NULL: 0). */
void bss_eligibility_count_lines(const json_t *offering, bss_elig_request *req);

/* Whole calendar months from req->customer_since_ms to req->now_ms (0 if later); -1 when unknown. */
int64_t bss_eligibility_tenure_months(const bss_elig_request *req);

/*
 * Applying a promotion: the discount pr gives on a recurring charge of
 * charge_micros (>= 0) of the account's line number line_no (1-based; any
 * value when the promotion is not per line) in the cycle-th cycle since the
 * product started (1 = the first): 0 once past pr->cycles (when set) or for
 * a line before pr->from_line; a percentage is charge * percentage / 100
 * rounded half-up to the micro; an amount is at most the charge. Example:
 * 10% per line from line 2 on a EUR 22.50 charge: line 1 -> 0, line 2 ->
 * EUR 2.25.
 */
int64_t bss_eligibility_discount(const bss_elig_promotion *pr, int64_t line_no, int64_t cycle,
                                 int64_t charge_micros);

/* ==== The catalog file (catalog_io.c) =================================================================== */

/*
 * the whole catalog as one JSON file, out and back in.
 *
 * Export writes one document
 *   {"format": "bss-catalog/1", "catalogs": [...], "categories": [...],
 *    "productSpecifications": [...], "zoneTables": [...], "timeBandPlans": [...],
 *    "productOfferingPrices": [...], "productOfferings": [...], "promotions": [...]}
 * with every stored resource of each kind ordered by id, and the members
 * the server manages (href, lastUpdate) stripped, so two exports of the
 * same catalog are byte-identical and a changed catalog diffs cleanly.
 *
 * Import is declarative and idempotent: for each document, in dependency
 * order (zone tables, time-band plans, specifications, prices, offerings,
 * categories, catalogs, promotions; inside one kind, a document that names
 * another of the same kind by id comes after it), it creates the document
 * with its id when missing, patches it (a JSON merge patch computed from the
 * difference, server-managed members ignored) when different, and leaves it
 * alone when equal: importing the same file twice writes nothing and records
 * no event. Every write goes through the kind's prepare hook (the same rules
 * as the REST API) and records its event. The whole import is one writer
 * job, so it is all or nothing: the first invalid document fails it with
 * its kind, id and field path ("productOfferings[3].productOfferingPrice[0].id")
 * and the code its prepare hook gave (400, 409, 422). A dry run does the
 * same inside a savepoint it rolls back, so its diff is exactly what the
 * real import would do.
 *
 * The report: {"dryRun": bool, "created": [{"kind", "id"}],
 *              "updated": [{"kind", "id", "changes": [member names]}], "unchanged": N}
 */

#define BSS_CATALOG_FORMAT "bss-catalog/1"

/* Reads every catalog kind on db into a new export document (*out, a new reference). */
bss_err bss_catalog_export(bss_db *db, json_t **out, bss_errinfo *ei);

/* The export as file text: 2-space indent, insertion order, exact money, final newline. bss_free it. */
char *bss_catalog_export_text(const json_t *doc, size_t *len);

/* Checks the shape of an import document (format, arrays of objects with unique string ids). */
bss_err bss_catalog_validate(const json_t *doc, bss_errinfo *ei);

typedef struct bss_catalog_import_opts {
    bool dry_run;
    int64_t now_ms;
    const char *base_url; /* href prefix of created documents */
    const struct bss_principal *who; /* who imports, for the change history; NULL: the server */
} bss_catalog_import_opts;

/*
 * Imports doc on db inside the caller's open transaction (a writer job).
 * *report receives the report (a new reference) on success. Safe to run
 * more than once (a writer batch retry): it recomputes everything.
 */
bss_err bss_catalog_import(bss_db *db, const json_t *doc, const bss_catalog_import_opts *opts,
                           json_t **report, bss_errinfo *ei);

/*
 * Runs bss_catalog_import as one job on app->writer and waits for it (call
 * from a worker, the CLI's seeding or a test, never from an event loop).
 * When something was written, asks for a catalog rebuild.
 */
bss_err bss_catalog_import_run(bss_app *app, const json_t *doc, bool dry_run, const char *base_url,
                               const struct bss_principal *who, json_t **report, bss_errinfo *ei);

/*
 * TMF620 importJob (catalog.h bss_import_job_kind): checks a POST body
 * {content: <catalog document>, contentType?: "application/json"} and
 * builds the job to create: *body {status "Running", contentType,
 * contentSize, creationDate} and *content (a new reference to the catalog
 * document, which is not stored in the job). BSS_E_INVALID naming
 * "content", "contentType" or "content.<path>" of the document.
 */
bss_err bss_catalog_import_job_body(const json_t *req, int64_t now_ms, json_t **body, json_t **content,
                                    bss_errinfo *ei);

/*
 * Runs a created import job to its end, on a background worker (never an
 * event loop): the import (bss_catalog_import_run), then the job's final
 * state through the writer: "Succeeded" with "report", or "Failed" with
 * "errorLog" {code, message, field}, and completionDate. The import's own
 * failure is the job's, not this call's: the return is the job update's.
 */
bss_err bss_catalog_import_job_finish(bss_app *app, const char *job_id, const json_t *content,
                                      const char *base_url, const struct bss_principal *who, bss_errinfo *ei);

/* TMF620 exportJob: the job to create, already "Succeeded", whose url is the export (url). */
bss_err bss_catalog_export_job_body(const char *url, int64_t now_ms, json_t **body, bss_errinfo *ei);

/* ==== The document kinds (doc_*.c), versions and eligibility against the store ========================== */

#define BSS_TMF620_BASE "/tmf-api/productCatalogManagement/v4"
#define BSS_TMF671_BASE "/tmf-api/promotionManagement/v4"

extern const bss_doc_kind bss_category_kind;
extern const bss_doc_kind bss_catalog_kind;
extern const bss_doc_kind bss_spec_kind;
extern const bss_doc_kind bss_offering_kind;
extern const bss_doc_kind bss_offering_price_kind;
extern const bss_doc_kind bss_zone_table_kind;
extern const bss_doc_kind bss_timeband_plan_kind;
extern const bss_doc_kind bss_promotion_kind;
extern const bss_doc_kind bss_import_job_kind;
extern const bss_doc_kind bss_export_job_kind;

/* ---- versions: reads "as of" an instant (versions.c) ---- */

/*
 * The version of document id of kind (an offering or a price: the
 * versioned kinds) that was valid at at_ms: the current document when its
 * start (validFor.startDateTime, else its creation) is at or before at_ms,
 * else the recorded earlier version whose [valid from, valid to) holds it.
 * *out a new reference; BSS_E_NOT_FOUND (field "id", "no ... as of ...")
 * when the document did not exist then.
 */
bss_err bss_catalog_doc_as_of(bss_db *db, const bss_doc_kind *kind, const char *id, int64_t at_ms,
                              json_t **out, bss_errinfo *ei);

/*
 * Every document of kind as it was at at_ms, in id order: fn gets each
 * (the reference is the callback's: keep it or decref it); documents that
 * did not exist then are left out. At most max_rows stored rows are read:
 * more is BSS_E_RANGE naming the limit. A non-OK return of fn stops the walk
 * and is returned.
 */
typedef bss_err (*bss_catalog_doc_fn)(json_t *doc, void *arg);
bss_err bss_catalog_list_as_of(bss_db *db, const bss_doc_kind *kind, int64_t at_ms, size_t max_rows,
                               bss_catalog_doc_fn fn, void *arg, bss_errinfo *ei);

/* ---- eligibility against the store (eligibility_store.c) ---- */

/*
 * May this customer buy offering_id, and which promotions come with it?
 * Loads the offering (BSS_E_NOT_FOUND naming "id" when it is not stored),
 * the documents of req->held whose offering is NULL (an id that is not
 * stored stays unknown) and the Active promotions, then decides with
 * bss_eligibility_check (eligibility)). A req->new_customer of -1
 * (unknown) becomes: new when req has a customerSince less than
 * BSS_ELIG_NEW_CUSTOMER_DAYS before now, else when the account holds no
 * offering. Reads only; at most BSS_ELIG_MAX_HELD held offerings (400
 * "accountOfferings"). The strings of out's promotions point into the
 * promotion documents: *keep receives a reference to them, to json_decref
 * once out is no longer needed (NULL on error).
 */
bss_err bss_catalog_check_eligibility(bss_db *db, const char *offering_id, const bss_elig_request *req,
                                      bss_elig_result *out, json_t **keep, bss_errinfo *ei);

#endif
