/*
 * zones.h: zone tables, compiled. A destination zone table maps E.164
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
#ifndef BSS_CATALOG_ZONES_H
#define BSS_CATALOG_ZONES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct bss_zone_table bss_zone_table;

typedef enum bss_zone_kind { BSS_ZONE_DESTINATION = 1, BSS_ZONE_ROAMING = 2 } bss_zone_kind;

bss_err bss_zone_table_build(const json_t *doc, bss_zone_table **out, bss_errinfo *ei);
void bss_zone_table_free(bss_zone_table *t); /* NULL is a no-op */

bss_zone_kind bss_zone_table_zone_kind(const bss_zone_table *t);
size_t bss_zone_count(const bss_zone_table *t);
const char *bss_zone_name(const bss_zone_table *t, int zone); /* NULL if out of range */
int bss_zone_index(const bss_zone_table *t, const char *name); /* -1 if unknown */
size_t bss_zone_prefix_count(const bss_zone_table *t);

/*
 * The zone of a number: digits[0..len) are decimal digits (E.164 without
 * '+', or MCC-MNC); the longest matching prefix wins; no match gives the
 * defaultZone, or -1 when there is none. A non-digit stops the match.
 * Lock-free, allocation-free: the rater's hot path.
 */
int bss_zone_lookup(const bss_zone_table *t, const char *digits, size_t len);

#endif
