/*
 * view.c: what a care agent opens when a subscriber calls, and the search
 * that finds the subscriber (care.h, docs/customer.md):
 *
 *   GET /api/v1/customers/{id}/view -> {customer, party, accounts,
 *       subscriptions, balances, lastBills, openOrders, openTickets,
 *       lastInteractions}
 *   GET /api/v1/search?q=...&limit=20 -> [{customerId, kind, id, display, matched}]
 *
 * The view reads on the loop's connection. Only the customer itself is
 * required (404 without it); each other part is empty when it has no data,
 * when its table does not exist yet (products, bills, orders and balances
 * arrive with later modules: a cheap catalog lookup decides) or when its
 * read fails (logged). Reads of personal data by agent keys are queued to
 * the access audit (audit.h) without waiting. Also here:
 * bss_care_register_routes, the one entry point of customer care.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/http.h"
#include "api/query.h"
#include "api/tmf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/parse.h"
#include "customer/audit.h"
#include "customer/care.h"
#include "customer/interaction.h"
#include "customer/search.h"
#include "customer/ticket.h"

#define VIEW_ACCOUNTS_MAX 100
#define VIEW_TICKETS_MAX 50

/* Runs sql (one text parameter, first column a JSON doc) and appends the parsed docs to arr. */
static bss_err docs_into(bss_db *db, const char *sql, const char *arg, int64_t limit, json_t *arr,
                         bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, sql, BSS_DB_ARGS(BSS_DB_STR(arg), BSS_DB_I64(limit)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        size_t len = 0;
        const char *text = bss_db_col_text(rows, 0, &len);
        json_t *doc = NULL;
        if (text && bss_json_parse(text, len, &doc, NULL) == BSS_OK)
            json_array_append_new(arr, doc);
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc;
}

/* One doc by id from a table that may not exist; NULL if absent. */
static json_t *doc_by_id(bss_db *db, const char *table, const char *sql, const char *id)
{
    if (!id || !bss_care_table_exists(db, table))
        return NULL;
    json_t *arr = json_array();
    json_t *doc = NULL;
    if (arr && docs_into(db, sql, id, 1, arr, NULL) == BSS_OK && json_array_size(arr) > 0)
        doc = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    return doc;
}

static void part_failed(const char *part, const bss_errinfo *ei)
{
    bss_log(BSS_LOG_WARN, "care.view.part_failed", "part", part, "error", ei ? ei->message : "", NULL);
}

/* subscriptions: rows of table product (a later issue) whose account_id is one of the accounts. */
static void add_subscriptions(bss_db *db, const json_t *accounts, json_t *out)
{
    if (!bss_care_table_exists(db, "product"))
        return;
    size_t i;
    json_t *a;
    json_array_foreach(accounts, i, a)
    {
        bss_errinfo ei = {0};
        const char *id = json_string_value(json_object_get(a, "id"));
        if (id && docs_into(db, "SELECT doc FROM product WHERE account_id = ? ORDER BY id LIMIT ?", id, 1000,
                            out, &ei) != BSS_OK) {
            part_failed("subscriptions", &ei);
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
static void add_records(bss_db *db, const char *kind, bss_res_table *table, const char *const *subjects,
                        size_t ns, size_t limit, bool open_only, json_t *out)
{
    collect c = {.cap = limit * 4};
    c.ids = bss_calloc(c.cap, sizeof *c.ids);
    c.ms = bss_calloc(c.cap, sizeof *c.ms);
    bss_errinfo ei = {0};
    if (!c.ids || !c.ms || bss_resource_table_prepare(table) != BSS_OK)
        goto done;
    for (size_t s = 0; s < ns; s++)
        if (bss_care_refs_find(db, kind, subjects[s], (int64_t)limit * 2, collect_one, &c, &ei) != BSS_OK) {
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
        bss_res_doc row;
        json_t *doc = NULL;
        if (bss_resource_get(db, table, c.ids[taken], &row, NULL) != BSS_OK)
            continue;
        if (bss_json_parse(row.doc, row.doc_len, &doc, NULL) == BSS_OK) {
            const char *st = json_string_value(json_object_get(doc, "status"));
            if (open_only && st && (strcmp(st, "resolved") == 0 || strcmp(st, "closed") == 0))
                json_decref(doc);
            else
                json_array_append_new(out, doc);
        }
        bss_resource_doc_free(&row);
    }
done:
    bss_free(c.ids);
    bss_free(c.ms);
}

static json_t *load_party(bss_db *db, const json_t *customer)
{
    const char *pid = json_string_value(json_object_get(json_object_get(customer, "engagedParty"), "id"));
    json_t *p =
        doc_by_id(db, "tmf632_individual", "SELECT doc FROM tmf632_individual WHERE id = ? LIMIT ?", pid);
    if (!p)
        p = doc_by_id(db, "tmf632_organization", "SELECT doc FROM tmf632_organization WHERE id = ? LIMIT ?",
                      pid);
    return p ? p : json_null();
}

bss_err bss_care_view_build(bss_db *db, const char *customer_id, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    json_t *customer =
        doc_by_id(db, "tmf629_customer", "SELECT doc FROM tmf629_customer WHERE id = ? LIMIT ?", customer_id);
    if (!customer)
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "no customer with id %.64s", customer_id);
    json_t *v = json_pack("{s:o, s:o, s:[], s:[], s:[], s:[], s:[], s:[], s:[]}", "customer", customer,
                          "party", load_party(db, customer), "accounts", "subscriptions", "balances",
                          "lastBills", "openOrders", "openTickets", "lastInteractions");
    if (!v)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    json_t *accounts = json_object_get(v, "accounts");
    bss_errinfo pei = {0};
    if (bss_care_table_exists(db, "tmf666_billing_account") &&
        docs_into(db, "SELECT doc FROM tmf666_billing_account WHERE customer_id = ? ORDER BY id LIMIT ?",
                  customer_id, VIEW_ACCOUNTS_MAX, accounts, &pei) != BSS_OK)
        part_failed("accounts", &pei);
    add_subscriptions(db, accounts, json_object_get(v, "subscriptions"));
    /* balances, lastBills (BSS_VIEW_BILLS) and openOrders: filled by charging, billing and ordering. */
    const char *subjects[VIEW_ACCOUNTS_MAX + 2];
    size_t ns = subject_ids(v, customer_id, subjects, sizeof subjects / sizeof subjects[0]);
    add_records(db, "ticket", &bss_ticket_table, subjects, ns, VIEW_TICKETS_MAX, true,
                json_object_get(v, "openTickets"));
    add_records(db, "interaction", &bss_interaction_table, subjects, ns, BSS_VIEW_INTERACTIONS, false,
                json_object_get(v, "lastInteractions"));
    *out = v;
    return BSS_OK;
}

static int h_view(bss_req *r)
{
    const char *id = bss_http_param(r, "id");
    bss_errinfo ei = {0};
    json_t *v = NULL;
    bss_err rc = bss_care_view_build(r->db, id, &v, &ei);
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    char ids[256];
    const char *pid = json_string_value(json_object_get(json_object_get(v, "party"), "id"));
    int n = snprintf(ids, sizeof ids, "%s%s%s", id, pid ? "\n" : "", pid ? pid : "");
    if (n > 0 && (size_t)n < sizeof ids)
        bss_audit_submit(r->app, r->who, "view", "customer", ids, (size_t)n);
    bss_http_send_json(r, 200, v);
    return 0;
}

/* The decoded value of one query parameter into buf; false if absent. */
static bool query_param(const bss_req *r, const char *name, char *buf, size_t cap, bss_errinfo *ei, bool *bad)
{
    size_t nlen = strlen(name);
    const char *p = r->query, *end = r->query ? r->query + r->query_len : NULL;
    while (p && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if ((size_t)(stop - p) > nlen && memcmp(p, name, nlen) == 0 && p[nlen] == '=') {
            const char *val = p + nlen + 1;
            size_t vlen = (size_t)(stop - val), out = 0;
            if (vlen + 1 > cap || bss_query_decode(val, vlen, buf, &out) != BSS_OK) {
                *bad = true;
                bss_fail(ei, BSS_E_INVALID, name, "%s is malformed or longer than %zu bytes", name, cap - 1);
                return false;
            }
            return true;
        }
        p = amp ? amp + 1 : end;
    }
    return false;
}

static int h_search(bss_req *r)
{
    char q[BSS_SEARCH_TERM_MAX], lim[16];
    bss_errinfo ei = {0};
    bool bad = false;
    int limit = 20;
    if (!query_param(r, "q", q, sizeof q, &ei, &bad))
        q[0] = '\0';
    if (!bad && query_param(r, "limit", lim, sizeof lim, &ei, &bad)) {
        int64_t v = 0;
        if (bss_parse_int64(lim, strlen(lim), BSS_NUM_DIGITS, 1, BSS_SEARCH_LIMIT_MAX, &v) != BSS_OK) {
            bss_fail(&ei, BSS_E_INVALID, "limit", "limit must be an integer 1..%d", BSS_SEARCH_LIMIT_MAX);
            bad = true;
        } else {
            limit = (int)v;
        }
    }
    json_t *hits = NULL;
    bss_err rc = bad ? ei.code : bss_search_run(r->db, q, limit, &hits, &ei);
    if (rc != BSS_OK) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    char ids[BSS_SEARCH_LIMIT_MAX * 40];
    size_t len = 0, i;
    json_t *h;
    json_array_foreach(hits, i, h)
    {
        const char *id = json_string_value(json_object_get(h, "id"));
        int n = snprintf(ids + len, sizeof ids - len, "%s%s", len ? "\n" : "", id ? id : "");
        if (n < 0 || (size_t)n >= sizeof ids - len)
            break;
        len += (size_t)n;
    }
    bss_audit_submit(r->app, r->who, "search", "search", ids, len);
    bss_http_send_json(r, 200, hits);
    return 0;
}

#define CARE_READERS (BSS_ROLE_ADMIN | BSS_ROLE_AGENT | BSS_ROLE_BILLING | BSS_ROLE_READONLY)

static const bss_route care_routes[] = {
    {"GET", "/api/v1/customers/{id}/view", h_view, CARE_READERS, "care.view", NULL},
    {"GET", "/api/v1/search", h_search, CARE_READERS, "care.search", NULL},
};

bss_err bss_care_register_routes(bss_router *rt)
{
    bss_err rc = bss_interaction_register_routes(rt);
    if (rc == BSS_OK)
        rc = bss_ticket_register_routes(rt);
    for (size_t i = 0; rc == BSS_OK && i < sizeof care_routes / sizeof care_routes[0]; i++)
        rc = bss_router_add(rt, &care_routes[i]);
    return rc;
}
