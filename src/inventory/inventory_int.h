/*
 * inventory_int.h: what the inventory module's files share with each other
 * and with their tests: the row structs, the store functions of
 * inventory_store.c (every SQL statement of the module), the state table
 * of resource.c and the pure SIM row check of sim.c.
 */
#ifndef BSS_INVENTORY_INVENTORY_INT_H
#define BSS_INVENTORY_INVENTORY_INT_H

#include "core/iccid.h"
#include "inventory/inventory.h"

#define BSS__IMSI_MAX 15
#define BSS__MSISDN_MAX 15 /* E.164 digits without '+' */
#define BSS__STATE_MAX 16

/* A SIM row as read (strings copied into the struct; ki/opc only said present). */
typedef struct bss__sim_row {
    char iccid[BSS_ICCID_MAX + 1];
    char imsi[BSS__IMSI_MAX + 1];
    char profile[BSS__STATE_MAX];
    char state[BSS__STATE_MAX]; /* as stored */
    char eff[BSS__STATE_MAX];   /* effective: an expired reservation is "available" */
    char state_reason[BSS_INV_REASON_MAX + 1];
    char batch[BSS_INV_NAME_MAX + 1];
    char warehouse[BSS_INV_NAME_MAX + 1];
    char holder[BSS_INV_NAME_MAX + 1];
    char product_id[BSS_INV_NAME_MAX + 1];
    char codes_shown_by[BSS_INV_NAME_MAX * 2 + 2];
    int64_t held_until; /* 0: none */
    int64_t codes_shown_ms;
    int64_t created_ms, updated_ms, row_version;
    bool has_keys;  /* Ki and OPc are held (sealed) */
    bool has_codes; /* PIN/PUK are held (sealed) */
} bss__sim_row;

/* A new SIM from a batch file: ki/opc/codes already sealed (NULL: not stored). */
typedef struct bss__sim_new {
    char iccid[BSS_ICCID_MAX + 1];
    char imsi[BSS__IMSI_MAX + 1];
    char profile[BSS__STATE_MAX];
    char batch[BSS_INV_NAME_MAX + 1];
    char warehouse[BSS_INV_NAME_MAX + 1];
    char *ki, *opc, *codes;
} bss__sim_new;

typedef struct bss__msisdn_row {
    char number[BSS__MSISDN_MAX + 1];
    char range_id[BSS_INV_NAME_MAX + 1];
    char prefix[BSS__MSISDN_MAX + 1];
    char category[BSS_INV_NAME_MAX + 1];
    char state[BSS__STATE_MAX];
    char eff[BSS__STATE_MAX];
    char state_reason[BSS_INV_REASON_MAX + 1];
    char holder[BSS_INV_NAME_MAX + 1];
    char product_id[BSS_INV_NAME_MAX + 1];
    char donor[BSS_INV_NAME_MAX + 1];
    int64_t held_until, quarantine_until;
    bool ported_in;
    int64_t created_ms, updated_ms, row_version;
} bss__msisdn_row;

/* ---- the state table (resource.c) ---- */

typedef enum bss__res_type { BSS__RES_SIM = 0, BSS__RES_MSISDN = 1 } bss__res_type;

/* Whether a resource of type may go from -> to (effective states), and for whom: staff (PATCH) or orders. */
bool bss__inv_move_ok(bss__res_type t, const char *from, const char *to, bool staff);
/* "; from X it may become: A, B" for staff's moves, into buf. */
const char *bss__inv_next_states(bss__res_type t, const char *from, char *buf, size_t cap);
/* The Resource document of a row. */
json_t *bss__inv_sim_json(const bss__sim_row *s, const char *base_url);
json_t *bss__inv_msisdn_json(const bss__msisdn_row *m, const char *base_url);

/* ---- SIM rows (sim.c), pure ---- */

/* The columns of a SIM batch file. */
enum {
    BSS__SIMCOL_ICCID,
    BSS__SIMCOL_IMSI,
    BSS__SIMCOL_KI,
    BSS__SIMCOL_OPC,
    BSS__SIMCOL_PIN1,
    BSS__SIMCOL_PUK1,
    BSS__SIMCOL_PIN2,
    BSS__SIMCOL_PUK2,
    BSS__SIMCOL_PROFILE,
    BSS__SIMCOL_BATCH,
    BSS__SIMCOL_WAREHOUSE,
    BSS__SIMCOL_COUNT
};

/* Field values of one row (NUL-terminated copies; "" when absent). */
typedef struct bss__sim_fields {
    char v[BSS__SIMCOL_COUNT][80];
    bool too_long[BSS__SIMCOL_COUNT];
} bss__sim_fields;

/*
 * Checks one row's fields and fills out (sealing nothing yet: out->ki etc.
 * stay NULL). keys: whether Ki/OPc are required. BSS_E_INVALID with
 * ei->field the column's name.
 */
bss_err bss__sim_check(const bss__sim_fields *f, bss_sim_keys keys, const char *batch, bss__sim_new *out,
                       bss_errinfo *ei);

/* A pick's holder and length: 1..BSS_INV_NAME_MAX bytes, 0..BSS_INV_HOLD_MAX_MIN minutes. */
bss_err bss__inv_check_holder(const bss_inv_pick *pick, bss_errinfo *ei);

/* The column names, in BSS__SIMCOL_* order. */
extern const char *const bss__sim_columns[BSS__SIMCOL_COUNT];

/* ---- the store (inventory_store.c) ---- */

bss_err bss__inv_sim_get(bss_db *db, int64_t now_ms, const char *iccid, bss__sim_row *out, bool *found,
                         bss_errinfo *ei);
bss_err bss__inv_sim_imsi_taken(bss_db *db, const char *imsi, bool *taken, bss_errinfo *ei);
bss_err bss__inv_sim_insert(bss_db *db, const bss__sim_new *s, int64_t now_ms, bss_errinfo *ei);
/* The sealed codes of a SIM (bss_malloc'd, NULL when none). */
bss_err bss__inv_sim_codes_get(bss_db *db, const char *iccid, char **sealed, bss_errinfo *ei);
/* Marks the codes shown; *changed false when they already were (a race). */
bss_err bss__inv_sim_codes_mark(bss_db *db, const char *iccid, int64_t now_ms, const char *by, bool *changed,
                                bss_errinfo *ei);

bss_err bss__inv_msisdn_get(bss_db *db, int64_t now_ms, const char *number, bss__msisdn_row *out, bool *found,
                            bss_errinfo *ei);
/* How many numbers of the pool lie in first..last (same length), and the lowest of them. */
bss_err bss__inv_msisdn_overlap(bss_db *db, const char *first, const char *last, int64_t *n, char *lowest,
                                size_t cap, bss_errinfo *ei);
bss_err bss__inv_range_insert(bss_db *db, const char *id, const char *first, const char *last, const char *prefix,
                              const char *category, int64_t size, int64_t now_ms, bss_errinfo *ei);
bss_err bss__inv_range_list(bss_db *db, int64_t now_ms, json_t *out, bss_errinfo *ei);
/* A ported-in number, reserved for holder. */
bss_err bss__inv_msisdn_insert_ported(bss_db *db, const char *number, const char *donor, const char *holder,
                                      int64_t now_ms, bss_errinfo *ei);

bss_err bss__inv_category_get(bss_db *db, const char *name, bool *found, bss_errinfo *ei);
bss_err bss__inv_category_put(bss_db *db, const char *name, const char *price_id, const char *description,
                              int64_t now_ms, bss_errinfo *ei);
bss_err bss__inv_category_list(bss_db *db, json_t *out, bss_errinfo *ei);
bss_err bss__inv_category_price(bss_db *db, const char *name, char *price_id, size_t cap, bss_errinfo *ei);
/* Moves the live holds of from to to (no end); *numbers / *sims the rows moved. */
bss_err bss__inv_rehold(bss_db *db, int64_t now_ms, const char *from, const char *to, int64_t *numbers, int64_t *sims,
                        bss_errinfo *ei);

/* The lowest free number of category (and prefix, may be NULL) into out; *found false when none. */
bss_err bss__inv_msisdn_first_free(bss_db *db, int64_t now_ms, const char *category, const char *prefix,
                                   char *out, bool *found, bss_errinfo *ei);
bss_err bss__inv_sim_first_free(bss_db *db, int64_t now_ms, const char *profile, char *out, bool *found,
                                bss_errinfo *ei);

/*
 * Moves one row from effective state from_eff to to, conditionally: the
 * update only applies while the row still is in from_eff (so of two racing
 * writers, one changes it and the other sees *changed false). holder,
 * held_until, product, reason as given (NULL holder clears it).
 */
typedef struct bss__inv_move {
    const char *id;
    const char *from_eff;
    const char *to;
    const char *holder;     /* NULL: clear */
    int64_t held_until;     /* 0: none */
    int64_t quarantine_until; /* MSISDN: 0 none */
    const char *product_id; /* NULL: keep */
    const char *reason;     /* NULL: clear */
} bss__inv_move;
bss_err bss__inv_sim_move(bss_db *db, int64_t now_ms, const bss__inv_move *m, bool *changed, bss_errinfo *ei);
bss_err bss__inv_msisdn_move(bss_db *db, int64_t now_ms, const bss__inv_move *m, bool *changed, bss_errinfo *ei);

/* Rows holder holds in state reserved, each table: ids appended to out (a JSON array of strings). */
bss_err bss__inv_held(bss_db *db, const char *holder, json_t *sims, json_t *numbers, bss_errinfo *ei);

bss_err bss__inv_history_add(bss_db *db, const bss_inv_actor *by, const char *id, const char *action,
                             const char *from, const char *to, const char *reason, const char *holder,
                             bss_errinfo *ei);
bss_err bss__inv_history_list(bss_db *db, const char *id, int64_t limit, json_t *out, bss_errinfo *ei);

/* Lists: rows the filter selects of one table, by id, and their count. */
typedef void (*bss__sim_each_fn)(const bss__sim_row *s, void *arg);
typedef void (*bss__msisdn_each_fn)(const bss__msisdn_row *m, void *arg);
bss_err bss__inv_sim_list(bss_db *db, int64_t now_ms, const bss_inv_filter *f, int64_t offset, int64_t limit,
                          bss__sim_each_fn each, void *arg, int64_t *total, bss_errinfo *ei);
bss_err bss__inv_msisdn_list(bss_db *db, int64_t now_ms, const bss_inv_filter *f, int64_t offset,
                             int64_t limit, bss__msisdn_each_fn each, void *arg, int64_t *total, bss_errinfo *ei);

/* Stats: counts grouped by (effective) state etc., into obj as name -> count. */
bss_err bss__inv_sim_counts(bss_db *db, int64_t now_ms, json_t *by_state, json_t *by_profile, int64_t *total,
                            bss_errinfo *ei);
bss_err bss__inv_msisdn_counts(bss_db *db, int64_t now_ms, json_t *by_state, json_t *by_category,
                               json_t *prefixes, int64_t *total, bss_errinfo *ei);

#endif
