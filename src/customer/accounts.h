/*
 * accounts.h: customers (TMF629 Customer Management v4, customer_res.c) and
 * accounts (TMF666 Account Management v4, account.c and account_other.c):
 * their resource descriptors (api/tmf.h), for the route table, seeding and
 * tests, and their domain hooks, for unit tests and fuzzing. The routes are
 * added by bss_tmf629_register_routes and bss_tmf666_register_routes.
 *
 *   customer                   /tmf-api/customerManagement/v4  tmf629_customer
 *   billingAccount             /tmf-api/accountManagement/v4   tmf666_billing_account
 *   partyAccount               ...                             tmf666_party_account
 *   financialAccount           ...                             tmf666_financial_account
 *   settlementAccount          ...                             tmf666_settlement_account
 *   billFormat                 ...                             tmf666_bill_format
 *   billingCycleSpecification  ...                             tmf666_billing_cycle_spec
 *   billPresentationMedia      ...                             tmf666_bill_presentation_media
 *
 * The rules are documented in docs/customer.md and at the top of
 * each file. Tables are created by migration 0008_customer_account.sql.
 */
#ifndef BSS_CUSTOMER_ACCOUNTS_H
#define BSS_CUSTOMER_ACCOUNTS_H

#include <jansson.h>

#include "api/router.h"
#include "api/tmf.h"
#include "core/err.h"

#define BSS_TMF629_BASE "/tmf-api/customerManagement/v4"
#define BSS_TMF666_BASE "/tmf-api/accountManagement/v4"

/* Who may read customers and accounts: every staff role (not "network", which is for the charging peers). */
#define BSS_CUSTOMER_READ_ROLES (BSS_ROLE_ADMIN | BSS_ROLE_AGENT | BSS_ROLE_BILLING | BSS_ROLE_READONLY)

extern const bss_tmf_resource bss_tmf629_customer;
extern const bss_tmf_resource bss_tmf666_billing_account;
extern const bss_tmf_resource bss_tmf666_party_account;
extern const bss_tmf_resource bss_tmf666_financial_account;
extern const bss_tmf_resource bss_tmf666_settlement_account;
extern const bss_tmf_resource bss_tmf666_bill_format;
extern const bss_tmf_resource bss_tmf666_billing_cycle_spec;
extern const bss_tmf_resource bss_tmf666_bill_presentation_media;

/* The domain hooks (see each file's header comment for the rules). */
bss_err bss_tmf629_customer_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);
bss_err bss_tmf666_billing_account_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old,
                                           bss_errinfo *ei);
bss_err bss_tmf666_account_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);
bss_err bss_tmf666_bill_format_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old,
                                       bss_errinfo *ei);
bss_err bss_tmf666_cycle_spec_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old,
                                      bss_errinfo *ei);

/* Route registration (called from src/api/routes.c). */
bss_err bss_tmf629_register_routes(bss_router *rt);
bss_err bss_tmf666_register_routes(bss_router *rt);

#endif
