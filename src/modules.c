/*
 * modules.c: where the domain modules are wired to each other: the one
 * file that may name one module's function in another's table, so no
 * module calls back up into one that builds on it (nginx keeps its
 * ngx_modules[] the same way, apart from the modules themselves). Read at
 * start-up and never changed.
 *
 * bss_outbox_consumers[] (events/events.h): the functions the outbox calls
 * in the transaction of every event it records, in order.
 *
 * bss_doc_kinds[] (doc/doc.h): every kind of document, for what looks at
 * all of them at once (the reference index rebuilt at start-up).
 *
 * The interface's own wiring (which API files serve routes, the access
 * audit of reads) is in src/api/routes.c.
 */
#include "catalog/catalog.h"
#include "charging/charging.h"
#include "customer/customer.h"
#include "doc/doc.h"
#include "events/events.h"
#include "order/order.h"

const bss_outbox_consumer bss_outbox_consumers[] = {
    {"customer.interactions", bss_interaction_on_event}, /* system interactions of subscribers' events */
    {NULL, NULL},
};

const bss_doc_kind *const bss_doc_kinds[] = {
    &bss_category_kind,
    &bss_catalog_kind,
    &bss_spec_kind,
    &bss_offering_kind,
    &bss_offering_price_kind,
    &bss_zone_table_kind,
    &bss_timeband_plan_kind,
    &bss_promotion_kind,
    &bss_import_job_kind,
    &bss_export_job_kind,
    &bss_individual_kind,
    &bss_organization_kind,
    &bss_customer_kind,
    &bss_billing_account_kind,
    &bss_party_account_kind,
    &bss_financial_account_kind,
    &bss_settlement_account_kind,
    &bss_bill_format_kind,
    &bss_billing_cycle_spec_kind,
    &bss_bill_presentation_media_kind,
    &bss_interaction_kind,
    &bss_ticket_kind,
    &bss_product_kind,
    &bss_product_order_kind,
    &bss_cancel_order_kind,
    &bss_topup_balance_kind,
    &bss_adjust_balance_kind,
    &bss_reserve_balance_kind,
    &bss_transfer_balance_kind,
    &bss_usage_spec_kind,
    NULL,
};

/* Provisioning steps carried out by a module (order.h): the charging module makes a product's buckets. */
const bss_order_local_step bss_order_local_steps[] = {
    {"charging.", bss_charging_order_step},
    {NULL, NULL},
};
