/*
 * inventory.h: the resource inventory module, as other modules see it: SIM
 * cards and the MSISDN pool an operator sells lines from (docs/inventory.md).
 * Orders (src/order) reserve a number and a SIM, assign them to a product
 * and hand them back when a step fails; care and the web shop hold a
 * number for a while; logistics imports SIM batch files and adds number
 * ranges. Its REST binding is src/api/tmf639.c (TMF639-style
 * /tmf-api/resourceInventoryManagement/v4/resource and the admin routes
 * under /admin/v1/inventory); `bss inventory` is a client of those.
 *
 * SIMs and numbers are typed rows (migration 0013), not documents: a pool
 * holds hundreds of thousands of numbers and each is a few columns. A row
 * is rendered as a TMF639 Resource on read (resource.c). Every function
 * takes the store connection and `now` (the injected clock); writes run in
 * the caller's transaction (a writer job), reads on any connection.
 *
 * States (the one table is in resource.c):
 *   SIM     available -> reserved -> assigned -> active -> retired,
 *           and lost / stolen from any state but retired
 *   MSISDN  available -> reserved -> assigned -> active -> quarantined ->
 *           (after the quarantine) available; retired; portedOut
 * A reservation past its end and a quarantine past its end count as
 * available everywhere (lists, stats, picks) without a sweeper.
 */
#ifndef BSS_INVENTORY_INVENTORY_H
#define BSS_INVENTORY_INVENTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/err.h"
#include "core/seal.h"
#include "db/db.h"

#define BSS_TMF639_BASE "/tmf-api/resourceInventoryManagement/v4"

#define BSS_INV_SIM_FILE_MAX_ROWS 20000     /* SIM rows in one batch file */
#define BSS_INV_RANGE_MAX 100000            /* numbers in one add-range */
#define BSS_INV_HOLD_MAX_MIN (7 * 24 * 60)  /* the longest reservation, minutes */
#define BSS_INV_NAME_MAX 64                 /* batch, warehouse, category, holder names */
#define BSS_INV_REASON_MAX 500

/* Where a SIM's Ki and OPc live: sealed in the store, or only in the operator's HSS (not stored). */
typedef enum bss_sim_keys { BSS_SIM_KEYS_STORE = 0, BSS_SIM_KEYS_HSS } bss_sim_keys;

/* The settings of the module (from bss_config: --sim-keys, --msisdn-quarantine-days, ...). */
typedef struct bss_inv_config {
    const bss_seal_key *seal; /* seals Ki, OPc and the PIN/PUK codes */
    bss_sim_keys keys;
    int64_t quarantine_days; /* a terminated number waits this long before reuse: 90 */
    int64_t hold_minutes;    /* a reservation's default length: 30 */
    int64_t warn_left;       /* stats warn when a prefix has fewer available numbers: 1000 */
} bss_inv_config;

/* Who asks, for the history (who may be NULL: the server itself). */
typedef struct bss_inv_actor {
    const bss_principal *who;
    int64_t now_ms;
} bss_inv_actor;

/* ---- SIM batch files ---- */

/*
 * A SIM batch file (CSV, header row, columns in any order; docs/inventory.md):
 *   iccid, imsi             required
 *   ki, opc                 required with --sim-keys store (32 hex digits
 *                           each), ignored and counted with hss
 *   pin1, puk1              required (4-8 and 8 digits); pin2, puk2 optional
 *   profile                 physical | esim (default physical)
 *   batch, warehouse        optional (batch defaults to the import's)
 * An unknown column, a missing required column or a repeated one is an
 * error of the whole file (line 1). A row is rejected, with its line
 * number, for a bad field, an ICCID or IMSI repeated in the file, or one
 * already in the inventory. Without partial, one rejected row imports
 * nothing; with partial the good rows are imported and the rest reported.
 */
typedef struct bss_inv_import {
    const char *data; /* the file's bytes */
    size_t len;
    const char *batch; /* default batch name ("" / NULL: "import-<date>") */
    bool partial;
    bool dry_run;
} bss_inv_import;

/*
 * Imports a batch in the caller's transaction. *report (new JSON object):
 * {"read", "imported", "rejected", "keysDropped", "dryRun", "partial",
 * "batch", "rejects": [{"line", "iccid"?, "field"?, "reason"}]} (at most
 * 1000 rejects listed; "rejectsTruncated" says when more). BSS_OK when
 * the batch was imported (or would be, dry run); BSS_E_UNPROCESSABLE with
 * *report still set when rows were rejected and partial was not asked;
 * BSS_E_INVALID (field "line 1") for a bad header; BSS_E_TOO_BIG for more
 * than BSS_INV_SIM_FILE_MAX_ROWS rows.
 */
bss_err bss_inv_sim_import(bss_db *db, const bss_inv_config *cfg, const bss_inv_actor *by,
                           const bss_inv_import *in, json_t **report, bss_errinfo *ei);

/*
 * A SIM's PIN1/PUK1/PIN2/PUK2, shown once: the first call returns them
 * (and records who and why in the history); any later call is
 * BSS_E_CONFLICT naming when and by whom they were shown. reason is
 * required (1..BSS_INV_REASON_MAX bytes).
 */
bss_err bss_inv_sim_codes(bss_db *db, const bss_inv_config *cfg, const bss_inv_actor *by, const char *iccid,
                          const char *reason, json_t **out, bss_errinfo *ei);

/* ---- the MSISDN pool ---- */

/*
 * Adds the numbers FROM..TO (core/phone.h forms) of category ("standard"
 * when NULL/""; any other must be defined) to the pool. 409 when any of
 * them is already there (naming the first), 400 for a bad range or one
 * larger than BSS_INV_RANGE_MAX. *out: the range {id, from, to, prefix,
 * category, size}.
 */
bss_err bss_inv_range_add(bss_db *db, const bss_inv_actor *by, const char *from, const char *to,
                          const char *category, json_t **out, bss_errinfo *ei);

/* The ranges, oldest first, with what is left of each: a JSON array. */
bss_err bss_inv_range_list(bss_db *db, int64_t now_ms, json_t **out, bss_errinfo *ei);

/*
 * Defines (or changes) a number category: name [a-z0-9-]{1,32}, not
 * "standard"; price_id, when given, a one-time productOfferingPrice of the
 * catalog (checked: it exists and its priceType is oneTime). *out the
 * category.
 */
bss_err bss_inv_category_put(bss_db *db, const bss_inv_actor *by, const char *name, const char *price_id,
                             const char *description, json_t **out, bss_errinfo *ei);
bss_err bss_inv_category_list(bss_db *db, json_t **out, bss_errinfo *ei);

/* The one-time price (a productOfferingPrice id) of a category into price_id; "" when it has none or is standard. */
bss_err bss_inv_category_price(bss_db *db, const char *name, char *price_id, size_t cap, bss_errinfo *ei);

/* What a reservation asks for. */
typedef struct bss_inv_pick {
    const char *number;   /* a given number (any core/phone.h form), or NULL: the first free one */
    const char *category; /* with no number: the category to pick from ("standard" when NULL) */
    const char *prefix;   /* with no number: digits the number must start with (NULL: any) */
    const char *profile;  /* SIM: "physical" | "esim" */
    const char *iccid;    /* SIM: a given card, or NULL: the first free one of profile */
    const char *holder;   /* what holds it: an order id, a reservation id (1..BSS_INV_NAME_MAX) */
    int64_t hold_ms;      /* how long; 0: until released or assigned (an order's hold) */
    const char *base_url; /* for the answer's href (may be NULL) */
} bss_inv_pick;

/*
 * Reserves one number for pick->holder: the given one when it is free
 * (409 when it is held, assigned or in quarantine; 404 when not in the
 * pool), else the lowest free one of the category and prefix (409 when
 * none is left). Two reservations racing for one number: one gets it, the
 * other 409 (the update is conditional on the row being free). *out: the
 * resource.
 */
bss_err bss_inv_msisdn_reserve(bss_db *db, const bss_inv_actor *by, const bss_inv_pick *pick, json_t **out,
                               bss_errinfo *ei);

/* The same for a SIM card (by ICCID, or the first available of profile). */
bss_err bss_inv_sim_reserve(bss_db *db, const bss_inv_actor *by, const bss_inv_pick *pick, json_t **out,
                            bss_errinfo *ei);

/*
 * Returns to the pool every number and SIM holder still holds reserved
 * (not those assigned or active). *count (may be NULL): how many.
 */
bss_err bss_inv_release(bss_db *db, const bss_inv_actor *by, const char *holder, const char *reason,
                        int64_t *count, bss_errinfo *ei);

/*
 * Puts a SIM or a number (id: an ICCID or the number's digits) in service
 * for product_id: from available, reserved or assigned through each state
 * in turn to active, each move recorded. When holder is given, a reserved
 * or assigned resource must be held by it (409 otherwise); a resource in
 * any other state is 409 STATE. (An order's last step; the demo; moving a
 * base in from a legacy system.)
 */
bss_err bss_inv_activate(bss_db *db, const bss_inv_actor *by, const char *id, const char *holder,
                         const char *product_id, bss_errinfo *ei);

/*
 * Moves what reservation from_holder still holds (not expired) to
 * to_holder, held until released or assigned (an order takes over a
 * shopper's hold). *numbers and *sims (may be NULL) get how many moved.
 */
bss_err bss_inv_rehold(bss_db *db, const bss_inv_actor *by, const char *from_holder, const char *to_holder,
                       int64_t *numbers, int64_t *sims, bss_errinfo *ei);

/*
 * Takes a SIM or a number out of service after its product ended: a number
 * goes to quarantine until now + quarantine_days (then it is sold again), a
 * SIM is retired. From active only (409 STATE otherwise). reason is kept.
 */
bss_err bss_inv_retire(bss_db *db, const bss_inv_actor *by, const char *id, int64_t quarantine_days,
                       const char *reason, bss_errinfo *ei);

/*
 * A number coming from another operator (a port-in): added to the pool as
 * ported in from donor (1..64 bytes) and reserved for holder, or, when the
 * pool has it already (a number that once left and comes back), reserved
 * if it is free (409 otherwise). *out the resource.
 */
bss_err bss_inv_port_in(bss_db *db, const bss_inv_actor *by, const char *number, const char *donor,
                        const char *holder, json_t **out, bss_errinfo *ei);

/* A number that leaves for another operator (a port-out): active -> portedOut, recipient kept as the reason. */
bss_err bss_inv_port_out(bss_db *db, const bss_inv_actor *by, const char *number, const char *recipient,
                         bss_errinfo *ei);

/* ---- any resource ---- */

/* The kinds of resource, as their @type. */
#define BSS_INV_TYPE_SIM "SimCard"
#define BSS_INV_TYPE_MSISDN "MSISDN"

/*
 * One resource by id (an ICCID or the number's E.164 digits without '+')
 * as a TMF639 Resource (hrefs from base_url, may be NULL).
 * BSS_E_NOT_FOUND "no resource with id ...".
 */
bss_err bss_inv_get(bss_db *db, int64_t now_ms, const char *base_url, const char *id, json_t **out,
                    bss_errinfo *ei);

/* A list's selection: each NULL when not filtered. */
typedef struct bss_inv_filter {
    const char *type;     /* SimCard | MSISDN */
    const char *status;   /* resourceStatus (effective: an expired reservation is available) */
    const char *category; /* MSISDN category */
    const char *prefix;   /* MSISDN: digits the number starts with */
    const char *batch;    /* SIM batch */
    const char *profile;  /* SIM profile */
    int64_t offset, limit;
} bss_inv_filter;

/* The page of resources the filter selects (SIMs first, then numbers, each by id) and the total. */
bss_err bss_inv_list(bss_db *db, int64_t now_ms, const char *base_url, const bss_inv_filter *f, json_t **page,
                     int64_t *total, bss_errinfo *ei);

/*
 * A state change asked for by staff (PATCH resourceStatus): a SIM to lost,
 * stolen or retired, a number to retired, a lost SIM found (available), a
 * reserved one released (available). The moves orders make (assigned,
 * active, quarantined) are not staff's: 409 STATE naming the next states
 * allowed. reason required (1..BSS_INV_REASON_MAX). *out the resource.
 */
bss_err bss_inv_set_status(bss_db *db, const bss_inv_actor *by, const char *base_url, const char *id,
                           const char *status, const char *reason, json_t **out, bss_errinfo *ei);

/* The history of a resource, newest first, at most limit (1..1000). */
bss_err bss_inv_history(bss_db *db, const char *id, int64_t limit, json_t **out, bss_errinfo *ei);

/*
 * Counts: {"sims": {"total", "byState": {...}, "byProfile": {...}},
 * "msisdns": {"total", "byState", "byCategory"}, "prefixes": [{"prefix",
 * "total", "available", "warning"}], "warnLeft", "warnings": [...]}
 * (effective states).
 */
bss_err bss_inv_stats(bss_db *db, const bss_inv_config *cfg, int64_t now_ms, json_t **out, bss_errinfo *ei);

#endif
