/*
 * doc_promotion.c: the TMF671-style promotion document kind, served at
 * /tmf-api/promotionManagement/v4/promotion (src/api/tmf671.c), stored in
 * tmf671_promotion (migration 0006) with typed columns name and
 * lifecycle_status. Like the TMF620 kinds it is one bss_doc_kind row plus
 * its prepare hook. catalog/eligibility.c reads what it stores;
 * docs/catalog.md documents the shape.
 *
 * Promotion rules (promotion_prepare):
 *   - name is a non-empty string; description a string;
 *   - lifecycleStatus follows the catalog's state machine (In design ->
 *     Active -> Retired -> Obsolete, In design -> Obsolete; default
 *     "In design"; any other change is BSS_E_STATE, 409);
 *   - validFor {startDateTime, endDateTime} RFC 3339 with start <= end;
 *   - pattern, when present, is an array (TMF671 criteria groups, kept as
 *     posted and not interpreted);
 *   - eligibility {segments: [string], channels: [web|shop|care|app],
 *     newCustomersOnly: bool, minLines: integer 1..1000 (lines the account
 *     has after the order), minTenureMonths: integer 1..1200 (whole months
 *     since customerSince)}: loyalty and multi-line criteria, see
 *     catalog.h (eligibility) for what a line is;
 *   - couponCodes: [string] of 3..32 letters, digits, '-' or '_', stored
 *     upper-case, no repeats; a code may belong to one live promotion only
 *     (live = In design or Active): a clash is BSS_E_CONFLICT (409) naming
 *     the other promotion;
 *   - action {type: "discount", percentage: (0, 100] | amount: Money
 *     {unit, value > 0}, cycles: integer >= 1 (absent: every cycle),
 *     offeringIds: [id of an existing productOffering], perLine:
 *     {fromLine: integer 1..1000, default 2}: the percentage or amount is
 *     given per line, to each line numbered fromLine or more ("10% off each
 *     additional line")}: a missing offering is BSS_E_INVALID (400) with
 *     the path "action.offeringIds[i]";
 *   - stackable is a boolean, default false;
 *   - lastUpdate is set by the server to the time of the write.
 */

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "catalog/catalog.h"
#include "catalog/catalog_int.h"
#include "core/json.h"
#include "core/money.h"
#include "core/time.h"

static const char *const channels[] = {"web", "shop", "care", "app"};

static const bss_res_column promotion_columns[] = {
    {"name", "name", BSS_RES_TEXT},
    {"lifecycleStatus", "lifecycle_status", BSS_RES_TEXT},
};

static bss_res_table promotion_table = {
    .name = "tmf671_promotion",
    .columns = promotion_columns,
    .ncolumns = sizeof promotion_columns / sizeof promotion_columns[0],
};

static const char *const promotion_required[] = {"name", NULL};

static bss_err promotion_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

static const char *const promotion_server_managed[] = {"lastUpdate", NULL};

static const bss_doc_ref promotion_refs[] = {
    {"action.offeringIds", &bss_offering_kind},
    {NULL, NULL},
};

const bss_doc_kind bss_promotion_kind = {
    .api = "promotionManagement",
    .path = BSS_TMF671_BASE "/promotion",
    .name = "promotion",
    .type = "Promotion",
    .status_field = "lifecycleStatus",
    .server_managed = promotion_server_managed,
    .refs = promotion_refs,
    .table = &promotion_table,
    .required = promotion_required,
    .prepare = promotion_prepare,
};

static bss_err nomem(bss_errinfo *ei)
{
    return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
}

static bss_err check_basics(const json_t *doc, bss_errinfo *ei)
{
    static const char *const strings[] = {"name", "description"};
    for (size_t i = 0; i < 2; i++) {
        const json_t *v = json_object_get(doc, strings[i]);
        if (v && !json_is_null(v) && !json_is_string(v))
            return bss_fail(ei, BSS_E_INVALID, strings[i], "%s must be a string", strings[i]);
    }
    const json_t *name = json_object_get(doc, "name");
    if (json_is_string(name) && json_string_length(name) == 0)
        return bss_fail(ei, BSS_E_INVALID, "name", "name must not be empty");
    const json_t *pattern = json_object_get(doc, "pattern");
    if (pattern && !json_is_null(pattern) && !json_is_array(pattern))
        return bss_fail(ei, BSS_E_INVALID, "pattern", "pattern must be an array of {criteriaGroup: [...]}");
    const json_t *stack = json_object_get(doc, "stackable");
    if (stack && !json_is_null(stack) && !json_is_boolean(stack))
        return bss_fail(ei, BSS_E_INVALID, "stackable", "stackable must be true or false");
    return bss_doc_check_period(json_object_get(doc, "validFor"), "validFor", ei);
}

/* An array of non-empty strings at member key of obj (path for errors); absent is fine. */
static bss_err check_strings(const json_t *obj, const char *key, const char *path, bool channel_names,
                             bss_errinfo *ei)
{
    const json_t *list = json_object_get(obj, key);
    if (!list || json_is_null(list))
        return BSS_OK;
    if (!json_is_array(list))
        return bss_fail(ei, BSS_E_INVALID, path, "%s must be an array of strings", path);
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e)
    {
        char at[96];
        snprintf(at, sizeof at, "%s[%zu]", path, i);
        if (!json_is_string(e) || json_string_length(e) == 0)
            return bss_fail(ei, BSS_E_INVALID, at, "%s must be a non-empty string", at);
        bool known = !channel_names;
        for (size_t c = 0; !known && c < sizeof channels / sizeof channels[0]; c++)
            known = strcmp(json_string_value(e), channels[c]) == 0;
        if (!known)
            return bss_fail(ei, BSS_E_INVALID, at, "%s '%.40s' is not one of: web, shop, care, app", at,
                            json_string_value(e));
    }
    return BSS_OK;
}

/* An optional integer member key of obj in 1..max. */
static bss_err check_count(const json_t *obj, const char *key, const char *path, int64_t max, bss_errinfo *ei)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return BSS_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > max)
        return bss_fail(ei, BSS_E_INVALID, path, "%s must be an integer from 1 to %lld", path,
                        (long long)max);
    return BSS_OK;
}

static bss_err check_eligibility(const json_t *doc, bss_errinfo *ei)
{
    const json_t *el = json_object_get(doc, "eligibility");
    if (!el || json_is_null(el))
        return BSS_OK;
    if (!json_is_object(el))
        return bss_fail(ei, BSS_E_INVALID, "eligibility",
                        "eligibility must be an object {segments, channels, newCustomersOnly, minLines, "
                        "minTenureMonths}");
    bss_err rc = check_strings(el, "segments", "eligibility.segments", false, ei);
    if (!rc)
        rc = check_strings(el, "channels", "eligibility.channels", true, ei);
    bool b;
    if (!rc)
        rc = bss_json_get_bool(el, "newCustomersOnly", "eligibility.newCustomersOnly", false, &b, ei);
    if (!rc)
        rc = check_count(el, "minLines", "eligibility.minLines", 1000, ei);
    if (!rc)
        rc = check_count(el, "minTenureMonths", "eligibility.minTenureMonths", 1200, ei);
    return rc;
}

/* Normalises couponCodes to upper case and rejects malformed or repeated codes. */
static bss_err check_coupons(json_t *doc, bss_errinfo *ei)
{
    json_t *list = json_object_get(doc, "couponCodes");
    if (!list || json_is_null(list))
        return BSS_OK;
    if (!json_is_array(list))
        return bss_fail(ei, BSS_E_INVALID, "couponCodes", "couponCodes must be an array of strings");
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        char at[48], code[33];
        snprintf(at, sizeof at, "couponCodes[%zu]", i);
        size_t n = json_is_string(e) ? json_string_length(e) : 0;
        if (n < 3 || n > 32)
            return bss_fail(ei, BSS_E_INVALID, at, "%s must be a code of 3 to 32 letters, digits, '-' or '_'",
                            at);
        const char *s = json_string_value(e);
        for (size_t k = 0; k < n; k++) {
            if (!isalnum((unsigned char)s[k]) && s[k] != '-' && s[k] != '_')
                return bss_fail(ei, BSS_E_INVALID, at, "%s may hold only letters, digits, '-' and '_'", at);
            code[k] = (char)toupper((unsigned char)s[k]);
        }
        code[n] = '\0';
        json_string_set(e, code);
        for (size_t k = 0; k < i; k++)
            if (strcmp(json_string_value(json_array_get(list, k)), code) == 0)
                return bss_fail(ei, BSS_E_INVALID, at, "%s repeats coupon code %s", at, code);
    }
    return BSS_OK;
}

typedef struct clash_scan {
    const char *self;
    const json_t *codes;
    char other[80];
    char code[40];
} clash_scan;

static bss_err scan_row(const bss_res_row *row, void *arg)
{
    clash_scan *s = arg;
    if (strcmp(row->id, s->self) == 0)
        return BSS_OK;
    json_t *doc = NULL;
    if (bss_json_parse(row->doc, row->doc_len, &doc, NULL) != BSS_OK)
        return BSS_OK;
    size_t i, k;
    json_t *a, *b;
    json_array_foreach(json_object_get(doc, "couponCodes"), i, a) json_array_foreach(
        (json_t *)s->codes, k, b) if (json_is_string(a) && json_is_string(b) &&
                                      strcmp(json_string_value(a), json_string_value(b)) == 0 && !s->code[0])
    {
        snprintf(s->other, sizeof s->other, "%s", row->id);
        snprintf(s->code, sizeof s->code, "%s", json_string_value(a));
    }
    json_decref(doc);
    return BSS_OK;
}

/* A live promotion's codes must not belong to another live promotion. */
static bss_err check_coupon_clash(const bss_doc_ctx *ctx, const json_t *doc, bss_errinfo *ei)
{
    const json_t *codes = json_object_get(doc, "couponCodes");
    int st = bss__catalog_state_of(json_string_value(json_object_get(doc, "lifecycleStatus")));
    if (!ctx->db || json_array_size(codes) == 0 || (st != BSS__LC_DESIGN && st != BSS__LC_ACTIVE))
        return BSS_OK;
    bss_res_filter f = {.column = 1, .op = BSS_RES_EQ, .nvalues = 2};
    f.values[0] = BSS_DB_STR("In design");
    f.values[1] = BSS_DB_STR("Active");
    clash_scan s = {.self = json_string_value(json_object_get(doc, "id")), .codes = codes};
    if (!s.self)
        s.self = "";
    bss_err rc = bss_resource_list(ctx->db, ctx->kind->table, &f, 1, 0, -1, NULL, scan_row, &s, ei);
    if (rc)
        return rc;
    if (s.code[0])
        return bss_fail(ei, BSS_E_CONFLICT, "couponCodes",
                        "coupon code %s already belongs to promotion %s, which is live", s.code, s.other);
    return BSS_OK;
}

static bss_err check_offering_ids(const bss_doc_ctx *ctx, const json_t *action, bss_errinfo *ei)
{
    const json_t *ids = json_object_get(action, "offeringIds");
    if (!ids || json_is_null(ids))
        return BSS_OK;
    if (!json_is_array(ids))
        return bss_fail(ei, BSS_E_INVALID, "action.offeringIds",
                        "action.offeringIds must be an array of ids");
    size_t i;
    const json_t *e;
    json_array_foreach(ids, i, e)
    {
        char at[64];
        snprintf(at, sizeof at, "action.offeringIds[%zu]", i);
        if (!json_is_string(e) || json_string_length(e) == 0)
            return bss_fail(ei, BSS_E_INVALID, at, "%s must be a productOffering id", at);
        if (!ctx->db)
            continue;
        bool found = false;
        bss_err rc = bss_doc_exists(ctx->db, &bss_offering_kind, json_string_value(e), &found, NULL);
        if (rc)
            return bss_fail(ei, rc, at, "could not read productOffering %.64s", json_string_value(e));
        if (!found)
            return bss_fail(ei, BSS_E_INVALID, at, "%s: no productOffering with id %.64s", at,
                            json_string_value(e));
    }
    return BSS_OK;
}

static bss_err check_discount(const json_t *action, bss_errinfo *ei)
{
    const json_t *pct = json_object_get(action, "percentage");
    const json_t *amt = json_object_get(action, "amount");
    bool has_pct = pct && !json_is_null(pct), has_amt = amt && !json_is_null(amt);
    if (has_pct == has_amt)
        return bss_fail(ei, BSS_E_INVALID, "action", "action needs exactly one of percentage and amount");
    int64_t v = 0;
    if (has_pct) {
        bss_err rc = bss_money_from_json(pct, "action.percentage", &v, ei);
        if (rc)
            return rc;
        if (v <= 0 || v > 100 * BSS_MICROS_PER_UNIT)
            return bss_fail(ei, BSS_E_INVALID, "action.percentage",
                            "action.percentage must be above 0 and at most 100");
        return BSS_OK;
    }
    if (!json_is_object(amt))
        return bss_fail(ei, BSS_E_INVALID, "action.amount",
                        "action.amount must be a Money object {unit, value}");
    const char *unit = json_string_value(json_object_get(amt, "unit"));
    if (!unit || !bss_currency_find(unit))
        return bss_fail(ei, BSS_E_INVALID, "action.amount.unit",
                        "action.amount.unit must be an ISO 4217 currency code");
    bss_err rc = bss_money_from_json(json_object_get(amt, "value"), "action.amount.value", &v, ei);
    if (rc)
        return rc;
    if (v <= 0)
        return bss_fail(ei, BSS_E_INVALID, "action.amount.value", "action.amount.value must be above 0");
    return BSS_OK;
}

static bss_err check_action(const bss_doc_ctx *ctx, const json_t *doc, bss_errinfo *ei)
{
    const json_t *action = json_object_get(doc, "action");
    if (!action || json_is_null(action))
        return BSS_OK;
    if (!json_is_object(action))
        return bss_fail(ei, BSS_E_INVALID, "action",
                        "action must be an object {type, percentage|amount, cycles, offeringIds, perLine}");
    const char *type = json_string_value(json_object_get(action, "type"));
    const json_t *tv = json_object_get(action, "type");
    if (tv && !json_is_null(tv) && (!type || strcmp(type, "discount") != 0))
        return bss_fail(ei, BSS_E_INVALID, "action.type", "action.type must be \"discount\"");
    bss_err rc = check_discount(action, ei);
    int64_t cycles = 1;
    if (!rc)
        rc = bss_json_get_int(action, "cycles", "action.cycles", false, &cycles, ei);
    if (!rc && cycles < 1)
        rc = bss_fail(ei, BSS_E_INVALID, "action.cycles", "action.cycles must be at least 1");
    if (!rc)
        rc = check_offering_ids(ctx, action, ei);
    const json_t *per_line = json_object_get(action, "perLine");
    if (!rc && per_line && !json_is_null(per_line) && !json_is_object(per_line))
        rc = bss_fail(ei, BSS_E_INVALID, "action.perLine",
                      "action.perLine must be an object {fromLine: the first line discounted, default 2}");
    if (!rc && json_is_object(per_line))
        rc = check_count(per_line, "fromLine", "action.perLine.fromLine", 1000, ei);
    return rc;
}

static bss_err promotion_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    bss_err rc = check_basics(doc, ei);
    if (!rc)
        rc = bss__catalog_check_lifecycle(doc, old, ei);
    if (!rc)
        rc = check_eligibility(doc, ei);
    if (!rc)
        rc = check_coupons(doc, ei);
    if (!rc)
        rc = check_action(ctx, doc, ei);
    if (!rc && !json_object_get(doc, "stackable") && json_object_set_new(doc, "stackable", json_false()))
        rc = nomem(ei);
    if (!rc)
        rc = check_coupon_clash(ctx, doc, ei);
    if (!rc && bss_json_set_time(doc, "lastUpdate", ctx->now_ms) != 0)
        rc = nomem(ei);
    return rc;
}
