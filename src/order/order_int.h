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

/* ---- orders (order.c) ---- */

/* The value of a characteristic of an order item's product, by name (any case), or NULL. */
const char *bss__item_char(const json_t *item, const char *name);

/* "; from X it may become: A, B" (or "; X is final") into buf. */
const char *bss__order_next_states(const char *from, char *buf, size_t cap);
/* Moves order (a document being built or patched) to state to, appending stateChange; 409 STATE if not allowed. */
bss_err bss__order_set_state(json_t *order, const char *to, const char *reason, const struct bss_principal *who,
                             int64_t now_ms, bss_errinfo *ei);

/* ---- tasks (tasks.c) ---- */

/* What holds an item's numbers and SIMs in the inventory: "<order id>#<item index>". */
void bss__order_holder(const char *order_id, size_t index, char *buf, size_t cap);

/* The expected duration of an order of category (newLine, change, termination, noChange), ms. */
int64_t bss__order_sla_ms(const char *category);
/* Writes the provisioning tasks of a new order (its items' plans), in the caller's transaction. */
bss_err bss__order_plan_tasks(bss_db *db, const json_t *order, int64_t now_ms, bss_errinfo *ei);

/* One task as claimed or read (strings owned by the struct; input bss_malloc'd). */
typedef struct bss__task {
    char order_id[BSS_ID_MAX + 1];
    int64_t seq;
    char item_id[64];
    char type[64];
    int64_t attempts;
    char *input;
    bool poll; /* claimed from "waiting": ask for the outcome */
} bss__task;

/* Counts of one item's tasks. */
typedef struct bss__item_tasks {
    int64_t open;    /* pending or running */
    int64_t running;
    int64_t failed;  /* failed, not counting undo: tasks */
    int64_t done;
} bss__item_tasks;

/* Moves items and the order on from their tasks (tasks.c). */
bss_err bss__order_advance(bss_db *db, const char *order_id, int64_t now_ms, const char *base_url, bss_errinfo *ei);

/* ---- the store ---- */

bss_err bss__store_task_insert(bss_db *db, const char *order_id, int64_t seq, const char *item_id, const char *type,
                               int64_t after_seq, int64_t now_ms, const char *input, bss_errinfo *ei);
bss_err bss__store_item_tasks(bss_db *db, const char *order_id, const char *item_id, bss__item_tasks *out,
                              bss_errinfo *ei);
/* The item's done tasks in seq order (at most cap) and the input of its tasks (*input, a new reference; NULL if none). */
bss_err bss__store_item_done(bss_db *db, const char *order_id, const char *item_id, bss__task *out, size_t cap,
                             size_t *n, json_t **input, bss_errinfo *ei);
/* Its pending tasks become skipped. */
bss_err bss__store_item_skip(bss_db *db, const char *order_id, const char *item_id, int64_t now_ms, bss_errinfo *ei);
bss_err bss__store_task_max_seq(bss_db *db, const char *order_id, int64_t *seq, bss_errinfo *ei);
/* Claims up to cap due tasks (pending, due, the one before done): running with a lease. */
bss_err bss__store_tasks_claim(bss_db *db, int64_t now_ms, int64_t lease_until, bss__task *out, size_t cap, size_t *n,
                               bss_errinfo *ei);
bss_err bss__store_task_done(bss_db *db, const char *order_id, int64_t seq, int64_t now_ms, const char *result,
                             bss_errinfo *ei);
bss_err bss__store_task_retry(bss_db *db, const char *order_id, int64_t seq, int64_t next_at_ms, const char *error,
                              bss_errinfo *ei);
bss_err bss__store_task_failed(bss_db *db, const char *order_id, int64_t seq, int64_t now_ms, const char *error,
                               bss_errinfo *ei);
/* The result of the item's done task of type (*out a new reference, NULL when none). */
bss_err bss__store_item_result(bss_db *db, const char *order_id, const char *item_id, const char *type, json_t **out,
                               bss_errinfo *ei);
/* A step accepted by the network waits for its outcome until next_at_ms (then it is polled). */
bss_err bss__store_task_wait(bss_db *db, const char *order_id, int64_t seq, int64_t next_at_ms, const char *result,
                             bss_errinfo *ei);
/* One task (*state its state; *found false when none). */
bss_err bss__store_task_get(bss_db *db, const char *order_id, int64_t seq, bss__task *out, char *state, size_t cap,
                            bool *found, bss_errinfo *ei);
/* Start-up: every running task becomes pending again (*n how many). */
bss_err bss__store_tasks_resume(bss_db *db, int64_t *n, bss_errinfo *ei);
/* Open orders past expected_ms < now: their documents (most overdue first, at most limit) and the count. */
bss_err bss__store_overdue(bss_db *db, int64_t now_ms, int64_t limit, json_t *docs, int64_t *total, bss_errinfo *ei);
/* The tasks of an order as JSON (for GET .../productOrder/{id}/tasks). */
bss_err bss__store_order_tasks(bss_db *db, const char *order_id, json_t *out, bss_errinfo *ei);

/* order_submission: the order and content hash of an externalId (*found false when new). */
bss_err bss__store_submission_get(bss_db *db, const char *external_id, char *order_id, size_t id_cap, char *hash,
                                  size_t hash_cap, bool *found, bss_errinfo *ei);
bss_err bss__store_submission_put(bss_db *db, const char *external_id, const char *order_id, const char *hash,
                                  int64_t now_ms, bss_errinfo *ei);

/* The live products of an account, each loaded (fn gets a borrowed document). */
typedef bss_err (*bss__product_fn)(const json_t *product, void *arg);
bss_err bss__products_of_account(bss_db *db, const char *account_id, bss__product_fn fn, void *arg, bss_errinfo *ei);

#endif
