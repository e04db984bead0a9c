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
    char description[160]; /* "50% off the recurring charges for the first 3 cycles" */
} bss_elig_promotion;

typedef struct bss_elig_result {
    bool eligible;
    size_t nreasons;
    bss_elig_reason reasons[BSS_ELIG_MAX_REASONS];
    size_t nwarnings;
    bss_elig_reason warnings[4];
    size_t npromotions;
    bss_elig_promotion promotions[BSS_ELIG_MAX_PROMOTIONS];
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

#endif
