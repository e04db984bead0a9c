/*
 * submit.c: a productOrder's submission (order.h bss_order_submit) and its
 * cancellation. One write, in the caller's transaction, in this order:
 *
 *   1. idempotency: an externalId seen before returns that order when the
 *      content is the same (a hash of the canonical JSON), 409 otherwise;
 *   2. every check, collecting every problem (nothing is written yet): the
 *      customer and account, then each item against the compiled catalog
 *      as of the order date (the offering sold then, its lifecycle, the
 *      catalog's eligibility rules for this customer, the currency of its
 *      prices against the account's), what a line needs (an MSISDN choice:
 *      a number, "auto" or a shopper's reservationId; simType physical or
 *      esim), an add-on's base plan (an item of the order or a live product
 *      of the account whose offering it is an add-on to), and for modify,
 *      delete and noChange the product itself (of this account, and live:
 *      409 STATE when it is not); then the credit check of a postpaid
 *      account (its balance, the order's one-time charges and the monthly
 *      charges of its live products and of the order must stay within its
 *      creditLimit);
 *   3. the quote (quote.c): each item's one-time charges (a golden number's price
 *      included), its first recurring charges prorated from the order date
 *      to the end of the account's bill period (core/time.h
 *      bss_bill_period; catalog.h bss_rate_recurring), and the totals;
 *      a dry run ends here;
 *   4. the numbers and SIMs reserved for the order (a failure there, a
 *      number just taken, is a problem like the others and undoes the
 *      write), the products created (status created), the order stored
 *      (acknowledged, then inProgress), its tasks written (tasks.c).
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/auth.h"
#include "catalog/catalog.h"
#include "core/iccid.h"
#include "core/id.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/phone.h"
#include "core/time.h"
#include "customer/customer.h"
#include "inventory/inventory.h"
#include "order/order.h"
#include "order/order_int.h"

#include "order/submit_int.h"

void bss__order_problem(problems *ps, bss_err code, const char *field, const char *fmt, ...)
{
    if (ps->n >= MAX_PROBLEMS)
        return;
    ps->p[ps->n].code = code;
    snprintf(ps->p[ps->n].field, sizeof ps->p[ps->n].field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->p[ps->n].msg, sizeof ps->p[ps->n].msg, fmt, ap);
    va_end(ap);
    ps->n++;
}

/* The answer for the problems found: the first as the error, all in details. */
static bss_err problems_fail(const problems *ps, bss_errinfo *ei)
{
    bss_err code = ps->p[0].code;
    for (size_t i = 1; i < ps->n; i++)
        if (ps->p[i].code != BSS_E_STATE)
            code = code == BSS_E_STATE ? ps->p[i].code : code;
    if (ps->n == 1)
        return bss_fail(ei, code, ps->p[0].field, "%s", ps->p[0].msg);
    bss_fail(ei, code, ps->p[0].field, "the order has %zu problems; the first: %s", ps->n, ps->p[0].msg);
    for (size_t i = 0; i < ps->n; i++)
        bss_errinfo_add_detail(ei, ps->p[i].code, ps->p[i].field, ps->p[i].msg);
    return code;
}

static void plan_free(order_plan *pl)
{
    json_decref(pl->customer);
    json_decref(pl->account);
    json_decref(pl->held);
    for (size_t i = 0; i < pl->nitems; i++) {
        json_decref(pl->items[i].prices);
        json_decref(pl->items[i].children);
    }
}

static const char *item_field(const item_plan *it, const char *rest, char *buf, size_t cap)
{
    snprintf(buf, cap, "productOrderItem[%zu]%s%s", it->index, rest && rest[0] ? "." : "", rest ? rest : "");
    return buf;
}


static const json_t *held_product(const order_plan *pl, const char *id)
{
    size_t i;
    json_t *p;
    json_array_foreach(pl->held, i, p) if (id && strcmp(json_string_value(json_object_get(p, "id")), id) == 0) return p;
    return NULL;
}

static bss_err keep_held(const json_t *product, void *arg)
{
    return json_array_append((json_t *)arg, (json_t *)product) == 0 ? BSS_OK : BSS_E_NOMEM;
}

/* The offering ids an add-on offering document is an add-on to. */
static bool addon_allows(const json_t *addon_doc, const char *base_offering)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(addon_doc, "productOfferingRelationship"), i, r)
    {
        const char *type = json_string_value(json_object_get(r, "relationshipType"));
        const char *id = json_string_value(json_object_get(r, "id"));
        if (type && id && strcasecmp(type, "addOnTo") == 0 && base_offering && strcmp(id, base_offering) == 0)
            return true;
    }
    return false;
}

static bool is_addon(const json_t *doc)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(doc, "productOfferingRelationship"), i, r)
    {
        const char *type = json_string_value(json_object_get(r, "relationshipType"));
        if (type && strcasecmp(type, "addOnTo") == 0)
            return true;
    }
    return false;
}

/* The offering item it names is sold today: checks lifecycle, currency and eligibility. */
static void check_offering(bss_db *db, order_plan *pl, item_plan *it, const char *offering_id, const char *path)
{
    char f[160];
    const bss_order_env *env = pl->env;
    const bss_offering *o = env->cat ? bss_catalog_offering(env->cat, offering_id, env->now_ms) : NULL;
    char day[32];
    bss_time_format(env->now_ms, day);
    if (!o) {
        bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, item_field(it, path, f, sizeof f),
                "%s: no productOffering %.64s is sold on %.10s", f, offering_id, day);
        return;
    }
    const char *lc = bss_offering_lifecycle(o);
    if (lc[0] && strcasecmp(lc, "Active") != 0 && strcasecmp(lc, "Launched") != 0) {
        bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, item_field(it, path, f, sizeof f),
                "%s: productOffering %.64s is %s, not for sale", f, offering_id, lc);
        return;
    }
    it->off = o;
    const json_t *doc = bss_offering_doc(o);
    it->is_line = bss_eligibility_is_line(doc);
    it->is_addon = is_addon(doc);
    it->line_child = -1;
    for (size_t k = 0; k < bss_offering_bundled_count(o); k++) { /* a bundle is a line when one of its offerings is */
        const bss_offering *child = bss_offering_bundled(o, k);
        if (child && it->line_child < 0 && bss_eligibility_is_line(bss_offering_doc(child))) {
            it->line_child = (int)k;
            it->is_line = true;
        }
    }
    for (size_t i = 0; i < bss_offering_price_count(o); i++) {
        const bss_price *p = bss_offering_price_at(env->cat, o, i, env->now_ms);
        const char *cur = p ? bss_price_currency(p) : "";
        if (cur[0] && pl->currency[0] && strcmp(cur, pl->currency) != 0) {
            bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, item_field(it, path, f, sizeof f),
                    "%s: productOffering %.64s is priced in %s; the billing account pays in %s", f, offering_id, cur,
                    pl->currency);
            break;
        }
    }
    /* the catalog's eligibility rules for this customer */
    bss_elig_held held[BSS_ELIG_MAX_HELD];
    size_t nheld = 0;
    size_t k;
    json_t *p;
    json_array_foreach(pl->held, k, p)
    {
        if (nheld < BSS_ELIG_MAX_HELD)
            held[nheld++] = (bss_elig_held){
                .offering_id = json_string_value(json_object_get(json_object_get(p, "productOffering"), "id")),
                .quantity = 1};
    }
    bss_elig_request req = {
        .segment = json_string_value(json_object_get(pl->customer, "segment")),
        .channel = pl->channel,
        .held = held,
        .nheld = nheld,
        .quantity = 1,
        .new_customer = -1,
        .now_ms = env->now_ms,
    };
    int64_t since = 0;
    if (bss_json_get_time(pl->customer, "customerSince", NULL, false, &since, NULL) == BSS_OK && since) {
        req.has_customer_since = true;
        req.customer_since_ms = since;
    }
    bss_elig_result res;
    json_t *keep = NULL;
    bss_errinfo eei;
    bss_errinfo_clear(&eei);
    if (bss_catalog_check_eligibility(db, offering_id, &req, &res, &keep, &eei) == BSS_OK && !res.eligible)
        for (size_t r = 0; r < res.nreasons; r++)
            bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, item_field(it, path, f, sizeof f), "%s: not eligible: %s", f,
                    res.reasons[r].message);
    json_decref(keep);
}

/* A port-in: the number (valid, not one of our live lines), the donor, the porting date (now .. 90 days). */
static void check_port_in(order_plan *pl, item_plan *it, const char *number, const char *f)
{
    char e164[BSS_PHONE_E164_MAX + 1];
    it->port_in = true;
    if (!bss_phone_try_e164(number, strlen(number), e164))
        bss__order_problem(&pl->ps, BSS_E_INVALID, f, "%s: portInMSISDN %.32s is not a phone number", f, number);
    else
        snprintf(it->msisdn, sizeof it->msisdn, "%s", e164 + 1);
    const char *donor = bss__item_char(it->item, "donorOperator");
    if (!donor || !donor[0] || strlen(donor) > BSS_INV_NAME_MAX)
        bss__order_problem(&pl->ps, BSS_E_INVALID, f, "%s: a port-in needs donorOperator (the operator the number leaves)", f);
    else
        snprintf(it->donor, sizeof it->donor, "%s", donor);
    const char *when = bss__item_char(it->item, "portingDate");
    it->porting_ms = pl->env->now_ms;
    if (when && bss_time_parse(when, strlen(when), &it->porting_ms, NULL) != BSS_OK)
        bss__order_problem(&pl->ps, BSS_E_INVALID, f, "%s: portingDate %.40s is not an RFC 3339 time", f, when);
    else if (it->porting_ms < pl->env->now_ms - 60000 || it->porting_ms > pl->env->now_ms + 90LL * 86400000)
        bss__order_problem(&pl->ps, BSS_E_INVALID, f, "%s: portingDate must be from now to 90 days ahead", f);
}

/* What a line needs: an MSISDN choice and a SIM type. */
static void check_line(order_plan *pl, item_plan *it)
{
    char f[160];
    const char *msisdn = bss__item_char(it->item, "MSISDN");
    const char *resv = bss__item_char(it->item, "reservationId");
    const char *sim = bss__item_char(it->item, "simType");
    const char *iccid = bss__item_char(it->item, "ICCID");
    const char *port = bss__item_char(it->item, "portInMSISDN");
    item_field(it, "product.productCharacteristic", f, sizeof f);
    if (port) {
        check_port_in(pl, it, port, f);
        msisdn = NULL;
        resv = "";
    }
    if (!msisdn && !resv)
        bss__order_problem(&pl->ps, BSS_E_INVALID, f,
                "%s: a new line needs an MSISDN choice: MSISDN (a number of the pool, or \"auto\") or reservationId",
                f);
    if (msisdn && strcasecmp(msisdn, "auto") != 0) {
        char e164[BSS_PHONE_E164_MAX + 1];
        if (bss_phone_try_e164(msisdn, strlen(msisdn), e164))
            snprintf(it->msisdn, sizeof it->msisdn, "%s", e164 + 1);
        else
            bss__order_problem(&pl->ps, BSS_E_INVALID, f, "%s: MSISDN %.32s is not a phone number", f, msisdn);
    }
    if (resv)
        snprintf(it->reservation, sizeof it->reservation, "%.64s", resv);
    if (!sim || (strcmp(sim, "physical") != 0 && strcmp(sim, "esim") != 0))
        bss__order_problem(&pl->ps, BSS_E_INVALID, f, "%s: a new line needs simType physical or esim", f);
    else
        snprintf(it->sim_type, sizeof it->sim_type, "%s", sim);
    if (iccid) {
        bss_errinfo iei;
        if (bss_iccid_normalize(iccid, strlen(iccid), f, it->iccid, &iei) != BSS_OK)
            bss__order_problem(&pl->ps, BSS_E_INVALID, f, "%s", iei.message);
    }
}

/* An add-on's base: an item of this order (productOrderItemRelationship) or a live product of the account. */
static void check_addon_base(order_plan *pl, item_plan *it)
{
    char f[160];
    const json_t *doc = bss_offering_doc(it->off);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(it->item, "productOrderItemRelationship"), i, r)
    {
        const char *other = json_string_value(json_object_get(r, "id"));
        for (size_t k = 0; other && k < pl->nitems; k++)
            if (pl->items[k].id && strcmp(pl->items[k].id, other) == 0 && pl->items[k].off &&
                addon_allows(doc, bss_offering_id(pl->items[k].off))) {
                it->base_item = pl->items[k].id;
                return;
            }
    }
    json_array_foreach(json_object_get(json_object_get(it->item, "product"), "productRelationship"), i, r)
    {
        const char *pid = json_string_value(json_object_get(json_object_get(r, "product"), "id"));
        const json_t *base = held_product(pl, pid);
        if (base &&
            addon_allows(doc, json_string_value(json_object_get(json_object_get(base, "productOffering"), "id")))) {
            it->product = base;
            return;
        }
    }
    bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, item_field(it, "productOffering.id", f, sizeof f),
            "%s: %s is an add-on; it needs its base plan in this order (productOrderItemRelationship) or a live "
            "product of this account (product.productRelationship) whose offering it is an add-on to",
            f, bss_offering_id(it->off));
}

/* The value of a product's characteristic (name exact), or NULL. */
static const char *product_char(const json_t *product, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(product, "productCharacteristic"), i, c)
    {
        const char *n = json_string_value(json_object_get(c, "name"));
        if (n && strcmp(n, name) == 0)
            return json_string_value(json_object_get(c, "value"));
    }
    return NULL;
}

/* A modify item that names a SIM (ICCID, simType) or a number (MSISDN): a SIM swap, a number change. */
static void check_swap(order_plan *pl, item_plan *it, const json_t *product)
{
    char f[160];
    const char *iccid = bss__item_char(it->item, "ICCID");
    const char *sim = bss__item_char(it->item, "simType");
    const char *msisdn = bss__item_char(it->item, "MSISDN");
    const char *had_msisdn = product_char(product, "MSISDN"), *had_iccid = product_char(product, "ICCID");
    item_field(it, "product.productCharacteristic", f, sizeof f);
    if ((iccid || sim || msisdn) && !had_msisdn) {
        bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, f, "%s: product %s is not a line: it has no number or SIM to change", f,
                it->product_id);
        return;
    }
    snprintf(it->old_msisdn, sizeof it->old_msisdn, "%s", had_msisdn ? had_msisdn : "");
    snprintf(it->old_iccid, sizeof it->old_iccid, "%s", had_iccid ? had_iccid : "");
    if (iccid || sim) {
        it->swap_sim = true;
        if (sim && strcmp(sim, "physical") != 0 && strcmp(sim, "esim") != 0)
            bss__order_problem(&pl->ps, BSS_E_INVALID, f, "%s: simType must be physical or esim", f);
        snprintf(it->sim_type, sizeof it->sim_type, "%s",
                 sim ? sim : (product_char(product, "simType") ? product_char(product, "simType") : "physical"));
        if (iccid) {
            bss_errinfo iei;
            if (bss_iccid_normalize(iccid, strlen(iccid), f, it->iccid, &iei) != BSS_OK)
                bss__order_problem(&pl->ps, BSS_E_INVALID, f, "%s", iei.message);
            else if (had_iccid && strcmp(it->iccid, had_iccid) == 0)
                bss__order_problem(&pl->ps, BSS_E_INVALID, f, "%s: SIM %s is the product's SIM already", f, it->iccid);
        }
    }
    if (msisdn) {
        it->change_number = true;
        if (strcasecmp(msisdn, "auto") != 0) {
            char e164[BSS_PHONE_E164_MAX + 1];
            if (!bss_phone_try_e164(msisdn, strlen(msisdn), e164))
                bss__order_problem(&pl->ps, BSS_E_INVALID, f, "%s: MSISDN %.32s is not a phone number", f, msisdn);
            else if (had_msisdn && strcmp(e164 + 1, had_msisdn) == 0)
                bss__order_problem(&pl->ps, BSS_E_INVALID, f, "%s: %s is the product's number already", f, e164);
            else
                snprintf(it->msisdn, sizeof it->msisdn, "%s", e164 + 1);
        }
    }
}

/* modify, delete, noChange: the product exists, is this account's, and is live. */
static void check_existing(bss_db *db, order_plan *pl, item_plan *it)
{
    char f[160];
    const char *pid = json_string_value(json_object_get(json_object_get(it->item, "product"), "id"));
    item_field(it, "product.id", f, sizeof f);
    if (!pid) {
        bss__order_problem(&pl->ps, BSS_E_INVALID, f, "%s is required: %s changes an existing product", f, it->action);
        return;
    }
    const json_t *p = held_product(pl, pid);
    if (!p) {
        json_t *doc = NULL;
        bss_err rc = bss_doc_load(db, &bss_product_kind, pid, &doc, NULL, NULL);
        const char *acc = rc == BSS_OK ? json_string_value(json_object_get(json_object_get(doc, "billingAccount"), "id")) : NULL;
        if (rc != BSS_OK)
            bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, f, "%s: no product with id %.64s", f, pid);
        else if (!acc || strcmp(acc, pl->account_id) != 0)
            bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, f, "%s: product %.64s is not of billing account %s", f, pid, pl->account_id);
        else
            bss__order_problem(&pl->ps, BSS_E_STATE, f, "%s: product %.64s is %s; a %s product cannot be changed", f, pid,
                    json_string_value(json_object_get(doc, "status")), json_string_value(json_object_get(doc, "status")));
        json_decref(doc);
        return;
    }
    it->product = p;
    snprintf(it->product_id, sizeof it->product_id, "%s", pid);
    const char *recipient = bss__item_char(it->item, "recipientOperator");
    if (strcmp(it->action, "delete") == 0 && recipient) {
        if (!recipient[0] || strlen(recipient) > BSS_INV_NAME_MAX || !product_char(p, "MSISDN"))
            bss__order_problem(&pl->ps, BSS_E_INVALID, item_field(it, "product.productCharacteristic", f, sizeof f),
                    "%s: a port-out names recipientOperator (1 to %d bytes) and ends a line with a number", f,
                    BSS_INV_NAME_MAX);
        it->port_out = true;
        snprintf(it->recipient, sizeof it->recipient, "%.64s", recipient);
    }
    if (strcmp(it->action, "modify") == 0) {
        const char *st = json_string_value(json_object_get(json_object_get(it->item, "product"), "status"));
        const char *cur = json_string_value(json_object_get(p, "status"));
        const char *want_off = json_string_value(json_object_get(json_object_get(it->item, "productOffering"), "id"));
        const char *has_off = json_string_value(json_object_get(json_object_get(p, "productOffering"), "id"));
        if (st) {
            if (strcmp(st, "suspended") != 0 && strcmp(st, "active") != 0)
                bss__order_problem(&pl->ps, BSS_E_INVALID, item_field(it, "product.status", f, sizeof f),
                        "%s: an order suspends (suspended) or resumes (active) a product", f);
            else if (cur && strcmp(cur, st) == 0)
                bss__order_problem(&pl->ps, BSS_E_STATE, item_field(it, "product.status", f, sizeof f),
                        "%s: product %s is %s already", f, pid, cur);
            else if (!bss_product_transition_ok(cur, st))
                bss__order_problem(&pl->ps, BSS_E_STATE, item_field(it, "product.status", f, sizeof f),
                        "%s: product %s is %s; it cannot become %s", f, pid, cur, st);
            else
                snprintf(it->new_status, sizeof it->new_status, "%s", st);
            const char *why = json_string_value(json_object_get(json_object_get(it->item, "product"), "statusReason"));
            static const char *const codes[] = {"lostSim", "stolenSim", "customerRequest", "nonPayment", "fraud", NULL};
            bool known = false;
            for (size_t k = 0; why && codes[k]; k++)
                known = known || strcmp(why, codes[k]) == 0;
            if (strcmp(st, "suspended") == 0 && !known)
                bss__order_problem(&pl->ps, BSS_E_INVALID, item_field(it, "product.statusReason", f, sizeof f),
                        "%s: a suspension needs its reason: lostSim, stolenSim, customerRequest, nonPayment or fraud", f);
        }
        if (want_off && has_off && strcmp(want_off, has_off) != 0) {
            check_offering(db, pl, it, want_off, "productOffering.id");
            it->plan_change = it->off != NULL;
        }
        check_swap(pl, it, p);
        if (!st && !(want_off && has_off && strcmp(want_off, has_off) != 0) && !it->swap_sim && !it->change_number)
            bss__order_problem(&pl->ps, BSS_E_INVALID, item_field(it, "product", f, sizeof f),
                    "%s: a modify item changes the plan (productOffering), the status (suspended, active), the SIM "
                    "(ICCID or simType: a SIM swap) or the number (MSISDN: a number change)",
                    f);
    }
}

static bss_err load_parties(bss_db *db, const json_t *body, order_plan *pl)
{
    size_t i;
    json_t *rp;
    json_array_foreach(json_object_get(body, "relatedParty"), i, rp)
    {
        const char *role = json_string_value(json_object_get(rp, "role"));
        const char *type = json_string_value(json_object_get(rp, "@referredType"));
        if ((role && strcasecmp(role, "customer") == 0) || (type && strcmp(type, "Customer") == 0))
            pl->customer_id = json_string_value(json_object_get(rp, "id"));
    }
    if (!pl->customer_id) {
        bss__order_problem(&pl->ps, BSS_E_INVALID, "relatedParty",
                "relatedParty must name the customer: {\"id\": ..., \"role\": \"customer\"}");
        return BSS_OK;
    }
    bss_err rc = bss_doc_load(db, &bss_customer_kind, pl->customer_id, &pl->customer, NULL, NULL);
    if (rc == BSS_E_NOT_FOUND) {
        bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, "relatedParty", "relatedParty: no customer with id %.64s", pl->customer_id);
        return BSS_OK;
    }
    if (rc != BSS_OK)
        return rc;
    const char *cst = json_string_value(json_object_get(pl->customer, "status"));
    if (cst && (strcmp(cst, "suspended") == 0 || strcmp(cst, "closed") == 0))
        bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, "relatedParty", "relatedParty: customer %.64s is %s; it takes no orders",
                pl->customer_id, cst);
    pl->account_id = json_string_value(json_object_get(json_object_get(body, "billingAccount"), "id"));
    if (!pl->account_id) {
        bss__order_problem(&pl->ps, BSS_E_INVALID, "billingAccount.id", "billingAccount.id is required: the account that pays");
        return BSS_OK;
    }
    rc = bss_doc_load(db, &bss_billing_account_kind, pl->account_id, &pl->account, NULL, NULL);
    if (rc == BSS_E_NOT_FOUND) {
        bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, "billingAccount.id", "billingAccount.id: no billingAccount with id %.64s",
                pl->account_id);
        return BSS_OK;
    }
    if (rc != BSS_OK)
        return rc;
    const char *owner = json_string_value(json_object_get(json_object_get(pl->account, "customer"), "id"));
    if (owner && strcmp(owner, pl->customer_id) != 0)
        bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, "billingAccount.id",
                "billingAccount.id: account %.64s is customer %.64s's, not the ordering customer's", pl->account_id, owner);
    const char *state = json_string_value(json_object_get(pl->account, "state"));
    if (state && strcmp(state, "closed") == 0)
        bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, "billingAccount.id", "billingAccount.id: account %.64s is closed",
                pl->account_id);
    snprintf(pl->currency, sizeof pl->currency, "%s", json_string_value(json_object_get(pl->account, "currency")) ?: "");
    json_int_t bcd = json_integer_value(json_object_get(pl->account, "billCycleDay"));
    pl->cycle_day = bcd >= 1 && bcd <= 28 ? (int)bcd : 1;
    pl->held = json_array();
    if (!pl->held)
        return BSS_E_NOMEM;
    return bss__products_of_account(db, pl->account_id, keep_held, pl->held, NULL);
}

/* ---- the checks ---- */

static void order_channel(const json_t *body, order_plan *pl)
{
    const json_t *ch = json_array_get(json_object_get(body, "channel"), 0);
    const char *name = json_string_value(json_object_get(ch, "name"));
    if (!name)
        name = json_string_value(json_object_get(ch, "id"));
    if (!name)
        name = pl->env->who && pl->env->who->role == BSS_ROLE_INTEGRATION ? "web" : "care";
    snprintf(pl->channel, sizeof pl->channel, "%s", name);
}

static bss_err check_all(bss_db *db, const json_t *body, order_plan *pl)
{
    order_channel(body, pl);
    bss_err rc = load_parties(db, body, pl);
    if (rc != BSS_OK)
        return rc;
    const json_t *items = json_object_get(body, "productOrderItem");
    if (!json_is_array(items) || json_array_size(items) == 0) {
        bss__order_problem(&pl->ps, BSS_E_INVALID, "productOrderItem", "productOrderItem must be a non-empty array");
        return BSS_OK;
    }
    if (json_array_size(items) > BSS_ORDER_MAX_ITEMS) {
        bss__order_problem(&pl->ps, BSS_E_INVALID, "productOrderItem", "an order has at most %d items", BSS_ORDER_MAX_ITEMS);
        return BSS_OK;
    }
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        item_plan *it = &pl->items[pl->nitems++];
        memset(it, 0, sizeof *it);
        it->index = i;
        it->item = item;
        it->prices = json_array();
        char f[160];
        it->id = json_string_value(json_object_get(item, "id"));
        it->action = json_string_value(json_object_get(item, "action"));
        if (!it->id || !it->id[0])
            bss__order_problem(&pl->ps, BSS_E_INVALID, item_field(it, "id", f, sizeof f), "%s is required (a string)", f);
        for (size_t k = 0; it->id && k + 1 < pl->nitems; k++)
            if (pl->items[k].id && strcmp(pl->items[k].id, it->id) == 0)
                bss__order_problem(&pl->ps, BSS_E_INVALID, item_field(it, "id", f, sizeof f), "%s: item id %.32s is used twice", f,
                        it->id);
        if (!it->action || (strcmp(it->action, "add") != 0 && strcmp(it->action, "modify") != 0 &&
                            strcmp(it->action, "delete") != 0 && strcmp(it->action, "noChange") != 0)) {
            bss__order_problem(&pl->ps, BSS_E_INVALID, item_field(it, "action", f, sizeof f),
                    "%s must be add, modify, delete or noChange", f);
            it->action = NULL;
            continue;
        }
        const json_t *q = json_object_get(item, "quantity");
        if (q && !(json_is_integer(q) && json_integer_value(q) == 1))
            bss__order_problem(&pl->ps, BSS_E_INVALID, item_field(it, "quantity", f, sizeof f),
                    "%s: an item orders one product; order several items for several", f);
        if (!pl->account)
            continue;
        if (strcmp(it->action, "add") == 0) {
            const char *oid = json_string_value(json_object_get(json_object_get(item, "productOffering"), "id"));
            if (!oid)
                bss__order_problem(&pl->ps, BSS_E_INVALID, item_field(it, "productOffering.id", f, sizeof f),
                        "%s is required: the offering to add", f);
            else
                check_offering(db, pl, it, oid, "productOffering.id");
            if (it->off && it->is_line)
                check_line(pl, it);
        } else {
            check_existing(db, pl, it);
        }
    }
    for (size_t k = 0; k < pl->nitems; k++) /* add-ons may name items after them */
        if (pl->items[k].action && strcmp(pl->items[k].action, "add") == 0 && pl->items[k].off && pl->items[k].is_addon)
            check_addon_base(pl, &pl->items[k]);
    return BSS_OK;
}

/* ---- idempotency ---- */

static void content_hash(const json_t *body, char out[65])
{
    char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)(text ? text : ""), text ? strlen(text) : 0, NULL, 0);
    bss_free(text);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* ---- the write ---- */

static bss_err reserve_line(bss_db *db, order_plan *pl, item_plan *it, const char *order_id, bool want_number,
                            bool want_sim, bss_errinfo *ei)
{
    char f[160];
    bss_inv_actor by = {.who = pl->env->who, .now_ms = pl->env->now_ms};
    json_t *res = NULL;
    bss_errinfo rei;
    bss_errinfo_clear(&rei);
    item_field(it, "product.productCharacteristic", f, sizeof f);
    if (it->reservation[0]) {
        int64_t n = 0, s = 0;
        bss_err rc = bss_inv_rehold(db, &by, it->reservation, order_id, &n, &s, ei);
        if (rc != BSS_OK)
            return rc;
        if (n == 0 && !it->msisdn[0]) {
            bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, f, "%s: reservation %.64s holds no number (it ended or was used)", f,
                    it->reservation);
            return BSS_OK;
        }
        (void)s;
    }
    if (it->port_in && want_number) {
        char plusn[24];
        snprintf(plusn, sizeof plusn, "+%s", it->msisdn);
        bss_err prc = bss_inv_port_in(db, &by, plusn, it->donor, order_id, &res, &rei);
        if (prc == BSS_E_CONFLICT || prc == BSS_E_INVALID) {
            bss__order_problem(&pl->ps, prc, f, "%s: %s", f, rei.message);
            return BSS_OK;
        }
        if (prc != BSS_OK)
            return bss_fail(ei, prc, rei.field, "%s", rei.message);
        snprintf(it->got_msisdn, sizeof it->got_msisdn, "%s", it->msisdn);
        json_decref(res);
        res = NULL;
        want_number = false;
    }
    bss_inv_pick pick = {.holder = order_id, .number = it->msisdn[0] ? it->msisdn : NULL};
    char plus[24];
    if (pick.number) {
        snprintf(plus, sizeof plus, "+%s", it->msisdn);
        pick.number = plus;
    }
    bss_err rc = BSS_OK;
    if (want_number && (!it->reservation[0] || pick.number)) {
        rc = bss_inv_msisdn_reserve(db, &by, &pick, &res, &rei);
        if (rc == BSS_E_CONFLICT || rc == BSS_E_NOT_FOUND || rc == BSS_E_INVALID) {
            bss__order_problem(&pl->ps, rc == BSS_E_NOT_FOUND ? BSS_E_UNPROCESSABLE : rc, f, "%s: %s", f, rei.message);
            return BSS_OK;
        }
        if (rc != BSS_OK)
            return bss_fail(ei, rc, rei.field, "%s", rei.message);
    }
    /* which number: the reserved one (or the one the shopper held) */
    if (res) {
        snprintf(it->got_msisdn, sizeof it->got_msisdn, "%s", json_string_value(json_object_get(res, "id")));
        snprintf(it->category, sizeof it->category, "%s", json_string_value(json_object_get(res, "category")) ?: "");
        json_decref(res);
        res = NULL;
    }
    if (!want_sim)
        return BSS_OK;
    bss_inv_pick sp = {.holder = order_id, .profile = it->sim_type, .iccid = it->iccid[0] ? it->iccid : NULL};
    rc = bss_inv_sim_reserve(db, &by, &sp, &res, &rei);
    if (rc == BSS_E_CONFLICT || rc == BSS_E_NOT_FOUND || rc == BSS_E_INVALID) {
        bss__order_problem(&pl->ps, rc == BSS_E_NOT_FOUND ? BSS_E_UNPROCESSABLE : rc, f, "%s: %s", f, rei.message);
        return BSS_OK;
    }
    if (rc != BSS_OK)
        return bss_fail(ei, rc, rei.field, "%s", rei.message);
    snprintf(it->got_iccid, sizeof it->got_iccid, "%s", json_string_value(json_object_get(res, "id")));
    size_t k;
    json_t *c;
    json_array_foreach(json_object_get(res, "resourceCharacteristic"), k, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "name")) ?: "", "IMSI") == 0)
            snprintf(it->got_imsi, sizeof it->got_imsi, "%s", json_string_value(json_object_get(c, "value")));
    }
    json_decref(res);
    return BSS_OK;
}

/* A dry run's look at the number and SIM a line would get, reserving nothing. */
static bss_err check_available(bss_db *db, order_plan *pl, item_plan *it)
{
    char f[160];
    item_field(it, "product.productCharacteristic", f, sizeof f);
    if (it->port_in) { /* a number from elsewhere: only one we hold ourselves can be in the way */
        json_t *r = NULL;
        if (bss_inv_get(db, pl->env->now_ms, NULL, it->msisdn, &r, NULL) == BSS_OK &&
            strcmp(json_string_value(json_object_get(r, "resourceStatus")), "available") != 0)
            bss__order_problem(&pl->ps, BSS_E_CONFLICT, f, "%s: +%s is %s here", f, it->msisdn,
                    json_string_value(json_object_get(r, "resourceStatus")));
        json_decref(r);
        it->msisdn[0] = '\0';
    }
    const char *ids[2] = {it->msisdn[0] ? it->msisdn : NULL, it->iccid[0] ? it->iccid : NULL};
    for (int k = 0; k < 2; k++) {
        if (!ids[k])
            continue;
        json_t *r = NULL;
        bss_errinfo gei;
        bss_err rc = bss_inv_get(db, pl->env->now_ms, NULL, ids[k], &r, &gei);
        if (rc == BSS_E_NOT_FOUND)
            bss__order_problem(&pl->ps, BSS_E_UNPROCESSABLE, f, "%s: %s%s is not in the inventory", f, k ? "SIM " : "+", ids[k]);
        else if (rc != BSS_OK)
            return rc;
        else if (strcmp(json_string_value(json_object_get(r, "resourceStatus")), "available") != 0)
            bss__order_problem(&pl->ps, BSS_E_CONFLICT, f, "%s: %s%s is %s, not available", f, k ? "SIM " : "+", ids[k],
                    json_string_value(json_object_get(r, "resourceStatus")));
        else if (k == 0)
            snprintf(it->category, sizeof it->category, "%s", json_string_value(json_object_get(r, "category")) ?: "");
        json_decref(r);
    }
    return BSS_OK;
}

/* The number a shopper's reservation holds (after rehold: the order's), for a line without a number. */
static void held_number(bss_db *db, order_plan *pl, item_plan *it, const char *order_id)
{
    bss_inv_filter f = {.type = BSS_INV_TYPE_MSISDN, .status = "reserved", .limit = 1000};
    json_t *page = NULL;
    int64_t total = 0;
    if (it->got_msisdn[0] || bss_inv_list(db, pl->env->now_ms, NULL, &f, &page, &total, NULL) != BSS_OK)
        return;
    size_t i;
    json_t *r;
    json_array_foreach(page, i, r)
    {
        const char *h = json_string_value(json_object_get(r, "heldBy"));
        if (h && strcmp(h, order_id) == 0) {
            bool taken = false;
            for (size_t k = 0; k < pl->nitems; k++)
                taken = taken || strcmp(pl->items[k].got_msisdn, json_string_value(json_object_get(r, "id"))) == 0;
            if (taken)
                continue;
            snprintf(it->got_msisdn, sizeof it->got_msisdn, "%s", json_string_value(json_object_get(r, "id")));
            snprintf(it->category, sizeof it->category, "%s", json_string_value(json_object_get(r, "category")) ?: "");
            break;
        }
    }
    json_decref(page);
}

static json_t *characteristic(const char *name, const char *value)
{
    return json_pack("{s:s, s:s}", "name", name, "value", value);
}

/* The product an add item creates (status created): offering, account, customer, the line's identities. */
static json_t *line_chars(const item_plan *it)
{
    json_t *chars = json_array();
    json_array_append_new(chars, characteristic("MSISDN", it->got_msisdn));
    json_array_append_new(chars, characteristic("ICCID", it->got_iccid));
    if (it->got_imsi[0])
        json_array_append_new(chars, characteristic("IMSI", it->got_imsi));
    json_array_append_new(chars, characteristic("simType", it->sim_type));
    return chars;
}

/*
 * A bundle's child products, one per bundled offering, each naming the
 * bundle (productRelationship "bundled"); the line's number and SIM go with
 * the child that is the line. it->children lists them for the bundle.
 */
static bss_err create_children(bss_db *db, order_plan *pl, item_plan *it, const char *order_id, bss_errinfo *ei)
{
    it->children = json_array();
    bss_err rc = it->children ? BSS_OK : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    for (size_t k = 0; rc == BSS_OK && k < bss_offering_bundled_count(it->off); k++) {
        const bss_offering *child = bss_offering_bundled(it->off, k);
        if (!child)
            continue;
        char id[BSS_ID_LEN + 1];
        bss_id_new(pl->env->now_ms, id);
        json_t *p = json_pack("{s:{s:s}, s:{s:s}, s:[{s:s, s:s, s:s}], s:s, s:[{s:s, s:{s:s, s:s}}], s:[{s:s, s:s, s:s}]}",
                              "productOffering", "id", bss_offering_id(child), "billingAccount", "id", pl->account_id,
                              "relatedParty", "id", pl->customer_id, "role", "customer", "@referredType", "Customer",
                              "status", "created", "productRelationship", "relationshipType", "bundled", "product", "id",
                              it->product_id, "@referredType", "Product", "productOrderItem", "productOrderId", order_id,
                              "orderItemId", it->id, "orderItemAction", "add");
        if (!p)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        json_object_set_new(p, "productCharacteristic", (int)k == it->line_child ? line_chars(it) : json_array());
        bss_doc_ctx ctx = {&bss_product_kind, db, pl->env->now_ms, pl->env->base_url, pl->env->who, NULL, "order", false,
                           NULL};
        json_t *out = NULL;
        rc = bss_doc_create(&ctx, id, p, &out, ei);
        json_decref(out);
        json_t *ref = json_pack("{s:s, s:s, s:{s:s}}", "id", id, "@referredType", "Product", "productOffering", "id",
                                bss_offering_id(child));
        if (ref && (int)k == it->line_child)
            json_object_set(ref, "productCharacteristic", json_object_get(p, "productCharacteristic"));
        json_decref(p);
        if (ref)
            json_array_append_new(it->children, ref);
    }
    return rc;
}

static bss_err create_product(bss_db *db, order_plan *pl, item_plan *it, const char *order_id, bss_errinfo *ei)
{
    json_t *p = json_pack("{s:{s:s}, s:{s:s}, s:[{s:s, s:s, s:s}], s:s}", "productOffering", "id",
                          bss_offering_id(it->off), "billingAccount", "id", pl->account_id, "relatedParty", "id",
                          pl->customer_id, "role", "customer", "@referredType", "Customer", "status", "created");
    if (!p)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bool bundle = bss_offering_bundled_count(it->off) > 0;
    bss_id_new(pl->env->now_ms, it->product_id);
    if (bundle) {
        bss_err rc = create_children(db, pl, it, order_id, ei);
        if (rc != BSS_OK) {
            json_decref(p);
            return rc;
        }
        json_object_set_new(p, "isBundle", json_true());
        json_t *refs = json_array();
        size_t k;
        json_t *c;
        json_array_foreach(it->children, k, c)
            json_array_append_new(refs, json_pack("{s:O, s:s}", "id", json_object_get(c, "id"), "@referredType", "Product"));
        json_object_set_new(p, "product", refs);
    }
    json_t *chars = json_array();
    if (it->is_line && !bundle) {
        json_array_append_new(chars, characteristic("MSISDN", it->got_msisdn));
        json_array_append_new(chars, characteristic("ICCID", it->got_iccid));
        if (it->got_imsi[0])
            json_array_append_new(chars, characteristic("IMSI", it->got_imsi));
        json_array_append_new(chars, characteristic("simType", it->sim_type));
    }
    json_object_set_new(p, "productCharacteristic", chars);
    const char *base = NULL;
    if (it->base_item)
        for (size_t k = 0; k < pl->nitems; k++)
            if (pl->items[k].id && strcmp(pl->items[k].id, it->base_item) == 0)
                base = pl->items[k].product_id;
    if (!base && it->product)
        base = json_string_value(json_object_get(it->product, "id"));
    if (base)
        json_object_set_new(p, "productRelationship",
                            json_pack("[{s:s, s:{s:s, s:s}}]", "relationshipType", "addOnTo", "product", "id", base,
                                      "@referredType", "Product"));
    json_object_set_new(p, "productOrderItem",
                        json_pack("[{s:s, s:s, s:s}]", "productOrderId", order_id, "orderItemId", it->id,
                                  "orderItemAction", "add"));
    bss_doc_ctx ctx = {&bss_product_kind, db, pl->env->now_ms, pl->env->base_url, pl->env->who, NULL, "order", false,
                       NULL};
    json_t *out = NULL;
    bss_err rc = bss_doc_create(&ctx, it->product_id, p, &out, ei);
    json_decref(p);
    json_decref(out);
    return rc;
}

/* The order document as stored: the body, each item's state, prices and product, the server's members. */
static json_t *order_doc(const json_t *body, order_plan *pl)
{
    json_t *doc = json_deep_copy(body);
    if (!doc)
        return NULL;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(doc, "productOrderItem"), i, item)
    {
        item_plan *it = &pl->items[i];
        json_object_set_new(item, "state", json_string("acknowledged"));
        json_object_set(item, "itemPrice", it->prices);
        if (!json_object_get(item, "quantity"))
            json_object_set_new(item, "quantity", json_integer(1));
        json_t *prod = json_object_get(item, "product");
        if (!json_is_object(prod)) {
            prod = json_object();
            json_object_set_new(item, "product", prod);
        }
        if (it->product_id[0])
            json_object_set_new(prod, "id", json_string(it->product_id));
        if (it->children)
            json_object_set(prod, "product", it->children);
        if (it->off)
            json_object_set_new(json_object_get(item, "productOffering"), "name", json_string(bss_offering_name(it->off)));
        if (it->plan_change) {
            json_t *pc = json_pack("{s:s, s:s, s:s}", "kind", it->downgrade ? "downgrade" : "upgrade", "fromOffering",
                                   json_string_value(json_object_get(json_object_get(it->product, "productOffering"), "id")) ?: "",
                                   "toOffering", bss_offering_id(it->off));
            if (pc)
                bss_json_set_time(pc, "effectiveDate", it->effective_ms);
            json_object_set_new(item, "planChange", pc);
        }
        if (it->swap_sim || it->change_number) {
            json_t *chars = json_array();
            if (it->change_number)
                json_array_append_new(chars, characteristic("MSISDN", it->got_msisdn));
            if (it->swap_sim) {
                json_array_append_new(chars, characteristic("ICCID", it->got_iccid));
                if (it->got_imsi[0])
                    json_array_append_new(chars, characteristic("IMSI", it->got_imsi));
                json_array_append_new(chars, characteristic("simType", it->sim_type));
            }
            if (it->old_msisdn[0])
                json_array_append_new(chars, characteristic("previousMSISDN", it->old_msisdn));
            if (it->old_iccid[0] && it->swap_sim)
                json_array_append_new(chars, characteristic("previousICCID", it->old_iccid));
            json_object_set_new(prod, "productCharacteristic", chars);
        }
        if (it->is_line && it->got_msisdn[0] && !it->change_number) {
            json_t *chars = json_array();
            json_array_append_new(chars, characteristic("MSISDN", it->got_msisdn));
            json_array_append_new(chars, characteristic("ICCID", it->got_iccid));
            json_array_append_new(chars, characteristic("simType", it->sim_type));
            if (it->category[0])
                json_array_append_new(chars, characteristic("msisdnCategory", it->category));
            if (it->port_in) {
                char when[32];
                bss_time_format(it->porting_ms, when);
                json_array_append_new(chars, characteristic("portInMSISDN", it->got_msisdn));
                json_array_append_new(chars, characteristic("donorOperator", it->donor));
                json_array_append_new(chars, characteristic("portingDate", when));
            }
            json_object_set_new(prod, "productCharacteristic", chars);
        }
    }
    return doc;
}

/* The order's category: what kind of order it is, for its expected duration (SLA). */
static const char *order_category(const order_plan *pl)
{
    bool add_line = false, change = false, end = false;
    for (size_t i = 0; i < pl->nitems; i++) {
        const item_plan *it = &pl->items[i];
        if (!it->action)
            continue;
        add_line = add_line || (strcmp(it->action, "add") == 0 && it->is_line);
        change = change || strcmp(it->action, "modify") == 0 || (strcmp(it->action, "add") == 0 && !it->is_line);
        end = end || strcmp(it->action, "delete") == 0;
    }
    return add_line ? "newLine" : end ? "termination" : change ? "change" : "noChange";
}

bss_err bss_order_submit(bss_db *db, const bss_order_env *env, const json_t *body, bool dry_run, json_t **out,
                         bss_order_outcome *how, bss_errinfo *ei)
{
    *out = NULL;
    if (!json_is_object(body))
        return bss_fail(ei, BSS_E_INVALID, NULL, "a productOrder is a JSON object");
    const json_t *ext = json_object_get(body, "externalId");
    char hash[65] = "";
    if (ext && (!json_is_string(ext) || json_string_length(ext) == 0 || json_string_length(ext) > 128))
        return bss_fail(ei, BSS_E_INVALID, "externalId", "externalId must be a string of 1 to 128 bytes");
    if (ext && !dry_run) {
        char prev[BSS_ID_MAX + 1], prev_hash[65];
        bool found = false;
        content_hash(body, hash);
        bss_err rc = bss__store_submission_get(db, json_string_value(ext), prev, sizeof prev, prev_hash,
                                               sizeof prev_hash, &found, ei);
        if (rc != BSS_OK)
            return rc;
        if (found && strcmp(prev_hash, hash) != 0)
            return bss_fail(ei, BSS_E_CONFLICT, "externalId",
                            "externalId %.64s was used for order %s with other content; use a new externalId for a "
                            "new order",
                            json_string_value(ext), prev);
        if (found) {
            *how = BSS_ORDER_REPLAYED;
            return bss_doc_load(db, &bss_product_order_kind, prev, out, NULL, ei);
        }
    }
    order_plan *pl = bss_calloc(1, sizeof *pl);
    if (!pl)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    pl->env = env;
    bss_err rc = check_all(db, body, pl);
    for (size_t i = 0; rc == BSS_OK && i < pl->nitems; i++)
        if (pl->items[i].action)
            bss__quote_item(pl, &pl->items[i]);
    for (size_t i = 0; rc == BSS_OK && i < pl->nitems; i++)
        if (pl->items[i].plan_change)
            bss__quote_plan_effective(pl, &pl->items[i]);
    for (size_t i = 0; i < pl->nitems; i++) {
        pl->one_time += pl->items[i].one_time;
        pl->first_recurring += pl->items[i].first_recurring;
        pl->monthly += pl->items[i].monthly;
    }
    if (rc == BSS_OK && pl->account)
        bss__quote_credit_check(pl);
    char order_id[BSS_ID_LEN + 1];
    bss_id_new(env->now_ms, order_id);
    /* the numbers and SIMs: checked (dry run) or reserved for the order */
    for (size_t i = 0; rc == BSS_OK && pl->ps.n == 0 && i < pl->nitems; i++) {
        item_plan *it = &pl->items[i];
        bool new_line = it->action && strcmp(it->action, "add") == 0 && it->is_line;
        bool swap = it->action && strcmp(it->action, "modify") == 0 && (it->swap_sim || it->change_number);
        if (!new_line && !swap)
            continue;
        char holder[BSS_INV_NAME_MAX + 1];
        bss__order_holder(order_id, it->index, holder, sizeof holder);
        rc = dry_run ? check_available(db, pl, it)
                     : reserve_line(db, pl, it, holder, new_line || it->change_number, new_line || it->swap_sim, ei);
        if (rc == BSS_OK && !dry_run && it->reservation[0])
            held_number(db, pl, it, holder);
        if (rc == BSS_OK && pl->ps.n == 0)
            bss__quote_category(db, pl, it);
    }
    if (rc == BSS_OK && pl->ps.n > 0)
        rc = problems_fail(&pl->ps, ei); /* the job fails: its reservations roll back with it */
    if (rc != BSS_OK) {
        plan_free(pl);
        bss_free(pl);
        return rc;
    }
    pl->one_time = 0;
    for (size_t i = 0; i < pl->nitems; i++)
        pl->one_time += pl->items[i].one_time;
    if (dry_run) {
        /* a quote: what the order would cost; nothing was reserved or written */
        json_t *q = json_pack("{s:o, s:[], s:{s:b}}", "orderTotalPrice", bss__quote_totals(pl), "productOrderItem", "creditCheck",
                              "passed", true);
        for (size_t i = 0; q && i < pl->nitems; i++)
            json_array_append_new(json_object_get(q, "productOrderItem"),
                                  json_pack("{s:s, s:O}", "id", pl->items[i].id, "itemPrice", pl->items[i].prices));
        if (q)
            bss_json_set_time(q, "quoteDate", env->now_ms);
        plan_free(pl);
        bss_free(pl);
        *out = q;
        *how = BSS_ORDER_QUOTED;
        return q ? BSS_OK : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; rc == BSS_OK && i < pl->nitems; i++)
        if (pl->items[i].action && strcmp(pl->items[i].action, "add") == 0)
            rc = create_product(db, pl, &pl->items[i], order_id, ei);
    json_t *doc = rc == BSS_OK ? order_doc(body, pl) : NULL;
    json_t *set = rc == BSS_OK ? json_object() : NULL;
    if (rc == BSS_OK && (!doc || !set))
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (rc == BSS_OK) {
        const char *category = order_category(pl);
        json_object_set_new(doc, "category", json_string(category));
        bss_json_set_time(set, "orderDate", env->now_ms);
        bss_json_set_time(set, "expectedCompletionDate", env->now_ms + bss__order_sla_ms(category));
        json_object_set_new(set, "orderTotalPrice", bss__quote_totals(pl));
        rc = bss__order_set_state(set, "acknowledged", "submitted", env->who, env->now_ms, ei);
    }
    if (rc == BSS_OK)
        rc = bss__order_set_state(set, "inProgress", "decomposed into provisioning tasks", NULL, env->now_ms, ei);
    if (rc == BSS_OK) {
        json_t *items = json_object_get(doc, "productOrderItem");
        size_t i;
        json_t *item;
        json_array_foreach(items, i, item) json_object_set_new(item, "state", json_string("inProgress"));
        bss_doc_ctx ctx = {&bss_product_order_kind, db, env->now_ms, env->base_url, env->who, NULL, NULL, false, set};
        rc = bss_doc_create(&ctx, order_id, doc, out, ei);
    }
    if (rc == BSS_OK && ext)
        rc = bss__store_submission_put(db, json_string_value(ext), order_id, hash, env->now_ms, ei);
    if (rc == BSS_OK)
        rc = bss__order_plan_tasks(db, *out, env->now_ms, ei);
    json_decref(doc);
    json_decref(set);
    plan_free(pl);
    bss_free(pl);
    if (rc != BSS_OK) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    *how = BSS_ORDER_CREATED;
    return BSS_OK;
}
