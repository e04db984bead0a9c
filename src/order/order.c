/*
 * order.c: the TMF622 productOrder and cancelProductOrder document kinds
 * (order.h) and the order's state machine. An order comes in through
 * bss_order_submit (submit.c), never through the generic create: its
 * checks, prices, reservations and tasks are one write. What a PATCH may
 * change afterwards is little: the notes, the description, the requested
 * dates; the items, the customer and the account are what was submitted
 * (409: cancel and order again), and state, orderDate, completionDate,
 * stateChange, the prices and each item's state are the server's.
 *
 * States (TMF622 v4):
 *   acknowledged          -> inProgress | pending | rejected
 *   pending               -> acknowledged | rejected
 *   inProgress            -> held | completed | partial | failed | assessingCancellation
 *   held                  -> inProgress | cancelled
 *   assessingCancellation -> pendingCancellation | inProgress | held | pending
 *   pendingCancellation   -> cancelled
 *   completed, partial, failed, rejected, cancelled: final
 * Every change is appended to stateChange [{state, changeDate,
 * changeReason, changedBy}] with the key that made it (or "bss" for the
 * server's own steps).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/auth.h"
#include "core/json.h"
#include "core/mem.h"
#include "customer/customer.h"
#include "order/order.h"
#include "order/order_int.h"

static const char *const states[] = {"acknowledged", "pending",  "inProgress", "held",     "assessingCancellation",
                                     "pendingCancellation", "completed", "partial", "failed", "rejected",
                                     "cancelled"};
enum { O_ACK, O_PENDING, O_PROGRESS, O_HELD, O_ASSESS, O_PCANCEL, O_DONE, O_PARTIAL, O_FAILED, O_REJECTED, O_CANCELLED, O_COUNT };

static const bool moves[O_COUNT][O_COUNT] = {
    [O_ACK] = {[O_PROGRESS] = true, [O_PENDING] = true, [O_REJECTED] = true},
    [O_PENDING] = {[O_ACK] = true, [O_REJECTED] = true},
    [O_PROGRESS] = {[O_HELD] = true, [O_DONE] = true, [O_PARTIAL] = true, [O_FAILED] = true, [O_ASSESS] = true},
    [O_HELD] = {[O_PROGRESS] = true, [O_CANCELLED] = true},
    [O_ASSESS] = {[O_PCANCEL] = true, [O_PROGRESS] = true, [O_HELD] = true, [O_PENDING] = true},
    [O_PCANCEL] = {[O_CANCELLED] = true},
};

static int state_of(const char *s)
{
    for (int i = 0; s && i < O_COUNT; i++)
        if (strcmp(s, states[i]) == 0)
            return i;
    return -1;
}

bool bss_order_transition_ok(const char *from, const char *to)
{
    int f = state_of(from), t = state_of(to);
    return f >= 0 && t >= 0 && moves[f][t];
}

bool bss_order_is_final(const char *state)
{
    int s = state_of(state);
    return s >= O_DONE;
}

const char *bss__order_next_states(const char *from, char *buf, size_t cap)
{
    int f = state_of(from);
    if (f < 0) {
        snprintf(buf, cap, "%s", "");
        return buf;
    }
    return bss_doc_next_states(states, moves[f], O_COUNT, f, buf, cap);
}

bss_err bss__order_set_state(json_t *order, const char *to, const char *reason, const bss_principal *who,
                             int64_t now_ms, bss_errinfo *ei)
{
    const char *from = json_string_value(json_object_get(order, "state"));
    if (from && strcmp(from, to) == 0)
        return BSS_OK;
    if (from && !bss_order_transition_ok(from, to)) {
        char next[200];
        return bss_fail(ei, BSS_E_STATE, "state", "an order cannot go from %s to %s%s", from, to,
                        bss__order_next_states(from, next, sizeof next));
    }
    json_t *hist = json_object_get(order, "stateChange");
    if (!json_is_array(hist)) {
        hist = json_array();
        json_object_set_new(order, "stateChange", hist);
    }
    json_t *e = json_pack("{s:s, s:s}", "state", to, "@type", "StateChange");
    if (!e || bss_json_set_time(e, "changeDate", now_ms) != 0) {
        json_decref(e);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    if (reason && reason[0])
        json_object_set_new(e, "changeReason", json_string(reason));
    json_object_set_new(e, "changedBy",
                        who ? json_pack("{s:s, s:s, s:s}", "id", who->key_id, "name", who->name, "@referredType", "ApiKey")
                            : json_pack("{s:s}", "name", "bss"));
    json_array_append_new(hist, e);
    json_object_set_new(order, "state", json_string(to));
    if (bss_order_is_final(to) && bss_json_set_time(order, "completionDate", now_ms) != 0)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

const char *bss__item_char(const json_t *item, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(item, "product"), "productCharacteristic"), i, c)
    {
        const char *n = json_string_value(json_object_get(c, "name"));
        if (n && strcasecmp(n, name) == 0)
            return json_string_value(json_object_get(c, "value"));
    }
    return NULL;
}

/* ---- the kinds ---- */

static const bss_res_column order_columns[] = {
    {"state", "state", BSS_RES_TEXT},
    {"externalId", "external_id", BSS_RES_TEXT},
    {"orderDate", "order_date_ms", BSS_RES_TIME},
    {"billingAccount.id", "account_id", BSS_RES_TEXT},
    {"category", "category", BSS_RES_TEXT},
    {"expectedCompletionDate", "expected_ms", BSS_RES_TIME},
};

static bss_res_table order_table = {
    .name = "tmf622_product_order",
    .columns = order_columns,
    .ncolumns = sizeof order_columns / sizeof order_columns[0],
};

static const char *const order_required[] = {"productOrderItem", "relatedParty", NULL};
static const char *const order_server_managed[] = {
    "state", "orderDate", "completionDate", "stateChange", "orderTotalPrice", "expectedCompletionDate",
    "lastUpdate", "quote", NULL};

static const bss_doc_ref order_refs[] = {
    {"billingAccount", &bss_billing_account_kind},
    {"relatedParty", NULL},
    {NULL, NULL},
};

static bss_err order_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

const bss_doc_kind bss_product_order_kind = {
    .api = "productOrderingManagement",
    .path = BSS_TMF622_BASE "/productOrder",
    .name = "productOrder",
    .type = "ProductOrder",
    .status_field = "state",
    .table = &order_table,
    .required = order_required,
    .server_managed = order_server_managed,
    .refs = order_refs,
    .prepare = order_prepare,
    .personal_data = true,
};

/* Members fixed at submission: a PATCH may send their stored value, nothing else. */
static const char *const fixed_members[] = {"productOrderItem", "relatedParty", "billingAccount", "externalId",
                                            "channel", "category", "requestedStartDate", NULL};

/* The items of two versions are the same but for their states (the server's). */
static bool items_equal(const json_t *a, const json_t *b)
{
    if (!json_is_array(a) || !json_is_array(b) || json_array_size(a) != json_array_size(b))
        return false;
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *x = json_deep_copy(json_array_get(a, i)), *y = json_deep_copy(json_array_get(b, i));
        json_object_del(x, "state");
        json_object_del(y, "state");
        bool same = x && y && json_equal(x, y);
        json_decref(x);
        json_decref(y);
        if (!same)
            return false;
    }
    return true;
}

static bss_err order_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    if (bss_json_set_time(doc, "lastUpdate", ctx->now_ms) != 0)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (!old) /* only bss_order_submit creates orders: it has checked everything */
        return BSS_OK;
    const char *state = json_string_value(json_object_get(old, "state"));
    if (!ctx->server_set) /* the items' states are the server's: a client's patch keeps them */
        json_object_set(doc, "productOrderItem", json_object_get(old, "productOrderItem"));
    for (size_t i = 0; fixed_members[i]; i++) {
        const json_t *a = json_object_get(doc, fixed_members[i]), *b = json_object_get(old, fixed_members[i]);
        if (strcmp(fixed_members[i], "productOrderItem") == 0 && a && b && items_equal(a, b))
            continue;
        if (!(a == b || (a && b && json_equal((json_t *)a, (json_t *)b))))
            return bss_fail(ei, BSS_E_CONFLICT, fixed_members[i],
                            "%s cannot change once an order is submitted; cancel it and order again",
                            fixed_members[i]);
    }
    if (bss_order_is_final(state))
        return bss_fail(ei, BSS_E_STATE, "state", "the order is %s; a final order does not change", state);
    return bss_doc_check_names(doc, ei);
}

static const bss_res_column cancel_columns[] = {
    {"state", "state", BSS_RES_TEXT},
    {"productOrder.id", "order_id", BSS_RES_TEXT},
};

static bss_res_table cancel_table = {
    .name = "tmf622_cancel_product_order",
    .columns = cancel_columns,
    .ncolumns = sizeof cancel_columns / sizeof cancel_columns[0],
};

static const char *const cancel_required[] = {"productOrder", NULL};
static const char *const cancel_server_managed[] = {"state", "effectiveCancellationDate", NULL};

static const bss_doc_ref cancel_refs[] = {
    {"productOrder", &bss_product_order_kind},
    {NULL, NULL},
};

static bss_err cancel_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    (void)ctx;
    if (old)
        return bss_fail(ei, BSS_E_STATE, "state", "a cancellation request is a record; it does not change");
    return bss_doc_check_names(doc, ei);
}

const bss_doc_kind bss_cancel_order_kind = {
    .api = "productOrderingManagement",
    .path = BSS_TMF622_BASE "/cancelProductOrder",
    .name = "cancelProductOrder",
    .type = "CancelProductOrder",
    .status_field = "state",
    .table = &cancel_table,
    .required = cancel_required,
    .server_managed = cancel_server_managed,
    .refs = cancel_refs,
    .prepare = cancel_prepare,
};
