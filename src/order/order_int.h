/*
 * order_int.h: what the order module's files share with each other and
 * with their tests: the store functions of order_store.c (every SQL
 * statement of the module that is not a document row).
 */
#ifndef BSS_ORDER_ORDER_INT_H
#define BSS_ORDER_ORDER_INT_H

#include "order/order.h"

/* product_identity: the identities of product id (replaced), or none when values is NULL (a product not live). */
typedef struct bss__identity {
    const char *kind;  /* "MSISDN" | "ICCID" | "IMSI" */
    const char *value; /* normalised */
} bss__identity;

bss_err bss__store_identities_set(bss_db *db, const char *product_id, const bss__identity *ids, size_t n,
                                  bss_errinfo *ei);
/* The live product holding kind/value, other than self (may be NULL): into id, *found. */
bss_err bss__store_identity_owner(bss_db *db, const char *kind, const char *value, const char *self, char *id,
                                  size_t cap, bool *found, bss_errinfo *ei);

#endif
