/*
 * price_usage.c: the usage kind of a productOfferingPrice (shape in
 * catalog.h, the pricing model): service and unitOfMeasure, increments and
 * minimums, connect fee, flat/graduated/volume tiers, zone x time-band rates compiled into a
 * matrix (so rating is two lookups and an index), roaming rules per roaming
 * zone, data rating groups. With refs, the zone tables and time-band plan
 * are resolved and every (zone, band) pair must resolve to a rate; without
 * refs only the shape is checked and the price is marked unresolved.
 */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog_int_price.h"

static bss_err parse_uom(bss__pctx *c, const json_t *pop, const json_t *u)
{
    bss__usage *us = &c->p->usage;
    const char *svc = NULL;
    bss_err rc = bss_json_get_str(u, "service", "usage.service", false, &svc, c->ei);
    if (rc != BSS_OK)
        return rc;
    if (svc && (c->p->service = bss_service_parse(svc)) == BSS_SERVICE_NONE)
        return bss_fail(c->ei, BSS_E_INVALID, "usage.service",
                        "usage.service must be one of: voice, sms, data, event (got '%s')", svc);
    const json_t *uom = json_object_get(pop, "unitOfMeasure");
    if (!uom || json_is_null(uom)) {
        if (c->p->service == BSS_SERVICE_NONE)
            return bss_fail(c->ei, BSS_E_INVALID, "usage.service",
                            "usage.service (voice, sms, data, event) or unitOfMeasure is required");
        us->units_per_uom = us->unit_factor = 1;
        return BSS_OK;
    }
    const json_t *units = json_is_object(uom) ? json_object_get(uom, "units") : NULL;
    bss_service inferred = BSS_SERVICE_NONE;
    us->unit_factor = bss__unit_factor(json_string_value(units), &inferred);
    if (c->p->service == BSS_SERVICE_NONE)
        c->p->service = inferred;
    rc = bss_price_quantity(uom, c->p->service, "unitOfMeasure", &us->units_per_uom, c->ei);
    if (rc == BSS_OK && us->units_per_uom <= 0)
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, "unitOfMeasure.amount",
                        "unitOfMeasure.amount must be greater than 0");
    return rc;
}

static bss_err parse_increments(bss__pctx *c, const json_t *u)
{
    bss__usage *us = &c->p->usage;
    us->first = us->next = 1;
    const json_t *inc = json_object_get(u, "increments");
    bss_err rc = BSS_OK;
    if (inc && !json_is_null(inc)) {
        if (!json_is_object(inc))
            return bss_fail(c->ei, BSS_E_INVALID, "usage.increments",
                            "usage.increments must be {\"first\": N, \"next\": M} in base units");
        rc =
            bss__price_uint(c, inc, "first", "usage.increments.first", true, 1, INT64_C(1) << 50, &us->first);
        if (rc == BSS_OK)
            rc = bss__price_uint(c, inc, "next", "usage.increments.next", true, 1, INT64_C(1) << 50,
                                 &us->next);
    }
    if (rc == BSS_OK)
        rc = bss__price_uint(c, u, "minimumUnits", "usage.minimumUnits", false, 0, INT64_C(1) << 50,
                             &us->minimum);
    if (rc == BSS_OK)
        rc = bss__price_money(c, u, "connectFee", "usage.connectFee", false, false, &us->connect_fee, NULL);
    return rc;
}

static bss_err parse_tiers(bss__pctx *c, const json_t *u)
{
    static const char *const names[] = {"flat", "tiered", "volume"};
    bss__usage *us = &c->p->usage;
    const char *s = NULL;
    bss_err rc = bss_json_get_str(u, "structure", "usage.structure", false, &s, c->ei);
    if (rc != BSS_OK)
        return rc;
    for (int i = 0; s && i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            us->structure = (bss__structure)i;
            s = NULL;
        }
    if (s)
        return bss_fail(c->ei, BSS_E_INVALID, "usage.structure",
                        "usage.structure must be one of: flat, tiered, volume (got '%s')", s);
    const json_t *tiers = json_object_get(u, "tiers");
    bool has = tiers && !json_is_null(tiers);
    if (us->structure == BSS__FLAT) {
        if (has)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, "usage.tiers",
                            "usage.tiers need \"structure\": \"tiered\" or \"volume\"");
        return BSS_OK;
    }
    if (!has || !json_is_array(tiers) || json_array_size(tiers) == 0)
        return bss_fail(c->ei, BSS_E_INVALID, "usage.tiers",
                        "usage.tiers must be a non-empty array for structure %s", names[us->structure]);
    size_t n = json_array_size(tiers);
    if (n > 1000)
        return bss_fail(c->ei, BSS_E_TOO_BIG, "usage.tiers", "at most 1000 tiers");
    if (!(us->tiers = bss_arena_alloc(c->p->arena, n * sizeof *us->tiers)))
        return bss__price_nomem(c);
    us->ntiers = (int)n;
    for (size_t i = 0; i < n; i++) {
        char pf[48], pt[48], pp[48];
        snprintf(pf, sizeof pf, "usage.tiers[%zu].from", i);
        snprintf(pt, sizeof pt, "usage.tiers[%zu].to", i);
        snprintf(pp, sizeof pp, "usage.tiers[%zu].price", i);
        const json_t *t = json_array_get(tiers, i);
        if (!json_is_object(t))
            return bss_fail(c->ei, BSS_E_INVALID, pp,
                            "usage.tiers[%zu] must be {\"from\", \"to\", \"price\"}", i);
        int64_t from = -1, to = -1,
                limit = (INT64_MAX / 4) / us->unit_factor; /* bounds x unit stay in int64 */
        if ((rc = bss__price_uint(c, t, "from", pf, true, 0, limit, &from)) != BSS_OK ||
            (rc = bss__price_uint(c, t, "to", pt, false, 0, limit, &to)) != BSS_OK ||
            (rc = bss__price_money(c, t, "price", pp, true, false, &us->tiers[i].price_micros, NULL)) !=
                BSS_OK)
            return rc;
        int64_t prev_to = i ? us->tiers[i - 1].to_units / us->unit_factor : 0;
        if (i == 0 && from != 0)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, pf, "the first tier must start at 0");
        if (i > 0 && from < prev_to)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, pf,
                            "tier %zu (from %lld) overlaps tier %zu (to %lld)", i, (long long)from, i - 1,
                            (long long)prev_to);
        if (i > 0 && from > prev_to)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, pf,
                            "gap: tier %zu starts at %lld but tier %zu ends at %lld", i, (long long)from,
                            i - 1, (long long)prev_to);
        if (to >= 0 && to <= from)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, pt, "%s must be greater than from", pt);
        if (to < 0 && i + 1 < n)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, pt, "only the last tier may be open-ended");
        if (to >= 0 && i + 1 == n)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, pt, "the last tier must be open-ended (no \"to\")");
        us->tiers[i].from_units = from * us->unit_factor;
        us->tiers[i].to_units = to < 0 ? INT64_MAX : to * us->unit_factor;
    }
    return BSS_OK;
}

static bss_err resolve_table(bss__pctx *c, const json_t *u, const char *key, bool zone, bss_zone_kind kind,
                             const char **id, const void **out)
{
    char path[48];
    snprintf(path, sizeof path, "usage.%s", key);
    bss_err rc = bss__price_str(c, u, key, path, false, id);
    if (rc != BSS_OK || !*id)
        return rc;
    bool can = c->refs && (zone ? c->refs->zone_table != NULL : c->refs->timeband_plan != NULL);
    if (!can) {
        c->p->resolved = false;
        return BSS_OK;
    }
    if (zone) {
        const bss_zone_table *t = c->refs->zone_table(c->refs->ctx, *id);
        if (t && bss_zone_table_zone_kind(t) != kind)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, path, "zone table '%s' is a %s table", *id,
                            kind == BSS_ZONE_DESTINATION ? "roaming, not a destination"
                                                         : "destination, not a roaming");
        *out = t;
    } else {
        *out = c->refs->timeband_plan(c->refs->ctx, *id);
    }
    if (!*out)
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, path, "no %s '%s'",
                        zone ? "zone table" : "time-band plan", *id);
    return BSS_OK;
}

/* A zone or band name of an entry: "*" (or absent) is BSS__ANY; -3 when it cannot be checked yet. */
static bss_err entry_index(bss__pctx *c, const json_t *e, const char *key, const char *path,
                           const char *table_id, const char *table_key, const bss_zone_table *zt,
                           const bss_timeband_plan *plan, int *out)
{
    const char *name = NULL;
    bss_err rc = bss_json_get_str(e, key, path, false, &name, c->ei);
    if (rc != BSS_OK)
        return rc;
    *out = BSS__ANY;
    if (!name || strcmp(name, "*") == 0)
        return BSS_OK;
    if (!table_id)
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, path, "%s names '%s' but usage.%s is not set", path, name,
                        table_key);
    if (!zt && !plan) {
        *out = -3;
        return BSS_OK;
    }
    *out = zt ? bss_zone_index(zt, name) : bss_timeband_index(plan, name);
    if (*out < 0)
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, path, "'%s' is not a %s of '%s'", name,
                        zt ? "zone" : "band", table_id);
    return BSS_OK;
}

static bool same_name(const json_t *a, const json_t *b, const char *key)
{
    const char *x = json_string_value(json_object_get(a, key)),
               *y = json_string_value(json_object_get(b, key));
    return strcmp(x ? x : "*", y ? y : "*") == 0;
}

static bss_err parse_rates(bss__pctx *c, const json_t *u)
{
    bss__usage *us = &c->p->usage;
    const json_t *rates = json_object_get(u, "rates");
    if (!rates || json_is_null(rates))
        return BSS_OK;
    if (!json_is_array(rates) || json_array_size(rates) == 0)
        return bss_fail(c->ei, BSS_E_INVALID, "usage.rates", "usage.rates must be a non-empty array");
    if (us->structure != BSS__FLAT)
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, "usage.rates",
                        "usage.rates need \"structure\": \"flat\"");
    size_t n = json_array_size(rates);
    if (n > 10000)
        return bss_fail(c->ei, BSS_E_TOO_BIG, "usage.rates", "at most 10000 rates");
    if (!(us->rates = bss_arena_alloc(c->p->arena, n * sizeof *us->rates)))
        return bss__price_nomem(c);
    us->nrates = (int)n;
    for (size_t i = 0; i < n; i++) {
        char pz[48], pb[48], pp[48];
        snprintf(pz, sizeof pz, "usage.rates[%zu].zone", i);
        snprintf(pb, sizeof pb, "usage.rates[%zu].band", i);
        snprintf(pp, sizeof pp, "usage.rates[%zu].price", i);
        const json_t *r = json_array_get(rates, i);
        if (!json_is_object(r))
            return bss_fail(c->ei, BSS_E_INVALID, pp,
                            "usage.rates[%zu] must be {\"zone\", \"band\", \"price\"}", i);
        bss__rate *rt = &us->rates[i];
        bss_err rc =
            entry_index(c, r, "zone", pz, us->zone_table_id, "zoneTableId", us->zones, NULL, &rt->zone);
        if (rc == BSS_OK)
            rc = entry_index(c, r, "band", pb, us->plan_id, "timeBandPlanId", NULL, us->plan, &rt->band);
        if (rc == BSS_OK)
            rc = bss__price_money(c, r, "price", pp, true, false, &rt->price_micros, NULL);
        if (rc != BSS_OK)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (same_name(r, json_array_get(rates, j), "zone") &&
                same_name(r, json_array_get(rates, j), "band"))
                return bss_fail(c->ei, BSS_E_UNPROCESSABLE, pz,
                                "usage.rates[%zu] repeats the zone and band of usage.rates[%zu]", i, j);
    }
    return BSS_OK;
}

/* The rate for a cell: the most specific matching rate, else the price, else none. */
static int best_rate(const bss__usage *us, int zone, int band, bool has_price)
{
    int best = has_price ? BSS__USE_PRICE : BSS__NO_RATE, best_spec = -1;
    for (int i = 0; i < us->nrates; i++) {
        const bss__rate *r = &us->rates[i];
        bool zm = r->zone == BSS__ANY || (zone >= 0 && r->zone == zone);
        bool bm = r->band == BSS__ANY || r->band == band;
        int spec = (r->zone != BSS__ANY ? 2 : 0) + (r->band != BSS__ANY ? 1 : 0);
        if (zm && bm && spec > best_spec) {
            best = i;
            best_spec = spec;
        }
    }
    return best;
}

static bss_err build_matrix(bss__pctx *c)
{
    bss__usage *us = &c->p->usage;
    us->nzones = us->zones ? (int)bss_zone_count(us->zones) : 0;
    us->nbands = us->plan ? (int)bss_timeband_count(us->plan) : 1;
    size_t rows = (size_t)us->nzones + 1; /* the last row: no zone (data events, no table) */
    if (!(us->matrix = bss_arena_alloc(c->p->arena, rows * (size_t)us->nbands * sizeof *us->matrix)))
        return bss__price_nomem(c);
    for (int z = 0; z <= us->nzones; z++)
        for (int b = 0; b < us->nbands; b++) {
            int zone = z < us->nzones ? z : -1;
            int cell = best_rate(us, zone, b, c->p->has_value);
            us->matrix[z * us->nbands + b] = cell;
            bool must = zone >= 0 || us->nzones == 0;
            if (cell == BSS__NO_RATE && must)
                return bss_fail(
                    c->ei, BSS_E_UNPROCESSABLE, "usage.rates",
                    "no rate for zone '%s' in band '%s': add a rate (\"*\" matches any) or a price",
                    zone >= 0 ? bss_zone_name(us->zones, zone) : "*",
                    us->plan ? bss_timeband_name(us->plan, b) : "*");
        }
    return BSS_OK;
}

static bss_err parse_roaming_entry(bss__pctx *c, const json_t *e, size_t i, bss__roam *out)
{
    bss__usage *us = &c->p->usage;
    char pz[48], pr[48], pp[48];
    snprintf(pz, sizeof pz, "usage.roaming[%zu].zone", i);
    snprintf(pr, sizeof pr, "usage.roaming[%zu].rule", i);
    snprintf(pp, sizeof pp, "usage.roaming[%zu].price", i);
    if (!json_is_object(e))
        return bss_fail(c->ei, BSS_E_INVALID, pz,
                        "usage.roaming[%zu] must be {\"zone\", \"rule\" | \"price\"}", i);
    if (!json_object_get(e, "zone"))
        return bss_fail(c->ei, BSS_E_INVALID, pz, "%s is required", pz);
    bss_err rc = entry_index(c, e, "zone", pz, us->roam_table_id, "roamingZoneTableId", us->roam_zones, NULL,
                             &out->zone);
    const char *rule = NULL;
    if (rc == BSS_OK)
        rc = bss_json_get_str(e, "rule", pr, false, &rule, c->ei);
    bool has_price = false;
    if (rc == BSS_OK)
        rc = bss__price_money(c, e, "price", pp, false, false, &out->price_micros, &has_price);
    if (rc != BSS_OK)
        return rc;
    if (rule && strcmp(rule, "home") != 0 && strcmp(rule, "price") != 0)
        return bss_fail(c->ei, BSS_E_INVALID, pr, "%s must be \"home\" or \"price\" (got '%s')", pr, rule);
    bool home = rule && strcmp(rule, "home") == 0;
    if (home && has_price)
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, pp, "a \"home\" roaming rule has no price");
    if (!home && !has_price)
        return bss_fail(c->ei, BSS_E_INVALID, pp, "%s is required unless \"rule\": \"home\"", pp);
    out->rule = home ? BSS_ROAM_HOME : BSS_ROAM_PRICE;
    return BSS_OK;
}

static bss_err parse_roaming(bss__pctx *c, const json_t *u)
{
    bss__usage *us = &c->p->usage;
    const json_t *roam = json_object_get(u, "roaming");
    bool has = roam && !json_is_null(roam);
    if (!has && !us->roam_table_id)
        return BSS_OK;
    if (!us->roam_table_id)
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, "usage.roamingZoneTableId",
                        "usage.roaming needs usage.roamingZoneTableId");
    if (!has || !json_is_array(roam) || json_array_size(roam) == 0)
        return bss_fail(c->ei, BSS_E_INVALID, "usage.roaming",
                        "usage.roaming must be a non-empty array of rules");
    size_t n = json_array_size(roam);
    if (n > 1000)
        return bss_fail(c->ei, BSS_E_TOO_BIG, "usage.roaming", "at most 1000 roaming rules");
    if (!(us->roam = bss_arena_alloc(c->p->arena, n * sizeof *us->roam)))
        return bss__price_nomem(c);
    us->nroam = (int)n;
    for (size_t i = 0; i < n; i++) {
        bss_err rc = parse_roaming_entry(c, json_array_get(roam, i), i, &us->roam[i]);
        if (rc != BSS_OK)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (same_name(json_array_get(roam, i), json_array_get(roam, j), "zone")) {
                char pz[48];
                snprintf(pz, sizeof pz, "usage.roaming[%zu].zone", i);
                return bss_fail(c->ei, BSS_E_UNPROCESSABLE, pz,
                                "usage.roaming[%zu] repeats the zone of usage.roaming[%zu]", i, j);
            }
    }
    if (!us->roam_zones)
        return BSS_OK;
    us->nroam_zones = (int)bss_zone_count(us->roam_zones);
    if (!(us->roam_by_zone = bss_arena_alloc(c->p->arena, ((size_t)us->nroam_zones + 1) * sizeof(int))))
        return bss__price_nomem(c);
    for (int z = 0; z < us->nroam_zones; z++) {
        int best = -1;
        for (int i = 0; i < us->nroam; i++)
            if (us->roam[i].zone == z || (us->roam[i].zone == BSS__ANY && best < 0))
                best = i;
        if (best < 0)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, "usage.roaming",
                            "no roaming rule for roaming zone '%s' (\"*\" matches any)",
                            bss_zone_name(us->roam_zones, z));
        us->roam_by_zone[z] = best;
    }
    return BSS_OK;
}

static bss_err parse_rating_groups(bss__pctx *c, const json_t *u)
{
    bss__usage *us = &c->p->usage;
    const json_t *rgs = json_object_get(u, "ratingGroups");
    if (!rgs || json_is_null(rgs))
        return BSS_OK;
    if (c->p->service != BSS_SERVICE_DATA)
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, "usage.ratingGroups",
                        "usage.ratingGroups are for data prices");
    if (!json_is_array(rgs) || json_array_size(rgs) == 0 || json_array_size(rgs) > 1000)
        return bss_fail(c->ei, BSS_E_INVALID, "usage.ratingGroups",
                        "usage.ratingGroups must be an array of 1..1000 entries");
    size_t n = json_array_size(rgs);
    if (!(us->rgs = bss_arena_alloc(c->p->arena, n * sizeof *us->rgs)))
        return bss__price_nomem(c);
    us->nrgs = (int)n;
    for (size_t i = 0; i < n; i++) {
        char pg[48], pz[48], pp[48];
        snprintf(pg, sizeof pg, "usage.ratingGroups[%zu].ratingGroup", i);
        snprintf(pz, sizeof pz, "usage.ratingGroups[%zu].zeroRated", i);
        snprintf(pp, sizeof pp, "usage.ratingGroups[%zu].price", i);
        const json_t *e = json_array_get(rgs, i);
        bss__rg *g = &us->rgs[i];
        memset(g, 0, sizeof *g);
        if (!json_is_object(e))
            return bss_fail(c->ei, BSS_E_INVALID, pg, "usage.ratingGroups[%zu] must be an object", i);
        bool has_price = false;
        bss_err rc = bss__price_uint(c, e, "ratingGroup", pg, true, 0, UINT32_MAX, &g->rating_group);
        if (rc == BSS_OK)
            rc = bss_json_get_bool(e, "zeroRated", pz, false, &g->zero_rated, c->ei);
        if (rc == BSS_OK)
            rc = bss__price_money(c, e, "price", pp, false, false, &g->price_micros, &has_price);
        if (rc != BSS_OK)
            return rc;
        if (g->zero_rated == has_price)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, pp,
                            "usage.ratingGroups[%zu] needs a price or \"zeroRated\": true (one of them)", i);
        for (size_t j = 0; j < i; j++)
            if (us->rgs[j].rating_group == g->rating_group)
                return bss_fail(c->ei, BSS_E_UNPROCESSABLE, pg, "rating group %lld is listed twice",
                                (long long)g->rating_group);
    }
    return BSS_OK;
}

/*
 * usage.steps: the rate of each part of one event ("the first 60 s of a
 * call at 0.20 a minute, then 0.10 a minute in 1 s increments"):
 * [{"upTo": 60, "increment": 60, "price": Money}, {"increment": 1, "price": Money}].
 * upTo in base units of the event, increasing, only the last open-ended;
 * increment (default 1) rounds the part of the event in that step up; the
 * price is per unitOfMeasure. Steps replace the top-level price, increments
 * and minimumUnits, and go with "structure": "flat" without rates or
 * rating groups.
 */
static bss_err parse_steps(bss__pctx *c, const json_t *u)
{
    bss__usage *us = &c->p->usage;
    const json_t *steps = json_object_get(u, "steps");
    if (!steps || json_is_null(steps))
        return BSS_OK;
    size_t n = json_array_size(steps);
    if (!json_is_array(steps) || n == 0 || n > 20)
        return bss_fail(c->ei, BSS_E_INVALID, "usage.steps", "usage.steps must be an array of 1..20 steps");
    static const char *const conflicts[] = {"increments", "minimumUnits", "tiers", "rates", "ratingGroups"};
    for (size_t k = 0; k < sizeof conflicts / sizeof conflicts[0]; k++)
        if (json_object_get(u, conflicts[k])) {
            char f[48];
            snprintf(f, sizeof f, "usage.%s", conflicts[k]);
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, f, "usage.%s and usage.steps do not go together: the steps "
                            "set the increments and prices of an event", conflicts[k]);
        }
    if (us->structure != BSS__FLAT)
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, "usage.structure", "usage.steps need \"structure\": \"flat\"");
    if (!(us->steps = bss_arena_alloc(c->p->arena, n * sizeof *us->steps)))
        return bss__price_nomem(c);
    us->nsteps = (int)n;
    int64_t from = 0;
    for (size_t i = 0; i < n; i++) {
        char pu[48], pi[48], pp[48];
        snprintf(pu, sizeof pu, "usage.steps[%zu].upTo", i);
        snprintf(pi, sizeof pi, "usage.steps[%zu].increment", i);
        snprintf(pp, sizeof pp, "usage.steps[%zu].price", i);
        const json_t *st = json_array_get(steps, i);
        if (!json_is_object(st))
            return bss_fail(c->ei, BSS_E_INVALID, pp, "usage.steps[%zu] must be {\"upTo\", \"increment\", \"price\"}", i);
        int64_t up = -1, inc = 1;
        bss_err rc;
        if ((rc = bss__price_uint(c, st, "upTo", pu, false, 1, INT64_C(1) << 50, &up)) != BSS_OK ||
            (rc = bss__price_uint(c, st, "increment", pi, false, 1, INT64_C(1) << 50, &inc)) != BSS_OK ||
            (rc = bss__price_money(c, st, "price", pp, true, false, &us->steps[i].price_micros, NULL)) != BSS_OK)
            return rc;
        if (up >= 0 && up <= from)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, pu, "%s must be greater than the step before's (%lld)", pu,
                            (long long)from);
        if (up < 0 && i + 1 < n)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, pu, "only the last step may be open-ended (no \"upTo\")");
        if (up >= 0 && i + 1 == n)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, pu, "the last step must be open-ended (no \"upTo\")");
        us->steps[i].from_units = from;
        us->steps[i].to_units = up < 0 ? INT64_MAX : up;
        us->steps[i].increment = inc;
        from = up;
    }
    return BSS_OK;
}

bss_err bss__price_usage(bss__pctx *c, const json_t *pop)
{
    bss__usage *us = &c->p->usage;
    const json_t *u = json_object_get(pop, "usage");
    if (!json_is_object(u))
        return bss_fail(c->ei, BSS_E_INVALID, "usage",
                        "a usage price needs the \"usage\" object (service, increments ...)");
    bss_err rc = parse_uom(c, pop, u);
    if (rc == BSS_OK)
        rc = parse_increments(c, u);
    if (rc == BSS_OK)
        rc = parse_tiers(c, u);
    if (rc == BSS_OK)
        rc = resolve_table(c, u, "zoneTableId", true, BSS_ZONE_DESTINATION, &us->zone_table_id,
                           (const void **)&us->zones);
    if (rc == BSS_OK)
        rc = resolve_table(c, u, "timeBandPlanId", false, 0, &us->plan_id, (const void **)&us->plan);
    if (rc == BSS_OK)
        rc = resolve_table(c, u, "roamingZoneTableId", true, BSS_ZONE_ROAMING, &us->roam_table_id,
                           (const void **)&us->roam_zones);
    if (rc == BSS_OK)
        rc = parse_rates(c, u);
    if (rc == BSS_OK)
        rc = parse_roaming(c, u);
    if (rc == BSS_OK)
        rc = parse_rating_groups(c, u);
    if (rc == BSS_OK)
        rc = parse_steps(c, u);
    if (rc != BSS_OK)
        return rc;
    if (us->structure == BSS__FLAT && us->nrates == 0 && us->nsteps == 0 && !c->p->has_value)
        return bss_fail(c->ei, BSS_E_INVALID, "price", "price is required (or usage.rates, or tiers)");
    if (c->p->resolved && us->nrates > 0)
        rc = build_matrix(c);
    return rc;
}
