/*
 * account_other.c: the TMF666 document kinds besides billingAccount
 * (account.c), served under /tmf-api/accountManagement/v4 by
 * src/api/tmf666.c:
 *
 *   partyAccount, financialAccount, settlementAccount: the account family
 *     (name, relatedParty, accountBalance, creditLimit, state) with one
 *     prepare hook: name required; relatedParty
 *     entries must exist (422); creditLimit and accountBalance[] amounts
 *     are Money with a known currency (in the documented member "currency"
 *     when given); state active | suspended | closed; accountNumber
 *     "PA-/FA-/SA-NNNNNN" assigned by the server; the customer linked as
 *     for billing accounts; no card numbers; lastModified on every write.
 *     A party or settlement account names its holder in relatedParty;
 *     a financial account (the ledger behind billing accounts) need not.
 *   billFormat: {name, description}: how a bill is laid out.
 *   billingCycleSpecification: {name, frequency, billCycleDay 1..28,
 *     billingDateShift, paymentDueDateOffset, validFor}.
 *   billPresentationMedia: {name, description}: email, paper and portal are
 *     seeded by the migration; admins may add others.
 *
 * None of them can be deleted through the API (an account is closed, a
 * format or medium is kept for the bills that used it).
 */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/money.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

/* ---- the account family ---- */

static const bss_res_column account_columns[] = {
    {"name", "name", BSS_RES_TEXT},
    {"state", "state", BSS_RES_TEXT},
    {"accountNumber", "account_number", BSS_RES_TEXT},
    {"customer.id", "customer_id", BSS_RES_TEXT},
};
#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

static bss_res_table party_account_table = {
    .name = "tmf666_party_account", .columns = account_columns, .ncolumns = NCOLS(account_columns)};
static bss_res_table financial_account_table = {
    .name = "tmf666_financial_account", .columns = account_columns, .ncolumns = NCOLS(account_columns)};
static bss_res_table settlement_account_table = {
    .name = "tmf666_settlement_account", .columns = account_columns, .ncolumns = NCOLS(account_columns)};

static const char *const name_required[] = {"name", NULL};

static bss_err account_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

static const char *const account_server_managed[] = {"accountNumber", "lastModified", "balance", NULL};
static const bss_doc_ref account_refs[] = {
    {"relatedParty", NULL},
    {"customer", &bss_customer_kind},
    {NULL, NULL},
};

#define ACCOUNT_KIND(seg, typ, tbl)                                                                          \
    {                                                                                                        \
        .api = "accountManagement", .path = BSS_TMF666_BASE "/" seg, .name = seg, .type = typ,               \
        .status_field = "state", .table = &tbl, .required = name_required, .prepare = account_prepare,       \
        .server_managed = account_server_managed, .refs = account_refs, .personal_data = true,               \
    }

const bss_doc_kind bss_party_account_kind = ACCOUNT_KIND("partyAccount", "PartyAccount", party_account_table);
const bss_doc_kind bss_financial_account_kind =
    ACCOUNT_KIND("financialAccount", "FinancialAccount", financial_account_table);
const bss_doc_kind bss_settlement_account_kind =
    ACCOUNT_KIND("settlementAccount", "SettlementAccount", settlement_account_table);

static const char *prefix_of(const bss_doc_kind *kind)
{
    if (kind == &bss_party_account_kind)
        return "PA";
    if (kind == &bss_settlement_account_kind)
        return "SA";
    return "FA";
}

static bss_err check_account_currency(const json_t *doc, const char **currency, bss_errinfo *ei)
{
    *currency = NULL;
    const json_t *v = json_object_get(doc, "currency");
    if (!v || json_is_null(v))
        return BSS_OK;
    if (!json_is_string(v) || !bss_currency_find(json_string_value(v)))
        return bss_fail(ei, BSS_E_INVALID, "currency",
                        "currency must be a known ISO 4217 code, e.g. \"EUR\"");
    *currency = json_string_value(v);
    return BSS_OK;
}

static bss_err account_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    const char *currency = NULL;
    int owner = -1;
    bss_err rc = bss_doc_check_names(doc, ei);
    if (!rc)
        rc = bss__erased_guard(ctx, doc, old, ei);
    if (!rc)
        rc = bss__acct_check_state(doc, old, ei);
    if (!rc)
        rc = check_account_currency(doc, &currency, ei);
    const json_t *limit = json_object_get(doc, "creditLimit");
    if (!rc && limit && !json_is_null(limit))
        rc = bss__acct_check_money(limit, "creditLimit", currency, false, NULL, ei);
    if (!rc)
        rc = bss__acct_check_balances(doc, currency, ei);
    if (!rc)
        rc = bss__acct_check_contacts(doc, ei);
    if (!rc)
        rc = bss__acct_check_related(ctx, doc, &owner, ei);
    if (!rc && owner < 0 && json_array_size(json_object_get(doc, "relatedParty")) > 0)
        owner = 0; /* these kinds have no owner role rule: the first party holds the account */
    if (!rc)
        rc = bss__acct_link_customer(ctx, doc, owner, ei);
    if (!rc)
        rc = bss__acct_number(ctx, doc, old, prefix_of(ctx->kind), ei);
    if (!rc && bss_json_set_time(doc, "lastModified", ctx->now_ms) != 0)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return rc;
}

/* ---- billing configuration: formats, cycles, media ---- */

static const bss_res_column name_columns[] = {{"name", "name", BSS_RES_TEXT}};
static const bss_res_column cycle_columns[] = {
    {"name", "name", BSS_RES_TEXT},
    {"frequency", "frequency", BSS_RES_TEXT},
    {"billCycleDay", "bill_cycle_day", BSS_RES_INT64},
};

static bss_res_table bill_format_table = {
    .name = "tmf666_bill_format", .columns = name_columns, .ncolumns = NCOLS(name_columns)};
static bss_res_table cycle_spec_table = {
    .name = "tmf666_billing_cycle_spec", .columns = cycle_columns, .ncolumns = NCOLS(cycle_columns)};
static bss_res_table media_table = {
    .name = "tmf666_bill_presentation_media", .columns = name_columns, .ncolumns = NCOLS(name_columns)};

static bss_err bill_format_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    (void)ctx;
    (void)old;
    return bss_doc_check_names(doc, ei);
}

/* An optional integer member within [lo, hi]. */
static bss_err int_in(const json_t *doc, const char *key, json_int_t lo, json_int_t hi, const char *why,
                      bss_errinfo *ei)
{
    const json_t *v = json_object_get(doc, key);
    if (!v || json_is_null(v))
        return BSS_OK;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return bss_fail(ei, BSS_E_INVALID, key, "%s must be an integer from %lld to %lld%s", key,
                        (long long)lo, (long long)hi, why);
    return BSS_OK;
}

static bss_err cycle_spec_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    static const char *const frequencies[] = {"monthly", "quarterly", "yearly"};
    (void)ctx;
    (void)old;
    bss_err rc = bss_doc_check_names(doc, ei);
    const json_t *f = json_object_get(doc, "frequency");
    if (!rc && f && !json_is_null(f)) {
        bool ok = false;
        for (size_t i = 0; json_is_string(f) && i < NCOLS(frequencies); i++)
            ok = ok || strcmp(json_string_value(f), frequencies[i]) == 0;
        if (!ok)
            rc = bss_fail(ei, BSS_E_INVALID, "frequency",
                          "frequency must be one of: monthly, quarterly, yearly");
    }
    if (!rc)
        rc = int_in(doc, "billCycleDay", 1, 28, ": bills must fall on a day every month has", ei);
    if (!rc)
        rc = int_in(doc, "billingDateShift", -27, 27, "", ei);
    if (!rc)
        rc = int_in(doc, "paymentDueDateOffset", 0, 366, "", ei);
    if (!rc)
        rc = int_in(doc, "mailingDateOffset", 0, 366, "", ei);
    if (!rc)
        rc = bss_doc_check_period(json_object_get(doc, "validFor"), "validFor", ei);
    return rc;
}

#define CONFIG_KIND(seg, typ, tbl, hook)                                                                     \
    {                                                                                                        \
        .api = "accountManagement", .path = BSS_TMF666_BASE "/" seg, .name = seg, .type = typ,               \
        .table = &tbl, .required = name_required, .prepare = hook,                                           \
    }

const bss_doc_kind bss_bill_format_kind =
    CONFIG_KIND("billFormat", "BillFormat", bill_format_table, bill_format_prepare);
const bss_doc_kind bss_billing_cycle_spec_kind = CONFIG_KIND(
    "billingCycleSpecification", "BillingCycleSpecification", cycle_spec_table, cycle_spec_prepare);
const bss_doc_kind bss_bill_presentation_media_kind =
    CONFIG_KIND("billPresentationMedia", "BillPresentationMedia", media_table, bill_format_prepare);
