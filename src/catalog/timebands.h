/*
 * timebands.h: time-band plans, compiled: which band (peak, off-peak,
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
#ifndef BSS_CATALOG_TIMEBANDS_H
#define BSS_CATALOG_TIMEBANDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/tz.h"
#include "core/err.h"

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

#endif
