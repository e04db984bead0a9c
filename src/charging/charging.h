/*
 * charging.h: the charging module, as other modules see it (docs/charging.md).
 * The CDR file reader (cdr.c), the first of the three doors usage comes in
 * by, and the rating core (rating.c): one event against one line's prices
 * and buckets, pure. Balances, sessions and the journal build on them.
 *
 * A CDR file is CSV with a header row; its columns come in any order and
 * any column the reader does not know is kept as a characteristic of the
 * usage:
 *
 *   record_id     1..128 of A-Z a-z 0-9 . _ : ~ - (URL-safe: it is the usage's id),
 *                 unique per record (the idempotency key)
 *   start_time    RFC 3339; at most --cdr-future-tolerance ahead of now
 *   msisdn        E.164 digits without '+' (6..15)
 *   service       voice | sms | mms | data | content
 *   destination   digits (1..20): required for voice, sms and mms, empty for data
 *   quantity      an integer >= 0 in unit, at most the unit's maximum
 *   unit          s | msg | byte | event, the one of its service (voice: s,
 *                 sms and mms: msg, data: byte, content: event)
 *   rating_group  an integer 0..4294967295, data only (may be empty)
 *   visited_plmn  MCC-MNC ("234-15") when roaming, empty at home
 *
 * The reader allocates nothing per record and never stops at a bad row:
 * bss_cdr_next reports it (line, reason, the row's original text, for the
 * reject file) and goes on with the next.
 */
#ifndef BSS_CHARGING_CHARGING_H
#define BSS_CHARGING_CHARGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "catalog/catalog.h"
#include "core/csv.h"
#include "core/err.h"

#define BSS_CDR_RECORD_ID_MAX 128
#define BSS_CC_SESSION_ID_MAX 256 /* an online session's id (Diameter Session-Id) */
#define BSS_CDR_EXTRA_MAX 16 /* extra columns kept per record */

typedef enum bss_cdr_service {
    BSS_CDR_VOICE = 1,
    BSS_CDR_SMS,
    BSS_CDR_MMS,
    BSS_CDR_DATA,
    BSS_CDR_CONTENT,
} bss_cdr_service;

typedef enum bss_cdr_unit { BSS_CDR_SECONDS = 1, BSS_CDR_MESSAGES, BSS_CDR_BYTES, BSS_CDR_EVENTS } bss_cdr_unit;

/* What a record may hold: the largest quantity per unit, and how far ahead a start time may be. */
typedef struct bss_cdr_limits {
    int64_t max_seconds;  /* 86400: a day-long call is the longest */
    int64_t max_messages; /* 1000 */
    int64_t max_bytes;    /* 10^12 */
    int64_t max_events;   /* 10^6 */
    int64_t now_ms;       /* from the injected clock */
    int64_t future_ms;    /* how far past now a start time may be: 300000 */
} bss_cdr_limits;

/* The defaults above, with now. */
bss_cdr_limits bss_cdr_limits_default(int64_t now_ms);

/* One record. Strings point into the reader and are valid until the next call. */
typedef struct bss_cdr {
    int64_t line;
    const char *record_id;
    int64_t start_ms;
    const char *msisdn;
    bss_cdr_service service;
    const char *destination; /* "" for data and content */
    int64_t quantity;
    bss_cdr_unit unit;
    int64_t rating_group; /* -1: none */
    const char *visited_plmn; /* "" at home */
    size_t nextra;
    struct {
        const char *name, *value;
    } extra[BSS_CDR_EXTRA_MAX];
} bss_cdr;

typedef struct bss_cdr_reader {
    bss_csv csv;
    bss_cdr_limits limits;
    int col[9]; /* the header index of each known column, -1 when absent */
    size_t ncols;
    char names[BSS_CSV_MAX_FIELDS][64]; /* the header, for extra columns */
    bool known[BSS_CSV_MAX_FIELDS];
} bss_cdr_reader;

/*
 * Starts reading data[0..len) (not copied) and checks the header: the file
 * must have one (BSS_E_INVALID "line 1: the file is empty; a header row is
 * expected" / "line 1: missing column quantity" / "line 1: column unit
 * appears twice", naming the header's line), with every column above but
 * rating_group and visited_plmn, which may be absent.
 */
bss_err bss_cdr_open(bss_cdr_reader *r, const char *data, size_t len, const bss_cdr_limits *limits, bss_errinfo *ei);

/*
 * The next record into *out: BSS_OK; BSS_E_DONE at the end; BSS_E_INVALID
 * for a row to reject (ei->field "line N" or the column's name, the
 * message "line N: <reason>"; out->line, *raw and *raw_len the row's line and
 * original text), after which the next call reads on.
 */
bss_err bss_cdr_next(bss_cdr_reader *r, bss_cdr *out, const char **raw, size_t *raw_len, bss_errinfo *ei);

/*
 * Cutting a CDR file into chunks at record boundaries (for the import
 * client and the spool): the header row is read once; each chunk is the
 * text of up to max_rows records and about max_bytes (a record is never
 * split), with the file line it starts on. Sent with the header before it,
 * a chunk reads as a file whose line 2 is that line.
 */
typedef struct bss_cdr_split {
    bss_csv csv;
    const char *data;
    size_t len, pos;
    const char *header; /* the header row's text (no line end) */
    size_t header_len;
    bool done;
} bss_cdr_split;

/* BSS_E_INVALID "line 1: the file is empty; a header row is expected", or the CSV error of the header. */
bss_err bss_cdr_split_open(bss_cdr_split *s, const char *data, size_t len, bss_errinfo *ei);
/* The next chunk: false at the end. *rows may be 0 for blank lines at the end. */
bool bss_cdr_split_next(bss_cdr_split *s, int max_rows, size_t max_bytes, const char **chunk, size_t *chunk_len,
                        int64_t *first_line, int *rows);

const char *bss_cdr_service_name(bss_cdr_service s); /* "voice" ... */
const char *bss_cdr_unit_name(bss_cdr_unit u);       /* "s" ... */

/* ==== The rating core (rating.c) ========================================================================= */

/*
 * One usage event against one line: which price rates it, which buckets
 * cover it and how much money is left to pay. Pure like catalog/rate.c:
 * typed inputs, no I/O, no clock, no allocation, no log; the engine, the
 * CDR import, re-rating and what-if pricing all call it, so the same usage
 * costs the same by every door.
 *
 * Consumption order: unit buckets of the event's service that are valid at
 * the event's start and cover its destination zone, by source (promotion,
 * plan, add-on, shared pool), then priority (lower first), then the one
 * ending first, then position; what they do not cover is charged money,
 * taken from money buckets (promotion credit, then the wallet) and, what
 * those do not hold, billed (postpaid) or left short (prepaid).
 *
 *  - The price: the line's usage price for the service (the engine puts an
 *    add-on's in place of the plan's). None: BSS_E_NOT_FOUND ("not rated").
 *  - A zero-rated rating group consumes nothing and costs nothing.
 *  - Allowances cover rated units (after the price's increments) at home
 *    and under a "home" roaming rule; a roaming "price" rule is charged
 *    money only.
 *  - Fair use on an allowance: past fairUsage.after units this cycle,
 *    "throttle" keeps covering and sets throttle; "overage" stops covering
 *    and the units past it pay the overage price (half-up).
 *  - Part covered, part not: money = the event's charge less what the
 *    covered units would have cost (bss_rate_usage_part), so the connect
 *    fee is paid once by any event not wholly covered, and none when an
 *    allowance covers it all.
 *  - Thresholds: each unit bucket take says which of 50, 80 and 100 % of
 *    the bucket's initial value the event crossed.
 */

typedef enum bss_bucket_source {
    BSS_BUCKET_PROMOTION = 1, /* promotional grants: first */
    BSS_BUCKET_PLAN,          /* the plan's allowances */
    BSS_BUCKET_ADDON,         /* add-ons' allowances */
    BSS_BUCKET_SHARED,        /* the account's shared pool */
    BSS_BUCKET_WALLET,        /* the money balance (prepaid), last */
} bss_bucket_source;

const char *bss_bucket_source_name(bss_bucket_source s); /* "promotion" ... "" */
bss_bucket_source bss_bucket_source_parse(const char *name); /* 0 if unknown */

typedef struct bss_rate_bucket {
    bss_service service;                 /* NONE: money, in micros */
    bss_bucket_source source;
    int priority;                        /* lower first, within a source */
    int64_t valid_from_ms, valid_to_ms;  /* [from, to); INT64_MIN / INT64_MAX open */
    int64_t value;                       /* what it holds (money may be below 0: an overdraft) */
    int64_t reserved;                    /* held by open reservations of other sessions */
    int64_t initial;                     /* granted this cycle (thresholds); 0 = none */
    int64_t used;                        /* units taken this cycle (fair use) */
    bool unlimited;
    const bss_price *allowance;          /* zones covered, fair use; NULL: every zone, no fair use */
} bss_rate_bucket;

typedef struct bss_rate_line {
    const bss_price *usage[BSS_SERVICE_EVENT + 1]; /* the usage price per service; NULL: none */
    bss_rate_bucket *buckets;
    size_t nbuckets;
    bool prepaid;
    bool overdraft;   /* prepaid: take what is short from the wallet below 0 (usage already spent: CDRs) */
    const bss_tz *tz; /* the account's time zone (time bands); NULL = each plan's */
    int64_t used_units[BSS_SERVICE_EVENT + 1]; /* rated units this period per service (period tiers) */
} bss_rate_line;

typedef struct bss_rate_input {
    bss_service service;
    int64_t quantity; /* base units: seconds, messages, bytes, events */
    const char *destination; /* digits, NULL = none */
    size_t destination_len;
    int64_t start_ms;
    const char *visited; /* MCC-MNC digits when roaming, NULL = at home */
    size_t visited_len;
    int64_t rating_group; /* -1 = none */
} bss_rate_input;

/* The CDR service as the catalog knows it: mms and content are "event" services, one per message. */
bss_service bss_cdr_catalog_service(bss_cdr_service s);

#define BSS_RATE_MAX_TAKES 12
#define BSS_RATE_CROSSED_50 1u
#define BSS_RATE_CROSSED_80 2u
#define BSS_RATE_CROSSED_100 4u

typedef struct bss_rate_take {
    int bucket;            /* index into line->buckets */
    int64_t amount;        /* units or micros taken */
    int64_t before, after; /* the bucket's value */
    unsigned crossed;      /* BSS_RATE_CROSSED_*: thresholds of its initial value this take crossed */
} bss_rate_take;

typedef struct bss_rate_result {
    const bss_price *price;   /* the usage price that rated it */
    bss_usage_charge charge;  /* the price's charge for the whole event */
    int64_t covered_units;    /* rated units allowances covered */
    int64_t overage_units;    /* rated units past a fair-use "overage" limit */
    int64_t charge_micros;    /* money the event costs after allowances */
    int64_t wallet_micros;    /* of which taken from money buckets */
    int64_t billed_micros;    /* of which billed (postpaid) */
    int64_t short_micros;     /* of which nobody pays (prepaid without enough money, no overdraft) */
    bool throttle;            /* a fair-use "throttle" limit was reached */
    int64_t throttle_kbps;
    size_t ntakes;
    bss_rate_take takes[BSS_RATE_MAX_TAKES];
} bss_rate_result;

/*
 * Rates ev for line into *out without changing the line. Errors:
 * BSS_E_INVALID (no line or event, a negative quantity, an unknown
 * service), BSS_E_NOT_FOUND (no usage price for the service, a destination
 * or visited network in no zone: the catalog's error, "not rated"),
 * BSS_E_RANGE (overflow).
 */
bss_err bss_charging_rate(const bss_rate_line *line, const bss_rate_input *ev, bss_rate_result *out);

/* Applies a result's takes to line's buckets (value, used) and adds its rated units to used_units. */
void bss_charging_apply(bss_rate_line *line, const bss_rate_result *res);

/* ==== Prepay balances, TMF654 (balance.c; docs/charging.md) ============================================== */

#define BSS_TMF654_BASE "/tmf-api/prepayBalanceManagement/v4"

struct bss_doc_kind;
extern const struct bss_doc_kind bss_topup_balance_kind;  /* tmf654_topup_balance */
extern const struct bss_doc_kind bss_adjust_balance_kind; /* tmf654_adjust_balance */
extern const struct bss_doc_kind bss_reserve_balance_kind; /* tmf654_reserve_balance */
extern const struct bss_doc_kind bss_transfer_balance_kind; /* tmf654_transfer_balance */

struct bss_principal;

/* Who changes a balance, when, and the request's Idempotency-Key. */
typedef struct bss_balance_env {
    const struct bss_principal *who;
    int64_t now_ms;
    const char *base_url;
    const char *idem_key; /* required for top-ups, adjustments and reservations */
} bss_balance_env;

/* Equality filters of a bucket list (NULL: any), and the page. */
typedef struct bss_bucket_query {
    const char *id, *status, *usage_type, *account_id, *msisdn, *product_id;
    int64_t offset, limit;
} bss_bucket_query;

/*
 * A bucket (TMF654 Bucket), in the caller's transaction: usageType
 * (monetary, voice, sms, data, event) and partyAccount.id (a billing
 * account) are required; product (one, on that account: the bucket is the
 * line's), remainedAmount (a Quantity: money in its currency, units in the
 * service's), validFor, isShared (a unit pool of the account), priority
 * (0..10000), name, description, relatedParty. Money buckets are wallets;
 * unit buckets made here are promotional grants (plan allowances come with
 * products). *out is the bucket as GET shows it.
 */
bss_err bss_bucket_create(bss_db *db, const bss_balance_env *env, const json_t *body, json_t **out, bss_errinfo *ei);
bss_err bss_bucket_get_json(bss_db *db, int64_t now_ms, const char *base_url, const char *id, json_t **out,
                            bss_errinfo *ei);
bss_err bss_bucket_list_json(bss_db *db, int64_t now_ms, const char *base_url, const bss_bucket_query *q, json_t **out,
                             int64_t *total, bss_errinfo *ei);

/*
 * The actions, each in the caller's transaction with its ledger row and its
 * document. The bucket is bucket.id, or product[0].id's money bucket (its
 * own, else its account's wallet). amount is a TMF Quantity in the bucket's
 * currency or units. The same Idempotency-Key and body again return the
 * first result (*replayed); the key with another body is 409.
 *  - top-up: money only, amount > 0 (at most 100,000): status completed;
 *  - adjustment: usageType must be the bucket's, reason required, amount
 *    signed (a negative amount takes, never below what is available);
 *  - reservation: holds amount (no more than is available) until
 *    validFor.endDateTime (default 15 minutes, at most 7 days): status reserved.
 */
bss_err bss_balance_topup(bss_db *db, const bss_balance_env *env, const json_t *body, json_t **out, bool *replayed,
                          bss_errinfo *ei);
bss_err bss_balance_adjust(bss_db *db, const bss_balance_env *env, const json_t *body, json_t **out, bool *replayed,
                           bss_errinfo *ei);
bss_err bss_balance_reserve(bss_db *db, const bss_balance_env *env, const json_t *body, json_t **out, bool *replayed,
                            bss_errinfo *ei);
/*
 * A transfer: amount (> 0, no more than is available) from bucket.id (or
 * product[0].id's wallet) to receiverBucket.id (or receiverProduct[0].id's
 * wallet), of the same usage type and unit, within one billing account;
 * two ledger rows (reason transfer): status completed.
 */
bss_err bss_balance_transfer(bss_db *db, const bss_balance_env *env, const json_t *body, json_t **out, bool *replayed,
                             bss_errinfo *ei);

/*
 * TMF654 AccumulatedBalance: an account's (or one line's: its own and its
 * account's shared buckets) active buckets summed per usage type and unit:
 * [{id, href, usageType, totalBalance, reservedAmount, isUnlimited, bucket
 * [refs], partyAccount, logicalResource?}]. One of account_id and msisdn is
 * required (400 "partyAccount.id"); a line without buckets is 404.
 */
bss_err bss_accumulated_json(bss_db *db, int64_t now_ms, const char *base_url, const char *account_id,
                             const char *msisdn, const char *usage_type, json_t **out, bss_errinfo *ei);

/*
 * TMF654 BalanceActionHistory: the balance ledger, one entry per change of
 * a bucket (action: create, topup, adjust, usage, refund, transfer,
 * expiry, renewal, rollover), newest first: {id, href, action, status
 * completed, confirmationDate, amount (the signed change), remainedAmount
 * (the bucket after it), usageType, bucket, partyAccount, logicalResource?,
 * product?, eventCount (usage rows summing more than one event), source
 * (what caused it: a topupBalance, a usage, a session...)}. One of id,
 * bucket_id, account_id and msisdn is required (400 "bucket.id"); action,
 * usage_type and [from_ms, to_ms) narrow it.
 */
typedef struct bss_balance_history_query {
    const char *id, *bucket_id, *account_id, *msisdn, *action, *usage_type;
    int64_t from_ms, to_ms; /* INT64_MIN / INT64_MAX: open */
    int64_t offset, limit;
} bss_balance_history_query;
bss_err bss_balance_history_json(bss_db *db, const char *base_url, const bss_balance_history_query *q, json_t **out,
                                 int64_t *total, bss_errinfo *ei);
/* One entry; 404 when there is none. */
bss_err bss_balance_history_get_json(bss_db *db, const char *base_url, const char *id, json_t **out, bss_errinfo *ei);

/* ==== A line for rating (line.c) ========================================================================== */

#define BSS_CHARGING_LINE_BUCKETS 32
#define BSS_CHARGING_LINE_ADDONS 8

/*
 * What one MSISDN may use at an instant, as the rating core takes it: the
 * line's product (live, by its number), its offering (the version held),
 * the usage price per service (an active add-on's in place of the plan's),
 * its buckets and its account's shared ones (at most 32, in the order the
 * store lists them; the rating core orders them), prepaid when it has a
 * wallet. Owns nothing; valid while cat is held.
 */
typedef struct bss_charging_line {
    const bss_catalog *cat;
    char msisdn[16];
    char product_id[BSS_ID_MAX + 1];
    char account_id[BSS_ID_MAX + 1];
    char status[24]; /* the product's: "pendingTerminate" is the longest */
    char offering_id[BSS_ID_MAX + 1];
    char offering_version[32];
    char currency[4];
    int64_t activated_ms; /* the product's startDate; INT64_MIN: none */
    int64_t spending_cap_micros; /* the product's spendingCap characteristic: most billed per bill period; 0 none */
    int bill_cycle_day;   /* the account's (1..28) */
    const bss_offering *offering;
    const bss_offering *addons[BSS_CHARGING_LINE_ADDONS]; /* active add-ons on the line */
    char addon_ids[BSS_CHARGING_LINE_ADDONS][BSS_ID_MAX + 1]; /* their products */
    size_t naddons;
    int64_t span_from_ms, span_to_ms; /* the offerings found by time (not by version) hold in [from, to) */
    bss_rate_line line;
    bss_rate_bucket buckets[BSS_CHARGING_LINE_BUCKETS];
    char bucket_ids[BSS_CHARGING_LINE_BUCKETS][BSS_ID_MAX + 1];
    char bucket_units[BSS_CHARGING_LINE_BUCKETS][8];
    size_t nbuckets;
} bss_charging_line;

/*
 * Loads the line of msisdn (E.164 digits, '+' allowed) as of at_ms.
 * BSS_E_INVALID "msisdn" (not digits), BSS_E_NOT_FOUND "msisdn" (no live
 * line has it, or its offering is not in the catalog).
 */
bss_err bss_charging_line_load(bss_db *db, const bss_catalog *cat, const char *msisdn, int64_t at_ms,
                               bss_charging_line *l, bss_errinfo *ei);
/* The same without the buckets (nbuckets 0), for a caller that reads them later (bss_charging_line_buckets). */
bss_err bss_charging_line_load_docs(bss_db *db, const bss_catalog *cat, const char *msisdn, int64_t at_ms,
                                    bss_charging_line *l, bss_errinfo *ei);
/* Puts the usage prices valid at at_ms in place (price versions change over time). */
void bss_charging_line_at(bss_charging_line *l, int64_t at_ms);
/* Reads the line's and its account's active buckets again (values as now in the store). */
bss_err bss_charging_line_buckets(bss_db *db, bss_charging_line *l, int64_t at_ms, bss_errinfo *ei);

/* ==== The resident lines (engine.c) ======================================================================= */

/*
 * What a line load reads from documents (the number's product, its
 * offering and add-ons, its account's bill cycle) kept in memory on the
 * writer's thread, so a request reads only the line's buckets from the
 * store. Kept current by the writes themselves: set bss_lines_listener on
 * the writer's connection (writer.h), and every change to a product, an
 * add-on or a billing account (bss_db_changed) makes the lines that used it
 * be read again; lines read inside work that is rolled back are forgotten.
 * A new catalog snapshot, or more than max_lines lines, starts it empty.
 * One thread only (the writer's); the stats may be read from any.
 */
#define BSS_LINES_DEFAULT_MAX 2000000
typedef struct bss_lines bss_lines;
/* max_lines 0: BSS_LINES_DEFAULT_MAX; verify: every line found in memory is also read from the store and
 * compared (a difference is logged as charging.lines.mismatch and the store's line used: tests, debugging) */
bss_lines *bss_lines_new(size_t max_lines, bool verify);
void bss_lines_free(bss_lines *t);
const bss_db_listener *bss_lines_listener(bss_lines *t);
/*
 * bss_charging_line_load, answered from memory when the line is resident
 * and nothing it was read from has changed; buckets false leaves the
 * buckets for the caller to read (bss_charging_line_buckets) when it
 * changes holds first. t NULL, a catalog that is not a published snapshot,
 * or a connection outside a transaction: the load.
 */
bss_err bss_lines_get(bss_lines *t, bss_db *db, const bss_catalog *cat, const char *msisdn, int64_t at_ms,
                      bool buckets, bss_charging_line *l, bss_errinfo *ei);
/*
 * Online charging's buckets of the line bss_lines_get gave last (in this
 * job): l's buckets and their holds as of at_ms, from memory when resident
 * and none changed since (a change from anywhere else announces itself:
 * bss_db_changed), else from the store, then kept. The job's own changes
 * go to memory as they go to the rows: bss_lines_released and
 * bss_lines_held with each release and hold, and bss_lines_put at its end
 * (l's bucket values, which online charging keeps equal to the rows'). A
 * rollback forgets the line. t NULL: bss_charging_line_buckets.
 */
bss_err bss_lines_buckets(bss_lines *t, bss_db *db, bss_charging_line *l, int64_t at_ms, bss_errinfo *ei);
void bss_lines_released(bss_lines *t, const char *session_id, const char *hold_id); /* one of the two */
void bss_lines_held(bss_lines *t, const char *bucket_id, const char *hold_id, int64_t amount, int64_t expires_ms,
                    const char *session_id);
void bss_lines_put(bss_lines *t, const bss_charging_line *l);

/*
 * A CDR batch's lines, many a job (usage.c): their documents were read on
 * another connection (a worker's), their buckets are the writer's. Before
 * reading, the worker notes bss_lines_heard (any thread): it moves on at
 * every change to a product or an account, and is odd while one is not yet
 * committed. bss_lines_batch_buckets gives l's buckets as bss_lines_buckets
 * does (from memory when kept and none changed since), and keeps the line
 * with them when heard shows nothing it was read from has changed since
 * (BSS_LINES_HEARD_HERE: read on this connection, in this transaction);
 * *kept says the line is kept, and then, after the job's writes, its
 * bucket values go to memory by bss_lines_batch_put (for kept lines only:
 * a rollback forgets them). t NULL: bss_charging_line_buckets.
 */
#define BSS_LINES_HEARD_HERE UINT64_MAX
uint64_t bss_lines_heard(bss_lines *t);
bss_err bss_lines_batch_buckets(bss_lines *t, bss_db *db, bss_charging_line *l, int64_t at_ms, uint64_t heard,
                                bool *kept, bss_errinfo *ei);
void bss_lines_batch_put(bss_lines *t, const bss_charging_line *l);
/*
 * Around a change the job mirrors before it reads the buckets (a release):
 * begin notes which of the line's kept buckets are current, end keeps them
 * current through the change's own announcements (a bucket stale before
 * stays stale, and is read again).
 */
uint64_t bss_lines_own_begin(bss_lines *t);
void bss_lines_own_end(bss_lines *t, uint64_t mask);

/*
 * Online charging's open sessions, kept beside the lines: an opaque record
 * per session id (session.c packs its state into it). bss_lines_session
 * gives the kept record (valid until the next call on t) or false: read
 * the store. keep replaces it, as the job writes the session's row; a
 * rollback forgets what was kept since the last commit, and a write of the
 * row made elsewhere announces itself (BSS__SESSION_TABLE) and drops it.
 * Only on the writer's connection inside its transaction, as the lines.
 */
bool bss_lines_session(bss_lines *t, bss_db *db, const char *id, const void **rec, size_t *len);
void bss_lines_session_keep(bss_lines *t, bss_db *db, const char *id, const void *rec, size_t len);
void bss_lines_session_drop(bss_lines *t, const char *id);
/* --verify-lines: the caller compares each kept session with its row and reports a difference (dropping it) */
bool bss_lines_verifying(const bss_lines *t);
void bss_lines_session_mismatch(bss_lines *t, const char *id, const char *what);

typedef struct bss_lines_stats {
    int64_t resident, hits, misses, forgotten, resets, mismatches;
    int64_t sessions, session_hits, session_misses; /* open sessions kept; bss_lines_session found, not */
    int64_t bucket_hits, bucket_misses; /* bss_lines_buckets from memory, from the store */
    int64_t bytes;                      /* the tables' memory as of the last bss_lines_measure (0: never) */
} bss_lines_stats;
void bss_lines_get_stats(bss_lines *t, bss_lines_stats *out);
/* Counts the memory the tables hold (a walk over every line: the writer's thread, for a report). */
void bss_lines_measure(bss_lines *t);

/*
 * A price enquiry: what one event would cost the line now, and which
 * buckets it would take from, computed by the rating core against the
 * line's real buckets; nothing changes. Body {msisdn, service (voice, sms,
 * mms, data, content), quantity (whole units of the service), destination?,
 * startTime?, visitedPlmn?, ratingGroup?}. *out {msisdn, productId,
 * productOffering {id, version}, price {id, trace}, zone?, timeBand?,
 * roamingZone?, ratedUnits, coveredUnits, charge, fromWallet, billed,
 * notCovered, paymentMode, buckets [{bucket, bucketSource, units, amount,
 * before, after, thresholdsCrossed?}], throttle, currency}. Errors name the
 * member: 400 for a malformed one, 404 "msisdn" for a number no live line
 * has, 422 "service" when the line cannot rate the event.
 */
bss_err bss_charging_price_enquiry(bss_db *db, const bss_catalog *cat, const json_t *body, int64_t now_ms, json_t **out,
                                   bss_errinfo *ei);

/* ==== Provisioning steps (provision.c) ==================================================================== */

/*
 * The buckets a product's offering gives (its allowance prices, as of now):
 * plan allowances on the line, an add-on's on its base line, a shared
 * allowance as one pool per account; valid for the allowance's days or to
 * the end of the account's bill period. A bucket of the same price already
 * active is left as it is (a retried step). offering_id (NULL: the
 * product's) is the new offering of a plan change, and plan_change closes
 * the line's active buckets first. *created counts the new ones.
 */
bss_err bss_charging_create_buckets(bss_db *db, const bss_catalog *cat, const char *product_id, const char *offering_id,
                                    bool plan_change, int64_t now_ms, int *created, bss_errinfo *ei);
/* Closes a product's active buckets: what is left expires (a ledger row each). */
bss_err bss_charging_close_buckets(bss_db *db, const char *product_id, int64_t now_ms, bss_errinfo *ei);
/*
 * Seeding (the demo): the buckets of every active product, and for each
 * line whose offering is in category wallet_category (NULL: none) a
 * wallet holding wallet_micros. Products that already have them are left
 * alone. *buckets and *wallets count what was made.
 */
bss_err bss_charging_seed(bss_db *db, const bss_catalog *cat, int64_t now_ms, const char *wallet_category,
                          int64_t wallet_micros, int *buckets, int *wallets, bss_errinfo *ei);
/* An order's charging.* step (and its undo) in the step's transaction (order.h bss_order_local_steps). */
bss_err bss_charging_order_step(bss_db *db, const bss_catalog *cat, const char *type, const json_t *in, int64_t now_ms,
                                bss_errinfo *ei);

/* ==== Usage: rating and storing usage from every door (usage.c; docs/charging.md "Usage") ================ */

#define BSS_TMF635_BASE "/tmf-api/usageManagement/v4"
#define BSS_USAGE_BATCH_MAX 5000 /* records in one batch (one writer job) */

struct bss_doc_kind;
extern const struct bss_doc_kind bss_usage_spec_kind; /* tmf635_usage_specification */

/*
 * One usage event to rate, from any door: a CDR row, a TMF635 Usage, an
 * online debit. Strings are copied by bss_usage_batch_add.
 */
typedef struct bss_usage_rec {
    const char *id;           /* the record id (1..128 of A-Z a-z 0-9 . _ : ~ -): the idempotency key */
    int64_t start_ms;
    const char *msisdn;       /* E.164 digits */
    bss_cdr_service service;
    const char *destination;  /* digits; NULL or "" for none */
    int64_t quantity;         /* in the service's unit */
    int64_t rating_group;     /* -1: none */
    const char *visited_plmn; /* "234-15"; NULL or "" at home */
    const char *doc;          /* JSON object text kept with the usage (usageCharacteristic ...), NULL: none */
    int64_t line;             /* the line of a file it came from (0: none), for reject reports */
    const char *session_id;   /* the online session or event that charged it already (NULL: none) */
} bss_usage_rec;

typedef enum bss_usage_status {
    BSS_USAGE_RATED = 1,  /* rated now */
    BSS_USAGE_REJECTED,   /* stored as rejected (reason_code, reason): recyclable */
    BSS_USAGE_DUPLICATE,  /* the record id was seen before (in the store or earlier in the batch), or its session
                             charged it online: not charged */
    BSS_USAGE_RECYCLED,   /* a rejected one, rated on this attempt */
} bss_usage_status;

typedef struct bss_usage_result {
    bss_usage_status status;
    const char *reason_code; /* static: unknownSubscriber, lineNotActive, beforeActivation, notRated; NULL */
    char reason[192];
    int64_t charge_micros;   /* after allowances */
    char currency[4];
} bss_usage_result;

/* What a batch did. charged: money per currency (at most 4 currencies; more are summed in the last). */
typedef struct bss_usage_totals {
    int64_t records, rated, rejected, duplicates, recycled;
    size_t ncurrencies;
    struct {
        char currency[4];
        int64_t micros;
    } charged[4];
} bss_usage_totals;

typedef struct bss_usage_env {
    int64_t now_ms;
    const char *source;     /* "cdr", "rest", "online" */
    const char *source_ref; /* the file, the request (NULL: none) */
    bool recycle;           /* the records are stored rejected ones, rated again (bss_usage_recycle) */
    const char *base_url;   /* hrefs of events (NULL: relative) */
    int64_t bill_shock_micros; /* a postpaid account's billed usage per period that raises a bill-shock alert; 0: none */
    bss_lines *lines;          /* the writer's resident lines (NULL: none): a batch's buckets kept across batches */
} bss_usage_env;

typedef struct bss_usage_batch bss_usage_batch;

/* A batch of at most BSS_USAGE_BATCH_MAX records against cat (held by the caller until the batch is freed). */
bss_usage_batch *bss_usage_batch_new(const bss_catalog *cat, const bss_usage_env *env);
void bss_usage_batch_free(bss_usage_batch *b);
/* Adds a record (copied); BSS_E_RANGE when the batch is full, BSS_E_INVALID for a malformed id. */
bss_err bss_usage_batch_add(bss_usage_batch *b, const bss_usage_rec *rec, bss_errinfo *ei);
size_t bss_usage_batch_count(const bss_usage_batch *b);
int64_t bss_usage_batch_line(const bss_usage_batch *b, size_t i); /* the record's file line (0: none) */

/*
 * Loads the lines of the batch's numbers (products, offerings, add-ons:
 * reads only, on any connection, e.g. a worker's). A number no live line
 * has is remembered as unknown; its records are rejected at commit.
 */
bss_err bss_usage_batch_prepare(bss_usage_batch *b, bss_db *db, bss_errinfo *ei);

/*
 * The writer job of a batch (runs again from the start if the writer
 * retries): skips the record ids already stored or seen earlier in the
 * batch (duplicates: nothing charged), reads the lines' buckets as they are
 * now, rates every record in start-time order of the file (the order
 * given), applies the takes (one ledger row per bucket per batch, reason
 * usage, its events counted), stores each usage with its explanation and
 * updates the running totals. A record that cannot be rated is stored
 * rejected with its reason (unknown subscriber, a line not active yet, an
 * event before the line's activation, no price): bss_usage_recycle rates
 * it again later. Results by record: bss_usage_batch_result.
 */
bss_err bss_usage_batch_commit(bss_db *db, void *batch, bss_errinfo *ei);
const bss_usage_result *bss_usage_batch_result(const bss_usage_batch *b, size_t i);
void bss_usage_batch_totals(const bss_usage_batch *b, bss_usage_totals *out);

/*
 * Reads up to limit (1..BSS_USAGE_BATCH_MAX) stored rejected usages
 * (msisdn NULL: any line; reason_code NULL: any reason), oldest first, into
 * a recycle batch (env->recycle): commit rates them again; those rated
 * become "recycled", the others stay rejected with their new reason.
 */
bss_err bss_usage_recycle_load(bss_db *db, bss_usage_batch *b, const char *msisdn, const char *reason_code,
                               int64_t limit, bss_errinfo *ei);

/* The demo's usage specifications (us-voice, us-sms, us-mms, us-data, us-content), those missing. */
bss_err bss_usage_seed_specs(bss_db *db, int64_t now_ms, int *created, bss_errinfo *ei);

/* One usage as a TMF635 Usage; BSS_E_NOT_FOUND when there is none. */
bss_err bss_usage_get_json(bss_db *db, const char *base_url, const char *id, json_t **out, bss_errinfo *ei);
/*
 * The explanation of a rated usage: the event, the line, offering and
 * version, price and trace (increments, steps, connect fee), zone, time
 * band, roaming zone, rated and covered units, each bucket touched with
 * its value before and after, and the charge.
 */
bss_err bss_usage_explain_json(bss_db *db, const char *base_url, const char *id, json_t **out, bss_errinfo *ei);

/*
 * What-if pricing: the usage of [from_ms, to_ms) (one account's, or all
 * when account_id is NULL) rated under the catalog in force and under
 * draft_doc (a catalog file, bss catalog export's format; its validFor
 * ignored), each line starting each bill period with its offering's
 * allowances; nothing is written. *report: {from, to, events, currency,
 * charged (what was charged for real), before, after, delta,
 * notRatedAfter, byOffering [{offering, events, charged, before, after,
 * delta, notRatedAfter}], bySegment [{segment, ...}], elapsedMicroseconds}.
 * Errors: the draft's own (it must validate and compile), BSS_E_INVALID
 * "to" for a period that is not from < to or longer than 400 days,
 * BSS_E_UNPROCESSABLE "to" for one line whose usage in half the period
 * is more than memory_bytes holds.
 * The period is read on db and a sibling connection at once (its two
 * halves in time; each sees the store as of its own start) and the lines
 * rated on two threads; memory_bytes (0: 1 GiB) bounds the events held at
 * once (68 bytes each): a period with more is read again in passes, each
 * keeping a part of the lines (*report's passes says how many).
 */
bss_err bss_usage_what_if(bss_db *db, const bss_catalog *current, const json_t *draft_doc, int64_t from_ms,
                          int64_t to_ms, const char *account_id, int64_t memory_bytes, json_t **report,
                          bss_errinfo *ei);

/*
 * Re-rating (rerate.c; docs/charging.md "Re-rating"): the usage of one
 * billing account in [from_ms, to_ms) rated again under the catalog in
 * force, in time order across its lines (shared pools stay shared), each
 * event against the buckets as they would be had the period's re-rated
 * usage not happened yet. An unbilled usage that now costs or takes
 * otherwise is rewritten (the old rating kept as its `previous`, its
 * running totals moved, the active buckets changed by one `rerate` ledger
 * row each); a billed one is never changed: the difference becomes a
 * usage_adjustment for the next bill. dry_run: the same report, nothing
 * written. Without dry_run the run needs env->idem_key (400
 * "Idempotency-Key"); the same key and request again answer the first
 * report (*replayed), another request under it is 409.
 * *report {id, account, from, to, dryRun, events, changed, unchanged,
 * notRated, currency, before, after, delta, adjustments {count, amount},
 * byLine [{product, msisdn, events, changed, before, after, delta}],
 * buckets [{bucket, delta, written}], changes [{usage, startTime, msisdn,
 * service, quantity, status, before, after, delta, priceBefore,
 * priceAfter}] (the first 1000)}. changed counts rewritten rows,
 * adjustments.count the billed usages adjusted; before and after sum every
 * usage of the period (a billed one at its bill plus earlier adjustments).
 * The catalog is the caller's: compile it from db, so a fix just committed
 * is in force. Errors: BSS_E_INVALID "to" (not from <
 * to, longer than 400 days), "account"; BSS_E_NOT_FOUND "account";
 * BSS_E_UNPROCESSABLE "to" (more than BSS_RERATE_MAX_EVENTS events: split it).
 */
#define BSS_RERATE_MAX_EVENTS 100000
typedef struct bss_rerate_env {
    int64_t now_ms;
    const char *base_url;
    const char *idem_key;
    bool dry_run;
} bss_rerate_env;
bss_err bss_usage_rerate(bss_db *db, const bss_catalog *cat, const bss_rerate_env *env, const char *account_id,
                         int64_t from_ms, int64_t to_ms, json_t **report, bool *replayed, bss_errinfo *ei);
/* A stored re-rating report; BSS_E_NOT_FOUND when there is none. */
bss_err bss_usage_rerate_get(bss_db *db, const char *id, json_t **report, bss_errinfo *ei);

/* Equality filters of a usage list (NULL: any), the time window [from, to), and the page. */
typedef struct bss_usage_query {
    const char *id, *status, *msisdn, *account_id, *product_id, *usage_type, *reason_code;
    int64_t from_ms, to_ms; /* INT64_MIN / INT64_MAX: open */
    int64_t offset, limit;
} bss_usage_query;
/* The page of usages matching q, newest first; *total counts every match. */
bss_err bss_usage_list_json(bss_db *db, const char *base_url, const bss_usage_query *q, json_t **out, int64_t *total,
                            bss_errinfo *ei);

/* ---- the doors (usage_in.c) ---- */

#define BSS_USAGE_DOC_MAX 16384 /* bytes a usage keeps besides its event (characteristics, notes) */

/* A TMF635 Usage read into a record, with the strings it points to. */
typedef struct bss_usage_json_rec {
    bss_usage_rec rec;
    char id[BSS_CDR_RECORD_ID_MAX + 1], msisdn[16], dest[21], plmn[8];
    char session[BSS_CC_SESSION_ID_MAX + 1]; /* sessionId characteristic: charged online by that session */
    char spec_id[BSS_ID_MAX + 1]; /* usageSpecification.id, "" none: the caller checks it exists */
    char *doc;                    /* what is kept (JSON text, bss_free) or NULL */
} bss_usage_json_rec;

/*
 * Checks a TMF635 Usage (POST body) and reads it: usageType (voice, sms,
 * mms, data, content), usageDate (RFC 3339, not beyond lim's tolerance
 * ahead), and characteristics by name: msisdn, quantity (required; at most
 * the unit's maximum), destination (voice, sms, mms), unit (if given, the
 * service's), ratingGroup (data), visitedPlmn, recordId (the id; else
 * idem_key, else 400: a usage changes money). status may only be
 * "received"; ratedProductUsage is the rater's. The other members and
 * characteristics are kept (card numbers refused). Errors name the member.
 */
bss_err bss_usage_from_json(const json_t *body, const char *idem_key, const bss_cdr_limits *lim,
                            bss_usage_json_rec *out, bss_errinfo *ei);
void bss_usage_json_rec_free(bss_usage_json_rec *u);

/* A row of a CDR file that was not rated: its line in the file, the reason and its original text. */
typedef struct bss_usage_reject {
    int64_t line;
    char field[64];
    const char *code; /* "malformed", or a rejection's reason code */
    char reason[256]; /* "line 7: quantity -3 is not a whole number >= 0" */
    char *raw;
} bss_usage_reject;

typedef struct bss_usage_chunk {
    int64_t read, line_offset;
    bss_usage_reject *rejects;
    size_t nrejects, caprejects;
    struct {
        const char *p;
        size_t len;
    } *raw; /* per batch record: its text in the chunk */
} bss_usage_chunk;

/*
 * Reads a chunk of a CDR file (its header row, then rows; data must
 * outlive c) into batch b: malformed rows (and rows holding a card number
 * in the id or an extra column) become rejects, numbered as lines of the
 * file (the chunk's line + line_offset). BSS_E_INVALID for a bad header
 * (the whole chunk), BSS_E_TOO_BIG past BSS_USAGE_BATCH_MAX records.
 */
bss_err bss_usage_chunk_read(bss_usage_chunk *c, const char *data, size_t len, int64_t line_offset,
                             const bss_cdr_limits *lim, bss_usage_batch *b, bss_errinfo *ei);
/* After the batch's commit: its rejected records join the rejects, all in line order. */
bss_err bss_usage_chunk_results(bss_usage_chunk *c, const bss_usage_batch *b, bss_errinfo *ei);
void bss_usage_chunk_free(bss_usage_chunk *c);

/* ---- notifications (notify.c) ---- */

struct bss_app;
typedef struct bss_notifier bss_notifier;
/*
 * Starts the thread that hands pending notifications (charging_notification)
 * to the adapter, after their commit: today the log adapter, one JSON line
 * per message appended to log_path ({id, kind, channel, to, message,
 * msisdn, threshold}); sent ones are marked so. At least once.
 */
bss_err bss_notifier_start(struct bss_app *app, const char *log_path, bss_notifier **out, bss_errinfo *ei);
void bss_notifier_stop(bss_notifier *n);

/* ---- renewal and rollover per cycle (cycle.c) ---- */

typedef struct bss_charging_renewal {
    int renewed, expired;
    int64_t rolled_over; /* units carried into successors */
    bool more;           /* a full batch made progress: run again */
} bss_charging_renewal;

/*
 * In the caller's transaction (a writer job), up to 200 active buckets that
 * end by now + 1 day: an allowance that renews each cycle (its product
 * active) gets its successor, valid from its end for the next bill period
 * (or its days); a bucket that has ended expires (what is left, a ledger
 * row) and rolls over up to its allowance's cap into the successor.
 * Idempotent.
 */
bss_err bss_charging_renew(bss_db *db, const bss_catalog *cat, int64_t now_ms, bss_charging_renewal *out,
                           bss_errinfo *ei);

typedef struct bss_charging_cycle bss_charging_cycle;
/* Runs bss_charging_renew on the writer every every_ms (5000) until stopped. */
bss_err bss_charging_cycle_start(struct bss_app *app, int64_t every_ms, bss_charging_cycle **out, bss_errinfo *ei);
void bss_charging_cycle_stop(bss_charging_cycle *c);

/* ---- the CDR spool (spool.c) ---- */

struct bss_app;
typedef struct bss_cdr_spool bss_cdr_spool;
/*
 * Watches dir (`bss serve --cdr-spool DIR`) every poll_ms: each *.csv file
 * (not a dot-file) is taken by renaming it into dir/work, imported in
 * chunks like `bss usage import`, and moved to dir/done (its rejects in
 * done/NAME.rejects.csv) or, when it cannot be read at all, dir/failed
 * (with NAME.error.txt). Files left in dir/work by a crash are taken again
 * first. BSS_E_CONFIG when dir is not a directory.
 */
bss_err bss_cdr_spool_start(struct bss_app *app, const char *dir, int64_t poll_ms, bss_cdr_spool **out,
                            bss_errinfo *ei);
/* Stops after the chunk in progress (a file not finished stays in work). NULL is a no-op. */
void bss_cdr_spool_stop(bss_cdr_spool *s);

/* A CDR service by name ("voice" ...; 0 if unknown). */
bss_cdr_service bss_cdr_service_parse(const char *name);
/* Whether id[0..n) is a record id: 1..128 of A-Z a-z 0-9 . _ : ~ - (it is a usage's id in URLs). */
bool bss_usage_id_ok(const char *id, size_t n);

/* ==== Online charging (session.c; docs/charging.md "Online charging") ==================================== */

#define BSS_CC_MAX_SERVICES 8

typedef enum bss_cc_type { BSS_CC_INITIAL = 1, BSS_CC_UPDATE, BSS_CC_TERMINATE, BSS_CC_EVENT } bss_cc_type;
typedef enum bss_cc_action { BSS_CC_DEBIT = 1, BSS_CC_REFUND } bss_cc_action;

/* Result codes, numbered as RFC 4006 and RFC 6733 number them. */
#define BSS_CC_SUCCESS 2001
#define BSS_CC_SERVICE_DENIED 4010
#define BSS_CC_NOT_APPLICABLE 4011
#define BSS_CC_CREDIT_LIMIT 4012
#define BSS_CC_UNKNOWN_SESSION 5002
#define BSS_CC_USER_UNKNOWN 5030
#define BSS_CC_RATING_FAILED 5031

/* One service of a request (a Multiple-Services-Credit-Control): what is asked and, after, the answer. */
typedef struct bss_cc_service {
    bss_cdr_service service;
    int64_t rating_group; /* -1: none */
    int64_t requested;    /* units wanted; -1: none */
    int64_t used;         /* units used since the last report */
    int result;           /* BSS_CC_* */
    int64_t granted;      /* units granted (reserved until validity_s passes) */
    bool final_unit;      /* the balance covers no more than granted */
    int64_t validity_s;
    int64_t charged_micros; /* what this request charged (a refund: negative) */
    int64_t used_total;     /* the session's units of the service so far */
} bss_cc_service;

typedef struct bss_cc_request {
    char session_id[BSS_CC_SESSION_ID_MAX + 1]; /* an event: its own id (the idempotency key) */
    int64_t request_number;
    bss_cc_type type;
    bss_cc_action action; /* events */
    char msisdn[16], destination[21], visited_plmn[8];
    int64_t event_ms; /* 0: now */
    size_t nservices;
    bss_cc_service services[BSS_CC_MAX_SERVICES];
    int result; /* answer */
    bool replayed;
    char currency[4];
    char reason[160];
} bss_cc_request;

typedef struct bss_cc_env {
    const bss_catalog *cat;
    int64_t now_ms;
    int64_t validity_ms; /* how long a grant holds (--quota-validity) */
    const char *base_url;
    int64_t bill_shock_micros;
    bss_lines *lines; /* the writer's resident lines (NULL: every line read from the store) */
} bss_cc_env;

/*
 * A request as JSON: {sessionId, requestNumber, type (initial, update,
 * terminate, event), msisdn (initial, event), destination?, visitedPlmn?,
 * eventTime?, action? (event: debit, refund), services [{service,
 * ratingGroup?, requested?, used?}]}. Errors name the member.
 */
bss_err bss_cc_from_json(const json_t *body, bss_cc_request *out, bss_errinfo *ei);
/* The answer: {sessionId, requestNumber, type, resultCode, result, currency?, reason?, services [...]}. */
json_t *bss_cc_answer_json(const bss_cc_request *r);
/*
 * Answers r in the caller's transaction (a writer job): a request already
 * answered gets that answer (r->replayed) and changes nothing; else the
 * used units are committed, the requested ones granted and reserved, the
 * answer stored. BSS_E_CONFLICT for an initial request of an existing
 * session or a request number that does not grow; business outcomes
 * (unknown user or session, no credit, no price) are result codes.
 */
bss_err bss_cc_handle(bss_db *db, const bss_cc_env *env, bss_cc_request *r, bss_errinfo *ei);
/*
 * Supervision (Tcc): up to 100 open sessions whose last grant lapsed
 * before idle_before_ms without a report since are closed as a terminate would, in
 * the caller's transaction: their usage rows written, holds released.
 * *closed counts them. A later request on one answers 5002.
 */
bss_err bss_cc_sweep(bss_db *db, const bss_cc_env *env, int64_t idle_before_ms, int *closed, bss_errinfo *ei);
/*
 * What sessions leave behind, removed in bounded batches (at most
 * BSS_CC_PURGE_BATCH rows of each kind per call, oldest first, in the
 * caller's transaction): holds of sessions released more than
 * BSS_CC_KEEP_HOLDS_MS ago, and stored answers older than
 * BSS_CC_KEEP_ANSWERS_MS of closed sessions or of a session's earlier
 * requests (its last one stays while it is open). A request whose answer
 * is gone is never charged twice: an open session's older number is 409
 * (numbers only grow), a closed session's is 5002. One-shot events keep
 * their answers (their only idempotency record). *holds and *answers count
 * what went; a full batch means there is more.
 */
#define BSS_CC_PURGE_BATCH 1000
#define BSS_CC_KEEP_HOLDS_MS INT64_C(600000)     /* 10 minutes */
#define BSS_CC_KEEP_ANSWERS_MS INT64_C(3600000)  /* an hour */
bss_err bss_cc_purge(bss_db *db, int64_t now_ms, int *holds, int *answers, bss_errinfo *ei);

#endif
