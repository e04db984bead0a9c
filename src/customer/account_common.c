/*
 * account_common.c: the rules customers and every TMF666 account kind share
 * (customer_int.h): party, customer and other {id} references checked
 * against the store inside the write's transaction, relatedParty lists, the
 * customer an account belongs to, the account state machine, Money members
 * and balances, server-assigned account numbers (counters in
 * tmf666_account_seq, customer_store.c), and the contacts of an account.
 * The kinds' files (customer_res.c, account.c, account_other.c) call these
 * from their prepare hooks; card numbers are kept out of every document of
 * these kinds by doc/doc.h (personal_data).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/money.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

/* ref[key] is a non-empty string: BSS_OK with *out, else 400 naming path.key. */
static bss_err ref_id(const json_t *ref, const char *path, const char **out, bss_errinfo *ei)
{
    if (!json_is_object(ref))
        return bss_fail(ei, BSS_E_INVALID, path, "%s must be an object with an id", path);
    const json_t *v = json_object_get(ref, "id");
    if (!json_is_string(v) || json_string_length(v) == 0) {
        char f[160];
        snprintf(f, sizeof f, "%s.id", path);
        return bss_fail(ei, BSS_E_INVALID, f, "%s is required (a non-empty string)", f);
    }
    *out = json_string_value(v);
    return BSS_OK;
}

bss_err bss__acct_check_party(const bss_doc_ctx *ctx, json_t *ref, const char *path, bool allow_other,
                              bss_errinfo *ei)
{
    const char *id;
    bss_err rc = ref_id(ref, path, &id, ei);
    if (rc)
        return rc;
    char f[160];
    snprintf(f, sizeof f, "%s.@referredType", path);
    const json_t *tv = json_object_get(ref, "@referredType");
    if (tv && !json_is_null(tv) && !json_is_string(tv))
        return bss_fail(ei, BSS_E_INVALID, f, "%s must be a string", f);
    const char *type = json_string_value(tv);
    bool ind = !type || strcasecmp(type, "Individual") == 0;
    bool org = !type || strcasecmp(type, "Organization") == 0;
    if (!ind && !org)
        return allow_other ? BSS_OK
                           : bss_fail(ei, BSS_E_INVALID, f,
                                      "%s must be Individual or Organization, not %.40s", f, type);
    if (!ctx->db)
        return BSS_OK;
    bool found = false;
    if (ind && (rc = bss_doc_exists(ctx->db, &bss_individual_kind, id, &found, ei)))
        return rc;
    if (found && !type)
        type = "Individual";
    if (!found && org && (rc = bss_doc_exists(ctx->db, &bss_organization_kind, id, &found, ei)))
        return rc;
    if (found && !type)
        type = "Organization";
    snprintf(f, sizeof f, "%s.id", path);
    if (!found)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, f, "%s: no %s with id %.64s (create the party first)", f,
                        tv ? json_string_value(tv) : "party", id);
    if (!tv && json_object_set_new(ref, "@referredType", json_string(type)))
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

bss_err bss__acct_check_ref(const bss_doc_ctx *ctx, const bss_doc_kind *kind, const json_t *ref,
                            const char *path, json_t **out, bss_errinfo *ei)
{
    const char *id;
    if (out)
        *out = NULL;
    bss_err rc = ref_id(ref, path, &id, ei);
    if (rc || !ctx->db)
        return rc;
    json_t *target = NULL;
    rc = bss_doc_load(ctx->db, kind, id, &target, NULL, ei);
    if (rc == BSS_E_NOT_FOUND) {
        char f[160];
        snprintf(f, sizeof f, "%s.id", path);
        return bss_fail(ei, BSS_E_UNPROCESSABLE, f, "%s: no %s with id %.64s", f, kind->name, id);
    }
    if (rc)
        return rc;
    if (out)
        *out = target;
    else
        json_decref(target);
    return BSS_OK;
}

static bool is_owner_role(const char *role)
{
    return role && (strcasecmp(role, "owner") == 0 || strcasecmp(role, "bill receiver") == 0 ||
                    strcasecmp(role, "billReceiver") == 0);
}

bss_err bss__acct_check_related(const bss_doc_ctx *ctx, json_t *doc, int *owner_index, bss_errinfo *ei)
{
    *owner_index = -1;
    json_t *arr = json_object_get(doc, "relatedParty");
    if (!arr || json_is_null(arr))
        return BSS_OK;
    if (!json_is_array(arr))
        return bss_fail(ei, BSS_E_INVALID, "relatedParty", "relatedParty must be an array");
    size_t i;
    json_t *rp;
    json_array_foreach(arr, i, rp)
    {
        char path[64];
        snprintf(path, sizeof path, "relatedParty[%zu]", i);
        const json_t *rv = json_object_get(rp, "role");
        if (json_is_object(rp) && rv && !json_is_null(rv) && !json_is_string(rv)) {
            char f[80];
            snprintf(f, sizeof f, "%s.role", path);
            return bss_fail(ei, BSS_E_INVALID, f, "%s must be a string", f);
        }
        const char *type = json_string_value(json_object_get(rp, "@referredType"));
        bss_err rc;
        if (type && strcasecmp(type, "Customer") == 0)
            rc = bss__acct_check_ref(ctx, &bss_customer_kind, rp, path, NULL, ei);
        else
            rc = bss__acct_check_party(ctx, rp, path, true, ei);
        if (rc)
            return rc;
        if (*owner_index < 0 && is_owner_role(json_string_value(rv)))
            *owner_index = (int)i;
    }
    return BSS_OK;
}

typedef struct first_row {
    char id[128];
} first_row;

static bss_err take_first(const bss_res_row *row, void *arg)
{
    first_row *fr = arg;
    snprintf(fr->id, sizeof fr->id, "%s", row->id);
    return BSS_OK;
}

/* The first customer (by id) whose engagedParty is party_id: fr->id, "" when none. */
static bss_err customer_of_party(bss_db *db, const char *party_id, first_row *fr, bss_errinfo *ei)
{
    bss_res_table *t = bss_customer_kind.table;
    fr->id[0] = '\0';
    bss_err rc = bss_resource_table_prepare(t);
    if (rc)
        return bss_fail(ei, rc, NULL, "bad table descriptor %s", t->name);
    bss_res_filter f = {
        .column = bss_resource_column_of(t, "engagedParty.id"), .op = BSS_RES_EQ, .nvalues = 1};
    f.values[0] = BSS_DB_STR(party_id);
    return bss_resource_list(db, t, &f, 1, 0, 1, NULL, take_first, fr, ei);
}

static bss_err set_customer_ref(const bss_doc_ctx *ctx, json_t *doc, const char *id, bss_errinfo *ei)
{
    char href[768];
    bss_doc_href(ctx->base_url, &bss_customer_kind, id, href, sizeof href);
    json_t *ref = json_pack("{s:s, s:s, s:s}", "id", id, "href", href, "@referredType", "Customer");
    if (!ref || json_object_set_new(doc, "customer", ref))
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

bss_err bss__acct_link_customer(const bss_doc_ctx *ctx, json_t *doc, int owner_index, bss_errinfo *ei)
{
    const json_t *cust = json_object_get(doc, "customer");
    if (cust && !json_is_null(cust))
        return bss__acct_check_ref(ctx, &bss_customer_kind, cust, "customer", NULL, ei);
    if (cust)
        json_object_del(doc, "customer");
    const json_t *arr = json_object_get(doc, "relatedParty");
    size_t i;
    const json_t *rp;
    json_array_foreach(arr, i, rp)
    {
        const char *type = json_string_value(json_object_get(rp, "@referredType"));
        const char *id = json_string_value(json_object_get(rp, "id"));
        if (type && id && strcasecmp(type, "Customer") == 0)
            return set_customer_ref(ctx, doc, id, ei);
    }
    if (owner_index < 0 || !ctx->db)
        return BSS_OK;
    const char *owner = json_string_value(json_object_get(json_array_get(arr, (size_t)owner_index), "id"));
    first_row fr;
    bss_err rc = customer_of_party(ctx->db, owner ? owner : "", &fr, ei);
    if (rc || !fr.id[0])
        return rc;
    return set_customer_ref(ctx, doc, fr.id, ei);
}

/* ---- state ---- */

static const char *const states[] = {"active", "suspended", "closed"};
enum { ST_ACTIVE, ST_SUSPENDED, ST_CLOSED, ST_COUNT };
static const bool state_allowed[ST_COUNT][ST_COUNT] = {
    [ST_ACTIVE] = {[ST_ACTIVE] = true, [ST_SUSPENDED] = true, [ST_CLOSED] = true},
    [ST_SUSPENDED] = {[ST_ACTIVE] = true, [ST_SUSPENDED] = true, [ST_CLOSED] = true},
    [ST_CLOSED] = {[ST_CLOSED] = true},
};

static int state_of(const char *s)
{
    for (int i = 0; s && i < ST_COUNT; i++)
        if (strcasecmp(s, states[i]) == 0)
            return i;
    return -1;
}

bss_err bss__acct_check_state(json_t *doc, const json_t *old, bss_errinfo *ei)
{
    json_t *v = json_object_get(doc, "state");
    if (!v || json_is_null(v)) {
        const json_t *ov = old ? json_object_get(old, "state") : NULL;
        if (json_object_set_new(doc, "state",
                                json_string(json_is_string(ov) ? json_string_value(ov) : "active")))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        v = json_object_get(doc, "state");
    }
    if (!json_is_string(v))
        return bss_fail(ei, BSS_E_INVALID, "state", "state must be a string");
    int to = state_of(json_string_value(v));
    if (to < 0)
        return bss_fail(ei, BSS_E_INVALID, "state", "state '%.40s' is not one of: active, suspended, closed",
                        json_string_value(v));
    json_string_set(v, states[to]);
    int from = old ? state_of(json_string_value(json_object_get(old, "state"))) : -1;
    char next[300];
    if (from >= 0 && !state_allowed[from][to])
        return bss_fail(ei, BSS_E_STATE, "state", "state cannot change from %s to %s%s%s", states[from],
                        states[to], bss_doc_next_states(states, state_allowed[from], ST_COUNT, from, next, sizeof next),
                        from == ST_CLOSED ? " (a closed account stays closed; open a new one)" : "");
    return BSS_OK;
}

/* ---- money ---- */

bss_err bss__acct_check_money(const json_t *money, const char *path, const char *currency,
                              bool allow_negative, int64_t *micros, bss_errinfo *ei)
{
    char f[160];
    if (!json_is_object(money))
        return bss_fail(ei, BSS_E_INVALID, path, "%s must be a Money object {unit, value}", path);
    snprintf(f, sizeof f, "%s.unit", path);
    const json_t *unit = json_object_get(money, "unit");
    if (!json_is_string(unit))
        return bss_fail(ei, BSS_E_INVALID, f, "%s is required (an ISO 4217 currency code)", f);
    if (!bss_currency_find(json_string_value(unit)))
        return bss_fail(ei, BSS_E_INVALID, f, "%s: unknown currency '%.16s' (an ISO 4217 code such as EUR)",
                        f, json_string_value(unit));
    if (currency && strcmp(currency, json_string_value(unit)) != 0)
        return bss_fail(ei, BSS_E_INVALID, f, "%s is %.16s but the account's currency is %s", f,
                        json_string_value(unit), currency);
    snprintf(f, sizeof f, "%s.value", path);
    int64_t v = 0;
    const json_t *value = json_object_get(money, "value");
    if (!value)
        return bss_fail(ei, BSS_E_INVALID, f, "%s is required", f);
    bss_err rc = bss_money_from_json(value, f, &v, ei);
    if (rc)
        return rc;
    if (v < 0 && !allow_negative)
        return bss_fail(ei, BSS_E_INVALID, f, "%s must not be negative", f);
    if (micros)
        *micros = v;
    return BSS_OK;
}

bss_err bss__acct_check_balances(const json_t *doc, const char *currency, bss_errinfo *ei)
{
    const json_t *arr = json_object_get(doc, "accountBalance");
    if (!arr || json_is_null(arr))
        return BSS_OK;
    if (!json_is_array(arr))
        return bss_fail(ei, BSS_E_INVALID, "accountBalance", "accountBalance must be an array");
    size_t i;
    const json_t *b;
    json_array_foreach(arr, i, b)
    {
        char path[80];
        snprintf(path, sizeof path, "accountBalance[%zu]", i);
        if (!json_is_object(b))
            return bss_fail(ei, BSS_E_INVALID, path, "%s must be an object", path);
        const json_t *bt = json_object_get(b, "balanceType");
        if (bt && !json_is_string(bt)) {
            snprintf(path, sizeof path, "accountBalance[%zu].balanceType", i);
            return bss_fail(ei, BSS_E_INVALID, path, "%s must be a string", path);
        }
        snprintf(path, sizeof path, "accountBalance[%zu].amount", i);
        bss_err rc = bss__acct_check_money(json_object_get(b, "amount"), path, currency, true, NULL, ei);
        if (!rc && json_object_get(b, "validFor")) {
            snprintf(path, sizeof path, "accountBalance[%zu].validFor", i);
            rc = bss_doc_check_period(json_object_get(b, "validFor"), path, ei);
        }
        if (rc)
            return rc;
    }
    return BSS_OK;
}

/* ---- account numbers ---- */

bss_err bss__acct_number(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, const char *prefix,
                         bss_errinfo *ei)
{
    if (old) { /* server-assigned: a patch cannot change it */
        const json_t *ov = json_object_get(old, "accountNumber");
        if (!ov) {
            json_object_del(doc, "accountNumber");
            return BSS_OK;
        }
        if (json_object_set_new(doc, "accountNumber", json_deep_copy(ov)))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        return BSS_OK;
    }
    if (!ctx->db) {
        json_object_del(doc, "accountNumber");
        return BSS_OK;
    }
    int64_t n = 0;
    bss_err rc = bss__store_account_seq_next(ctx->db, prefix, &n, ei);
    if (rc)
        return rc == BSS_E_NOT_FOUND
                   ? bss_fail(ei, BSS_E_INTERNAL, NULL, "no account number counter %s", prefix)
                   : rc;
    char number[40];
    snprintf(number, sizeof number, "%s-%06lld", prefix, (long long)n);
    if (json_object_set_new(doc, "accountNumber", json_string(number)))
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

/* ---- plain members ---- */

bss_err bss__acct_check_contacts(const json_t *doc, bss_errinfo *ei)
{
    const json_t *arr = json_object_get(doc, "contact");
    if (!arr || json_is_null(arr))
        return BSS_OK;
    if (!json_is_array(arr))
        return bss_fail(ei, BSS_E_INVALID, "contact", "contact must be an array");
    size_t i;
    const json_t *c;
    json_array_foreach(arr, i, c)
    {
        char path[64];
        snprintf(path, sizeof path, "contact[%zu]", i);
        if (!json_is_object(c))
            return bss_fail(ei, BSS_E_INVALID, path, "%s must be an object", path);
        snprintf(path, sizeof path, "contact[%zu].contactMedium", i);
        bss_err rc = bss_contact_check_media(json_object_get(c, "contactMedium"), path, ei);
        if (rc)
            return rc;
    }
    return BSS_OK;
}
