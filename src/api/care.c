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
 * All three read on a worker (bss_http_read_json), never on a loop; what
 * the view and the search show of personal data to an audited key is
 * queued to the access audit without waiting.
 */
#include <stdio.h>
#include <string.h>

#include "api/query.h"
#include "api/routes.h"
#include "api/tmf.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/parse.h"
#include "customer/customer.h"

#define CARE_READERS BSS_ROLES_READERS

/* ---- the customer view ---- */

static bss_err view_read(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    return bss_care_view_build(db, arg, out, ei);
}

static void view_sent(bss_req *r, const json_t *v, void *arg)
{
    const char *id = arg;
    char ids[256];
    const char *pid = json_string_value(json_object_get(json_object_get(v, "party"), "id"));
    int n = snprintf(ids, sizeof ids, "%s%s%s", id, pid ? "\n" : "", pid ? pid : "");
    if (n > 0 && (size_t)n < sizeof ids)
        bss_audit_submit(r->app, r->who, "view", "customer", ids, (size_t)n);
}

static int h_view(bss_req *r)
{
    const char *id = bss_http_param(r, "id");
    char *copy = bss_strdup(id ? id : "");
    if (!copy) {
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    bss_http_read_json(r, view_read, copy, bss_free, view_sent);
    return 0;
}

/* ---- search ---- */

typedef struct search_args {
    char q[BSS_SEARCH_TERM_MAX];
    int limit;
} search_args;

static bss_err search_read(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    const search_args *sa = arg;
    return bss_search_run(db, sa->q, sa->limit, out, ei);
}

static void search_sent(bss_req *r, const json_t *hits, void *arg)
{
    (void)arg;
    char ids[BSS_SEARCH_LIMIT_MAX * 40];
    size_t len = 0, i;
    json_t *h;
    json_array_foreach((json_t *)hits, i, h)
    {
        const char *id = json_string_value(json_object_get(h, "id"));
        int n = snprintf(ids + len, sizeof ids - len, "%s%s", len ? "\n" : "", id ? id : "");
        if (n < 0 || (size_t)n >= sizeof ids - len)
            break;
        len += (size_t)n;
    }
    bss_audit_submit(r->app, r->who, "search", "search", ids, len);
}

static int h_search(bss_req *r)
{
    search_args *sa = bss_calloc(1, sizeof *sa);
    if (!sa) {
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    char lim[16];
    bss_errinfo ei = {0};
    bool has_q = false, has_limit = false, bad = false;
    sa->limit = 20;
    bad = bss_query_param(r->query, r->query_len, "q", sa->q, sizeof sa->q, &has_q, &ei) != BSS_OK ||
          bss_query_param(r->query, r->query_len, "limit", lim, sizeof lim, &has_limit, &ei) != BSS_OK;
    if (!has_q)
        sa->q[0] = '\0';
    if (!bad && has_limit) {
        int64_t v = 0;
        if (bss_parse_int64(lim, strlen(lim), BSS_NUM_DIGITS, 1, BSS_SEARCH_LIMIT_MAX, &v) != BSS_OK) {
            bss_fail(&ei, BSS_E_INVALID, "limit", "limit must be an integer 1..%d", BSS_SEARCH_LIMIT_MAX);
            bad = true;
        } else {
            sa->limit = (int)v;
        }
    }
    if (bad) {
        bss_free(sa);
        bss_http_send_error(r, ei.code, &ei);
        return 0;
    }
    bss_http_read_json(r, search_read, sa, bss_free, search_sent);
    return 0;
}

/* ---- GET /admin/v1/audit?resourceId=&keyId=&offset=&limit= ---- */

typedef struct audit_args {
    bss_query q;
    const char *resource_id, *key_id; /* in q's arena */
} audit_args;

static void audit_args_free(void *p)
{
    audit_args *aa = p;
    bss_query_free(&aa->q);
    bss_free(aa);
}

static bss_err audit_read(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    const audit_args *aa = arg;
    return bss_audit_list(db, aa->resource_id, aa->key_id, aa->q.offset, aa->q.limit, out, ei);
}

static int h_audit_list(bss_req *r)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    audit_args *aa = bss_calloc(1, sizeof *aa);
    if (!aa) {
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    bss_err rc = bss_query_parse(r->query, r->query ? r->query_len : 0, &aa->q, &ei);
    if (rc) {
        bss_free(aa);
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    for (size_t i = 0; !rc && i < aa->q.nfilters; i++) {
        const bss_query_filter *f = &aa->q.filters[i];
        bool is_res = strcmp(f->attr, "resourceId") == 0, is_key = strcmp(f->attr, "keyId") == 0;
        if ((!is_res && !is_key) || f->op != BSS_QOP_EQ || f->nvalues != 1)
            rc =
                bss_fail(&ei, BSS_E_INVALID, f->param,
                         "%s: the audit is filtered by resourceId and keyId (one value each) only", f->param);
        else if ((is_res && aa->resource_id) || (is_key && aa->key_id))
            rc = bss_fail(&ei, BSS_E_INVALID, f->param, "%s is given more than once", f->attr);
        else if (is_res)
            aa->resource_id = f->values[0];
        else
            aa->key_id = f->values[0];
    }
    if (rc) {
        audit_args_free(aa);
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    bss_http_read_json(r, audit_read, aa, audit_args_free, NULL);
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
