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
#include "app.h"
#include "core/netallow.h"
#include "doc/doc.h"

#define BSS_TMF637_BASE "/tmf-api/productInventory/v4"
#define BSS_TMF622_BASE "/tmf-api/productOrderingManagement/v4"

struct bss_catalog;   /* catalog/catalog.h */
struct bss_principal; /* auth/auth.h */

extern const bss_doc_kind bss_product_kind;
extern const bss_doc_kind bss_product_order_kind;
extern const bss_doc_kind bss_cancel_order_kind;

#define BSS_ORDER_MAX_ITEMS 50

/*
 * Provisioning steps another module carries out itself, in the step's
 * transaction, instead of the network adapter: the charging module's
 * charging.* steps (the buckets of a product). A step of type prefix...
 * (and its undo:prefix...) runs run(db, the compiled catalog, type, the
 * task's input, now). The table is wired in src/modules.c and ends with
 * {NULL, NULL}.
 */
typedef bss_err (*bss_order_step_fn)(bss_db *db, const struct bss_catalog *cat, const char *type, const json_t *input,
                                     int64_t now_ms, bss_errinfo *ei);
typedef struct bss_order_local_step {
    const char *prefix; /* "charging." */
    bss_order_step_fn run;
} bss_order_local_step;
extern const bss_order_local_step bss_order_local_steps[];

/* ---- product orders (order.c, submit.c) ---- */

/* Whether an order in state from may go to to (TMF622 v4's table, order.c). */
bool bss_order_transition_ok(const char *from, const char *to);
/* completed, partial, failed, rejected, cancelled. */
bool bss_order_is_final(const char *state);

/* What an order's submission works with: the compiled catalog as of now, who asks, when. */
typedef struct bss_order_env {
    const struct bss_catalog *cat; /* the compiled catalog (NULL: nothing is for sale) */
    const struct bss_principal *who;
    int64_t now_ms;
    const char *base_url;
    int64_t hold_minutes; /* a shopper's reservation taken over by the order is held until the order ends */
} bss_order_env;

typedef enum bss_order_outcome {
    BSS_ORDER_CREATED = 1, /* a new order, acknowledged and started */
    BSS_ORDER_REPLAYED,    /* the same externalId and content as an earlier order: that order */
    BSS_ORDER_QUOTED,      /* dryRun: the quote, nothing written */
} bss_order_outcome;

/*
 * Submits a productOrder (docs/orders.md), in the caller's transaction.
 * Every check runs before anything is written, and every problem found is
 * reported at once (422 UNPROCESSABLE with details, each naming its
 * member: "productOrderItem[1].productOffering.id"; a product in a state
 * that does not allow the change is 409 STATE); nothing is reserved then.
 * dry_run: *out is the quote {orderTotalPrice, productOrderItem: [{id,
 * itemPrice}], creditCheck}. Otherwise the numbers and SIMs are reserved
 * for the order, its products created, its tasks written, and *out is the
 * order (state inProgress). An externalId seen before: the same content
 * returns that order (BSS_ORDER_REPLAYED), other content is 409 naming it.
 */
bss_err bss_order_submit(bss_db *db, const bss_order_env *env, const json_t *body, bool dry_run, json_t **out,
                         bss_order_outcome *how, bss_errinfo *ei);

/*
 * An agent's retry of a failed (or partial) order: a new order with the
 * items that failed, for the same customer and account, naming the first
 * in "retryOf"; it is checked and reserved like any new order (a number
 * taken meanwhile is 409). Another state is 409 STATE.
 */
bss_err bss_order_retry(bss_db *db, const bss_order_env *env, const char *order_id, json_t **out, bss_errinfo *ei);

/*
 * A cancelProductOrder {productOrder: {id}, cancellationReason}: the order
 * goes through assessingCancellation and pendingCancellation (its done
 * steps undone, its reservations released) to cancelled; a held order
 * straight to cancelled. A final order is 409 STATE ("cancelling a
 * completed order"). *out the cancellation request (state "done").
 */
bss_err bss_order_cancel(bss_db *db, const bss_order_env *env, const json_t *body, json_t **out, bss_errinfo *ei);

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

/*
 * The live product of a number as charging reads it (one query, typed
 * columns; the document is parsed only when it holds what no column does:
 * a spendingCap, a pinned productOfferingVersion, or a startDate written
 * before the start_ms column existed). *found false when no live product
 * has the number.
 */
typedef struct bss_product_line {
    char id[BSS_ID_MAX + 1];
    char status[24];
    char offering_id[BSS_ID_MAX + 1];
    char pinned_version[64]; /* productOfferingVersion, "" when absent */
    char account_id[BSS_ID_MAX + 1];
    int64_t start_ms;            /* startDate; INT64_MIN: never active */
    int64_t spending_cap_micros; /* the spendingCap characteristic; 0: none */
} bss_product_line;
bss_err bss_product_line_find(bss_db *db, const char *msisdn, bss_product_line *out, bool *found, bss_errinfo *ei);

/* ---- provisioning (tasks.c, simulator.c; docs/provisioning.md) ---- */

/* One step for the network, as an adapter sees it. */
typedef struct bss_prov_task {
    const char *order_id;
    int64_t seq;          /* with order_id: the idempotency key of the step */
    const char *type;     /* "hlr.createSubscriber", "undo:hlr.createSubscriber" ... */
    const json_t *input;  /* {orderId, itemId, productId, MSISDN, ICCID, IMSI?, simType, offeringId, status?} */
    int64_t attempt;      /* 1 for the first try */
    bool poll;            /* the step was accepted earlier: ask for its outcome (no new request) */
} bss_prov_task;

/*
 * What an adapter answers for a step the network accepted but has not
 * done yet: the task waits (state "waiting") for the outcome, reported by
 * bss_order_task_report (the MVNE's callback) or asked for again (poll)
 * after the runner's wait.
 */
#define BSS_PROV_ACCEPTED BSS_E_DONE

/*
 * A southbound adapter: runs one step (it may block: it runs on the order
 * runner's thread, never on an event loop) and answers BSS_OK with an
 * optional *result (kept with the task: an eSIM's activation code), or an
 * error whose message is kept; the runner retries and compensates.
 */
typedef struct bss_prov_adapter {
    const char *name;
    bss_err (*run)(void *ctx, const bss_prov_task *t, json_t **result, bss_errinfo *ei);
    void *ctx;
} bss_prov_adapter;

/* The runner's settings. */
typedef struct bss_order_cfg {
    int64_t poll_ms;         /* how often it looks for due tasks besides kicks: 200 */
    int64_t lease_ms;        /* a claimed task's lease: 60000 */
    int64_t attempts;        /* tries of a step: 3 */
    int64_t retry_ms;        /* the pause before the 2nd try (then doubling): 200 */
    int64_t quarantine_days; /* a terminated number's quarantine */
    int64_t wait_ms;         /* an accepted step is asked for its outcome after this long: 30000 */
    const char *base_url;    /* hrefs of the documents the steps write */
} bss_order_cfg;

typedef struct bss_order_runner bss_order_runner;

/*
 * Sets every task a previous run left running pending again, then starts
 * the runner thread. adapter runs the network steps; porting (NULL: the
 * same adapter) the porting.* steps, for the number portability authority.
 */
bss_err bss_order_runner_start(bss_app *app, const bss_order_cfg *cfg, const bss_prov_adapter *adapter,
                               const bss_prov_adapter *porting, bss_order_runner **out, bss_errinfo *ei);
/* Wakes the runner (an order was just committed). NULL is a no-op. */
void bss_order_runner_kick(bss_order_runner *r);
/* Stops and frees it (the step running finishes first). NULL is a no-op. */
void bss_order_runner_stop(bss_order_runner *r);
void bss_order_runner_stats(bss_order_runner *r, int64_t *done, int64_t *failed, int64_t *retried);
/* Open orders past their expected completion, as counted by the runner every few seconds (0 for NULL). */
int64_t bss_order_runner_overdue(bss_order_runner *r);

/*
 * Open orders past their expected completion (expectedCompletionDate <
 * now), the most overdue first, at most limit (1..1000): a JSON array of
 * {id, href, category, state, orderDate, expectedCompletionDate,
 * overdueMinutes, relatedParty, billingAccount}; *total all of them.
 */
bss_err bss_order_overdue(bss_db *db, int64_t now_ms, int64_t limit, json_t **out, int64_t *total, bss_errinfo *ei);

/*
 * The simulator: every step succeeds after latency_ms, except that a step
 * of a type listed in fail ("hlr.createSubscriber=100,pcrf.setPolicy=10":
 * percent of tries) fails that often, decided by a hash of (order, seq,
 * attempt) so a run can be repeated. An eSIM's smdp.downloadOrder answers
 * {"activationCode": "LPA:1$<smdp_address>$<matching id>"}.
 */
typedef struct bss_prov_sim {
    int64_t latency_ms;
    char fail[512];
    char smdp_address[128];
} bss_prov_sim;
/* Checks a fail list: BSS_E_CONFIG naming "provision-fail". */
bss_err bss_prov_sim_check(const char *fail, bss_errinfo *ei);
bss_prov_adapter bss_prov_simulator(bss_prov_sim *sim);

/* The HTTP adapter's settings (--provision-url, --provision-token-file, --provision-allow, ...). */
typedef struct bss_prov_http {
    char url[512];           /* the MVNE/OSS endpoint, without a trailing '/' */
    char token[512];         /* the bearer token it expects ("" = none) */
    int64_t timeout_ms;      /* of one call */
    bss_netallow allow;      /* addresses beyond public ones it may reach */
    char callback_base[512]; /* this server's base URL, for the callback */
} bss_prov_http;
bss_prov_adapter bss_prov_http_adapter(bss_prov_http *cfg);

/*
 * The outcome of a waiting (or running) step, reported by the network
 * (POST /api/v1/provisioning/tasks/{order}/{seq}): {"status": "done",
 * "result"?} or {"status": "failed", "error"}. In the caller's
 * transaction, as the runner would record it (a failed one is tried again
 * or undone). 404 for no such task; 409 STATE for a task not waiting.
 */
bss_err bss_order_task_report(bss_order_runner *r, bss_db *db, const char *order_id, int64_t seq, const json_t *body,
                              int64_t now_ms, bss_errinfo *ei);

/* The tasks of an order, in seq order: [{seq, itemId, type, state, attempts, error?, result?}]. */
bss_err bss_order_tasks(bss_db *db, const char *order_id, json_t **out, bss_errinfo *ei);

#endif
