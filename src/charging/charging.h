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
 *   record_id     1..128 printable bytes, unique per record (the idempotency key)
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

/* ==== A line for rating (line.c) ========================================================================== */

#define BSS_CHARGING_LINE_BUCKETS 32

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
    char status[16];
    char offering_id[BSS_ID_MAX + 1];
    char offering_version[32];
    char currency[4];
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

#endif
