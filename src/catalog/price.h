/*
 * price.h: a TMF620 productOfferingPrice as bss understands it, parsed and
 * validated once into an immutable compiled bss_price that the pure rating
 * functions (catalog/rate.h) read without locks. The TMF620 REST layer calls
 * bss_price_build in its prepare hook, so a bad price is a 422 naming the
 * offending field; the compiled catalog (catalog/compile.h) builds every
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
#ifndef BSS_CATALOG_PRICE_H
#define BSS_CATALOG_PRICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "catalog/timebands.h"
#include "catalog/zones.h"
#include "core/err.h"

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

#endif
