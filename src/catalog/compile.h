/*
 * compile.h: the compiled catalog, an immutable in-memory snapshot of every
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
 * document, ei->message naming it): prices that do not build (price.h), zone
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
#ifndef BSS_CATALOG_COMPILE_H
#define BSS_CATALOG_COMPILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "catalog/price.h"
#include "catalog/timebands.h"
#include "catalog/zones.h"
#include "core/err.h"
#include "db/db.h"

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

#endif
