/*
 * quote.c: the prices of an order (submit_int.h): each item's one-time
 * charges and its first recurring charges prorated from the order date to
 * the end of the account's bill period (core/time.h bss_bill_period,
 * catalog.h bss_rate_recurring), a golden number's price, a plan change's
 * effective date, the credit check of a postpaid account and the totals.
 * The same prices serve the dry run's quote and the stored order.
 */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/money.h"
#include "core/time.h"
#include "order/order_int.h"
#include "order/submit_int.h"

/* ---- prices ---- */

static json_t *money(const order_plan *pl, int64_t micros)
{
    return json_pack("{s:{s:s, s:o}}", pl->tax_included ? "taxIncludedAmount" : "dutyFreeAmount", "unit", pl->currency,
                     "value", bss_money_to_json(micros));
}

static void add_price(order_plan *pl, item_plan *it, const bss_price *p, bss_price_type kind, int64_t amount,
                      int64_t period_from, int64_t period_to)
{
    json_t *e = json_pack("{s:s, s:s, s:o, s:{s:s, s:s}}", "priceType", kind == BSS_PRICE_ONE_TIME ? "oneTime" : "recurring",
                          "name", bss_price_name(p), "price", money(pl, amount), "productOfferingPrice", "id",
                          bss_price_id(p), "@referredType", "ProductOfferingPrice");
    if (e && kind == BSS_PRICE_RECURRING) {
        json_object_set_new(e, "recurringChargePeriod", json_string("month"));
        json_t *pr = json_object();
        bss_json_set_time(pr, "startDateTime", period_from);
        bss_json_set_time(pr, "endDateTime", period_to);
        json_object_set_new(pr, "fullAmount", bss_money_to_json(bss_price_amount_micros(p)));
        json_object_set_new(e, "proratedFor", pr);
    }
    if (e)
        json_array_append_new(it->prices, e);
}

static void price_offering(order_plan *pl, item_plan *it, const bss_offering *off)
{
    const bss_order_env *env = pl->env;
    int64_t start = 0, end = 0;
    bss_bill_period(env->now_ms, pl->cycle_day, &start, &end);
    for (size_t i = 0; off && i < bss_offering_price_count(off); i++) {
        const bss_price *p = bss_offering_price_at(env->cat, off, i, env->now_ms);
        if (!p)
            continue;
        bss_price_type kind = bss_price_kind(p);
        int64_t v = 0;
        if (kind == BSS_PRICE_ONE_TIME && (strcmp(it->action, "add") == 0) && bss_rate_one_time(p, &v) == BSS_OK) {
            it->one_time += v;
            add_price(pl, it, p, kind, v, 0, 0);
        } else if (kind == BSS_PRICE_RECURRING &&
                   bss_rate_recurring(p, start, end, env->now_ms, INT64_MAX, &v, NULL) == BSS_OK) {
            it->first_recurring += v;
            it->monthly += bss_price_amount_micros(p);
            add_price(pl, it, p, kind, v, env->now_ms, end);
        }
    }
}

/* An item's prices: its offering's, and a bundle's bundled offerings' too. */
void bss__quote_item(order_plan *pl, item_plan *it)
{
    pl->tax_included = it->off ? bss_offering_prices_include_tax(it->off) : pl->tax_included;
    price_offering(pl, it, it->off);
    for (size_t k = 0; it->off && k < bss_offering_bundled_count(it->off); k++)
        price_offering(pl, it, bss_offering_bundled(it->off, k));
}

/* The golden number's one-time price, once the number is known. */
void bss__quote_category(bss_db *db, order_plan *pl, item_plan *it)
{
    char price_id[BSS_ID_MAX + 1];
    if (!it->category[0] || bss_inv_category_price(db, it->category, price_id, sizeof price_id, NULL) != BSS_OK ||
        !price_id[0] || !pl->env->cat)
        return;
    const bss_price *p = bss_catalog_price(pl->env->cat, price_id, pl->env->now_ms);
    int64_t v = 0;
    if (p && bss_rate_one_time(p, &v) == BSS_OK) {
        it->one_time += v;
        add_price(pl, it, p, BSS_PRICE_ONE_TIME, v, 0, 0);
    }
}

int64_t bss__quote_product_monthly(const order_plan *pl, const json_t *product)
{
    int64_t sum = 0;
    size_t i;
    json_t *pp;
    json_array_foreach(json_object_get(product, "productPrice"), i, pp)
    {
        const char *type = json_string_value(json_object_get(pp, "priceType"));
        const char *pid = json_string_value(json_object_get(json_object_get(pp, "productOfferingPrice"), "id"));
        const bss_price *p = pid && pl->env->cat ? bss_catalog_price(pl->env->cat, pid, pl->env->now_ms) : NULL;
        if (type && strcmp(type, "recurring") == 0 && p)
            sum += bss_price_amount_micros(p);
    }
    return sum;
}

void bss__quote_credit_check(order_plan *pl)
{
    const json_t *limit = json_object_get(pl->account, "creditLimit");
    int64_t lim = 0, bal = 0;
    if (!json_is_object(limit) || bss_money_from_json(json_object_get(limit, "value"), "creditLimit", &lim, NULL) != BSS_OK)
        return; /* prepaid: no credit */
    const json_t *b = json_object_get(pl->account, "balance");
    if (json_is_object(b))
        bss_money_from_json(json_object_get(b, "value"), "balance", &bal, NULL);
    size_t i;
    json_t *p;
    json_array_foreach(pl->held, i, p) pl->held_monthly += bss__quote_product_monthly(pl, p);
    int64_t exposure = bal + pl->one_time + pl->held_monthly + pl->monthly;
    if (exposure > lim) {
        char a[32], l[32];
        bss_money_format(exposure, a);
        bss_money_format(lim, l);
        bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, "billingAccount.creditLimit",
                "credit check: the balance, this order's one-time charges and a month of every line come to %s %s, "
                "over the account's credit limit of %s %s",
                a, pl->currency, l, pl->currency);
    }
}

/*
 * A plan change: an upgrade (the new plan costs as much a month or more)
 * takes effect now, a downgrade at the start of the next bill period, so
 * the customer keeps what was paid for; billing prorates from what the
 * product records (lastPlanChange).
 */
void bss__quote_plan_effective(order_plan *pl, item_plan *it)
{
    int64_t now_monthly = it->product ? bss__quote_product_monthly(pl, it->product) : 0;
    int64_t start = 0, end = 0;
    bss_bill_period(pl->env->now_ms, pl->cycle_day, &start, &end);
    it->downgrade = it->monthly < now_monthly;
    it->effective_ms = it->downgrade ? end : pl->env->now_ms;
    if (it->downgrade) { /* nothing charged for the new plan in this period */
        json_decref(it->prices);
        it->prices = json_array();
        it->first_recurring = 0;
    }
}

json_t *bss__quote_totals(const order_plan *pl)
{
    json_t *t = json_array();
    json_array_append_new(t, json_pack("{s:s, s:s, s:o}", "priceType", "oneTime", "name", "one-time charges", "price",
                                       money(pl, pl->one_time)));
    json_array_append_new(t, json_pack("{s:s, s:s, s:s, s:o}", "priceType", "recurring", "recurringChargePeriod",
                                       "month", "name", "first recurring charges, prorated to the bill cycle", "price",
                                       money(pl, pl->first_recurring)));
    return t;
}
