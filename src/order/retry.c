/*
 * retry.c: an agent's retry of a failed or partial order (order.h
 * bss_order_retry): a new order of its failed items, submitted like any.
 */
#include <string.h>

#include "core/json.h"
#include "order/order.h"
#include "order/order_int.h"

bss_err bss_order_retry(bss_db *db, const bss_order_env *env, const char *order_id, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    json_t *old = NULL;
    bss_err rc = bss_doc_load(db, &bss_product_order_kind, order_id, &old, NULL, ei);
    if (rc != BSS_OK)
        return rc;
    const char *state = json_string_value(json_object_get(old, "state")) ?: "";
    if (strcmp(state, "failed") != 0 && strcmp(state, "partial") != 0) {
        rc = bss_fail(ei, BSS_E_STATE, "state", "order %.64s is %s; only a failed or partial order is retried", order_id,
                      state);
        json_decref(old);
        return rc;
    }
    json_t *body = json_pack("{s:O, s:[], s:{s:s, s:s}}", "relatedParty", json_object_get(old, "relatedParty"),
                             "productOrderItem", "retryOf", "id", order_id, "href",
                             json_string_value(json_object_get(old, "href")) ?: "");
    if (body && json_object_get(old, "billingAccount"))
        json_object_set(body, "billingAccount", json_object_get(old, "billingAccount"));
    if (body && json_object_get(old, "channel"))
        json_object_set(body, "channel", json_object_get(old, "channel"));
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(old, "productOrderItem"), i, item)
    {
        const char *st = json_string_value(json_object_get(item, "state"));
        if (!body || !st || strcmp(st, "failed") != 0)
            continue;
        json_t *again = json_deep_copy(item);
        json_object_del(again, "state");
        json_object_del(again, "itemPrice");
        json_t *prod = json_object_get(again, "product");
        const char *action = json_string_value(json_object_get(again, "action")) ?: "";
        if (json_is_object(prod) && strcmp(action, "add") == 0) {
            json_object_del(prod, "id"); /* the aborted product stays aborted: the retry makes a new one */
            json_t *chars = json_object_get(prod, "productCharacteristic");
            for (size_t k = json_array_size(chars); k-- > 0;) {
                const char *n = json_string_value(json_object_get(json_array_get(chars, k), "name")) ?: "";
                if (strcmp(n, "msisdnCategory") == 0)
                    json_array_remove(chars, k);
            }
        }
        json_array_append_new(json_object_get(body, "productOrderItem"), again);
    }
    json_decref(old);
    if (!body)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (json_array_size(json_object_get(body, "productOrderItem")) == 0) {
        json_decref(body);
        return bss_fail(ei, BSS_E_STATE, "state", "order %.64s has no failed item to retry", order_id);
    }
    bss_order_outcome how;
    rc = bss_order_submit(db, env, body, false, out, &how, ei);
    json_decref(body);
    return rc;
}
