/*
 * eligibility.h: may this customer buy this offering, here and now, and
 * which promotions come with it? A pure decision (no store, no clock, no
 * log): the caller (src/api/tmf620_eligibility.c, later order management)
 * loads the productOffering document, the promotions that might apply and
 * the account's current offerings, and passes them in with `now`.
 *
 * Rules on the offering (every failing rule is reported, not just the first):
 *   OFFERING_NOT_ACTIVE       lifecycleStatus is not "Active"
 *   OUTSIDE_VALID_FOR         now is outside the offering's validFor
 *   SEGMENT_NOT_ALLOWED       the offering lists segments (marketSegment
 *                             [{id,name}] and/or our extension
 *                             "eligibility": {"segments": [...]}) and the
 *                             customer's segment is none of them (matched
 *                             case-insensitively against ids and names);
 *                             an unknown segment fails such an offering
 *   CHANNEL_NOT_ALLOWED       the same with channel [{id,name}] and
 *                             "eligibility": {"channels": [...]}
 *   MAX_QUANTITY_EXCEEDED     "eligibility": {"maxQuantityPerAccount": N} and
 *                             held quantity + requested quantity > N
 *   BASE_PLAN_REQUIRED        productOfferingRelationship entries of type
 *                             "addOnTo" name base plans: the account must
 *                             hold at least one of them
 *   REQUIRED_OFFERING_MISSING entries of type "requires": the account must
 *                             hold every one of them
 *   EXCLUDED_OFFERING_HELD    entries of type "excludes" name offerings the
 *                             account must not hold; a held offering whose
 *                             own document is passed and which excludes
 *                             this one counts too (exclusion is symmetric)
 * Relationship types are matched case-insensitively.
 *
 * Promotions: one applies when it is Active, now is inside its validFor,
 * its action.offeringIds is absent/empty or names the offering, and its
 * "eligibility" ({segments, channels, newCustomersOnly}) and couponCodes
 * (when it has any, the request must carry one of them, compared without
 * regard to case) admit the request. When a non-stackable promotion
 * applies, it is the only one: the one whose coupon was given, else the
 * first non-stackable in input order. A coupon given that no applicable
 * promotion accepts is a warning (COUPON_NOT_APPLICABLE), not a reason.
 *
 * Lines. A line is one unit of a base plan: an offering whose document is
 * known and that is not an add-on (no productOfferingRelationship of type
 * "addOnTo"); the extension "eligibility": {"countsAsLine": true|false} on
 * the offering overrides that (a fixed-line plan that is no mobile line, a
 * data SIM sold as an add-on). In the demo catalog these are exactly the
 * offerings whose productSpecification has "MSISDN required" true. The
 * account's lines are numbered 1..lines_held in the order they were
 * taken; the units ordered get the next numbers, lines_held + 1 ..
 * lines_held + lines_ordered.
 *
 * Loyalty and multi-line promotions ("eligibility" and "action" members):
 *   "minLines": N          lines after the order (lines_held +
 *                          lines_ordered) must be at least N
 *   "minTenureMonths": N   the customer for at least N whole calendar
 *                          months (customerSince + N months <= now);
 *                          unknown customerSince: does not apply
 *   "action": {"perLine": {"fromLine": 2}}   (fromLine default 2: "each
 *                          additional line") the percentage or amount is
 *                          given to each line numbered fromLine or more,
 *                          per line; it applies to an order only when at
 *                          least one ordered unit gets it
 *                          (discounted_lines >= 1).
 * Example "10% off each additional line": an account with 1 line ordering
 * 2 more has lines 2 and 3 ordered, both discounted: discounted_lines 2.
 */
#ifndef BSS_CATALOG_ELIGIBILITY_H
#define BSS_CATALOG_ELIGIBILITY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define BSS_ELIG_MAX_REASONS 16
#define BSS_ELIG_MAX_PROMOTIONS 16
#define BSS_ELIG_MAX_HELD 100      /* offerings of the account one check may name */
#define BSS_ELIG_NEW_CUSTOMER_DAYS 30 /* a customer since fewer days than this is new */

/* An offering the account holds now. */
typedef struct bss_elig_held {
    const char *offering_id;
    int64_t quantity;       /* >= 1 */
    const json_t *offering; /* its productOffering document, or NULL when not loaded */
} bss_elig_held;

typedef struct bss_elig_request {
    const char *segment;       /* "consumer", "business" ...; NULL when unknown */
    const char *channel;       /* "web", "shop", "care", "app"; NULL when unknown */
    const bss_elig_held *held; /* the account's offerings (may be NULL when nheld is 0) */
    size_t nheld;
    int64_t quantity;   /* how many are being ordered, >= 1 */
    const char *coupon; /* NULL when none */
    int new_customer;   /* 1 new, 0 existing, -1 unknown (newCustomersOnly then does not apply) */
    int64_t now_ms;
    /* When the customer became one (customerSince); false = unknown (minTenureMonths does not apply). */
    bool has_customer_since;
    int64_t customer_since_ms;
    /*
     * Lines (see "Lines" above): bss_eligibility_check computes both from
     * the documents (bss_eligibility_count_lines) and ignores these; a
     * caller of bss_eligibility_promotion_applies sets them.
     */
    int64_t lines_held;    /* lines the account holds */
    int64_t lines_ordered; /* lines this order adds: quantity when the offering is a line, else 0 */
} bss_elig_request;

typedef struct bss_elig_reason {
    const char *code; /* "SEGMENT_NOT_ALLOWED" ... (a literal) */
    char message[240];
} bss_elig_reason;

/* A promotion that applies. Strings point into the promotion document passed in. */
typedef struct bss_elig_promotion {
    const char *id;
    const char *name;
    const char *coupon;     /* the matching code as stored, NULL when the promotion needs none */
    int64_t percent_micros; /* 50% = 50,000,000; 0 for an amount discount */
    int64_t amount_micros;  /* fixed discount per cycle; 0 for a percentage */
    const char *currency;   /* of amount_micros, NULL for a percentage */
    int64_t cycles;         /* 0 = every cycle */
    bool stackable;
    int64_t min_lines;           /* eligibility.minLines, 0 when none */
    int64_t min_tenure_months;   /* eligibility.minTenureMonths, 0 when none */
    bool per_line;               /* action.perLine: the discount is per line from from_line on */
    int64_t from_line;           /* per_line: the first line number discounted (default 2) */
    int64_t discounted_lines;    /* per_line: how many of the ordered units get it */
    int64_t total_amount_micros; /* per_line amount: amount_micros * discounted_lines; else amount_micros */
    char description[200];       /* "50% off the recurring charges for the first 3 cycles" */
} bss_elig_promotion;

typedef struct bss_elig_result {
    bool eligible;
    size_t nreasons;
    bss_elig_reason reasons[BSS_ELIG_MAX_REASONS];
    size_t nwarnings;
    bss_elig_reason warnings[4];
    size_t npromotions;
    bss_elig_promotion promotions[BSS_ELIG_MAX_PROMOTIONS];
    int64_t lines_held, lines_ordered; /* as counted for this check */
    int64_t tenure_months;             /* -1 when customerSince is unknown */
} bss_elig_result;

/*
 * Decides. offering is the productOffering document (must have "id");
 * promotions is an array of promotion documents (may be NULL). Returns
 * BSS_OK with *out filled (eligible or not, with every reason), or
 * BSS_E_INVALID when the request itself is malformed (quantity < 1,
 * offering without id). The result's strings point into offering and
 * promotions: keep them alive while reading it.
 */
bss_err bss_eligibility_check(const json_t *offering, const json_t *promotions, const bss_elig_request *req,
                              bss_elig_result *out, bss_errinfo *ei);

/*
 * Whether one promotion document applies to offering_id for req (the
 * promotion rules above, without the stacking choice); fills *out when it
 * does. Exposed for tests and for order management's price calculation.
 */
bool bss_eligibility_promotion_applies(const json_t *promotion, const char *offering_id,
                                       const bss_elig_request *req, bss_elig_promotion *out);

/* Whether one unit of this productOffering document is a line (see "Lines"). */
bool bss_eligibility_is_line(const json_t *offering);

/* Sets req->lines_held (from req->held) and req->lines_ordered (offering may be NULL: 0). */
void bss_eligibility_count_lines(const json_t *offering, bss_elig_request *req);

/* Whole calendar months from req->customer_since_ms to req->now_ms (0 if later); -1 when unknown. */
int64_t bss_eligibility_tenure_months(const bss_elig_request *req);

/*
 * Applying a promotion: the discount pr gives on a recurring charge of
 * charge_micros (>= 0) of the account's line number line_no (1-based; any
 * value when the promotion is not per line) in the cycle-th cycle since the
 * product started (1 = the first): 0 once past pr->cycles (when set) or for
 * a line before pr->from_line; a percentage is charge * percentage / 100
 * rounded half-up to the micro; an amount is at most the charge. Example:
 * 10% per line from line 2 on a EUR 22.50 charge: line 1 -> 0, line 2 ->
 * EUR 2.25.
 */
int64_t bss_eligibility_discount(const bss_elig_promotion *pr, int64_t line_no, int64_t cycle,
                                 int64_t charge_micros);

#endif
