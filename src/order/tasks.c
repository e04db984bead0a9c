/*
 * tasks.c: an order's provisioning (docs/provisioning.md). Each item
 * decomposes into a chain of tasks (order_task rows, written with the
 * order), each waiting for the one before it:
 *
 *   add a line     [smdp.downloadOrder for an eSIM] -> hlr.createSubscriber
 *                  -> pcrf.setPolicy -> charging.createBuckets -> product.activate
 *   add an add-on  charging.createBuckets -> product.activate
 *   modify plan    pcrf.setPolicy -> charging.createBuckets -> product.changeOffering
 *   suspend/resume hlr.barSubscriber | hlr.unbarSubscriber -> product.setStatus
 *   delete         pcrf.removePolicy -> hlr.deleteSubscriber -> product.terminate
 *   noChange       nothing: the item is completed at once
 *
 * Steps named for a network element go to the southbound adapter (the
 * simulator by default: order.h bss_prov_adapter); product.* steps are
 * bss's own and run in the writer's transaction. A step that fails is
 * tried again (BSS_ORDER_TASK_ATTEMPTS in all, with a growing pause); when
 * the last try fails, the item's later steps are skipped, its done steps
 * undone in reverse order (undo:<type> tasks through the same adapter),
 * its reservations returned to the pool and its product aborted, and the
 * item fails. When every item has ended the order is completed, failed
 * (all failed) or partial.
 *
 * The runner (one thread of bss serve) claims due tasks in one writer job
 * (state running, with a lease), runs them, and records each outcome in
 * another. Tasks are persisted: a server that stops (or is killed) leaves
 * running tasks behind, which the next start sets pending again, and every
 * step is idempotent on (order id, seq), so an order ends in the same state
 * whatever happened to the process in between.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/auth.h"
#include "catalog/catalog.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/time.h"
#include "db/writer.h"
#include "inventory/inventory.h"
#include "order/order.h"
#include "order/order_int.h"

#define HOUR_MS (3600LL * 1000)

static const struct {
    const char *category;
    int64_t ms;
} sla_table[] = {
    {"newLine", 2 * HOUR_MS},
    {"change", 1 * HOUR_MS},
    {"termination", 4 * HOUR_MS},
    {"noChange", 5 * 60 * 1000},
};

int64_t bss__order_sla_ms(const char *category)
{
    for (size_t i = 0; category && i < sizeof sla_table / sizeof sla_table[0]; i++)
        if (strcmp(category, sla_table[i].category) == 0)
            return sla_table[i].ms;
    return 2 * HOUR_MS;
}

void bss__order_holder(const char *order_id, size_t index, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.40s#%zu", order_id, index);
}

/* The step another module carries out (bss_order_local_steps), or NULL. */
static const bss_order_local_step *module_step(const char *type)
{
    const char *t = strncmp(type, "undo:", 5) == 0 ? type + 5 : type;
    for (const bss_order_local_step *s = bss_order_local_steps; s->prefix; s++)
        if (strncmp(t, s->prefix, strlen(s->prefix)) == 0)
            return s;
    return NULL;
}

static bool is_local(const char *type)
{
    return strncmp(type, "product.", 8) == 0 || strcmp(type, "undo:item") == 0 || module_step(type) != NULL;
}


/* The input every task of an item gets: what the network needs to know. */
static json_t *task_input(const json_t *order, const json_t *item, size_t index, const json_t *product)
{
    char holder[BSS_INV_NAME_MAX + 1];
    bss__order_holder(json_string_value(json_object_get(order, "id")), index, holder, sizeof holder);
    json_t *in = json_pack("{s:s, s:s, s:I}", "orderId", json_string_value(json_object_get(order, "id")), "itemId",
                           json_string_value(json_object_get(item, "id")), "itemIndex", (json_int_t)index);
    if (!in)
        return NULL;
    json_object_set_new(in, "holder", json_string(holder));
    const json_t *prod = json_object_get(item, "product");
    const char *pid = json_string_value(json_object_get(prod, "id"));
    if (pid)
        json_object_set_new(in, "productId", json_string(pid));
    const char *off = json_string_value(json_object_get(json_object_get(item, "productOffering"), "id"));
    if (off)
        json_object_set_new(in, "offeringId", json_string(off));
    static const char *const chars[] = {"MSISDN",         "ICCID",        "IMSI",          "simType",
                                        "previousMSISDN", "previousICCID", "portInMSISDN", "donorOperator",
                                        "portingDate",    "recipientOperator"};
    for (size_t k = 0; k < sizeof chars / sizeof chars[0]; k++) {
        const char *v = bss__item_char(item, chars[k]);
        if (v)
            json_object_set_new(in, chars[k], json_string(v));
    }
    const char *st = json_string_value(json_object_get(prod, "status"));
    if (st)
        json_object_set_new(in, "status", json_string(st));
    const char *why = json_string_value(json_object_get(prod, "statusReason"));
    if (why)
        json_object_set_new(in, "statusReason", json_string(why));
    if (json_is_object(json_object_get(item, "planChange")))
        json_object_set(in, "planChange", json_object_get(item, "planChange"));
    /* a bundle: its child products, and which of them is the line */
    json_t *kids = json_object_get(prod, "product");
    if (json_is_array(kids) && json_array_size(kids) > 0) {
        json_t *ids = json_array();
        size_t k;
        json_t *kid;
        json_array_foreach(kids, k, kid)
        {
            json_array_append(ids, json_object_get(kid, "id"));
            if (json_object_get(kid, "productCharacteristic"))
                json_object_set(in, "lineProductId", json_object_get(kid, "id"));
        }
        json_object_set_new(in, "bundleProducts", ids);
    }
    /* a change of an existing line: the network knows it by its current identities */
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(product, "productCharacteristic"), i, c)
    {
        const char *n = json_string_value(json_object_get(c, "name"));
        const char *v = json_string_value(json_object_get(c, "value"));
        if (n && v && (strcmp(n, "MSISDN") == 0 || strcmp(n, "ICCID") == 0 || strcmp(n, "IMSI") == 0) &&
            !json_object_get(in, n))
            json_object_set_new(in, n, json_string(v));
    }
    const char *cur = json_string_value(json_object_get(json_object_get(product, "productOffering"), "id"));
    if (cur)
        json_object_set_new(in, "currentOfferingId", json_string(cur));
    return in;
}

/* The steps of one item, in order (NULL-terminated into steps). */
static size_t item_steps(const json_t *item, const json_t *product, bool plan_change, const char *steps[8])
{
    const char *action = json_string_value(json_object_get(item, "action"));
    size_t n = 0;
    bool line = bss__item_char(item, "MSISDN") != NULL;
    bool product_is_line = false; /* the existing product of a modify/delete has a number */
    size_t ci;
    json_t *pc;
    json_array_foreach(json_object_get(product, "productCharacteristic"), ci, pc)
    {
        product_is_line = product_is_line || strcmp(json_string_value(json_object_get(pc, "name")) ?: "", "MSISDN") == 0;
    }
    if (strcmp(action, "add") == 0) {
        if (line) {
            const char *sim = bss__item_char(item, "simType");
            if (bss__item_char(item, "portInMSISDN")) /* the number moves on the porting date: the line starts then */
                steps[n++] = "porting.requestPortIn";
            if (sim && strcmp(sim, "esim") == 0)
                steps[n++] = "smdp.downloadOrder";
            steps[n++] = "hlr.createSubscriber";
            steps[n++] = "pcrf.setPolicy";
        }
        steps[n++] = "charging.createBuckets";
        steps[n++] = "product.activate";
    } else if (strcmp(action, "delete") == 0 && !product_is_line) { /* an add-on ends: its buckets go */
        steps[n++] = "charging.removeBuckets";
        steps[n++] = "product.terminate";
    } else if (strcmp(action, "delete") == 0) {
        bool out = bss__item_char(item, "recipientOperator") != NULL;
        if (out)
            steps[n++] = "porting.confirmPortOut";
        steps[n++] = "pcrf.removePolicy";
        steps[n++] = "hlr.deleteSubscriber";
        steps[n++] = out ? "product.portOut" : "product.terminate";
    } else if (strcmp(action, "modify") == 0) {
        const char *st = json_string_value(json_object_get(json_object_get(item, "product"), "status"));
        if (bss__item_char(item, "previousICCID")) { /* a SIM swap: the new card's IMSI replaces the old on the HSS */
            const char *sim = bss__item_char(item, "simType");
            if (sim && strcmp(sim, "esim") == 0)
                steps[n++] = "smdp.downloadOrder";
            steps[n++] = "hlr.swapSim";
            steps[n++] = "product.swapSim";
        }
        if (bss__item_char(item, "MSISDN") && bss__item_char(item, "previousMSISDN")) { /* a number change */
            steps[n++] = "hlr.changeMsisdn";
            steps[n++] = "product.changeNumber";
        }
        if (st) {
            steps[n++] = strcmp(st, "suspended") == 0 ? "hlr.barSubscriber" : "hlr.unbarSubscriber";
            steps[n++] = "product.setStatus";
        }
        if (plan_change) {
            steps[n++] = "pcrf.setPolicy";
            steps[n++] = "charging.createBuckets";
            steps[n++] = "product.changeOffering";
        }
    }
    steps[n] = NULL;
    return n;
}

static bss_err insert_task(bss_db *db, const char *order_id, int64_t seq, const char *item_id, const char *type,
                           int64_t after, int64_t now_ms, const json_t *input, bss_errinfo *ei)
{
    char *text = json_dumps(input, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = bss__store_task_insert(db, order_id, seq, item_id, type, after, now_ms, text, ei);
    bss_free(text);
    return rc;
}

/* The child of a bundle product that is the line (has an MSISDN), a new reference; NULL for none or not a bundle. */
static json_t *bundle_line(bss_db *db, const json_t *product)
{
    size_t k;
    json_t *kid;
    json_array_foreach(json_object_get(product, "product"), k, kid)
    {
        json_t *c = NULL;
        const char *id = json_string_value(json_object_get(kid, "id"));
        if (!id || bss_doc_load(db, &bss_product_kind, id, &c, NULL, NULL) != BSS_OK)
            continue;
        size_t i;
        json_t *ch;
        json_array_foreach(json_object_get(c, "productCharacteristic"), i, ch)
        {
            if (strcmp(json_string_value(json_object_get(ch, "name")) ?: "", "MSISDN") == 0)
                return c;
        }
        json_decref(c);
    }
    return NULL;
}

bss_err bss__order_plan_tasks(bss_db *db, const json_t *order, int64_t now_ms, bss_errinfo *ei)
{
    const char *order_id = json_string_value(json_object_get(order, "id"));
    int64_t seq = 0;
    size_t i;
    json_t *item;
    bss_err rc = BSS_OK;
    json_array_foreach(json_object_get(order, "productOrderItem"), i, item)
    {
        const char *steps[8];
        /* the product a modify or delete changes; a modify whose offering differs from it is a plan change */
        bool plan_change = false;
        const char *action = json_string_value(json_object_get(item, "action"));
        const char *want = json_string_value(json_object_get(json_object_get(item, "productOffering"), "id"));
        const char *pid = json_string_value(json_object_get(json_object_get(item, "product"), "id"));
        json_t *p = NULL;
        if (pid && strcmp(action, "add") != 0)
            bss_doc_load(db, &bss_product_kind, pid, &p, NULL, NULL);
        json_t *line = bundle_line(db, p); /* a bundle: its child that is the line (or the product itself) */
        if (want && p && strcmp(action, "modify") == 0)
            plan_change = strcmp(json_string_value(json_object_get(json_object_get(p, "productOffering"), "id")) ?: "",
                                 want) != 0;
        size_t n = item_steps(item, line ? line : p, plan_change, steps);
        json_t *in = task_input(order, item, i, line ? line : p);
        if (in && line)
            json_object_set(in, "lineProductId", json_object_get(line, "id"));
        if (in && p && json_is_array(json_object_get(p, "product"))) {
            json_t *ids = json_array();
            size_t k;
            json_t *kid;
            json_array_foreach(json_object_get(p, "product"), k, kid) json_array_append(ids, json_object_get(kid, "id"));
            json_object_set_new(in, "bundleProducts", ids);
        }
        json_decref(line);
        json_decref(p);
        if (!in)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        int64_t after = 0;
        /* a port-in: the steps after the porting request wait for the porting date */
        int64_t porting = now_ms;
        const char *when = bss__item_char(item, "portingDate");
        if (when)
            bss_time_parse(when, strlen(when), &porting, NULL);
        /* a downgrade waits for the next bill period */
        int64_t effective = now_ms;
        json_t *pc = json_object_get(item, "planChange");
        if (json_is_object(pc))
            bss_json_get_time(pc, "effectiveDate", NULL, false, &effective, NULL);
        for (size_t k = 0; rc == BSS_OK && k < n; k++) {
            bool later = k > 0 && strcmp(steps[0], "porting.requestPortIn") == 0;
            bool plan = strcmp(steps[k], "pcrf.setPolicy") == 0 || strcmp(steps[k], "charging.createBuckets") == 0 ||
                        strcmp(steps[k], "product.changeOffering") == 0;
            int64_t at = later && porting > now_ms ? porting : now_ms;
            if (plan && strcmp(action, "modify") == 0 && effective > at)
                at = effective;
            rc = insert_task(db, order_id, ++seq, json_string_value(json_object_get(item, "id")), steps[k], after, at,
                             in, ei);
            after = seq;
        }
        json_decref(in);
        if (rc != BSS_OK)
            return rc;
    }
    return BSS_OK;
}

/* ---- the order's state from its tasks ---- */

static bss_err patch_order(bss_db *db, const char *order_id, json_t *set, const bss_principal *who, int64_t now_ms,
                           const char *base_url, bss_errinfo *ei)
{
    bss_doc_ctx ctx = {&bss_product_order_kind, db, now_ms, base_url, who, NULL, "provisioning", false, set};
    json_t *patch = json_object(), *out = NULL;
    bss_err rc = patch ? bss_doc_patch(&ctx, order_id, patch, &out, ei) : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    json_decref(patch);
    json_decref(out);
    return rc;
}

/*
 * Looks at the tasks of every item of the order and moves items and the
 * order on: an item whose tasks are all done is completed; one with a
 * failed task and nothing left to run has failed (or is cancelled, when the
 * order is being cancelled); when every item has ended, so has the order.
 */
bss_err bss__order_advance(bss_db *db, const char *order_id, int64_t now_ms, const char *base_url, bss_errinfo *ei)
{
    json_t *order = NULL;
    bss_err rc = bss_doc_load(db, &bss_product_order_kind, order_id, &order, NULL, ei);
    if (rc != BSS_OK)
        return rc;
    const char *state = json_string_value(json_object_get(order, "state"));
    if (bss_order_is_final(state)) {
        json_decref(order);
        return BSS_OK;
    }
    bool cancelling = strcmp(state, "pendingCancellation") == 0;
    json_t *items = json_deep_copy(json_object_get(order, "productOrderItem"));
    size_t i, ended = 0, completed = 0, failed = 0, cancelled = 0;
    json_t *item;
    bool changed = false;
    json_array_foreach(items, i, item)
    {
        bss__item_tasks t;
        rc = bss__store_item_tasks(db, order_id, json_string_value(json_object_get(item, "id")), &t, ei);
        if (rc != BSS_OK)
            break;
        const char *was = json_string_value(json_object_get(item, "state"));
        const char *now = was;
        if (t.open == 0 && t.failed == 0 && !cancelling)
            now = "completed";
        else if (t.open == 0 && (t.failed > 0 || cancelling))
            now = cancelling && t.failed == 0 ? "cancelled" : "failed";
        if (!was || strcmp(was, now) != 0) {
            json_object_set_new(item, "state", json_string(now));
            changed = true;
        }
        if (strcmp(now, "completed") == 0)
            completed++, ended++;
        else if (strcmp(now, "failed") == 0)
            failed++, ended++;
        else if (strcmp(now, "cancelled") == 0)
            cancelled++, ended++;
    }
    json_t *set = json_object();
    if (rc == BSS_OK && changed)
        json_object_set(set, "productOrderItem", items);
    if (rc == BSS_OK && ended == json_array_size(items)) {
        const char *to = cancelling ? "cancelled" : failed == 0 ? "completed" : completed == 0 ? "failed" : "partial";
        char reason[200];
        snprintf(reason, sizeof reason, "%zu of %zu items completed%s", completed, json_array_size(items),
                 failed ? "; see the failed items' tasks" : "");
        json_object_set(set, "stateChange", json_object_get(order, "stateChange"));
        json_object_set(set, "state", json_object_get(order, "state"));
        rc = bss__order_set_state(set, to, cancelling ? "cancelled on request" : reason, NULL, now_ms, ei);
        (void)cancelled;
        changed = true;
    }
    if (rc == BSS_OK && changed)
        rc = patch_order(db, order_id, set, NULL, now_ms, base_url, ei);
    json_decref(set);
    json_decref(items);
    json_decref(order);
    return rc;
}

/* ---- local steps ---- */

static bss_err product_patch(bss_db *db, const char *id, json_t *patch, int64_t now_ms, const char *base_url,
                             bss_errinfo *ei)
{
    bss_doc_ctx ctx = {&bss_product_kind, db, now_ms, base_url, NULL, NULL, "provisioning", false, NULL};
    json_t *out = NULL;
    bss_err rc = bss_doc_patch(&ctx, id, patch, &out, ei);
    json_decref(out);
    json_decref(patch);
    return rc;
}

static bss_err run_local(bss_db *db, const bss__task *t, const json_t *in, int64_t now_ms, const bss_order_cfg *cfg,
                         bss_errinfo *ei)
{
    const char *pid = json_string_value(json_object_get(in, "productId"));
    const char *holder = json_string_value(json_object_get(in, "holder"));
    bss_inv_actor by = {.now_ms = now_ms};
    bss_err rc = BSS_OK;
    if (strcmp(t->type, "product.activate") == 0) {
        const char *line_pid = json_string_value(json_object_get(in, "lineProductId"));
        static const char *const ids[] = {"MSISDN", "ICCID"};
        for (int k = 0; rc == BSS_OK && k < 2; k++) {
            const char *v = json_string_value(json_object_get(in, ids[k]));
            if (v) {
                json_t *cur = NULL;
                /* idempotent: a resource already active for this product is done */
                if (bss_inv_get(db, now_ms, NULL, v, &cur, NULL) == BSS_OK &&
                    strcmp(json_string_value(json_object_get(cur, "resourceStatus")), "active") == 0) {
                    json_decref(cur);
                    continue;
                }
                json_decref(cur);
                rc = bss_inv_activate(db, &by, v, holder, line_pid ? line_pid : pid, ei);
            }
        }
        size_t bk;
        json_t *kid;
        json_array_foreach(json_object_get(in, "bundleProducts"), bk, kid)
        {
            if (rc == BSS_OK)
                rc = product_patch(db, json_string_value(kid), json_pack("{s:s}", "status", "active"), now_ms, cfg->base_url,
                                   ei);
        }
        json_t *patch = json_pack("{s:s}", "status", "active");
        json_t *smdp = NULL, *p = NULL;
        if (rc == BSS_OK)
            rc = bss__store_item_result(db, t->order_id, t->item_id, "smdp.downloadOrder", &smdp, ei);
        const char *code = json_string_value(json_object_get(smdp, "activationCode"));
        if (rc == BSS_OK && code && pid && bss_doc_load(db, &bss_product_kind, pid, &p, NULL, ei) == BSS_OK) {
            /* the eSIM's activation code goes with the product, for the customer's QR code */
            json_t *chars = json_deep_copy(json_object_get(p, "productCharacteristic"));
            if (!json_is_array(chars)) {
                json_decref(chars);
                chars = json_array();
            }
            json_array_append_new(chars, json_pack("{s:s, s:s}", "name", "activationCode", "value", code));
            json_object_set_new(patch, "productCharacteristic", chars);
        }
        json_decref(smdp);
        json_decref(p);
        if (rc == BSS_OK && pid)
            rc = product_patch(db, pid, patch, now_ms, cfg->base_url, ei);
        else
            json_decref(patch);
    } else if (strcmp(t->type, "product.terminate") == 0 || strcmp(t->type, "product.portOut") == 0) {
        bool out = strcmp(t->type, "product.portOut") == 0;
        json_t *p = NULL;
        const char *line_pid = json_string_value(json_object_get(in, "lineProductId"));
        rc = bss_doc_load(db, &bss_product_kind, line_pid ? line_pid : pid, &p, NULL, ei);
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(p, "productCharacteristic"), i, c)
        {
            const char *n = json_string_value(json_object_get(c, "name"));
            const char *v = json_string_value(json_object_get(c, "value"));
            if (rc == BSS_OK && n && v && (strcmp(n, "MSISDN") == 0 || strcmp(n, "ICCID") == 0)) {
                bss_err r = out && strcmp(n, "MSISDN") == 0
                                ? bss_inv_port_out(db, &by, v, json_string_value(json_object_get(in, "recipientOperator")), ei)
                                : bss_inv_retire(db, &by, v, cfg->quarantine_days, "product terminated", ei);
                if (r != BSS_OK && r != BSS_E_STATE && r != BSS_E_NOT_FOUND)
                    rc = r;
            }
        }
        json_decref(p);
        size_t bk;
        json_t *kid;
        json_array_foreach(json_object_get(in, "bundleProducts"), bk, kid)
        {
            if (rc == BSS_OK)
                rc = product_patch(db, json_string_value(kid), json_pack("{s:s}", "status", "terminated"), now_ms,
                                   cfg->base_url, ei);
        }
        if (rc == BSS_OK)
            rc = product_patch(db, pid, json_pack("{s:s}", "status", "terminated"), now_ms, cfg->base_url, ei);
    } else if (strcmp(t->type, "product.swapSim") == 0 || strcmp(t->type, "product.changeNumber") == 0) {
        bool swap = strcmp(t->type, "product.swapSim") == 0;
        const char *now_id = json_string_value(json_object_get(in, swap ? "ICCID" : "MSISDN"));
        const char *old_id = json_string_value(json_object_get(in, swap ? "previousICCID" : "previousMSISDN"));
        json_t *cur = NULL;
        if (now_id && bss_inv_get(db, now_ms, NULL, now_id, &cur, NULL) == BSS_OK &&
            strcmp(json_string_value(json_object_get(cur, "resourceStatus")), "active") != 0)
            rc = bss_inv_activate(db, &by, now_id, holder, pid, ei);
        json_decref(cur);
        if (rc == BSS_OK && old_id) {
            bss_err r = bss_inv_retire(db, &by, old_id, cfg->quarantine_days, swap ? "SIM swap" : "number change", ei);
            if (r != BSS_OK && r != BSS_E_STATE)
                rc = r;
        }
        json_t *p = NULL;
        if (rc == BSS_OK)
            rc = bss_doc_load(db, &bss_product_kind, pid, &p, NULL, ei);
        if (rc == BSS_OK) {
            /* the product's characteristics: the new card (and its IMSI, an eSIM's new code) or the new number */
            json_t *chars = json_array(), *smdp = NULL;
            if (swap)
                bss__store_item_result(db, t->order_id, t->item_id, "smdp.downloadOrder", &smdp, NULL);
            size_t i;
            json_t *c;
            json_array_foreach(json_object_get(p, "productCharacteristic"), i, c)
            {
                const char *n = json_string_value(json_object_get(c, "name")) ?: "";
                bool replaced = swap ? (strcmp(n, "ICCID") == 0 || strcmp(n, "IMSI") == 0 || strcmp(n, "simType") == 0 ||
                                        strcmp(n, "activationCode") == 0)
                                     : strcmp(n, "MSISDN") == 0;
                if (!replaced)
                    json_array_append(chars, c);
            }
            static const char *const swap_names[] = {"ICCID", "IMSI", "simType"};
            for (size_t k = 0; k < (swap ? 3 : 1); k++) {
                const char *name = swap ? swap_names[k] : "MSISDN";
                const char *v = json_string_value(json_object_get(in, name));
                if (v)
                    json_array_append_new(chars, json_pack("{s:s, s:s}", "name", name, "value", v));
            }
            const char *code = json_string_value(json_object_get(smdp, "activationCode"));
            if (code)
                json_array_append_new(chars, json_pack("{s:s, s:s}", "name", "activationCode", "value", code));
            json_decref(smdp);
            rc = product_patch(db, pid, json_pack("{s:o}", "productCharacteristic", chars), now_ms, cfg->base_url, ei);
        }
        json_decref(p);
    } else if (strcmp(t->type, "product.setStatus") == 0) {
        const char *st = json_string_value(json_object_get(in, "status"));
        const char *why = json_string_value(json_object_get(in, "statusReason"));
        json_t *patch = json_pack("{s:s}", "status", st);
        json_object_set_new(patch, "statusReason", why && strcmp(st, "suspended") == 0 ? json_string(why) : json_null());
        /* a lost or stolen SIM is marked so in the inventory: it must never come back into service */
        const char *iccid = json_string_value(json_object_get(in, "ICCID"));
        if (why && iccid && (strcmp(why, "lostSim") == 0 || strcmp(why, "stolenSim") == 0)) {
            json_t *out = NULL;
            bss_err r = bss_inv_set_status(db, &by, NULL, iccid, strcmp(why, "lostSim") == 0 ? "lost" : "stolen",
                                           "reported by the customer; the line is suspended", &out, ei);
            json_decref(out);
            if (r != BSS_OK && r != BSS_E_STATE)
                rc = r;
        }
        if (rc == BSS_OK)
            rc = product_patch(db, pid, patch, now_ms, cfg->base_url, ei);
        else
            json_decref(patch);
    } else if (strcmp(t->type, "product.changeOffering") == 0) {
        /* the new plan: its current version and prices (productPrice taken from the offering again) */
        json_t *patch = json_pack("{s:{s:s}, s:n}", "productOffering", "id", json_string_value(json_object_get(in, "offeringId")),
                                  "productPrice");
        /* what billing prorates from: which plan, to which, from when */
        if (patch && json_is_object(json_object_get(in, "planChange")))
            json_object_set(patch, "lastPlanChange", json_object_get(in, "planChange"));
        rc = product_patch(db, pid, patch, now_ms, cfg->base_url, ei);
    } else if (strcmp(t->type, "undo:item") == 0) {
        int64_t n = 0;
        rc = bss_inv_release(db, &by, holder, "the order item failed or was cancelled", &n, ei);
        json_t *all = json_array();
        if (pid)
            json_array_append_new(all, json_string(pid));
        size_t bk;
        json_t *kid;
        json_array_foreach(json_object_get(in, "bundleProducts"), bk, kid) json_array_append(all, kid);
        json_array_foreach(all, bk, kid)
        {
            json_t *p = NULL;
            const char *id = json_string_value(kid);
            if (rc == BSS_OK && bss_doc_load(db, &bss_product_kind, id, &p, NULL, NULL) == BSS_OK) {
                const char *st = json_string_value(json_object_get(p, "status"));
                if (st && (strcmp(st, "created") == 0 || strcmp(st, "pendingActive") == 0))
                    rc = product_patch(db, id, json_pack("{s:s}", "status", "aborted"), now_ms, cfg->base_url, ei);
            }
            json_decref(p);
        }
        json_decref(all);
    }
    return rc;
}

/* ---- compensation ---- */

/*
 * The item's last try failed (or the order is being cancelled): skip what
 * has not run, undo what has, in reverse, then return its resources.
 */
static bss_err compensate_item(bss_db *db, const char *order_id, const char *item_id, int64_t now_ms, bss_errinfo *ei)
{
    bss__task done[16];
    size_t n = 0;
    json_t *input = NULL;
    bss_err rc = bss__store_item_done(db, order_id, item_id, done, 16, &n, &input, ei);
    if (rc == BSS_OK)
        rc = bss__store_item_skip(db, order_id, item_id, now_ms, ei);
    int64_t seq = 0;
    if (rc == BSS_OK)
        rc = bss__store_task_max_seq(db, order_id, &seq, ei);
    int64_t after = 0;
    for (size_t k = n; rc == BSS_OK && k-- > 0;) {
        if (is_local(done[k].type))
            continue;
        char type[64];
        snprintf(type, sizeof type, "undo:%s", done[k].type);
        rc = insert_task(db, order_id, ++seq, item_id, type, after, now_ms, input, ei);
        after = seq;
    }
    if (rc == BSS_OK && input)
        rc = insert_task(db, order_id, ++seq, item_id, "undo:item", after, now_ms, input, ei);
    json_decref(input);
    return rc;
}

/* ---- the runner ---- */

struct bss_order_runner {
    bss_app *app;
    bss_order_cfg cfg;
    bss_prov_adapter adapter;
    bss_prov_adapter porting; /* porting.* steps */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, kicked, started;
    _Atomic int64_t done, failed, retried, overdue;
    int64_t overdue_at; /* monotonic ms of the last count */
};

typedef struct claim_job {
    bss_order_runner *r;
    int64_t now_ms;
    bss__task tasks[8];
    size_t n;
} claim_job;

static bss_err claim_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    claim_job *c = arg;
    for (size_t i = 0; i < c->n; i++)
        bss_free(c->tasks[i].input);
    c->n = 0;
    return bss__store_tasks_claim(db, c->now_ms, c->now_ms + c->r->cfg.lease_ms, c->tasks, 8, &c->n, ei);
}

typedef struct finish_job {
    bss_order_runner *r;
    const bss__task *t;
    int64_t now_ms;
    bss_err outcome;
    const char *error;
    json_t *result;
} finish_job;

/* Whether the order is being cancelled (its running steps are undone when they end). */
static bool order_cancelling(bss_db *db, const char *order_id)
{
    json_t *o = NULL;
    bool yes = bss_doc_load(db, &bss_product_order_kind, order_id, &o, NULL, NULL) == BSS_OK &&
               strcmp(json_string_value(json_object_get(o, "state")) ?: "", "pendingCancellation") == 0;
    json_decref(o);
    return yes;
}

static bss_err finish_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    finish_job *f = arg;
    const bss__task *t = f->t;
    bss_err rc = BSS_OK;
    bss_errinfo lei;
    bss_errinfo_clear(&lei);
    bss_err outcome = f->outcome;
    const char *error = f->error;
    if (outcome == BSS_OK && is_local(t->type)) {
        json_error_t jerr;
        json_t *in = json_loads(t->input, 0, &jerr);
        rc = bss_db_savepoint(db, "local_step", ei);
        if (rc == BSS_OK) {
            const bss_order_local_step *ms = module_step(t->type);
            if (!in) {
                outcome = BSS_E_INTERNAL;
            } else if (ms) {
                bss_catalog_holder *h = f->r->app->catalog;
                const bss_catalog *cat = h ? bss_catalog_acquire(h) : NULL;
                outcome = ms->run(db, cat, t->type, in, f->now_ms, &lei);
                if (cat)
                    bss_catalog_release(h, cat);
            } else {
                outcome = run_local(db, t, in, f->now_ms, &f->r->cfg, &lei);
            }
            if (outcome != BSS_OK) {
                error = lei.message[0] ? lei.message : "the step failed";
                rc = bss_db_rollback_to(db, "local_step", ei);
            }
            if (rc == BSS_OK)
                rc = bss_db_release(db, "local_step", ei);
        }
        json_decref(in);
        if (rc != BSS_OK)
            return rc;
    }
    bool undo = strncmp(t->type, "undo:", 5) == 0;
    bool cancelling = !undo && order_cancelling(db, t->order_id);
    if (outcome == BSS_PROV_ACCEPTED) { /* the network works on it: its outcome comes by callback or poll */
        char *res = f->result ? json_dumps(f->result, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        rc = bss__store_task_wait(db, t->order_id, t->seq, f->now_ms + f->r->cfg.wait_ms, res, ei);
        bss_free(res);
        return rc;
    }
    if (outcome == BSS_OK) {
        char *res = f->result ? json_dumps(f->result, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        rc = bss__store_task_done(db, t->order_id, t->seq, f->now_ms, res, ei);
        bss_free(res);
        if (rc == BSS_OK && cancelling) /* the step ended after the order was cancelled: undo the item now */
            rc = compensate_item(db, t->order_id, t->item_id, f->now_ms, ei);
    } else if (t->attempts < f->r->cfg.attempts && !cancelling) {
        int64_t pause = f->r->cfg.retry_ms << (t->attempts - 1 < 10 ? t->attempts - 1 : 10);
        rc = bss__store_task_retry(db, t->order_id, t->seq, f->now_ms + pause, error, ei);
        if (rc == BSS_OK)
            atomic_fetch_add(&f->r->retried, 1);
        return rc;
    } else {
        rc = bss__store_task_failed(db, t->order_id, t->seq, f->now_ms, error, ei);
        if (rc == BSS_OK && !undo)
            rc = compensate_item(db, t->order_id, t->item_id, f->now_ms, ei);
        if (rc == BSS_OK)
            bss_log(BSS_LOG_WARN, undo ? "order.compensation_failed" : "order.task_failed", "order", t->order_id,
                    "item", t->item_id, "task", t->type, "error", error, NULL);
    }
    if (rc == BSS_OK)
        rc = bss__order_advance(db, t->order_id, f->now_ms, f->r->cfg.base_url, ei);
    return rc;
}

static void run_task(bss_order_runner *r, const bss__task *t)
{
    finish_job f = {.r = r, .t = t, .outcome = BSS_OK};
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    if (!is_local(t->type)) {
        json_error_t jerr;
        json_t *in = json_loads(t->input, 0, &jerr);
        bss_prov_task pt = {.order_id = t->order_id, .seq = t->seq, .type = t->type, .input = in, .attempt = t->attempts,
                            .poll = t->poll};
        const bss_prov_adapter *a = strncmp(t->type, "porting.", 8) == 0 ||
                                            strncmp(t->type, "undo:porting.", 13) == 0
                                        ? &r->porting
                                        : &r->adapter;
        f.outcome = in ? a->run(a->ctx, &pt, &f.result, &ei) : BSS_E_INTERNAL;
        if (f.outcome != BSS_OK && f.outcome != BSS_PROV_ACCEPTED)
            f.error = ei.message[0] ? ei.message : bss_strerror(f.outcome);
        json_decref(in);
    }
    f.now_ms = bss_clock_now(&r->app->clock);
    bss_errinfo wei;
    bss_err rc = bss_writer_run(r->app->writer, finish_run, &f, &wei);
    if (rc != BSS_OK)
        bss_log(BSS_LOG_ERROR, "order.task_record_failed", "order", t->order_id, "task", t->type, "error", wei.message,
                NULL);
    else if (f.outcome == BSS_OK)
        atomic_fetch_add(&r->done, 1);
    else if (f.outcome != BSS_PROV_ACCEPTED)
        atomic_fetch_add(&r->failed, 1);
    json_decref(f.result);
}

static void count_overdue(bss_order_runner *r);

static void *runner_main(void *arg)
{
    bss_order_runner *r = arg;
    claim_job c = {.r = r};
    for (;;) {
        pthread_mutex_lock(&r->mu);
        while (!r->stop && !r->kicked) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            int64_t ns = ts.tv_nsec + (int64_t)r->cfg.poll_ms * 1000000;
            ts.tv_sec += ns / 1000000000;
            ts.tv_nsec = ns % 1000000000;
            if (pthread_cond_timedwait(&r->cv, &r->mu, &ts) != 0)
                break;
        }
        bool stop = r->stop;
        r->kicked = false;
        pthread_mutex_unlock(&r->mu);
        if (stop)
            break;
        count_overdue(r);
        for (;;) { /* claim and run until nothing is due */
            c.now_ms = bss_clock_now(&r->app->clock);
            bss_errinfo ei;
            if (bss_writer_run(r->app->writer, claim_run, &c, &ei) != BSS_OK || c.n == 0)
                break;
            for (size_t i = 0; i < c.n; i++) {
                pthread_mutex_lock(&r->mu);
                stop = r->stop;
                pthread_mutex_unlock(&r->mu);
                if (stop)
                    break;
                run_task(r, &c.tasks[i]);
                count_overdue(r);
            }
            if (stop)
                break;
        }
        if (stop)
            break;
    }
    for (size_t i = 0; i < c.n; i++)
        bss_free(c.tasks[i].input);
    return NULL;
}

typedef struct overdue_job {
    int64_t now_ms, n;
} overdue_job;

static bss_err overdue_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    overdue_job *o = arg;
    return bss__store_overdue(db, o->now_ms, 0, NULL, &o->n, ei);
}

/* Every 5 s: how many open orders are past their SLA (for /metrics). */
static void count_overdue(bss_order_runner *r)
{
    int64_t mono = bss_monotonic_ms();
    if (r->overdue_at && mono - r->overdue_at < 5000)
        return;
    r->overdue_at = mono;
    overdue_job o = {.now_ms = bss_clock_now(&r->app->clock)};
    bss_errinfo ei;
    if (bss_writer_run(r->app->writer, overdue_run, &o, &ei) == BSS_OK)
        atomic_store(&r->overdue, o.n);
}

int64_t bss_order_runner_overdue(bss_order_runner *r)
{
    return r ? atomic_load(&r->overdue) : 0;
}

bss_err bss_order_overdue(bss_db *db, int64_t now_ms, int64_t limit, json_t **out, int64_t *total, bss_errinfo *ei)
{
    if (limit < 1 || limit > 1000)
        return bss_fail(ei, BSS_E_INVALID, "limit", "limit must be 1..1000");
    json_t *docs = json_array(), *list = json_array();
    bss_err rc = docs && list ? bss__store_overdue(db, now_ms, limit, docs, total, ei)
                              : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        int64_t expected = 0;
        bss_json_get_time(d, "expectedCompletionDate", NULL, false, &expected, NULL);
        json_t *e = json_object();
        static const char *const keep[] = {"id", "href", "category", "state", "orderDate", "expectedCompletionDate",
                                           "relatedParty", "billingAccount", "externalId"};
        for (size_t k = 0; e && k < sizeof keep / sizeof keep[0]; k++)
            if (json_object_get(d, keep[k]))
                json_object_set(e, keep[k], json_object_get(d, keep[k]));
        if (e)
            json_object_set_new(e, "overdueMinutes", json_integer((now_ms - expected) / 60000));
        if (e)
            json_array_append_new(list, e);
    }
    json_decref(docs);
    if (rc != BSS_OK) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return BSS_OK;
}

static bss_err resume_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    int64_t *n = arg;
    return bss__store_tasks_resume(db, n, ei);
}

bss_err bss_order_runner_start(bss_app *app, const bss_order_cfg *cfg, const bss_prov_adapter *adapter,
                               const bss_prov_adapter *porting, bss_order_runner **out, bss_errinfo *ei)
{
    bss_order_runner *r = bss_calloc(1, sizeof *r);
    if (!r)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    r->app = app;
    r->cfg = *cfg;
    r->adapter = *adapter;
    r->porting = porting ? *porting : *adapter;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    int64_t resumed = 0;
    bss_err rc = bss_writer_run(app->writer, resume_run, &resumed, ei);
    if (rc == BSS_OK && resumed > 0) {
        char n[24];
        snprintf(n, sizeof n, "%lld", (long long)resumed);
        bss_log(BSS_LOG_INFO, "order.resumed", "tasks", n, "message",
                "provisioning tasks left running by the last server run again", NULL);
    }
    if (rc == BSS_OK && pthread_create(&r->thread, NULL, runner_main, r) != 0)
        rc = bss_fail(ei, BSS_E_INTERNAL, NULL, "cannot start the order runner");
    if (rc != BSS_OK) {
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        bss_free(r);
        return rc;
    }
    r->started = true;
    *out = r;
    return BSS_OK;
}

void bss_order_runner_kick(bss_order_runner *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->kicked = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

void bss_order_runner_stop(bss_order_runner *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    if (r->started)
        pthread_join(r->thread, NULL);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    bss_free(r);
}

void bss_order_runner_stats(bss_order_runner *r, int64_t *done, int64_t *failed, int64_t *retried)
{
    *done = r ? atomic_load(&r->done) : 0;
    *failed = r ? atomic_load(&r->failed) : 0;
    *retried = r ? atomic_load(&r->retried) : 0;
}

/* ---- outcomes the network reports ---- */

bss_err bss_order_task_report(bss_order_runner *r, bss_db *db, const char *order_id, int64_t seq, const json_t *body,
                              int64_t now_ms, bss_errinfo *ei)
{
    if (!r)
        return bss_fail(ei, BSS_E_UNSUPPORTED, NULL, "the order runner is not running");
    const char *status = json_string_value(json_object_get(body, "status"));
    if (!status || (strcmp(status, "done") != 0 && strcmp(status, "failed") != 0))
        return bss_fail(ei, BSS_E_INVALID, "status", "status must be done or failed");
    const json_t *result = json_object_get(body, "result"), *error = json_object_get(body, "error");
    if (result && !json_is_object(result))
        return bss_fail(ei, BSS_E_INVALID, "result", "result must be an object");
    if (error && !json_is_string(error))
        return bss_fail(ei, BSS_E_INVALID, "error", "error must be a string");
    bss__task t;
    char state[16];
    bool found = false;
    bss_err rc = bss__store_task_get(db, order_id, seq, &t, state, sizeof state, &found, ei);
    if (rc != BSS_OK)
        return rc;
    if (!found)
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "no task %lld of order %.64s", (long long)seq, order_id);
    if (strcmp(state, "waiting") != 0 && strcmp(state, "running") != 0) {
        bss_free(t.input);
        return bss_fail(ei, BSS_E_STATE, "status", "task %lld of order %.64s is %s, not waiting for an outcome",
                        (long long)seq, order_id, state);
    }
    finish_job f = {.r = r, .t = &t, .now_ms = now_ms, .outcome = strcmp(status, "done") == 0 ? BSS_OK : BSS_E_UNPROCESSABLE};
    char why[300];
    if (f.outcome != BSS_OK) {
        snprintf(why, sizeof why, "%s: the MVNE reported a failure: %.200s", t.type,
                 json_string_value(error) ?: "no reason given");
        f.error = why;
    }
    f.result = result ? json_incref((json_t *)result) : NULL;
    rc = finish_run(db, &f, ei);
    json_decref(f.result);
    bss_free(t.input);
    return rc;
}

/* ---- cancellation ---- */

bss_err bss_order_cancel(bss_db *db, const bss_order_env *env, const json_t *body, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    const char *oid = json_string_value(json_object_get(json_object_get(body, "productOrder"), "id"));
    if (!oid)
        return bss_fail(ei, BSS_E_INVALID, "productOrder.id", "productOrder.id is required: the order to cancel");
    const json_t *reason = json_object_get(body, "cancellationReason");
    if (reason && !json_is_string(reason))
        return bss_fail(ei, BSS_E_INVALID, "cancellationReason", "cancellationReason must be a string");
    json_t *order = NULL;
    bss_err rc = bss_doc_load(db, &bss_product_order_kind, oid, &order, NULL, ei);
    if (rc == BSS_E_NOT_FOUND)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "productOrder.id", "productOrder.id: no productOrder with id %.64s", oid);
    if (rc != BSS_OK)
        return rc;
    const char *state = json_string_value(json_object_get(order, "state"));
    char st[32];
    snprintf(st, sizeof st, "%s", state ? state : "");
    size_t i;
    json_t *item;
    size_t completed = 0;
    int64_t running = 0;
    json_array_foreach(json_object_get(order, "productOrderItem"), i, item)
    {
        const char *s = json_string_value(json_object_get(item, "state"));
        completed += s && strcmp(s, "completed") == 0;
        bss__item_tasks t;
        if (rc == BSS_OK)
            rc = bss__store_item_tasks(db, oid, json_string_value(json_object_get(item, "id")), &t, ei);
        running += rc == BSS_OK ? t.running : 0;
    }
    if (rc != BSS_OK) {
        json_decref(order);
        return rc;
    }
    if (bss_order_is_final(st)) {
        json_decref(order);
        return bss_fail(ei, BSS_E_STATE, "productOrder.id",
                        "order %.64s is %s: a %s order cannot be cancelled%s", oid, st, st,
                        strcmp(st, "completed") == 0 ? " (order a termination of its products instead)" : "");
    }
    (void)running;
    json_t *set = json_pack("{s:O, s:s}", "stateChange", json_object_get(order, "stateChange") ?: json_array(), "state", st);
    const char *why = json_string_value(reason) ?: "cancelled on request";
    if (completed > 0) {
        rc = bss__order_set_state(set, "assessingCancellation", why, env->who, env->now_ms, ei);
        if (rc == BSS_OK)
            rc = bss__order_set_state(set, "inProgress", "refused: some items are already completed", NULL, env->now_ms, ei);
        if (rc == BSS_OK)
            rc = patch_order(db, oid, set, env->who, env->now_ms, env->base_url, ei);
        json_decref(set);
        json_decref(order);
        return rc == BSS_OK ? bss_fail(ei, BSS_E_STATE, "productOrder.id",
                                       "order %.64s has %zu completed items; it cannot be cancelled (order a termination "
                                       "of their products instead)",
                                       oid, completed)
                            : rc;
    }
    if (strcmp(st, "held") != 0) {
        if (strcmp(st, "inProgress") != 0 && (rc = bss__order_set_state(set, "inProgress", NULL, NULL, env->now_ms, ei)) != BSS_OK) {
            json_decref(set);
            json_decref(order);
            return rc;
        }
        rc = bss__order_set_state(set, "assessingCancellation", why, env->who, env->now_ms, ei);
        if (rc == BSS_OK)
            rc = bss__order_set_state(set, "pendingCancellation", "no item completed: undoing what was done", NULL,
                                      env->now_ms, ei);
    } else {
        rc = bss__order_set_state(set, "cancelled", why, env->who, env->now_ms, ei);
    }
    if (rc == BSS_OK)
        rc = patch_order(db, oid, set, env->who, env->now_ms, env->base_url, ei);
    json_array_foreach(json_object_get(order, "productOrderItem"), i, item)
    {
        /* an item with a step running on the network is undone when that step ends (finish_run) */
        const char *iid = json_string_value(json_object_get(item, "id"));
        bss__item_tasks t;
        if (rc == BSS_OK)
            rc = bss__store_item_tasks(db, oid, iid, &t, ei);
        if (rc == BSS_OK)
            rc = t.running > 0 ? bss__store_item_skip(db, oid, iid, env->now_ms, ei)
                               : compensate_item(db, oid, iid, env->now_ms, ei);
    }
    if (rc == BSS_OK)
        rc = bss__order_advance(db, oid, env->now_ms, env->base_url, ei);
    json_decref(set);
    json_decref(order);
    if (rc != BSS_OK)
        return rc;
    json_t *req = json_deep_copy(body);
    json_t *cset = json_pack("{s:s}", "state", "done");
    bss_json_set_time(cset, "effectiveCancellationDate", env->now_ms);
    char id[BSS_ID_LEN + 1];
    bss_id_new(env->now_ms, id);
    bss_doc_ctx ctx = {&bss_cancel_order_kind, db, env->now_ms, env->base_url, env->who, NULL, NULL, false, cset};
    rc = req && cset ? bss_doc_create(&ctx, id, req, out, ei) : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    json_decref(req);
    json_decref(cset);
    return rc;
}
