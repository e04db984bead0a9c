/*
 * customer_res.c: the TMF629 Customer Management v4 customer document kind
 * (customer.h), served at /tmf-api/customerManagement/v4/customer by
 * src/api/tmf629.c, stored in tmf629_customer
 * (migration 0008) with typed columns name, status, engaged_party_id,
 * segment, credit_class, customer_since. A customer is the commercial role
 * a TMF632 party (party.c) plays towards the operator; its billing accounts
 * (account.c) point back at it. Every write puts the customer's terms into
 * the search index (search.c) through after_store.
 *
 * Rules (customer_prepare):
 *   - name (string) and engagedParty {id, @referredType} are required;
 *     engagedParty names an existing Individual or Organization (422
 *     "engagedParty.id" when there is none; @referredType is filled in when
 *     absent) and cannot be changed to another party later (409);
 *   - status: prospect (default) | active | suspended | closed, also read
 *     from TMF spellings (Initialized -> prospect, Approved/Validated ->
 *     active); changes along prospect->active, prospect->closed,
 *     active->suspended, suspended->active, active->closed,
 *     suspended->closed; closed is final (409 STATE);
 *   - customerSince: set by the server to the time the customer first
 *     becomes active (an import may post it on create), then kept;
 *   - segment: consumer | business | iot | vip (documented member; default
 *     consumer for an Individual, business for an Organization);
 *   - creditClass: a documented string member (1..32 characters); the TMF
 *     creditProfile[] array is kept as posted;
 *   - relatedParty entries naming an Individual/Organization must exist;
 *     the account manager is the entry with role "accountManager";
 *   - characteristic[] entries have a string name; contactMedium[] is
 *     checked by customer.h; validFor is a valid period;
 *   - no member may hold a card number (core/pan.h, as for every kind that
 *     holds personal data).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

static const bss_res_column customer_columns[] = {
    {"name", "name", BSS_RES_TEXT},
    {"status", "status", BSS_RES_TEXT},
    {"engagedParty.id", "engaged_party_id", BSS_RES_TEXT},
    {"segment", "segment", BSS_RES_TEXT},
    {"creditClass", "credit_class", BSS_RES_TEXT},
    {"customerSince", "customer_since", BSS_RES_TIME},
};

static bss_res_table customer_table = {
    .name = "tmf629_customer",
    .columns = customer_columns,
    .ncolumns = sizeof customer_columns / sizeof customer_columns[0],
};

static const char *const customer_required[] = {"engagedParty", "name", NULL};

static bss_err customer_after_store(const bss_doc_ctx *ctx, const char *id, const json_t *doc,
                                    bss_errinfo *ei)
{
    if (!ctx->db)
        return BSS_OK;
    return bss_search_index_doc(ctx->db, "customer", id, id, doc, ei);
}

static bss_err customer_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

static const bss_doc_ref customer_refs[] = {
    {"engagedParty", NULL},
    {"relatedParty", NULL},
    {NULL, NULL},
};

const bss_doc_kind bss_customer_kind = {
    .api = "customerManagement",
    .path = BSS_TMF629_BASE "/customer",
    .name = "customer",
    .type = "Customer",
    .status_field = "status",
    .refs = customer_refs,
    .table = &customer_table,
    .required = customer_required,
    .prepare = customer_prepare,
    .after_store = customer_after_store,
    .personal_data = true,
};

/* ---- status ---- */

static const char *const statuses[] = {"prospect", "active", "suspended", "closed"};
enum { ST_PROSPECT, ST_ACTIVE, ST_SUSPENDED, ST_CLOSED, ST_COUNT };

static const bool allowed[ST_COUNT][ST_COUNT] = {
    [ST_PROSPECT] = {[ST_PROSPECT] = true, [ST_ACTIVE] = true, [ST_CLOSED] = true},
    [ST_ACTIVE] = {[ST_ACTIVE] = true, [ST_SUSPENDED] = true, [ST_CLOSED] = true},
    [ST_SUSPENDED] = {[ST_SUSPENDED] = true, [ST_ACTIVE] = true, [ST_CLOSED] = true},
    [ST_CLOSED] = {[ST_CLOSED] = true},
};

/* Our four states and the TMF629 sample spellings that mean one of them. */
static int status_of(const char *s)
{
    static const struct {
        const char *name;
        int state;
    } aliases[] = {{"initialized", ST_PROSPECT}, {"approved", ST_ACTIVE}, {"validated", ST_ACTIVE}};
    for (int i = 0; s && i < ST_COUNT; i++)
        if (strcasecmp(s, statuses[i]) == 0)
            return i;
    for (size_t i = 0; s && i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcasecmp(s, aliases[i].name) == 0)
            return aliases[i].state;
    return -1;
}

static bss_err check_status(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    json_t *v = json_object_get(doc, "status");
    const json_t *ov = old ? json_object_get(old, "status") : NULL;
    if (!v || json_is_null(v)) {
        if (json_object_set_new(doc, "status",
                                json_string(json_is_string(ov) ? json_string_value(ov) : "prospect")))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        v = json_object_get(doc, "status");
    }
    if (!json_is_string(v))
        return bss_fail(ei, BSS_E_INVALID, "status", "status must be a string");
    int to = status_of(json_string_value(v));
    if (to < 0)
        return bss_fail(ei, BSS_E_INVALID, "status",
                        "status '%.40s' is not one of: prospect, active, suspended, closed",
                        json_string_value(v));
    json_string_set(v, statuses[to]);
    int from = status_of(json_string_value(ov));
    char next[300];
    if (from >= 0 && !allowed[from][to])
        return bss_fail(ei, BSS_E_STATE, "status", "status cannot change from %s to %s%s%s", statuses[from],
                        statuses[to], bss_doc_next_states(statuses, allowed[from], ST_COUNT, from, next, sizeof next),
                        from == ST_CLOSED ? " (a closed customer stays closed)" : "");
    /* customerSince: the first time the customer became active, then kept */
    const json_t *since = old ? json_object_get(old, "customerSince") : NULL;
    if (since)
        return json_object_set_new(doc, "customerSince", json_deep_copy(since))
                   ? bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory")
                   : BSS_OK;
    if (old || !json_object_get(doc, "customerSince"))
        json_object_del(doc, "customerSince");
    int64_t ms = 0;
    bss_err rc = bss_json_get_time(doc, "customerSince", "customerSince", false, &ms, ei);
    if (rc)
        return rc;
    if (to == ST_ACTIVE && !json_object_get(doc, "customerSince") &&
        bss_json_set_time(doc, "customerSince", ctx->now_ms) != 0)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

/* ---- engagedParty, segment, credit class ---- */

static bss_err check_engaged_party(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    json_t *ep = json_object_get(doc, "engagedParty");
    const char *was = old ? json_string_value(bss_json_path(old, "engagedParty.id")) : NULL;
    const char *now = json_string_value(json_object_get(ep, "id"));
    if (was && now && strcmp(was, now) != 0)
        return bss_fail(ei, BSS_E_CONFLICT, "engagedParty.id",
                        "engagedParty cannot change to another party; create a customer for that party");
    return bss__acct_check_party(ctx, ep, "engagedParty", false, ei);
}

static bss_err check_segment(json_t *doc, bss_errinfo *ei)
{
    static const char *const segments[] = {"consumer", "business", "iot", "vip"};
    json_t *v = json_object_get(doc, "segment");
    if (!v || json_is_null(v)) {
        const char *type = json_string_value(bss_json_path(doc, "engagedParty.@referredType"));
        bool org = type && strcasecmp(type, "Organization") == 0;
        if (json_object_set_new(doc, "segment", json_string(org ? "business" : "consumer")))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        return BSS_OK;
    }
    for (size_t i = 0; json_is_string(v) && i < sizeof segments / sizeof segments[0]; i++)
        if (strcasecmp(json_string_value(v), segments[i]) == 0) {
            json_string_set(v, segments[i]);
            return BSS_OK;
        }
    return bss_fail(ei, BSS_E_INVALID, "segment", "segment must be one of: consumer, business, iot, vip");
}

static bss_err check_members(const json_t *doc, bss_errinfo *ei)
{
    const json_t *cc = json_object_get(doc, "creditClass");
    if (cc && !json_is_null(cc) &&
        (!json_is_string(cc) || json_string_length(cc) == 0 || json_string_length(cc) > 32))
        return bss_fail(ei, BSS_E_INVALID, "creditClass",
                        "creditClass must be a string of 1 to 32 characters");
    static const char *const arrays[] = {"characteristic", "creditProfile", "account", "paymentMethod",
                                         "agreement"};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        const json_t *a = json_object_get(doc, arrays[i]);
        if (a && !json_is_null(a) && !json_is_array(a))
            return bss_fail(ei, BSS_E_INVALID, arrays[i], "%s must be an array", arrays[i]);
    }
    size_t i;
    const json_t *ch;
    json_array_foreach(json_object_get(doc, "characteristic"), i, ch)
    {
        if (!json_is_string(json_object_get(ch, "name"))) {
            char f[64];
            snprintf(f, sizeof f, "characteristic[%zu].name", i);
            return bss_fail(ei, BSS_E_INVALID, f, "%s is required (a string)", f);
        }
    }
    bss_err rc = bss_doc_check_period(json_object_get(doc, "validFor"), "validFor", ei);
    if (!rc)
        rc = bss_contact_check_media(json_object_get(doc, "contactMedium"), "contactMedium", ei);
    return rc;
}

static bss_err customer_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    int owner = -1;
    bss_err rc = bss_doc_check_names(doc, ei);
    if (!rc)
        rc = bss__erased_guard(ctx, doc, old, ei);
    if (!rc)
        rc = check_engaged_party(ctx, doc, old, ei);
    if (!rc)
        rc = check_status(ctx, doc, old, ei);
    if (!rc)
        rc = check_segment(doc, ei);
    if (!rc)
        rc = check_members(doc, ei);
    if (!rc)
        rc = bss__acct_check_related(ctx, doc, &owner, ei);
    return rc;
}
