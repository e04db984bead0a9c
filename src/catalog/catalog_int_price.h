/*
 * catalog_int_price.h: the inside of a compiled bss_price, shared by the
 * parser (price.c, price_usage.c) and the rating functions (rate.c). Not for
 * other modules: they use catalog.h (the pricing model and rating).
 * Everything of one price lives in one arena, freed at once by bss_price_free.
 */
#ifndef BSS_CATALOG_INT_PRICE_H
#define BSS_CATALOG_INT_PRICE_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "core/json.h"
#include "core/mem.h"

#define BSS__ANY (-1)       /* "*" in a rate or roaming entry */
#define BSS__NO_RATE (-1)   /* matrix cell: nothing applies */
#define BSS__USE_PRICE (-2) /* matrix cell: the top-level price applies */

typedef enum bss__period { BSS__DAY = 0, BSS__WEEK, BSS__MONTH, BSS__YEAR } bss__period;
typedef enum bss__structure { BSS__FLAT = 0, BSS__TIERED, BSS__VOLUME } bss__structure;

typedef struct bss__tier {
    int64_t from_units, to_units; /* base units; to = INT64_MAX when open */
    int64_t price_micros;         /* per unitOfMeasure */
} bss__tier;

/* A step within one event: units [from, to) of the event, rounded up to increment, at price per unitOfMeasure. */
typedef struct bss__step {
    int64_t from_units, to_units; /* base units of the event; to = INT64_MAX for the last */
    int64_t increment;            /* base units */
    int64_t price_micros;
} bss__step;

typedef struct bss__rate {
    int zone, band; /* index, or BSS__ANY */
    int64_t price_micros;
} bss__rate;

typedef struct bss__roam {
    int zone; /* index, or BSS__ANY */
    bss_roam_rule rule;
    int64_t price_micros;
} bss__roam;

typedef struct bss__rg {
    int64_t rating_group;
    bool zero_rated;
    int64_t price_micros;
} bss__rg;

typedef struct bss__usage {
    int64_t units_per_uom; /* base units per unitOfMeasure (amount * unit factor) */
    int64_t unit_factor;   /* base units per one of the uom's units (tier bounds) */
    int64_t first, next, minimum;
    int64_t connect_fee;
    bss__structure structure;
    bss__tier *tiers;
    int ntiers;
    bss__step *steps; /* usage.steps: within-event rate steps (NULL: none) */
    int nsteps;
    const char *zone_table_id, *plan_id, *roam_table_id; /* NULL when absent */
    const bss_zone_table *zones;                         /* resolved (NULL: absent or unresolved) */
    const bss_timeband_plan *plan;
    const bss_zone_table *roam_zones;
    bss__rate *rates;
    int nrates;
    /* matrix[(zone_row) * nbands + band]: zone_row nzones = "no zone" (data events) */
    int *matrix;
    int nzones, nbands;
    bss__roam *roam;
    int nroam;
    int *roam_by_zone; /* per roaming zone: index into roam, or -1 */
    int nroam_zones;
    bss__rg *rgs;
    int nrgs;
} bss__usage;

typedef struct bss__discount {
    bool is_percentage;
    int64_t percentage_micros; /* 50% = 50,000,000 */
    int cycles;                /* 0 = forever */
    unsigned applies_to;       /* bss_charge_kind bits */
} bss__discount;

struct bss_price {
    bss_arena *arena;
    bss_price_type kind;
    const char *id, *name, *tax_category;
    char currency[4];
    int64_t value; /* price.value */
    bool has_value;
    bool resolved; /* every table it names was found (refs given) */
    bss_service service;
    /* recurring */
    bss__period period;
    int period_length;
    bool prorate_daily;
    bss__usage usage;
    bss_bucket_template bucket;
    const char *allow_zone_table_id;
    bss__discount discount;
};

/* Parsing context shared by price.c and price_usage.c. */
typedef struct bss__pctx {
    bss_price *p;
    const bss_price_refs *refs;
    bss_errinfo *ei;
} bss__pctx;

/*
 * Reads the Money at obj[key] (path = its full path, "usage.connectFee").
 * Missing: BSS_OK with *present false (or BSS_E_INVALID when required).
 * Checks the currency against the price's (the first Money sets it) and,
 * with positive, that value > 0 (else >= 0).
 */
bss_err bss__price_money(bss__pctx *c, const json_t *obj, const char *key, const char *path, bool required,
                         bool positive, int64_t *out, bool *present);
/* A non-negative integer member; missing leaves *out. */
bss_err bss__price_uint(bss__pctx *c, const json_t *obj, const char *key, const char *path, bool required,
                        int64_t min, int64_t max, int64_t *out);
/* A string member copied into the arena; missing leaves *out (NULL). */
bss_err bss__price_str(bss__pctx *c, const json_t *obj, const char *key, const char *path, bool required,
                       const char **out);
bss_err bss__price_nomem(bss__pctx *c);
/* Parses the "usage" member and unitOfMeasure of a usage price. */
bss_err bss__price_usage(bss__pctx *c, const json_t *pop);
/* Base units in one of "units" ("minute" = 60); 0 and *service untouched if unknown. */
int64_t bss__unit_factor(const char *units, bss_service *service);

#endif
