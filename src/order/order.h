/*
 * order.h: the order management module, as other modules see it: the
 * product inventory (TMF637: what each customer has, product.c) and, built
 * on it, product orders with their provisioning (TMF622). Its REST
 * bindings live in src/api (tmf637.c); docs/orders.md documents the rules.
 *
 * The document kinds (doc/doc.h):
 *
 *   kind               name      table
 *   bss_product_kind   product   product (+ product_identity)
 *
 * A product holds the offering and the offering's version it was sold at
 * (grandfathering: a later catalog change does not change what a customer
 * pays until an order moves them), its prices (productPrice, each naming
 * the productOfferingPrice and its version), its characteristics (MSISDN,
 * ICCID, IMSI: what identifies the line on the network), its billing
 * account and customer, start and termination dates, and the bundle it
 * belongs to (productRelationship / parent).
 */
#ifndef BSS_ORDER_ORDER_H
#define BSS_ORDER_ORDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "doc/doc.h"

#define BSS_TMF637_BASE "/tmf-api/productInventory/v4"

extern const bss_doc_kind bss_product_kind;

/* The product statuses of TMF637 v4, in order. */
#define BSS_PRODUCT_STATUSES "created, pendingActive, active, suspended, pendingTerminate, terminated, cancelled, aborted"

/* Whether a product in status may go to next (same status: true). */
bool bss_product_transition_ok(const char *status, const char *next);

/* Whether status is one a product is live in (not terminated, cancelled or aborted). */
bool bss_product_is_live(const char *status);

/*
 * The live product a network identity belongs to: kind "MSISDN" (E.164
 * digits without '+'), "ICCID" or "IMSI". *found false when none; id gets
 * the product's id (BSS_ID_MAX + 1 bytes).
 */
bss_err bss_product_find(bss_db *db, const char *kind, const char *value, char *id, bool *found, bss_errinfo *ei);

#endif
