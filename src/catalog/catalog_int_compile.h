/*
 * catalog_int_compile.h: the inside of a compiled catalog snapshot, shared
 * by compile.c (building and lookups), compile_market.c (markets and tax
 * treatment) and compile_holder.c (publishing, loading from the store,
 * rebuilds). Other modules use catalog.h.
 */
#ifndef BSS_CATALOG_INT_COMPILE_H
#define BSS_CATALOG_INT_COMPILE_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "core/mem.h"

typedef struct bss__named_zt {
    const char *id;
    bss_zone_table *table;
} bss__named_zt;

typedef struct bss__named_plan {
    const char *id;
    bss_timeband_plan *plan;
} bss__named_plan;

typedef struct bss__spec {
    const char *id;
    bool retired;
} bss__spec;

/* One version of a price document. Sorted by id, then valid_from. */
typedef struct bss__price_entry {
    const char *id;
    int64_t version; /* INT64_MAX: the current document */
    int64_t valid_from, valid_to;
    bool retired;
    bss_price *price;   /* NULL for a bundle price */
    const char **parts; /* a bundle price (isBundle): its bundledPopRelationship ids */
    size_t nparts;
} bss__price_entry;

struct bss_offering {
    const char *id, *name, *version, *lifecycle;
    int64_t version_no; /* INT64_MAX: the current document */
    int64_t valid_from, valid_to;
    bool retired, is_bundle, is_addon;
    const json_t *doc; /* a reference held by the catalog's docs array */
    const bss_price **prices;
    size_t nprices;
    const bss_offering **bundled;
    size_t nbundled;
    const bss_market *market; /* NULL: no catalog with a market sells it */
    int mark;                 /* cycle search: 0 new, 1 on the path, 2 done */
};

struct bss_catalog {
    bss_arena *arena;
    json_t *docs; /* every document the snapshot points into (references) */
    bss__named_zt *zts;
    size_t nzts;
    bss__named_plan *plans;
    size_t nplans;
    bss__spec *specs;
    size_t nspecs;
    bss__price_entry *prices;
    size_t nprices;
    bss_offering *offs; /* sorted by id, then valid_from */
    size_t noffs, nids;
    json_t *promotions;
    bss_market *markets; /* one per live catalog with a market, by catalog id */
    size_t nmarkets;
    uint64_t generation;
    int refs; /* owned by the holder, changed under its mutex */
};

/*
 * compile_market.c: resolves every offering's market from src->catalogs and
 * checks the rules of catalog.h ("Markets and tax"). Runs after the
 * offerings are built (their prices resolved).
 */
bss_err bss__catalog_resolve_markets(bss_catalog *cat, const bss_catalog_source *src, bss_errinfo *ei);

#endif
