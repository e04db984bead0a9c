/*
 * price.c: parses and validates a TMF620 productOfferingPrice document
 * (shape in catalog.h, the pricing model) into a compiled bss_price: the
 * members common to every price, TMF Money and Quantity, and the one-time, recurring, allowance and
 * discount kinds. The usage kind (increments, tiers, zone x band rates,
 * roaming, rating groups) is in price_usage.c. Every error carries the
 * path of the offending member, so the API answers 422 pointing at it.
 */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog_int_price.h"
#include "core/money.h"

static const struct {
    const char *name;
    int64_t factor;
    bss_service service;
} unit_table[] = {
    {"second", 1, BSS_SERVICE_VOICE},
    {"minute", 60, BSS_SERVICE_VOICE},
    {"hour", 3600, BSS_SERVICE_VOICE},
    {"message", 1, BSS_SERVICE_SMS},
    {"event", 1, BSS_SERVICE_EVENT},
    {"byte", 1, BSS_SERVICE_DATA},
    {"KB", INT64_C(1024), BSS_SERVICE_DATA},
    {"MB", INT64_C(1024) * 1024, BSS_SERVICE_DATA},
    {"GB", INT64_C(1024) * 1024 * 1024, BSS_SERVICE_DATA},
};

static const char *const service_names[] = {"", "voice", "sms", "data", "event"};

bss_service bss_service_parse(const char *name)
{
    for (int i = 1; name && i < (int)(sizeof(service_names) / sizeof(service_names[0])); i++)
        if (strcmp(name, service_names[i]) == 0)
            return (bss_service)i;
    return BSS_SERVICE_NONE;
}

const char *bss_service_name(bss_service s)
{
    return (s >= BSS_SERVICE_NONE && s <= BSS_SERVICE_EVENT) ? service_names[s] : "";
}

int64_t bss__unit_factor(const char *units, bss_service *service)
{
    for (size_t i = 0; units && i < sizeof(unit_table) / sizeof(unit_table[0]); i++)
        if (strcmp(units, unit_table[i].name) == 0) {
            if (service)
                *service = unit_table[i].service;
            return unit_table[i].factor;
        }
    return 0;
}

bss_err bss__price_nomem(bss__pctx *c)
{
    return bss_fail(c->ei, BSS_E_NOMEM, NULL, "out of memory building a price");
}

bss_err bss__price_str(bss__pctx *c, const json_t *obj, const char *key, const char *path, bool required,
                       const char **out)
{
    const char *s = NULL;
    bss_err rc = bss_json_get_str(obj, key, path, required, &s, c->ei);
    if (rc != BSS_OK || !s)
        return rc;
    char *copy = bss_arena_strndup(c->p->arena, s, strlen(s));
    if (!copy)
        return bss__price_nomem(c);
    *out = copy;
    return BSS_OK;
}

bss_err bss__price_uint(bss__pctx *c, const json_t *obj, const char *key, const char *path, bool required,
                        int64_t min, int64_t max, int64_t *out)
{
    int64_t v = 0;
    bool had = json_object_get(obj, key) && !json_is_null(json_object_get(obj, key));
    bss_err rc = bss_json_get_int(obj, key, path, required, &v, c->ei);
    if (rc != BSS_OK || !had)
        return rc;
    if (v < min || v > max)
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, path, "%s must be between %lld and %lld", path,
                        (long long)min, (long long)max);
    *out = v;
    return BSS_OK;
}

bss_err bss__price_money(bss__pctx *c, const json_t *obj, const char *key, const char *path, bool required,
                         bool positive, int64_t *out, bool *present)
{
    char fv[128], fu[128];
    const json_t *m = json_object_get(obj, key);
    if (present)
        *present = false;
    if (!m || json_is_null(m)) {
        if (required)
            return bss_fail(c->ei, BSS_E_INVALID, path,
                            "%s is required (Money: {\"unit\": \"EUR\", \"value\": 9.99})", path);
        return BSS_OK;
    }
    if (!json_is_object(m))
        return bss_fail(c->ei, BSS_E_INVALID, path, "%s must be Money: {\"unit\": \"EUR\", \"value\": 9.99}",
                        path);
    snprintf(fv, sizeof fv, "%s.value", path);
    snprintf(fu, sizeof fu, "%s.unit", path);
    const char *unit = NULL;
    bss_err rc = bss_json_get_str(m, "unit", fu, true, &unit, c->ei);
    if (rc != BSS_OK)
        return rc;
    if (!bss_currency_find(unit))
        return bss_fail(c->ei, BSS_E_INVALID, fu, "unknown currency '%s' (an ISO 4217 code like EUR)", unit);
    if (c->p->currency[0] == 0)
        memcpy(c->p->currency, unit, 4);
    else if (strcmp(c->p->currency, unit) != 0)
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, fu, "currency %s differs from the price's %s", unit,
                        c->p->currency);
    const json_t *v = json_object_get(m, "value");
    if (!v || json_is_null(v))
        return bss_fail(c->ei, BSS_E_INVALID, fv, "%s is required", fv);
    int64_t micros = 0;
    rc = bss_money_from_json(v, fv, &micros, c->ei);
    if (rc != BSS_OK)
        return rc;
    if (micros < 0 || (positive && micros == 0))
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, fv, "%s must be %s", fv,
                        positive ? "greater than 0" : "0 or more");
    *out = micros;
    if (present)
        *present = true;
    return BSS_OK;
}

bss_err bss_price_quantity(const json_t *q, bss_service service, const char *path, int64_t *out_units,
                           bss_errinfo *ei)
{
    char fa[128], fu[128];
    snprintf(fa, sizeof fa, "%s.amount", path);
    snprintf(fu, sizeof fu, "%s.units", path);
    if (!json_is_object(q))
        return bss_fail(ei, BSS_E_INVALID, path, "%s must be a Quantity: {\"amount\": 10, \"units\": \"GB\"}",
                        path);
    const char *units = NULL;
    bss_err rc = bss_json_get_str(q, "units", fu, true, &units, ei);
    if (rc != BSS_OK)
        return rc;
    bss_service us = BSS_SERVICE_NONE;
    int64_t factor = bss__unit_factor(units, &us);
    if (factor == 0)
        return bss_fail(ei, BSS_E_INVALID, fu,
                        "unknown unit '%s' (second, minute, hour, message, event, byte, KB, MB, GB)", units);
    if (service != BSS_SERVICE_NONE && us != service)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, fu, "unit '%s' does not measure %s", units,
                        bss_service_name(service));
    const json_t *a = json_object_get(q, "amount");
    if (!a || json_is_null(a))
        return bss_fail(ei, BSS_E_INVALID, fa, "%s is required", fa);
    int64_t micros = 0; /* the amount, read exactly as a 6-decimal number */
    rc = bss_money_from_json(a, fa, &micros, ei);
    if (rc != BSS_OK)
        return rc;
    if (micros < 0)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, fa, "%s must be 0 or more", fa);
    __int128 base = (__int128)micros * factor;
    if (base % BSS_MICROS_PER_UNIT != 0)
        return bss_fail(ei, BSS_E_INVALID, fa, "%s is not a whole number of %s base units", fa,
                        us == BSS_SERVICE_DATA ? "byte" : "second/message/event");
    base /= BSS_MICROS_PER_UNIT;
    if (base > INT64_MAX / 4)
        return bss_fail(ei, BSS_E_RANGE, fa, "%s is too large", fa);
    *out_units = (int64_t)base;
    return BSS_OK;
}

static bss_err parse_enum(bss__pctx *c, const json_t *obj, const char *key, const char *path,
                          const char *const *names, int n, int *out)
{
    const char *s = NULL;
    bss_err rc = bss_json_get_str(obj, key, path, false, &s, c->ei);
    if (rc != BSS_OK || !s)
        return rc;
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return BSS_OK;
        }
    char allowed[160] = "";
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof allowed; i++)
        len += (size_t)snprintf(allowed + len, sizeof allowed - len, "%s%s", i ? ", " : "", names[i]);
    return bss_fail(c->ei, BSS_E_INVALID, path, "%s must be one of: %s (got '%s')", path, allowed, s);
}

static bss_err parse_recurring(bss__pctx *c, const json_t *pop)
{
    static const char *const periods[] = {"day", "week", "month", "year"};
    static const char *const policies[] = {"daily", "none"};
    bss_price *p = c->p;
    if (!json_object_get(pop, "recurringChargePeriodType"))
        return bss_fail(
            c->ei, BSS_E_INVALID, "recurringChargePeriodType",
            "recurringChargePeriodType is required for a recurring price (day, week, month, year)");
    int period = 0, policy = 0;
    bss_err rc =
        parse_enum(c, pop, "recurringChargePeriodType", "recurringChargePeriodType", periods, 4, &period);
    if (rc == BSS_OK)
        rc = parse_enum(c, pop, "prorationPolicy", "prorationPolicy", policies, 2, &policy);
    int64_t len = 1;
    if (rc == BSS_OK)
        rc = bss__price_uint(c, pop, "recurringChargePeriodLength", "recurringChargePeriodLength", false, 1,
                             366, &len);
    if (rc != BSS_OK)
        return rc;
    p->period = (bss__period)period;
    p->period_length = (int)len;
    p->prorate_daily = policy == 0;
    return BSS_OK;
}

static bss_err parse_validity(bss__pctx *c, const json_t *al, bss_bucket_template *b)
{
    const json_t *v = json_object_get(al, "validity");
    if (!v || json_is_null(v) || (json_is_string(v) && strcmp(json_string_value(v), "cycle") == 0))
        return BSS_OK;
    if (!json_is_object(v))
        return bss_fail(c->ei, BSS_E_INVALID, "allowance.validity",
                        "allowance.validity must be \"cycle\" or {\"days\": N}");
    int64_t days = 0;
    bss_err rc = bss__price_uint(c, v, "days", "allowance.validity.days", true, 1, 3660, &days);
    b->validity_days = (int)days;
    return rc;
}

static bss_err parse_fair_usage(bss__pctx *c, const json_t *pop, const json_t *al, bss_bucket_template *b)
{
    static const char *const actions[] = {"throttle", "overage"};
    const json_t *f = json_object_get(al, "fairUsage");
    if (!f || json_is_null(f))
        return BSS_OK;
    if (!json_is_object(f))
        return bss_fail(c->ei, BSS_E_INVALID, "allowance.fairUsage", "allowance.fairUsage must be an object");
    bss_err rc = bss_price_quantity(json_object_get(f, "after"), b->service, "allowance.fairUsage.after",
                                    &b->fair_after_units, c->ei);
    if (rc != BSS_OK)
        return rc;
    int action = -1;
    if (!json_object_get(f, "action"))
        return bss_fail(c->ei, BSS_E_INVALID, "allowance.fairUsage.action",
                        "allowance.fairUsage.action is required (throttle or overage)");
    if ((rc = parse_enum(c, f, "action", "allowance.fairUsage.action", actions, 2, &action)) != BSS_OK)
        return rc;
    if (action == 0) {
        b->fair_action = BSS_FAIR_THROTTLE;
        return bss__price_uint(c, f, "throttleKbps", "allowance.fairUsage.throttleKbps", true, 1,
                               INT64_C(100000000), &b->throttle_kbps);
    }
    b->fair_action = BSS_FAIR_OVERAGE;
    rc = bss__price_money(c, f, "overagePrice", "allowance.fairUsage.overagePrice", true, false,
                          &b->overage_price_micros, NULL);
    if (rc != BSS_OK)
        return rc;
    const json_t *uom = json_object_get(pop, "unitOfMeasure");
    b->overage_units_per_uom = 1;
    if (uom && !json_is_null(uom))
        rc = bss_price_quantity(uom, b->service, "unitOfMeasure", &b->overage_units_per_uom, c->ei);
    else if (b->service == BSS_SERVICE_VOICE)
        b->overage_units_per_uom = 60;
    else if (b->service == BSS_SERVICE_DATA)
        b->overage_units_per_uom = INT64_C(1024) * 1024;
    if (rc == BSS_OK && b->overage_units_per_uom <= 0)
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, "unitOfMeasure.amount",
                        "unitOfMeasure.amount must be greater than 0");
    return rc;
}

static bss_err parse_rollover(bss__pctx *c, const json_t *al, bss_bucket_template *b)
{
    const json_t *r = json_object_get(al, "rollover");
    if (!r || json_is_null(r))
        return BSS_OK;
    if (!json_is_object(r))
        return bss_fail(c->ei, BSS_E_INVALID, "allowance.rollover", "allowance.rollover must be an object");
    bss_err rc = bss_json_get_bool(r, "enabled", "allowance.rollover.enabled", true, &b->rollover, c->ei);
    if (rc != BSS_OK || !b->rollover)
        return rc;
    if (b->unlimited)
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, "allowance.rollover",
                        "an unlimited allowance cannot roll over");
    b->rollover_cap = b->units;
    const json_t *cap = json_object_get(r, "cap");
    if (cap && !json_is_null(cap))
        rc = bss_price_quantity(cap, b->service, "allowance.rollover.cap", &b->rollover_cap, c->ei);
    return rc;
}

static bss_err parse_allowance_zones(bss__pctx *c, const json_t *al, bss_bucket_template *b)
{
    const json_t *zones = json_object_get(al, "zones");
    if (!zones || json_is_null(zones))
        return BSS_OK;
    if (!json_is_array(zones) || json_array_size(zones) == 0)
        return bss_fail(c->ei, BSS_E_INVALID, "allowance.zones",
                        "allowance.zones must be a non-empty array of zone names");
    bss_err rc =
        bss__price_str(c, al, "zoneTableId", "allowance.zoneTableId", false, &c->p->allow_zone_table_id);
    if (rc != BSS_OK)
        return rc;
    if (!c->p->allow_zone_table_id)
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, "allowance.zoneTableId",
                        "allowance.zones needs allowance.zoneTableId (the table the names come from)");
    const bss_zone_table *zt = NULL;
    if (c->refs && c->refs->zone_table) {
        zt = c->refs->zone_table(c->refs->ctx, c->p->allow_zone_table_id);
        if (!zt)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, "allowance.zoneTableId", "no zone table '%s'",
                            c->p->allow_zone_table_id);
    }
    size_t n = json_array_size(zones);
    const char **names = bss_arena_alloc(c->p->arena, n * sizeof *names);
    if (!names)
        return bss__price_nomem(c);
    for (size_t i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "allowance.zones[%zu]", i);
        const json_t *z = json_array_get(zones, i);
        if (!json_is_string(z))
            return bss_fail(c->ei, BSS_E_INVALID, path, "%s must be a zone name", path);
        if (zt && bss_zone_index(zt, json_string_value(z)) < 0)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, path, "zone '%s' is not in zone table '%s'",
                            json_string_value(z), c->p->allow_zone_table_id);
        names[i] = bss_arena_strndup(c->p->arena, json_string_value(z), json_string_length(z));
        if (!names[i])
            return bss__price_nomem(c);
    }
    b->zones = names;
    b->nzones = n;
    return BSS_OK;
}

static bss_err parse_allowance(bss__pctx *c, const json_t *pop)
{
    static const char *const renewals[] = {"cycle", "none"};
    bss_bucket_template *b = &c->p->bucket;
    const json_t *al = json_object_get(pop, "allowance");
    if (!json_is_object(al))
        return bss_fail(c->ei, BSS_E_INVALID, "allowance",
                        "an allowance price needs the \"allowance\" object");
    const char *svc = NULL;
    bss_err rc = bss_json_get_str(al, "service", "allowance.service", true, &svc, c->ei);
    if (rc != BSS_OK)
        return rc;
    if ((b->service = bss_service_parse(svc)) == BSS_SERVICE_NONE)
        return bss_fail(c->ei, BSS_E_INVALID, "allowance.service",
                        "allowance.service must be one of: voice, sms, data, event (got '%s')", svc);
    c->p->service = b->service;
    if ((rc = bss_json_get_bool(al, "unlimited", "allowance.unlimited", false, &b->unlimited, c->ei)) !=
        BSS_OK)
        return rc;
    const json_t *amount = json_object_get(al, "amount");
    if (b->unlimited && amount && !json_is_null(amount))
        return bss_fail(c->ei, BSS_E_UNPROCESSABLE, "allowance.amount",
                        "an unlimited allowance has no amount");
    if (!b->unlimited) {
        if (!amount || json_is_null(amount))
            return bss_fail(c->ei, BSS_E_INVALID, "allowance.amount",
                            "allowance.amount (a Quantity) or \"unlimited\": true is required");
        if ((rc = bss_price_quantity(amount, b->service, "allowance.amount", &b->units, c->ei)) != BSS_OK)
            return rc;
    }
    int renewal = 0;
    int64_t priority = 100;
    b->renew_each_cycle = true;
    if ((rc = parse_validity(c, al, b)) == BSS_OK &&
        (rc = parse_enum(c, al, "renewal", "allowance.renewal", renewals, 2, &renewal)) == BSS_OK)
        b->renew_each_cycle = renewal == 0;
    if (rc == BSS_OK)
        rc = bss_json_get_bool(al, "shared", "allowance.shared", false, &b->shared, c->ei);
    if (rc == BSS_OK)
        rc = bss__price_uint(c, al, "priority", "allowance.priority", false, 0, 1000000, &priority);
    b->priority = (int)priority;
    if (rc == BSS_OK)
        rc = parse_rollover(c, al, b);
    if (rc == BSS_OK)
        rc = parse_fair_usage(c, pop, al, b);
    if (rc == BSS_OK)
        rc = parse_allowance_zones(c, al, b);
    return rc;
}

static bss_err parse_applies_to(bss__pctx *c, const json_t *pop, bss__discount *d)
{
    static const char *const kinds[] = {"oneTime", "recurring", "usage"};
    const json_t *a = json_object_get(pop, "appliesTo");
    d->applies_to = BSS_CHARGE_RECURRING;
    if (!a || json_is_null(a))
        return BSS_OK;
    if (!json_is_array(a) || json_array_size(a) == 0)
        return bss_fail(c->ei, BSS_E_INVALID, "appliesTo",
                        "appliesTo must be a non-empty array of oneTime, recurring, usage");
    d->applies_to = 0;
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *k = json_array_get(a, i);
        int found = -1;
        for (int j = 0; j < 3 && json_is_string(k); j++)
            if (strcmp(json_string_value(k), kinds[j]) == 0)
                found = j;
        if (found < 0) {
            char path[48];
            snprintf(path, sizeof path, "appliesTo[%zu]", i);
            return bss_fail(c->ei, BSS_E_INVALID, path, "%s must be one of: oneTime, recurring, usage", path);
        }
        d->applies_to |= 1u << found;
    }
    return BSS_OK;
}

static bss_err parse_discount(bss__pctx *c, const json_t *pop)
{
    bss__discount *d = &c->p->discount;
    const json_t *pct = json_object_get(pop, "percentage");
    if (pct && !json_is_null(pct)) {
        int64_t micros = 0;
        bss_err rc = bss_money_from_json(pct, "percentage", &micros, c->ei);
        if (rc != BSS_OK)
            return rc;
        if (micros <= 0 || micros > 100 * BSS_MICROS_PER_UNIT)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, "percentage",
                            "percentage must be more than 0 and at most 100");
        if (micros % 10000 != 0)
            return bss_fail(c->ei, BSS_E_INVALID, "percentage", "percentage has at most 2 decimals");
        if (c->p->has_value && c->p->value != 0)
            return bss_fail(c->ei, BSS_E_UNPROCESSABLE, "percentage",
                            "a discount is a percentage or a fixed price, not both");
        d->is_percentage = true;
        d->percentage_micros = micros;
    } else if (!c->p->has_value || c->p->value == 0) {
        return bss_fail(c->ei, BSS_E_INVALID, "percentage",
                        "a discount needs \"percentage\" or a \"price\" greater than 0");
    }
    const json_t *ad = json_object_get(pop, "applicationDuration");
    if (ad && !json_is_null(ad)) {
        if (!json_is_object(ad))
            return bss_fail(c->ei, BSS_E_INVALID, "applicationDuration",
                            "applicationDuration must be {\"cycles\": N}");
        int64_t cycles = 0;
        bss_err rc = bss__price_uint(c, ad, "cycles", "applicationDuration.cycles", true, 1, 10000, &cycles);
        if (rc != BSS_OK)
            return rc;
        d->cycles = (int)cycles;
    }
    return parse_applies_to(c, pop, d);
}

static bss_err parse_common(bss__pctx *c, const json_t *pop)
{
    static const char *const types[] = {"oneTime", "recurring", "usage", "allowance", "discount"};
    if (!json_is_object(pop))
        return bss_fail(c->ei, BSS_E_INVALID, NULL, "a productOfferingPrice must be a JSON object");
    if (!json_object_get(pop, "priceType"))
        return bss_fail(c->ei, BSS_E_INVALID, "priceType",
                        "priceType is required (oneTime, recurring, usage, allowance, discount)");
    int type = 0;
    bss_err rc = parse_enum(c, pop, "priceType", "priceType", types, 5, &type);
    if (rc != BSS_OK)
        return rc;
    c->p->kind = (bss_price_type)(type + 1);
    if ((rc = bss__price_str(c, pop, "id", "id", false, &c->p->id)) != BSS_OK ||
        (rc = bss__price_str(c, pop, "name", "name", false, &c->p->name)) != BSS_OK ||
        (rc = bss__price_str(c, pop, "taxCategory", "taxCategory", false, &c->p->tax_category)) != BSS_OK)
        return rc;
    bool required = c->p->kind == BSS_PRICE_ONE_TIME || c->p->kind == BSS_PRICE_RECURRING;
    bool positive = c->p->kind == BSS_PRICE_DISCOUNT && !json_object_get(pop, "percentage");
    return bss__price_money(c, pop, "price", "price", required, positive, &c->p->value, &c->p->has_value);
}

bss_err bss_price_build(const json_t *pop, const bss_price_refs *refs, bss_price **out, bss_errinfo *ei)
{
    bss_arena *arena = bss_arena_create(1024);
    bss_price *p = arena ? bss_arena_alloc(arena, sizeof *p) : NULL;
    if (!p) {
        bss_arena_destroy(arena);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory building a price");
    }
    memset(p, 0, sizeof *p);
    p->arena = arena;
    p->id = p->name = "";
    p->tax_category = "standard";
    p->resolved = true;
    bss__pctx c = {.p = p, .refs = refs, .ei = ei};
    bss_err rc = parse_common(&c, pop);
    if (rc == BSS_OK) {
        switch (p->kind) {
        case BSS_PRICE_RECURRING:
            rc = parse_recurring(&c, pop);
            break;
        case BSS_PRICE_USAGE:
            rc = bss__price_usage(&c, pop);
            break;
        case BSS_PRICE_ALLOWANCE:
            rc = parse_allowance(&c, pop);
            break;
        case BSS_PRICE_DISCOUNT:
            rc = parse_discount(&c, pop);
            break;
        case BSS_PRICE_ONE_TIME:
            break;
        }
    }
    if (rc != BSS_OK) {
        bss_arena_destroy(arena);
        return rc;
    }
    *out = p;
    return BSS_OK;
}

void bss_price_free(bss_price *p)
{
    if (p)
        bss_arena_destroy(p->arena);
}

bss_price_type bss_price_kind(const bss_price *p)
{
    return p->kind;
}
const char *bss_price_id(const bss_price *p)
{
    return p->id;
}
const char *bss_price_name(const bss_price *p)
{
    return p->name;
}
const char *bss_price_currency(const bss_price *p)
{
    return p->currency;
}
const char *bss_price_tax_category(const bss_price *p)
{
    return p->tax_category;
}
bss_service bss_price_service(const bss_price *p)
{
    return p->service;
}
bool bss_price_period_tiers(const bss_price *p)
{
    return p && p->kind == BSS_PRICE_USAGE && p->usage.structure != BSS__FLAT;
}
int64_t bss_price_amount_micros(const bss_price *p)
{
    return p->has_value ? p->value : 0;
}
