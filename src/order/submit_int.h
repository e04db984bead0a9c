/*
 * submit_int.h: what the files of an order's submission share (submit.c:
 * the checks and the write; quote.c: the prices and the credit check):
 * the plan of an order and of each of its items, and the problems found.
 */
#ifndef BSS_ORDER_SUBMIT_INT_H
#define BSS_ORDER_SUBMIT_INT_H

#include <jansson.h>

#include "catalog/catalog.h"
#include "core/iccid.h"
#include "inventory/inventory.h"
#include "order/order.h"

#define MAX_PROBLEMS 16

typedef struct problems {
    size_t n;
    struct {
        bss_err code;
        char field[128];
        char msg[256];
    } p[MAX_PROBLEMS];
} problems;



/* ---- one item's plan ---- */

typedef struct item_plan {
    size_t index;
    const json_t *item;
    const char *id;
    const char *action;
    const bss_offering *off; /* add, or a modify that changes the plan */
    bool is_line, is_addon;
    const char *base_item; /* an add-on's base: an item id of this order ... */
    const json_t *product; /* ... or this existing product (modify/delete/noChange: the product) */
    char msisdn[24];       /* the number asked for (digits), "" = the first free one */
    char reservation[BSS_INV_NAME_MAX + 1];
    char sim_type[16];
    char iccid[BSS_ICCID_MAX + 1];
    char new_status[24]; /* modify: suspended / active */
    bool port_in;        /* add: the number comes from another operator (portInMSISDN) */
    char donor[BSS_INV_NAME_MAX + 1];
    int64_t porting_ms;  /* when the number moves: the line activates then */
    bool port_out;       /* delete: the number leaves for recipient */
    char recipient[BSS_INV_NAME_MAX + 1];
    bool plan_change;    /* modify: a new offering; a cheaper one takes effect at the next bill period */
    bool downgrade;
    int64_t effective_ms;
    bool swap_sim;       /* modify: a new SIM (ICCID given, or simType to pick one), same number */
    bool change_number;  /* modify: a new number (MSISDN given, or "auto") */
    char old_msisdn[24], old_iccid[24];
    /* results */
    char got_msisdn[24], got_iccid[24], got_imsi[24], category[40];
    json_t *prices; /* itemPrice */
    json_t *children; /* a bundle's child products: [{id, productOffering {id}, productCharacteristic?}] */
    int line_child;   /* which bundled offering is the line (-1: none, or not a bundle) */
    int64_t one_time, first_recurring, monthly;
    char product_id[BSS_ID_MAX + 1];
} item_plan;

typedef struct order_plan {
    const bss_order_env *env;
    json_t *customer, *account;
    const char *customer_id, *account_id;
    char currency[8];
    bool tax_included;
    int cycle_day;
    json_t *held; /* live products of the account: array */
    char channel[32]; /* the order's channel[0].name (or id); by default the key's: care, or web for integration keys */
    item_plan items[BSS_ORDER_MAX_ITEMS];
    size_t nitems;
    int64_t one_time, first_recurring, monthly, held_monthly;
    problems ps;
} order_plan;

/* Records one problem of the order (at most MAX_PROBLEMS are kept). */
void bss__order_problem(problems *ps, bss_err code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- quote.c ---- */

/* An item's prices (its offering's and a bundle's bundled offerings') into it->prices and its sums. */
void bss__quote_item(order_plan *pl, item_plan *it);
/* The one-time price of the category of the number an item got (a golden number). */
void bss__quote_category(bss_db *db, order_plan *pl, item_plan *it);
/* A monthly amount of a product's recurring prices. */
int64_t bss__quote_product_monthly(const order_plan *pl, const json_t *product);
/* The credit check of a postpaid account: a problem when the exposure is over the credit limit. */
void bss__quote_credit_check(order_plan *pl);
/* A plan change: an upgrade now, a downgrade at the next bill period. */
void bss__quote_plan_effective(order_plan *pl, item_plan *it);
/* The order's orderTotalPrice. */
json_t *bss__quote_totals(const order_plan *pl);

#endif
