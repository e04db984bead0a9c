/*
 * account.c: the TMF666 Account Management v4 billingAccount document kind
 * (customer.h), served at /tmf-api/accountManagement/v4/billingAccount by
 * src/api/tmf666.c, stored in
 * tmf666_billing_account (migration 0008) with typed columns name, state,
 * account_number, currency, bill_cycle_day, parent_id, customer_id: what
 * the bill run selects on (cycle day and state), what the search and the
 * customer view read (number, customer). The other TMF666 kinds are in
 * account_other.c.
 *
 * Rules (billing_account_prepare), see docs/customer.md:
 *   - name and relatedParty are required; relatedParty must hold the owner
 *     (role "owner", or "bill receiver"), and every Individual/Organization
 *     or Customer it names must exist (422);
 *   - currency (documented member, ISO 4217): taken from creditLimit.unit
 *     when absent; unknown is 400 "currency"; fixed once created (409);
 *   - billCycleDay (documented member) 1..28, default 1 or the cycle
 *     specification's billCycleDay: 29-31 is 400, since a bill must fall on
 *     a day every month has;
 *   - billStructure.format / presentationMedia[] / cycleSpecification name
 *     existing billFormat / billPresentationMedia /
 *     billingCycleSpecification rows (422);
 *   - defaultPaymentMethod / paymentMethod[] are references {id} only; no
 *     member anywhere may hold a card number (400);
 *   - creditLimit is Money in the account's currency, not negative;
 *     accountBalance[] amounts too (they may be negative);
 *   - taxExemption[]: {certificateReference (or TMF's certificateNumber),
 *     reason, validFor};
 *   - parentAccount {id} (documented member): the corporate account that
 *     pays; it must exist, have the same currency and not be this account
 *     or one of its descendants (walked up inside the write's transaction),
 *     and not be closed: 422 "parentAccount";
 *   - state: active | suspended | closed (customer_int.h); accountNumber
 *     "BA-000001" assigned by the server; lastModified set on every write;
 *   - customer: the customer the account belongs to (customer_int.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/money.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

#define CYCLE_DAY_MAX 28

static const bss_res_column billing_columns[] = {
    {"name", "name", BSS_RES_TEXT},
    {"state", "state", BSS_RES_TEXT},
    {"accountNumber", "account_number", BSS_RES_TEXT},
    {"currency", "currency", BSS_RES_TEXT},
    {"billCycleDay", "bill_cycle_day", BSS_RES_INT64},
    {"parentAccount.id", "parent_id", BSS_RES_TEXT},
    {"customer.id", "customer_id", BSS_RES_TEXT},
};

static bss_res_table billing_table = {
    .name = "tmf666_billing_account",
    .columns = billing_columns,
    .ncolumns = sizeof billing_columns / sizeof billing_columns[0],
};

static const char *const billing_required[] = {"name", "relatedParty", NULL};

static bss_err billing_after_store(const bss_doc_ctx *ctx, const char *id, const json_t *doc, bss_errinfo *ei)
{
    if (!ctx->db)
        return BSS_OK;
    const char *customer = json_string_value(bss_json_path(doc, "customer.id"));
    return bss_search_index_doc(ctx->db, "billingAccount", id, customer, doc,
                                ei); /* customer NULL: none yet */
}

static bss_err billing_account_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old,
                                       bss_errinfo *ei);

static const char *const billing_server_managed[] = {"accountNumber", "lastModified", "balance", "accountBalance", NULL};

static const bss_doc_ref billing_refs[] = {
    {"relatedParty", NULL},
    {"customer", &bss_customer_kind},
    {"parentAccount", &bss_billing_account_kind},
    {"billStructure.format", &bss_bill_format_kind},
    {"billStructure.presentationMedia", &bss_bill_presentation_media_kind},
    {"billStructure.cycleSpecification", &bss_billing_cycle_spec_kind},
    {NULL, NULL},
};

const bss_doc_kind bss_billing_account_kind = {
    .api = "accountManagement",
    .path = BSS_TMF666_BASE "/billingAccount",
    .name = "billingAccount",
    .type = "BillingAccount",
    .status_field = "state",
    .server_managed = billing_server_managed,
    .refs = billing_refs,
    .table = &billing_table,
    .required = billing_required,
    .prepare = billing_account_prepare,
    .after_store = billing_after_store,
    .personal_data = true,
};

/* currency: as posted or creditLimit.unit; a known ISO 4217 code; never changed after create. */
static bss_err check_currency(json_t *doc, const json_t *old, bss_errinfo *ei)
{
    json_t *v = json_object_get(doc, "currency");
    if (!v || json_is_null(v)) {
        const json_t *unit = bss_json_path(doc, "creditLimit.unit");
        if (!json_is_string(unit))
            return bss_fail(ei, BSS_E_INVALID, "currency",
                            "currency is required: the ISO 4217 code the account is billed in, e.g. \"EUR\"");
        if (json_object_set_new(doc, "currency", json_deep_copy(unit)))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        v = json_object_get(doc, "currency");
    }
    if (!json_is_string(v) || !bss_currency_find(json_string_value(v)))
        return bss_fail(ei, BSS_E_INVALID, "currency",
                        "currency must be a known ISO 4217 code in upper case, e.g. \"EUR\" (got %.16s)",
                        json_is_string(v) ? json_string_value(v) : "a non-string");
    const char *was = old ? json_string_value(json_object_get(old, "currency")) : NULL;
    if (was && strcmp(was, json_string_value(v)) != 0)
        return bss_fail(ei, BSS_E_CONFLICT, "currency",
                        "currency cannot change from %s once the account exists; open a new account", was);
    return BSS_OK;
}

static bss_err check_cycle_day(json_t *doc, const json_t *spec, bss_errinfo *ei)
{
    const json_t *v = json_object_get(doc, "billCycleDay");
    if (!v || json_is_null(v)) {
        const json_t *sv = spec ? json_object_get(spec, "billCycleDay") : NULL;
        if (json_object_set_new(doc, "billCycleDay",
                                json_is_integer(sv) ? json_deep_copy(sv) : json_integer(1)))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        return BSS_OK;
    }
    if (!json_is_integer(v))
        return bss_fail(ei, BSS_E_INVALID, "billCycleDay", "billCycleDay must be an integer from 1 to 28");
    json_int_t day = json_integer_value(v);
    if (day >= 29 && day <= 31)
        return bss_fail(
            ei, BSS_E_INVALID, "billCycleDay",
            "billCycleDay %lld is not allowed: bills must fall on a day every month has, so use 1 to 28",
            (long long)day);
    if (day < 1 || day > CYCLE_DAY_MAX)
        return bss_fail(ei, BSS_E_INVALID, "billCycleDay", "billCycleDay must be from 1 to 28 (got %lld)",
                        (long long)day);
    return BSS_OK;
}

/* billStructure {format, presentationMedia[], cycleSpecification}: *spec receives the cycle spec (or NULL).
 */
static bss_err check_bill_structure(const bss_doc_ctx *ctx, const json_t *doc, json_t **spec, bss_errinfo *ei)
{
    *spec = NULL;
    const json_t *bs = json_object_get(doc, "billStructure");
    if (!bs || json_is_null(bs))
        return BSS_OK;
    if (!json_is_object(bs))
        return bss_fail(ei, BSS_E_INVALID, "billStructure", "billStructure must be an object");
    bss_err rc = BSS_OK;
    const json_t *fmt = json_object_get(bs, "format");
    if (fmt && !json_is_null(fmt))
        rc = bss__acct_check_ref(ctx, &bss_bill_format_kind, fmt, "billStructure.format", NULL, ei);
    const json_t *media = json_object_get(bs, "presentationMedia");
    if (!rc && media && !json_is_null(media) && !json_is_array(media))
        rc = bss_fail(ei, BSS_E_INVALID, "billStructure.presentationMedia",
                      "billStructure.presentationMedia must be an array of references");
    size_t i;
    const json_t *m;
    json_array_foreach(media, i, m)
    {
        char path[80];
        snprintf(path, sizeof path, "billStructure.presentationMedia[%zu]", i);
        if (!rc)
            rc = bss__acct_check_ref(ctx, &bss_bill_presentation_media_kind, m, path, NULL, ei);
    }
    const json_t *cs = json_object_get(bs, "cycleSpecification");
    if (!rc && cs && !json_is_null(cs))
        rc = bss__acct_check_ref(ctx, &bss_billing_cycle_spec_kind, cs, "billStructure.cycleSpecification",
                                 spec, ei);
    return rc;
}

static bss_err check_payment_refs(const json_t *doc, bss_errinfo *ei)
{
    const json_t *d = json_object_get(doc, "defaultPaymentMethod");
    if (d && !json_is_null(d) && (!json_is_object(d) || !json_is_string(json_object_get(d, "id"))))
        return bss_fail(
            ei, BSS_E_INVALID, "defaultPaymentMethod.id",
            "defaultPaymentMethod is a reference {id} to a payment method (a token), not card details");
    const json_t *arr = json_object_get(doc, "paymentMethod");
    if (arr && !json_is_null(arr) && !json_is_array(arr))
        return bss_fail(ei, BSS_E_INVALID, "paymentMethod",
                        "paymentMethod must be an array of references {id}");
    size_t i;
    const json_t *pm;
    json_array_foreach(arr, i, pm)
    {
        if (!json_is_object(pm) || !json_is_string(json_object_get(pm, "id"))) {
            char f[64];
            snprintf(f, sizeof f, "paymentMethod[%zu].id", i);
            return bss_fail(ei, BSS_E_INVALID, f, "%s is required: a reference to a payment method token", f);
        }
    }
    return BSS_OK;
}

static bss_err check_tax_exemptions(const json_t *doc, bss_errinfo *ei)
{
    const json_t *arr = json_object_get(doc, "taxExemption");
    if (!arr || json_is_null(arr))
        return BSS_OK;
    if (!json_is_array(arr))
        return bss_fail(ei, BSS_E_INVALID, "taxExemption", "taxExemption must be an array");
    size_t i;
    const json_t *te;
    json_array_foreach(arr, i, te)
    {
        char f[96];
        snprintf(f, sizeof f, "taxExemption[%zu].certificateReference", i);
        const json_t *ref = json_object_get(te, "certificateReference");
        if (!ref)
            ref = json_object_get(te, "certificateNumber");
        if (!json_is_string(ref) || json_string_length(ref) == 0)
            return bss_fail(ei, BSS_E_INVALID, f, "%s is required: the exemption certificate's reference", f);
        const json_t *reason = json_object_get(te, "reason");
        if (reason && !json_is_string(reason)) {
            snprintf(f, sizeof f, "taxExemption[%zu].reason", i);
            return bss_fail(ei, BSS_E_INVALID, f, "%s must be a string", f);
        }
        snprintf(f, sizeof f, "taxExemption[%zu].validFor", i);
        bss_err rc = bss_doc_check_period(json_object_get(te, "validFor"), f, ei);
        if (rc)
            return rc;
    }
    return BSS_OK;
}

/* parentAccount: exists, same currency, and walking up from it never reaches this account. */
static bss_err check_parent(const bss_doc_ctx *ctx, const json_t *doc, bss_errinfo *ei)
{
    const json_t *ref = json_object_get(doc, "parentAccount");
    if (!ref || json_is_null(ref))
        return BSS_OK;
    const char *self = json_string_value(json_object_get(doc, "id"));
    const char *currency = json_string_value(json_object_get(doc, "currency"));
    json_t *parent = NULL;
    bss_err rc = bss__acct_check_ref(ctx, &bss_billing_account_kind, ref, "parentAccount", &parent, ei);
    if (rc)
        return rc;
    const char *pid = json_string_value(json_object_get(ref, "id"));
    if (self && strcmp(pid, self) == 0)
        rc = bss_fail(ei, BSS_E_UNPROCESSABLE, "parentAccount", "an account cannot be its own parentAccount");
    if (!rc && parent && currency &&
        strcmp(currency, json_string_value(json_object_get(parent, "currency"))) != 0)
        rc = bss_fail(ei, BSS_E_UNPROCESSABLE, "parentAccount",
                      "parentAccount %.64s is billed in %.8s and this account in %s: a parent that pays must "
                      "have the same currency",
                      pid, json_string_value(json_object_get(parent, "currency")), currency);
    const char *pstate = json_string_value(json_object_get(parent, "state"));
    if (!rc && pstate && strcmp(pstate, "closed") == 0)
        rc = bss_fail(ei, BSS_E_UNPROCESSABLE, "parentAccount",
                      "parentAccount %.64s is closed and cannot pay", pid);
    json_decref(parent);
    bss_doc_walk w = {0};
    if (!rc && ctx->db) /* the parent and up to BSS__ACCT_MAX_DEPTH accounts above it */
        rc = bss_doc_walk_up(ctx->db, &bss_billing_account_kind, pid, "parentAccount.id", self,
                             BSS__ACCT_MAX_DEPTH + 1, "parentAccount", &w, ei);
    if (!rc && w.cycle)
        rc = bss_fail(ei, BSS_E_UNPROCESSABLE, "parentAccount",
                      "parentAccount %.64s would make a cycle: this account is already above it", pid);
    if (!rc && w.too_deep)
        rc = bss_fail(ei, BSS_E_UNPROCESSABLE, "parentAccount",
                      "the account hierarchy is deeper than %d levels", BSS__ACCT_MAX_DEPTH);
    return rc;
}

static bss_err check_related_and_owner(const bss_doc_ctx *ctx, json_t *doc, bss_errinfo *ei)
{
    int owner = -1;
    bss_err rc = bss__acct_check_related(ctx, doc, &owner, ei);
    if (rc)
        return rc;
    if (owner < 0)
        return bss_fail(ei, BSS_E_INVALID, "relatedParty",
                        "relatedParty must name the account's owner: an entry with role \"owner\" (or \"bill "
                        "receiver\")");
    return bss__acct_link_customer(ctx, doc, owner, ei);
}

static bss_err billing_account_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old,
                                       bss_errinfo *ei)
{
    json_t *spec = NULL;
    bss_err rc = bss_doc_check_names(doc, ei);
    if (!rc)
        rc = bss__erased_guard(ctx, doc, old, ei);
    if (!rc)
        rc = bss__acct_check_state(doc, old, ei);
    if (!rc)
        rc = check_currency(doc, old, ei);
    if (!rc)
        rc = check_bill_structure(ctx, doc, &spec, ei);
    if (!rc)
        rc = check_cycle_day(doc, spec, ei);
    json_decref(spec);
    const char *currency = json_string_value(json_object_get(doc, "currency"));
    const json_t *limit = json_object_get(doc, "creditLimit");
    if (!rc && limit && !json_is_null(limit))
        rc = bss__acct_check_money(limit, "creditLimit", currency, false, NULL, ei);
    if (!rc)
        rc = bss__acct_check_balances(doc, currency, ei);
    if (!rc)
        rc = check_payment_refs(doc, ei);
    if (!rc)
        rc = check_tax_exemptions(doc, ei);
    if (!rc)
        rc = bss__acct_check_contacts(doc, ei);
    if (!rc)
        rc = check_related_and_owner(ctx, doc, ei);
    if (!rc)
        rc = check_parent(ctx, doc, ei);
    if (!rc)
        rc = bss__acct_number(ctx, doc, old, "BA", ei);
    if (!rc && bss_json_set_time(doc, "lastModified", ctx->now_ms) != 0)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return rc;
}

/* ---- the typed columns, for the engine ---- */

static const char SQL_CYCLE_DAY[] = "SELECT bill_cycle_day FROM tmf666_billing_account WHERE id = ?";
#define SEGMENT_COLS                                                                                         \
    "SELECT a.id, c.segment FROM tmf666_billing_account a LEFT JOIN tmf629_customer c ON c.id = a.customer_id"
static const char SQL_SEGMENT[] = SEGMENT_COLS " WHERE a.id = ?";
static const char SQL_SEGMENTS[] = SEGMENT_COLS;

bss_err bss_billing_account_cycle_day(bss_db *db, const char *id, int *day, bss_errinfo *ei)
{
    *day = 1;
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_CYCLE_DAY, BSS_DB_ARGS(BSS_DB_STR(id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    bool found = bss_db_next(rows);
    if (found && !bss_db_col_null(rows, 0) && bss_db_col_int64(rows, 0) >= 1 && bss_db_col_int64(rows, 0) <= 28)
        *day = (int)bss_db_col_int64(rows, 0);
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (rc != BSS_OK)
        return bss_fail(ei, rc, NULL, "reading billing account %s failed", id);
    return found ? BSS_OK : bss_fail(ei, BSS_E_NOT_FOUND, "id", "no billing account %s", id);
}

bss_err bss_billing_account_segment(bss_db *db, const char *id, char *segment, size_t size, bss_errinfo *ei)
{
    segment[0] = '\0';
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_SEGMENT, BSS_DB_ARGS(BSS_DB_STR(id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    bool found = bss_db_next(rows);
    const char *s = found ? bss_db_col_text(rows, 1, NULL) : NULL;
    snprintf(segment, size, "%s", s ? s : "");
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (rc != BSS_OK)
        return bss_fail(ei, rc, NULL, "reading billing account %s failed", id);
    return found ? BSS_OK : bss_fail(ei, BSS_E_NOT_FOUND, "id", "no billing account %s", id);
}

bss_err bss_billing_account_segments(bss_db *db, bss_account_segment_fn fn, void *arg, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query_stream(db, SQL_SEGMENTS, BSS_DB_NOARGS, &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        const char *a = bss_db_col_text(rows, 0, NULL);
        if (a && !fn(arg, a, bss_db_col_text(rows, 1, NULL)))
            break;
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "reading the billing accounts failed");
}
