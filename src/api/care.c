/*
 * care.c: the customer-care routes that are not TMF documents, and the
 * admins' reader of the access audit (customer.h does the work):
 *
 *   GET /api/v1/customers/{id}/view -> {customer, party, accounts,
 *       subscriptions, balances, lastBills, openOrders, openTickets,
 *       lastInteractions}                              (staff roles)
 *   GET /api/v1/search?q=...&limit=20 -> [{customerId, kind, id, display, matched}]
 *                                                      (staff roles)
 *   GET /admin/v1/audit?resourceId=&keyId=&offset=&limit=  (admin; either
 *       filter, both or none; newest first)
 *
 * The view and the search read on the loop's connection; what they show of
 * personal data to an audited key is queued to the access audit without
 * waiting.
 */
#include <stdio.h>
#include <string.h>

#include "api/query.h"
#include "api/routes.h"
#include "api/tmf.h"
#include "core/json.h"
#include "core/parse.h"
#include "customer/customer.h"

#define CARE_READERS BSS_ROLES_READERS

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

static int h_search(bss_req *r)
{
    char q[BSS_SEARCH_TERM_MAX], lim[16];
    bss_errinfo ei = {0};
    bool has_q = false, has_limit = false, bad = false;
    int limit = 20;
    bad = bss_query_param(r->query, r->query_len, "q", q, sizeof q, &has_q, &ei) != BSS_OK ||
          bss_query_param(r->query, r->query_len, "limit", lim, sizeof lim, &has_limit, &ei) != BSS_OK;
    if (!has_q)
        q[0] = '\0';
    if (!bad && has_limit) {
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

/* GET /admin/v1/audit?resourceId=&keyId=&offset=&limit= */
static int h_audit_list(bss_req *r)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_query q;
    bss_err rc = bss_query_parse(r->query, r->query ? r->query_len : 0, &q, &ei);
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    const char *resource_id = NULL, *key_id = NULL;
    for (size_t i = 0; !rc && i < q.nfilters; i++) {
        const bss_query_filter *f = &q.filters[i];
        bool is_res = strcmp(f->attr, "resourceId") == 0, is_key = strcmp(f->attr, "keyId") == 0;
        if ((!is_res && !is_key) || f->op != BSS_QOP_EQ || f->nvalues != 1)
            rc =
                bss_fail(&ei, BSS_E_INVALID, f->param,
                         "%s: the audit is filtered by resourceId and keyId (one value each) only", f->param);
        else if ((is_res && resource_id) || (is_key && key_id))
            rc = bss_fail(&ei, BSS_E_INVALID, f->param, "%s is given more than once", f->attr);
        else if (is_res)
            resource_id = f->values[0];
        else
            key_id = f->values[0];
    }
    json_t *arr = NULL;
    if (!rc)
        rc = bss_audit_list(r->db, resource_id, key_id, q.offset, q.limit, &arr, &ei);
    bss_query_free(&q);
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    bss_http_send_json(r, 200, arr);
    return 0;
}

static const bss_route care_routes[] = {
    {"GET", "/api/v1/customers/{id}/view", h_view, CARE_READERS, "care.view", NULL},
    {"GET", "/api/v1/search", h_search, CARE_READERS, "care.search", NULL},
    {"GET", "/admin/v1/audit", h_audit_list, BSS_ROLE_ADMIN, "admin.audit.list", NULL},
};

bss_err bss_care_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    bss_err rc = BSS_OK;
    for (size_t i = 0; rc == BSS_OK && i < sizeof care_routes / sizeof care_routes[0]; i++)
        rc = bss_router_add(rt, &care_routes[i]);
    return rc;
}
