/*
 * view.c: what a care agent opens when a subscriber calls
 * (bss_care_view_build, customer.h; docs/customer.md), served as
 * GET /api/v1/customers/{id}/view by src/api/care.c:
 *
 *   {customer, party, accounts, subscriptions, balances, usage, lastBills,
 *    openOrders, openTickets, lastInteractions, consents}
 *
 * It reads on the caller's connection (an event loop's), through
 * customer_store.c and db/resource.h. Only the customer itself is required
 * (404 without it); each other part is empty when it has no data, when its
 * table does not exist yet (products, bills, orders and balances arrive
 * with later modules: a cheap catalog lookup decides) or when its read
 * fails (logged).
 */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

#define VIEW_ACCOUNTS_MAX 100
#define VIEW_TICKETS_MAX 50

static void part_failed(const char *part, const bss_errinfo *ei)
{
    bss_log(BSS_LOG_WARN, "care.view.part_failed", "part", part, "error", ei ? ei->message : "", NULL);
}

/*
 * What the accounts hold in a table of a later module (products, orders):
 * rows of table whose account_id is one of the accounts, through read; the
 * part stays empty while the table does not exist.
 */
typedef bss_err (*account_rows_fn)(bss_db *db, const char *account_id, int64_t limit, json_t *arr, bss_errinfo *ei);

static void add_account_rows(bss_db *db, const char *table, const char *part, account_rows_fn read, int64_t limit,
                             const json_t *accounts, json_t *out)
{
    if (!bss__store_table_exists(db, table))
        return;
    size_t i;
    json_t *a;
    json_array_foreach(accounts, i, a)
    {
        bss_errinfo ei = {0};
        const char *id = json_string_value(json_object_get(a, "id"));
        if (id && read(db, id, limit, out, &ei) != BSS_OK) {
            part_failed(part, &ei);
            return;
        }
    }
}

/* The ids whose care records belong to this customer: it, its party, its accounts. */
static size_t subject_ids(const json_t *view, const char *customer_id, const char **ids, size_t cap)
{
    size_t n = 0;
    ids[n++] = customer_id;
    const char *pid = json_string_value(json_object_get(json_object_get(view, "party"), "id"));
    if (pid)
        ids[n++] = pid;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(view, "accounts"), i, a)
    {
        const char *id = json_string_value(json_object_get(a, "id"));
        if (id && n < cap)
            ids[n++] = id;
    }
    return n;
}

typedef struct collect {
    char (*ids)[64];
    int64_t *ms;
    size_t n, cap;
} collect;

static bss_err collect_one(const char *id, int64_t ms, void *arg)
{
    collect *c = arg;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->ids[i], id) == 0)
            return BSS_OK;
    if (c->n == c->cap || strlen(id) >= 64)
        return BSS_OK;
    snprintf(c->ids[c->n], 64, "%s", id);
    c->ms[c->n++] = ms;
    return BSS_OK;
}

/* The newest care records of kind naming any subject id; open_only keeps tickets not yet resolved. */
static void add_records(bss_db *db, const char *kind, const bss_doc_kind *doc_kind,
                        const char *const *subjects, size_t ns, size_t limit, bool open_only, json_t *out)
{
    collect c = {.cap = limit * 4};
    c.ids = bss_calloc(c.cap, sizeof *c.ids);
    c.ms = bss_calloc(c.cap, sizeof *c.ms);
    bss_errinfo ei = {0};
    if (!c.ids || !c.ms)
        goto done;
    for (size_t s = 0; s < ns; s++)
        if (bss__store_care_refs_find(db, kind, subjects[s], (int64_t)limit * 2, collect_one, &c, &ei) !=
            BSS_OK) {
            part_failed(kind, &ei);
            goto done;
        }
    for (size_t taken = 0; taken < c.n && json_array_size(out) < limit; taken++) {
        size_t best = taken; /* selection by time, newest first (n is small) */
        for (size_t j = taken + 1; j < c.n; j++)
            if (c.ms[j] > c.ms[best] || (c.ms[j] == c.ms[best] && strcmp(c.ids[j], c.ids[best]) > 0))
                best = j;
        char tid[64];
        int64_t tms = c.ms[taken];
        memcpy(tid, c.ids[taken], 64);
        memcpy(c.ids[taken], c.ids[best], 64);
        memcpy(c.ids[best], tid, 64);
        c.ms[taken] = c.ms[best];
        c.ms[best] = tms;
        json_t *doc = NULL;
        if (bss_doc_load(db, doc_kind, c.ids[taken], &doc, NULL, NULL) != BSS_OK)
            continue;
        const char *st = json_string_value(json_object_get(doc, "status"));
        if (open_only && st && (strcmp(st, "resolved") == 0 || strcmp(st, "closed") == 0))
            json_decref(doc);
        else
            json_array_append_new(out, doc);
    }
done:
    bss_free(c.ids);
    bss_free(c.ms);
}

static json_t *load_party(bss_db *db, const json_t *customer)
{
    const char *pid = json_string_value(json_object_get(json_object_get(customer, "engagedParty"), "id"));
    json_t *p = NULL;
    if (pid && bss_doc_load(db, &bss_individual_kind, pid, &p, NULL, NULL) != BSS_OK)
        (void)bss_doc_load(db, &bss_organization_kind, pid, &p, NULL, NULL);
    return p ? p : json_null();
}

bss_err bss_care_view_build(bss_db *db, const char *customer_id, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    json_t *customer = NULL;
    if (bss_doc_load(db, &bss_customer_kind, customer_id, &customer, NULL, NULL) != BSS_OK)
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "no customer with id %.64s", customer_id);
    json_t *v = json_pack("{s:o, s:o, s:[], s:[], s:[], s:[], s:[], s:[], s:[], s:[]}", "customer", customer,
                          "party", load_party(db, customer), "accounts", "subscriptions", "balances", "usage",
                          "lastBills", "openOrders", "openTickets", "lastInteractions");
    if (!v)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    json_t *accounts = json_object_get(v, "accounts");
    bss_errinfo pei = {0};
    if (bss__store_table_exists(db, "tmf666_billing_account") &&
        bss__store_customer_accounts(db, customer_id, VIEW_ACCOUNTS_MAX, accounts, &pei) != BSS_OK)
        part_failed("accounts", &pei);
    add_account_rows(db, "product", "subscriptions", bss__store_account_products, 1000, accounts,
                     json_object_get(v, "subscriptions"));
    add_account_rows(db, "tmf622_product_order", "openOrders", bss__store_account_open_orders, 100, accounts,
                     json_object_get(v, "openOrders"));
    /* the lines' buckets and wallets (the charging module's table); lastBills (BSS_VIEW_BILLS) by billing */
    add_account_rows(db, "bucket", "balances", bss__store_account_buckets, 200, accounts, json_object_get(v, "balances"));
    /* this period's usage per line and service, and each one's last usage (running totals, not raw usage) */
    add_account_rows(db, "usage_total", "usage", bss__store_account_usage, 500, accounts, json_object_get(v, "usage"));
    const char *subjects[VIEW_ACCOUNTS_MAX + 2];
    size_t ns = subject_ids(v, customer_id, subjects, sizeof subjects / sizeof subjects[0]);
    add_records(db, "ticket", &bss_ticket_kind, subjects, ns, VIEW_TICKETS_MAX, true,
                json_object_get(v, "openTickets"));
    add_records(db, "interaction", &bss_interaction_kind, subjects, ns, BSS_VIEW_INTERACTIONS, false,
                json_object_get(v, "lastInteractions"));
    /* what the person agreed to be contacted for, now: the agent must know before offering anything */
    const char *pid = json_string_value(json_object_get(json_object_get(v, "party"), "id"));
    json_t *consents = NULL;
    if (pid && bss_consent_list(db, pid, false, &consents, &pei) != BSS_OK)
        part_failed("consents", &pei);
    json_object_set_new(v, "consents", consents ? consents : json_array());
    *out = v;
    return BSS_OK;
}
