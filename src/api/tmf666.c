/*
 * tmf666.c: TMF666 Account Management v4 over HTTP
 * (/tmf-api/accountManagement/v4): the bindings of the account kinds
 * (customer.h, rules in src/customer/account.c and account_other.c). Every
 * staff role reads them; accounts are written by admin, agent and billing
 * keys, bill formats and cycle specifications by admin and billing keys,
 * presentation media by admin keys only. None is deleted through the API
 * (an account is closed; a format or medium stays for the bills that used it).
 */
#include "api/routes.h"
#include "api/tmf.h"
#include "customer/customer.h"

#define ACCOUNT_READERS BSS_ROLES_READERS

#define ACCOUNT_BINDING(kind_, seg, writers)                                                                 \
    {                                                                                                        \
        .kind = &kind_, BSS_TMF_PATHS(BSS_TMF666_BASE, seg), .read_roles = ACCOUNT_READERS,                  \
        .write_roles = writers, BSS_TMF_NAMES("tmf666." seg),                                                \
    }

#define STAFF_WRITERS (BSS_ROLE_ADMIN | BSS_ROLE_AGENT | BSS_ROLE_BILLING)

static const bss_tmf_binding billing_account =
    ACCOUNT_BINDING(bss_billing_account_kind, "billingAccount", STAFF_WRITERS);
static const bss_tmf_binding party_account =
    ACCOUNT_BINDING(bss_party_account_kind, "partyAccount", STAFF_WRITERS);
static const bss_tmf_binding financial_account =
    ACCOUNT_BINDING(bss_financial_account_kind, "financialAccount", STAFF_WRITERS);
static const bss_tmf_binding settlement_account =
    ACCOUNT_BINDING(bss_settlement_account_kind, "settlementAccount", STAFF_WRITERS);
static const bss_tmf_binding bill_format =
    ACCOUNT_BINDING(bss_bill_format_kind, "billFormat", BSS_ROLE_ADMIN | BSS_ROLE_BILLING);
static const bss_tmf_binding billing_cycle_spec = ACCOUNT_BINDING(
    bss_billing_cycle_spec_kind, "billingCycleSpecification", BSS_ROLE_ADMIN | BSS_ROLE_BILLING);
static const bss_tmf_binding bill_presentation_media =
    ACCOUNT_BINDING(bss_bill_presentation_media_kind, "billPresentationMedia", BSS_ROLE_ADMIN);

bss_err bss_tmf666_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    static const bss_tmf_binding *const all[] = {
        &billing_account, &party_account,      &financial_account,       &settlement_account,
        &bill_format,     &billing_cycle_spec, &bill_presentation_media, NULL,
    };
    return bss_tmf_register_all(rt, all);
}
