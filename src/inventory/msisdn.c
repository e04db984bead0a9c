/*
 * msisdn.c: the MSISDN pool (inventory.h): ranges of numbers added in one
 * statement, number categories with the catalog's one-time price for a
 * golden number, reservations that end by themselves (a web shopper's
 * hold), and the release of what a holder still holds when its order
 * fails or its shopper leaves.
 *
 * Numbers are kept as their E.164 digits without '+' (the resource id and
 * the MSISDN characteristic); every number that enters comes through
 * core/phone.h (libphonenumber), so a range is two valid numbers of one
 * plan and length.
 */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/id.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/pan.h"
#include "core/phone.h"
#include "inventory/inventory_int.h"

#define CATEGORY_MAX 32

/* [a-z0-9-]{1,32} */
static bool category_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CATEGORY_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static bss_err check_category(bss_db *db, const char *name, bss_errinfo *ei)
{
    if (strcmp(name, "standard") == 0)
        return BSS_OK;
    if (!category_name_ok(name))
        return bss_fail(ei, BSS_E_INVALID, "category", "category must be 1 to %d of a-z, 0-9 and '-'", CATEGORY_MAX);
    bool found = false;
    bss_err rc = bss__inv_category_get(db, name, &found, ei);
    if (rc == BSS_OK && !found)
        return bss_fail(ei, BSS_E_INVALID, "category",
                        "no number category %s; define it first (PUT /admin/v1/inventory/categories/%s)", name,
                        name);
    return rc;
}

bss_err bss_inv_range_add(bss_db *db, const bss_inv_actor *by, const char *from, const char *to,
                          const char *category, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    const char *cat = category && category[0] ? category : "standard";
    char first[BSS_PHONE_E164_MAX + 1], last[BSS_PHONE_E164_MAX + 1];
    int64_t size = 0;
    bss_err rc = bss_phone_range(from ? from : "", to ? to : "", BSS_INV_RANGE_MAX, first, last, &size, ei);
    if (rc == BSS_OK)
        rc = check_category(db, cat, ei);
    if (rc != BSS_OK)
        return rc;
    const char *a = first + 1, *b = last + 1; /* digits without '+' */
    int64_t overlap = 0;
    char lowest[BSS__MSISDN_MAX + 1];
    if ((rc = bss__inv_msisdn_overlap(db, a, b, &overlap, lowest, sizeof lowest, ei)) != BSS_OK)
        return rc;
    if (overlap > 0)
        return bss_fail(ei, BSS_E_CONFLICT, "from", "%lld numbers of %s..%s are already in the pool (the first is +%s)",
                        (long long)overlap, first, last, lowest);
    char prefix[BSS__MSISDN_MAX + 1];
    size_t n = 0;
    while (a[n] && a[n] == b[n])
        n++;
    snprintf(prefix, sizeof prefix, "%.*s", (int)n, a);
    char id[BSS_ID_LEN + 1];
    bss_id_new(by->now_ms, id);
    if ((rc = bss__inv_range_insert(db, id, a, b, prefix, cat, size, by->now_ms, ei)) != BSS_OK)
        return rc;
    *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "id", id, "from", first, "to", last, "prefix", prefix,
                     "category", cat, "size", (json_int_t)size);
    return *out ? BSS_OK : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
}

bss_err bss_inv_range_list(bss_db *db, int64_t now_ms, json_t **out, bss_errinfo *ei)
{
    json_t *arr = json_array();
    bss_err rc = arr ? bss__inv_range_list(db, now_ms, arr, ei) : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (rc != BSS_OK) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return BSS_OK;
}

bss_err bss_inv_category_put(bss_db *db, const bss_inv_actor *by, const char *name, const char *price_id,
                             const char *description, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    if (!name || !category_name_ok(name))
        return bss_fail(ei, BSS_E_INVALID, "name", "a category name is 1 to %d of a-z, 0-9 and '-'", CATEGORY_MAX);
    if (strcmp(name, "standard") == 0)
        return bss_fail(ei, BSS_E_INVALID, "name", "standard is the category of every number without one; it has no price");
    if (description && strlen(description) > BSS_INV_REASON_MAX)
        return bss_fail(ei, BSS_E_INVALID, "description", "description must be at most %d bytes", BSS_INV_REASON_MAX);
    bss_err rc = description ? bss_pan_reject_text(description, strlen(description), "description", ei) : BSS_OK;
    if (rc != BSS_OK)
        return rc;
    if (price_id && price_id[0]) {
        json_t *pop = NULL;
        rc = bss_doc_load(db, &bss_offering_price_kind, price_id, &pop, NULL, ei);
        if (rc == BSS_E_NOT_FOUND)
            return bss_fail(ei, BSS_E_INVALID, "priceId", "no productOfferingPrice with id %.64s", price_id);
        if (rc != BSS_OK)
            return rc;
        char type[32];
        snprintf(type, sizeof type, "%s", json_string_value(json_object_get(pop, "priceType")) ?: "typeless");
        bool one_time = strcmp(type, "oneTime") == 0;
        json_decref(pop);
        if (!one_time)
            return bss_fail(ei, BSS_E_INVALID, "priceId",
                            "productOfferingPrice %.64s is a %s price; a number category needs a oneTime one", price_id,
                            type);
    }
    if ((rc = bss__inv_category_put(db, name, price_id && price_id[0] ? price_id : NULL, description, by->now_ms,
                                    ei)) != BSS_OK)
        return rc;
    *out = json_pack("{s:s}", "name", name);
    if (*out && price_id && price_id[0])
        json_object_set_new(*out, "priceId", json_string(price_id));
    if (*out && description)
        json_object_set_new(*out, "description", json_string(description));
    return *out ? BSS_OK : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
}

bss_err bss_inv_category_list(bss_db *db, json_t **out, bss_errinfo *ei)
{
    json_t *arr = json_array();
    bss_err rc = arr ? bss__inv_category_list(db, arr, ei) : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (rc != BSS_OK) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return BSS_OK;
}

bss_err bss_inv_msisdn_reserve(bss_db *db, const bss_inv_actor *by, const bss_inv_pick *pick, json_t **out,
                               bss_errinfo *ei)
{
    *out = NULL;
    bss_err rc = bss__inv_check_holder(pick, ei);
    if (rc != BSS_OK)
        return rc;
    char number[BSS__MSISDN_MAX + 1];
    if (pick->number) {
        char e164[BSS_PHONE_E164_MAX + 1];
        if ((rc = bss_phone_e164(pick->number, strlen(pick->number), "number", e164, ei)) != BSS_OK)
            return rc;
        snprintf(number, sizeof number, "%s", e164 + 1);
        bss__msisdn_row m;
        bool found = false;
        if ((rc = bss__inv_msisdn_get(db, by->now_ms, number, &m, &found, ei)) != BSS_OK)
            return rc;
        if (!found)
            return bss_fail(ei, BSS_E_NOT_FOUND, "number", "%s is not a number of the pool", e164);
        if (strcmp(m.eff, "available") != 0)
            return bss_fail(ei, BSS_E_CONFLICT, "number", "%s is %s, not available", e164, m.eff);
    } else {
        const char *cat = pick->category && pick->category[0] ? pick->category : "standard";
        if ((rc = check_category(db, cat, ei)) != BSS_OK)
            return rc;
        if (pick->prefix) {
            size_t n = strlen(pick->prefix);
            bool ok = n >= 1 && n <= BSS__MSISDN_MAX;
            for (size_t i = 0; ok && i < n; i++)
                ok = pick->prefix[i] >= '0' && pick->prefix[i] <= '9';
            if (!ok)
                return bss_fail(ei, BSS_E_INVALID, "prefix", "prefix must be 1 to 15 digits (E.164 without '+')");
        }
        bool found = false;
        if ((rc = bss__inv_msisdn_first_free(db, by->now_ms, cat, pick->prefix, number, &found, ei)) != BSS_OK)
            return rc;
        if (!found)
            return bss_fail(ei, BSS_E_CONFLICT, "category", "no %s number%s%s is available", cat,
                            pick->prefix ? " starting with " : "", pick->prefix ? pick->prefix : "");
    }
    int64_t until = pick->hold_ms ? by->now_ms + pick->hold_ms : 0;
    bss__inv_move m = {.id = number, .from_eff = "available", .to = "reserved", .holder = pick->holder,
                       .held_until = until};
    bool changed = false;
    if ((rc = bss__inv_msisdn_move(db, by->now_ms, &m, &changed, ei)) != BSS_OK)
        return rc;
    if (!changed)
        return bss_fail(ei, BSS_E_CONFLICT, "number", "+%s was just taken by another order", number);
    if ((rc = bss__inv_history_add(db, by, number, "reserved", "available", "reserved", NULL, pick->holder, ei)) !=
        BSS_OK)
        return rc;
    return bss_inv_get(db, by->now_ms, pick->base_url, number, out, ei);
}

bss_err bss_inv_release(bss_db *db, const bss_inv_actor *by, const char *holder, const char *reason,
                        int64_t *count, bss_errinfo *ei)
{
    if (count)
        *count = 0;
    if (!holder || !holder[0] || strlen(holder) > BSS_INV_NAME_MAX)
        return bss_fail(ei, BSS_E_INVALID, "holder", "a holder is 1 to %d bytes", BSS_INV_NAME_MAX);
    json_t *sims = json_array(), *numbers = json_array();
    bss_err rc = sims && numbers ? bss__inv_held(db, holder, sims, numbers, ei)
                                 : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    for (int t = 0; rc == BSS_OK && t < 2; t++) {
        json_t *list = t == 0 ? sims : numbers;
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v)
        {
            const char *id = json_string_value(v);
            bss__inv_move m = {.id = id, .from_eff = "reserved", .to = "available", .reason = reason};
            bool changed = false;
            rc = t == 0 ? bss__inv_sim_move(db, by->now_ms, &m, &changed, ei)
                        : bss__inv_msisdn_move(db, by->now_ms, &m, &changed, ei);
            if (rc == BSS_OK && changed) {
                rc = bss__inv_history_add(db, by, id, "released", "reserved", "available", reason, holder, ei);
                if (count)
                    ++*count;
            }
            if (rc != BSS_OK)
                break;
        }
    }
    json_decref(sims);
    json_decref(numbers);
    return rc;
}

bss_err bss_inv_category_price(bss_db *db, const char *name, char *price_id, size_t cap, bss_errinfo *ei)
{
    price_id[0] = '\0';
    if (!name || !name[0] || strcmp(name, "standard") == 0)
        return BSS_OK;
    return bss__inv_category_price(db, name, price_id, cap, ei);
}

bss_err bss_inv_rehold(bss_db *db, const bss_inv_actor *by, const char *from_holder, const char *to_holder,
                       int64_t *numbers, int64_t *sims, bss_errinfo *ei)
{
    int64_t n = 0, s = 0;
    if (!from_holder || !from_holder[0] || !to_holder || !to_holder[0] || strlen(from_holder) > BSS_INV_NAME_MAX ||
        strlen(to_holder) > BSS_INV_NAME_MAX)
        return bss_fail(ei, BSS_E_INVALID, "holder", "a holder is 1 to %d bytes", BSS_INV_NAME_MAX);
    bss_err rc = bss__inv_rehold(db, by->now_ms, from_holder, to_holder, &n, &s, ei);
    if (numbers)
        *numbers = n;
    if (sims)
        *sims = s;
    return rc;
}

bss_err bss_inv_port_in(bss_db *db, const bss_inv_actor *by, const char *number, const char *donor,
                        const char *holder, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    if (!donor || !donor[0] || strlen(donor) > BSS_INV_NAME_MAX)
        return bss_fail(ei, BSS_E_INVALID, "donor", "a port-in names the donor operator (1 to %d bytes)", BSS_INV_NAME_MAX);
    bss_err rc = bss_pan_reject_text(donor, strlen(donor), "donor", ei);
    if (rc != BSS_OK)
        return rc;
    char e164[BSS_PHONE_E164_MAX + 1];
    if ((rc = bss_phone_e164(number ? number : "", number ? strlen(number) : 0, "number", e164, ei)) != BSS_OK)
        return rc;
    const char *digits = e164 + 1;
    bss__msisdn_row m;
    bool found = false;
    if ((rc = bss__inv_msisdn_get(db, by->now_ms, digits, &m, &found, ei)) != BSS_OK)
        return rc;
    if (found) { /* ours once: it comes back */
        bss_inv_pick pick = {.number = e164, .holder = holder};
        return bss_inv_msisdn_reserve(db, by, &pick, out, ei);
    }
    if ((rc = bss__inv_msisdn_insert_ported(db, digits, donor, holder, by->now_ms, ei)) != BSS_OK)
        return rc;
    if ((rc = bss__inv_history_add(db, by, digits, "portedIn", NULL, "reserved", donor, holder, ei)) != BSS_OK)
        return rc;
    return bss_inv_get(db, by->now_ms, NULL, digits, out, ei);
}
