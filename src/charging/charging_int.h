/*
 * charging_int.h: what the files of src/charging share with each other and
 * with their tests: the balance store (balance_store.c, the tables of
 * migration 0016). Other modules use charging.h.
 */
#ifndef BSS_CHARGING_CHARGING_INT_H
#define BSS_CHARGING_CHARGING_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "charging/charging.h"
#include "core/err.h"
#include "core/id.h"
#include "db/db.h"

/* What bucket writes announce (db.h bss_db_changed): a bucket changed (its id), or an account got a new one. */
#define BSS__BUCKET_TABLE "bucket"
#define BSS__BUCKET_ACCOUNT_TABLE "bucket.account"
/* A stored answer (bss_cc_answer_json's form) back into r's result members: a retransmission (session_json.c). */
void bss__cc_answer_from_json(bss_cc_request *r, const json_t *a);

/* What a session's row write announces when online charging did not make it (the sweep's close): its id. */
#define BSS__SESSION_TABLE "charging_session"

#define BSS__BUCKET_MAX_VALUE INT64_C(1000000000000000) /* 10^15: a billion in money, 900 TB in bytes */

/* A bucket row (table bucket). Strings are copied in; "" for NULL. */
typedef struct bss__bucket {
    char id[BSS_ID_MAX + 1];
    char account_id[BSS_ID_MAX + 1];
    char product_id[BSS_ID_MAX + 1];
    char msisdn[16];
    bss_service service; /* NONE: monetary */
    char unit[8];        /* the currency for money; s, msg, byte, event */
    bss_bucket_source source;
    char price_id[BSS_ID_MAX + 1];
    char price_version[32];
    int priority;
    int64_t value, initial, used;
    bool unlimited;
    int64_t valid_from_ms, valid_to_ms; /* INT64_MIN / INT64_MAX: open */
    char status[16];                    /* active, expired, suspended, closed */
    int64_t created_ms, updated_ms, row_version;
    int64_t reserved; /* held by active reservations (read only: computed as of the read) */
} bss__bucket;

/* What caused a ledger row. */
typedef struct bss__ledger_src {
    const char *reason;      /* create, topup, adjust, usage, refund, transfer, expiry, renewal, rollover */
    const char *source_kind; /* "topupBalance", "usage", "session", "import"; NULL: none */
    const char *source_id;
    int64_t events;          /* usage events the row sums; 0 counts as 1 */
} bss__ledger_src;

/* "monetary", "voice", "sms", "data", "event" (TMF654 usageType) and back (false if unknown). */
const char *bss__usage_type_name(bss_service s);
bool bss__usage_type_parse(const char *name, bss_service *out);
/* The base unit of a unit bucket's service ("s", "msg", "byte", "event"); "" for money. */
const char *bss__service_unit(bss_service s);

/*
 * Checks a bucket before it is stored: BSS_E_INVALID naming the member
 * (account_id, usage_type/unit mismatch, a currency that is not ISO 4217,
 * source, priority 0..10000, value and initial within +-10^15, valid_to
 * after valid_from, status), the message saying what is allowed.
 */
bss_err bss__bucket_check(const bss__bucket *b, bss_errinfo *ei);

/*
 * Stores a new bucket (b->id set by the caller) holding b->value: the row
 * with value 0 and the ledger row that gives it b->value (src->reason,
 * "create" when NULL), in the caller's transaction. doc: the extra members
 * (JSON text) or NULL.
 */
bss_err bss__bucket_insert(bss_db *db, const bss__bucket *b, const char *doc, const bss__ledger_src *src,
                           int64_t now_ms, bss_errinfo *ei);

/*
 * Changes a bucket's value by delta and its used by used_delta, with one
 * ledger row, in the caller's transaction; *after (may be NULL) gets the
 * new value. BSS_E_NOT_FOUND for an unknown bucket; BSS_E_RANGE when the
 * value would leave +-10^15.
 */
bss_err bss__bucket_change(bss_db *db, const char *id, int64_t delta, int64_t used_delta,
                           const bss__ledger_src *src, int64_t now_ms, int64_t *after, bss_errinfo *ei);

/* Reads one bucket; BSS_E_NOT_FOUND when there is none. */
bss_err bss__bucket_get(bss_db *db, const char *id, bss__bucket *out, bss_errinfo *ei);

/* Reads one bucket with what reservations hold at now_ms; *doc (may be NULL) a new string (bss_free) or NULL. */
bss_err bss__bucket_read(bss_db *db, const char *id, int64_t now_ms, bss__bucket *out, char **doc, bss_errinfo *ei);

/* Equality filters of a bucket list (NULL: any) and its page. */
typedef struct bss__bucket_filter {
    const char *id, *status, *usage_type, *account_id, *msisdn, *product_id, *price_id;
    int64_t offset, limit;
} bss__bucket_filter;
typedef bss_err (*bss__bucket_each_fn)(void *arg, const bss__bucket *b, const char *doc, bss_errinfo *ei);
/* The page of buckets matching f in id order, each given to each; *total counts every match (total NULL: not counted). */
bss_err bss__bucket_list(bss_db *db, const bss__bucket_filter *f, int64_t now_ms, bss__bucket_each_fn each, void *arg,
                         int64_t *total, bss_errinfo *ei);

/* A balance_ledger row with what its bucket says of it (balanceActionHistory). */
typedef struct bss__ledger_row {
    char id[BSS_ID_MAX + 1], bucket_id[BSS_ID_MAX + 1];
    int64_t at_ms, delta, value_after, events;
    char reason[16], source_kind[32], source_id[BSS_ID_MAX + 1];
    char account_id[BSS_ID_MAX + 1], product_id[BSS_ID_MAX + 1], msisdn[16];
    bss_service service;
    char unit[8];
} bss__ledger_row;

/*
 * Filters of a ledger read. One of id, bucket_id, account_id, msisdn is
 * the anchor (a history is always of something: the first set, in that
 * order, picks the index); the rest, reason, usage_type (NULL: any) and
 * [from_ms, to_ms) narrow it.
 */
typedef struct bss__ledger_filter {
    const char *id, *bucket_id, *account_id, *msisdn, *reason, *usage_type;
    int64_t from_ms, to_ms, offset, limit;
} bss__ledger_filter;
typedef bss_err (*bss__ledger_each_fn)(void *arg, const bss__ledger_row *row, bss_errinfo *ei);
/* The page of ledger rows matching f, newest first, each given to each; *total counts every match. */
bss_err bss__ledger_list(bss_db *db, const bss__ledger_filter *f, bss__ledger_each_fn each, void *arg, int64_t *total,
                         bss_errinfo *ei);

/* Sets a bucket's status (active, expired, suspended, closed); BSS_E_NOT_FOUND when there is none. */
bss_err bss__bucket_set_status(bss_db *db, const char *id, const char *status, int64_t now_ms, bss_errinfo *ei);

/* A hold of amount on a bucket until expires_ms, for source (a reserveBalance, a session). */
bss_err bss__reservation_insert(bss_db *db, const char *id, const char *bucket, int64_t amount, int64_t expires_ms,
                                const char *source_kind, const char *source_id, int64_t now_ms, bss_errinfo *ei);
/*
 * An active hold on bucket set to amount until expires_ms, in its row (a
 * session's grant again on the bucket it held: no new row, no index
 * changed); *changed 0 when it is no longer active there.
 */
bss_err bss__reservation_refill(bss_db *db, const char *id, const char *bucket, int64_t amount, int64_t expires_ms,
                                int64_t now_ms, int64_t *changed, bss_errinfo *ei);

/* Idempotency keys of balance requests: find (BSS_E_NOT_FOUND when new) and record. */
bss_err bss__request_find(bss_db *db, const char *kind, const char *key, char hash[65], char result_id[BSS_ID_MAX + 1],
                          bss_errinfo *ei);
bss_err bss__request_insert(bss_db *db, const char *kind, const char *key, const char *hash, const char *result_id,
                            int64_t now_ms, bss_errinfo *ei);

/*
 * A request's idempotency (balance.c): the key is needed (400
 * "Idempotency-Key"); hash gets the body's; *replay_id the first result's
 * id when the same key and body came before ("" when new); the key with
 * another body is 409. The caller records a new one with
 * bss__request_insert.
 */
bss_err bss__idempotency(bss_db *db, const char *kind, const char *idem_key, const json_t *body, char hash[65],
                         char replay_id[BSS_ID_MAX + 1], bss_errinfo *ei);

/* A bucket row as a TMF654 Bucket (doc_text: the members kept as posted, may be NULL). */
json_t *bss__bucket_render(const bss__bucket *b, const char *doc_text, const char *base_url);

/* The sum of a bucket's ledger deltas and its number of rows (the invariant: sum = value). */
bss_err bss__bucket_ledger_sum(bss_db *db, const char *id, int64_t *sum, int64_t *rows, bss_errinfo *ei);

/* The active holds on an account's active buckets (unexpired or not: the reader compares expires_ms). */
typedef bss_err (*bss__hold_fn)(void *arg, const char *id, const char *bucket_id, int64_t amount, int64_t expires_ms,
                                const char *source_kind, const char *source_id, bss_errinfo *ei);
bss_err bss__holds_list(bss_db *db, const char *account_id, bss__hold_fn each, void *arg, bss_errinfo *ei);

/* ---- usage rows (usage.c), shared by the batch and online sessions ---- */

/* One usage row as usage_record stores it: rated (res with line) or rejected (res NULL, reason). */
typedef struct bss__usage_row {
    const char *id, *status, *reason_code, *reason, *source, *source_ref;
    int64_t start_ms;
    const char *msisdn;
    bss_cdr_service service;
    const char *destination, *visited_plmn; /* "" or NULL: none */
    int64_t quantity, rating_group;         /* rating_group -1: none */
    const bss_charging_line *line;          /* NULL: no line */
    const bss_rate_result *res;             /* NULL: rejected; its takes name line's buckets */
    int64_t period_start;
    const char *doc;
    bool recycle; /* update the stored rejected row instead of inserting */
    int64_t now_ms;
} bss__usage_row;
bss_err bss__usage_write(bss_db *db, const bss__usage_row *r, bss_errinfo *ei);
/* A result's takes as usage_record.takes stores them: "bucket amount before after crossed", ';'-separated. */
void bss__usage_takes_text(const bss_charging_line *l, const bss_rate_result *res, char *out, size_t cap);
#define BSS__USAGE_TAKES_MAX (BSS_RATE_MAX_TAKES * 120)

/* Adds to one running total (usage_total: account, bill period, charge line). */
typedef struct bss__usage_total {
    const char *account_id, *product_id, *price_id, *zone, *time_band, *currency, *last_usage_id;
    int64_t period_start;
    bss_cdr_service service;
    int64_t events, quantity, rated_units, covered_units, charge, wallet, billed, last_ms;
} bss__usage_total;
bss_err bss__usage_total_add(bss_db *db, const bss__usage_total *t, int64_t now_ms, bss_errinfo *ei);

/* ---- thresholds (notify.c), in the writer job that rated an event ---- */

/* The allowance thresholds (50/80/100 %) res crossed: a notification and an event each, once per bucket. */
bss_err bss__thresholds(bss_db *db, const bss_charging_line *l, const bss_rate_result *res, const char *base_url,
                        int64_t now_ms, bss_errinfo *ei);
/* A postpaid account whose billed usage in the period reached limit_micros (> 0): once per period. */
bss_err bss__bill_shock(bss_db *db, const bss_charging_line *l, int64_t period_start, int64_t limit_micros,
                        const char *base_url, int64_t now_ms, bss_errinfo *ei);

/* A postpaid line's billed usage in a bill period (its running totals). */
bss_err bss__line_billed(bss_db *db, const bss_charging_line *l, int64_t period_start, int64_t *billed, bss_errinfo *ei);
/* A postpaid line whose billed usage in the period reached its spendingCap: once per period. */
bss_err bss__spending_cap(bss_db *db, const bss_charging_line *l, int64_t period_start, const char *base_url,
                          int64_t now_ms, bss_errinfo *ei);

#endif
