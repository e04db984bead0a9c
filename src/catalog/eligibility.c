/*
 * eligibility.c: the pure eligibility decision (catalog.h: eligibility). Reads the
 * offering's TMF620 members (lifecycleStatus, validFor, marketSegment,
 * channel, productOfferingRelationship) and our "eligibility" extension,
 * and each promotion's TMF671-style members (lifecycleStatus, validFor,
 * eligibility, couponCodes, action, stackable), with the loyalty and
 * multi-line members (minLines, minTenureMonths, action.perLine) over the
 * account's lines. No store, no clock, no log: the caller passes every
 * document and `now`.
 */
#include "catalog/catalog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/money.h"
#include "core/time.h"

static void add_reason(bss_elig_result *out, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_reason(bss_elig_result *out, const char *code, const char *fmt, ...)
{
    if (out->nreasons >= BSS_ELIG_MAX_REASONS)
        return;
    bss_elig_reason *r = &out->reasons[out->nreasons++];
    r->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
}

static const char *str_of(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* Whether now is inside doc's validFor (absent bounds are open; unparsable ones are ignored). */
static bool in_valid_for(const json_t *doc, int64_t now_ms)
{
    const json_t *vf = json_object_get(doc, "validFor");
    if (!json_is_object(vf))
        return true;
    int64_t start = INT64_MIN, end = INT64_MAX;
    if (bss_json_get_time(vf, "startDateTime", "validFor.startDateTime", false, &start, NULL) != BSS_OK)
        start = INT64_MIN;
    if (bss_json_get_time(vf, "endDateTime", "validFor.endDateTime", false, &end, NULL) != BSS_OK)
        end = INT64_MAX;
    return now_ms >= start && now_ms <= end;
}

/* Whether a list of strings or of {id, name} refs mentions value (case-insensitive). */
static bool list_has(const json_t *list, const char *value, bool *listed)
{
    size_t i;
    const json_t *e;
    bool found = false;
    json_array_foreach(list, i, e)
    {
        const char *a = json_is_string(e) ? json_string_value(e) : str_of(e, "id");
        const char *b = json_is_object(e) ? str_of(e, "name") : NULL;
        if (a || b)
            *listed = true;
        if (value && ((a && strcasecmp(a, value) == 0) || (b && strcasecmp(b, value) == 0)))
            found = true;
    }
    return found;
}

/* Whether value is allowed by the TMF list member and the extension list (either may be absent). */
static bool allowed_by(const json_t *tmf_list, const json_t *ext_list, const char *value)
{
    bool listed = false;
    bool found = list_has(tmf_list, value, &listed);
    found = list_has(ext_list, value, &listed) || found;
    return !listed || found;
}

static const bss_elig_held *find_held(const bss_elig_request *req, const char *id)
{
    for (size_t i = 0; id && i < req->nheld; i++)
        if (req->held[i].offering_id && strcmp(req->held[i].offering_id, id) == 0)
            return &req->held[i];
    return NULL;
}

static void check_market(const json_t *off, const json_t *ext, const bss_elig_request *req,
                         bss_elig_result *out)
{
    if (!allowed_by(json_object_get(off, "marketSegment"), json_object_get(ext, "segments"), req->segment))
        add_reason(out, "SEGMENT_NOT_ALLOWED", "the offering is not sold to the %s segment",
                   req->segment ? req->segment : "(unknown)");
    if (!allowed_by(json_object_get(off, "channel"), json_object_get(ext, "channels"), req->channel))
        add_reason(out, "CHANNEL_NOT_ALLOWED", "the offering is not sold through the %s channel",
                   req->channel ? req->channel : "(unknown)");
    const json_t *max = json_object_get(ext, "maxQuantityPerAccount");
    if (json_is_integer(max)) {
        const bss_elig_held *h = find_held(req, str_of(off, "id"));
        int64_t have = h ? h->quantity : 0;
        if (have + req->quantity > json_integer_value(max))
            add_reason(out, "MAX_QUANTITY_EXCEEDED",
                       "at most %lld per account: the account holds %lld and the order adds %lld",
                       (long long)json_integer_value(max), (long long)have, (long long)req->quantity);
    }
}

/* Whether a held offering's own document excludes offering id. */
static bool held_excludes(const bss_elig_held *h, const char *id)
{
    size_t i;
    const json_t *rel;
    json_array_foreach(json_object_get(h->offering, "productOfferingRelationship"), i, rel)
    {
        const char *type = str_of(rel, "relationshipType");
        const char *other = str_of(rel, "id");
        if (type && other && strcasecmp(type, "excludes") == 0 && strcmp(other, id) == 0)
            return true;
    }
    return false;
}

static void check_relations(const json_t *off, const bss_elig_request *req, bss_elig_result *out)
{
    size_t i;
    const json_t *rel;
    bool has_base = false, base_held = false;
    char base_names[160] = "";
    json_array_foreach(json_object_get(off, "productOfferingRelationship"), i, rel)
    {
        const char *type = str_of(rel, "relationshipType");
        const char *other = str_of(rel, "id");
        const char *label = str_of(rel, "name") ? str_of(rel, "name") : other;
        if (!type || !other)
            continue;
        bool held = find_held(req, other) != NULL;
        if (strcasecmp(type, "addOnTo") == 0) {
            size_t n = strlen(base_names);
            if (n + 4 < sizeof base_names)
                snprintf(base_names + n, sizeof base_names - n, "%s%s", has_base ? ", " : "", label);
            has_base = true;
            base_held = base_held || held;
        } else if (strcasecmp(type, "requires") == 0 && !held) {
            add_reason(out, "REQUIRED_OFFERING_MISSING",
                       "the offering requires %s, which the account does not hold", label);
        } else if (strcasecmp(type, "excludes") == 0 && held) {
            add_reason(out, "EXCLUDED_OFFERING_HELD",
                       "the offering cannot be combined with %s, which the account holds", label);
        }
    }
    if (has_base && !base_held)
        add_reason(out, "BASE_PLAN_REQUIRED", "the add-on needs one of these base plans on the account: %s",
                   base_names);
    const char *id = str_of(off, "id");
    for (size_t h = 0; h < req->nheld; h++)
        if (req->held[h].offering && held_excludes(&req->held[h], id))
            add_reason(out, "EXCLUDED_OFFERING_HELD",
                       "the account holds %s, which cannot be combined with this offering",
                       req->held[h].offering_id);
}

/* ---- promotions ---------------------------------------------------------- */

/* The coupon of p matching req->coupon, or NULL; *needs tells whether p has codes at all. */
static const char *coupon_match(const json_t *p, const char *coupon, bool *needs)
{
    size_t i;
    const json_t *c;
    *needs = false;
    json_array_foreach(json_object_get(p, "couponCodes"), i, c)
    {
        if (!json_is_string(c))
            continue;
        *needs = true;
        if (coupon && strcasecmp(coupon, json_string_value(c)) == 0)
            return json_string_value(c);
    }
    return NULL;
}

static bool offering_targeted(const json_t *action, const char *offering_id)
{
    const json_t *ids = json_object_get(action, "offeringIds");
    if (!json_is_array(ids) || json_array_size(ids) == 0)
        return true;
    size_t i;
    const json_t *e;
    json_array_foreach(ids, i, e) if (json_is_string(e) &&
                                      strcmp(json_string_value(e), offering_id) == 0) return true;
    return false;
}

static const char *ordinal_suffix(int64_t n)
{
    if (n % 100 >= 11 && n % 100 <= 13)
        return "th";
    return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

static void append(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Appends to the string in buf (cap bytes), truncating. */
static void append(char *buf, size_t cap, const char *fmt, ...)
{
    size_t n = strlen(buf);
    if (n + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, cap - n, fmt, ap);
    va_end(ap);
}

/*
 * "50% off the recurring charges for the first 3 cycles", "10% off the
 * recurring charges of each line from the 2nd (2 lines of this order) for
 * accounts with 2+ lines", "EUR 5 off ... for customers of 24+ months".
 */
static void describe(bss_elig_promotion *pr)
{
    char amount[32];
    char *d = pr->description;
    size_t cap = sizeof pr->description;
    d[0] = '\0';
    if (pr->currency) {
        bss_money_format(pr->amount_micros, amount);
        append(d, cap, "%s %s", pr->currency, amount);
    } else {
        bss_money_format(pr->percent_micros, amount);
        append(d, cap, "%s%%", amount);
    }
    append(d, cap, " off the recurring charges");
    if (pr->per_line)
        append(d, cap, " of each line from the %lld%s (%lld line%s of this order)", (long long)pr->from_line,
               ordinal_suffix(pr->from_line), (long long)pr->discounted_lines,
               pr->discounted_lines == 1 ? "" : "s");
    if (pr->cycles > 0)
        append(d, cap, " for the first %lld cycle%s", (long long)pr->cycles, pr->cycles == 1 ? "" : "s");
    if (pr->min_lines > 0 && pr->min_tenure_months > 0)
        append(d, cap, " for customers of %lld+ months with %lld+ lines", (long long)pr->min_tenure_months,
               (long long)pr->min_lines);
    else if (pr->min_lines > 0)
        append(d, cap, " for accounts with %lld+ lines", (long long)pr->min_lines);
    else if (pr->min_tenure_months > 0)
        append(d, cap, " for customers of %lld+ months", (long long)pr->min_tenure_months);
}

/* Reads the discount of action into pr; false when the action is not a usable discount. */
static bool read_action(const json_t *action, bss_elig_promotion *pr)
{
    const char *type = str_of(action, "type");
    if (type && strcasecmp(type, "discount") != 0)
        return false;
    const json_t *pct = json_object_get(action, "percentage");
    const json_t *amt = json_object_get(action, "amount");
    if (pct && !json_is_null(pct)) {
        if (bss_money_from_json(pct, "action.percentage", &pr->percent_micros, NULL) != BSS_OK)
            return false;
    } else if (json_is_object(amt)) {
        if (bss_money_from_json(json_object_get(amt, "value"), "action.amount.value", &pr->amount_micros,
                                NULL) != BSS_OK)
            return false;
        pr->currency = str_of(amt, "unit");
        if (!pr->currency)
            return false;
    } else {
        return false;
    }
    const json_t *cycles = json_object_get(action, "cycles");
    pr->cycles = json_is_integer(cycles) ? json_integer_value(cycles) : 0;
    const json_t *per_line = json_object_get(action, "perLine");
    if (json_is_object(per_line)) {
        const json_t *from = json_object_get(per_line, "fromLine");
        pr->per_line = true;
        pr->from_line = json_is_integer(from) ? json_integer_value(from) : 2;
        if (pr->from_line < 1)
            return false;
    }
    return true;
}

/* An integer criterion of the promotion's eligibility (0 when absent or not a positive integer). */
static int64_t criterion(const json_t *el, const char *key)
{
    const json_t *v = json_object_get(el, key);
    return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : 0;
}

/* minLines and minTenureMonths; per-line: how many ordered units get it. False when it does not apply. */
static bool check_loyalty(const json_t *el, const bss_elig_request *req, bss_elig_promotion *pr)
{
    pr->min_lines = criterion(el, "minLines");
    pr->min_tenure_months = criterion(el, "minTenureMonths");
    int64_t lines = req->lines_held + req->lines_ordered;
    if (pr->min_lines > 0 && lines < pr->min_lines)
        return false;
    if (pr->min_tenure_months > 0 && bss_eligibility_tenure_months(req) < pr->min_tenure_months)
        return false;
    pr->total_amount_micros = pr->amount_micros;
    if (!pr->per_line)
        return true;
    /* ordered units are lines held+1 .. held+ordered; those numbered >= from_line get it */
    int64_t first = req->lines_held + 1 > pr->from_line ? req->lines_held + 1 : pr->from_line;
    pr->discounted_lines = lines >= first ? lines - first + 1 : 0;
    if (pr->discounted_lines < 1)
        return false;
    if (pr->currency && !bss_money_mul(pr->amount_micros, pr->discounted_lines, &pr->total_amount_micros))
        return false;
    return true;
}

bool bss_eligibility_promotion_applies(const json_t *p, const char *offering_id, const bss_elig_request *req,
                                       bss_elig_promotion *out)
{
    bss_elig_promotion pr;
    memset(&pr, 0, sizeof pr);
    const char *status = str_of(p, "lifecycleStatus");
    if (!status || strcasecmp(status, "Active") != 0 || !in_valid_for(p, req->now_ms))
        return false;
    const json_t *action = json_object_get(p, "action");
    if (!offering_targeted(action, offering_id) || !read_action(action, &pr))
        return false;
    const json_t *el = json_object_get(p, "eligibility");
    if (!allowed_by(NULL, json_object_get(el, "segments"), req->segment) ||
        !allowed_by(NULL, json_object_get(el, "channels"), req->channel))
        return false;
    if (json_is_true(json_object_get(el, "newCustomersOnly")) && req->new_customer != 1)
        return false;
    if (!check_loyalty(el, req, &pr))
        return false;
    bool needs = false;
    pr.coupon = coupon_match(p, req->coupon, &needs);
    if (needs && !pr.coupon)
        return false;
    pr.id = str_of(p, "id");
    pr.name = str_of(p, "name");
    pr.stackable = json_is_true(json_object_get(p, "stackable"));
    describe(&pr);
    if (out)
        *out = pr;
    return true;
}

/* Keeps one promotion when a non-stackable one applies (see catalog.h, eligibility). */
static void apply_stacking(bss_elig_result *out)
{
    int keep = -1;
    for (size_t i = 0; i < out->npromotions; i++) {
        const bss_elig_promotion *p = &out->promotions[i];
        if (!p->stackable && p->coupon) {
            keep = (int)i;
            break;
        }
        if (!p->stackable && keep < 0)
            keep = (int)i;
    }
    if (keep < 0)
        return;
    if (keep > 0)
        out->promotions[0] = out->promotions[keep];
    out->npromotions = 1;
}

static void check_promotions(const json_t *promotions, const char *offering_id, const bss_elig_request *req,
                             bss_elig_result *out)
{
    size_t i;
    const json_t *p;
    json_array_foreach(promotions, i, p)
    {
        if (out->npromotions < BSS_ELIG_MAX_PROMOTIONS &&
            bss_eligibility_promotion_applies(p, offering_id, req, &out->promotions[out->npromotions]))
            out->npromotions++;
    }
    apply_stacking(out);
    bool coupon_used = false;
    for (size_t k = 0; k < out->npromotions; k++)
        coupon_used = coupon_used || out->promotions[k].coupon != NULL;
    if (req->coupon && *req->coupon && !coupon_used) {
        bss_elig_reason *w = &out->warnings[out->nwarnings++];
        w->code = "COUPON_NOT_APPLICABLE";
        snprintf(w->message, sizeof w->message,
                 "coupon %.40s does not apply to this offering for this customer", req->coupon);
    }
}

/* ---- lines, tenure, applying ---------------------------------------------- */

bool bss_eligibility_is_line(const json_t *offering)
{
    if (!json_is_object(offering))
        return false;
    const json_t *flag = json_object_get(json_object_get(offering, "eligibility"), "countsAsLine");
    if (json_is_boolean(flag))
        return json_is_true(flag);
    size_t i;
    const json_t *rel;
    json_array_foreach(json_object_get(offering, "productOfferingRelationship"), i, rel)
    {
        const char *type = str_of(rel, "relationshipType");
        if (type && strcasecmp(type, "addOnTo") == 0)
            return false;
    }
    return true;
}

void bss_eligibility_count_lines(const json_t *offering, bss_elig_request *req)
{
    req->lines_held = 0;
    for (size_t i = 0; i < req->nheld; i++)
        if (req->held[i].quantity > 0 && bss_eligibility_is_line(req->held[i].offering))
            req->lines_held += req->held[i].quantity;
    req->lines_ordered = offering && bss_eligibility_is_line(offering) ? req->quantity : 0;
}

int64_t bss_eligibility_tenure_months(const bss_elig_request *req)
{
    if (!req->has_customer_since)
        return -1;
    if (req->customer_since_ms >= req->now_ms)
        return 0;
    int sy, sm, ny, nm, d, h, mi, se, wd;
    bss_time_to_civil(req->customer_since_ms, &sy, &sm, &d, &h, &mi, &se, &wd);
    bss_time_to_civil(req->now_ms, &ny, &nm, &d, &h, &mi, &se, &wd);
    int64_t months = (int64_t)(ny - sy) * 12 + (nm - sm);
    if (months > 0 && bss_time_add_months(req->customer_since_ms, (int)months) > req->now_ms)
        months--;
    return months > 0 ? months : 0;
}

int64_t bss_eligibility_discount(const bss_elig_promotion *pr, int64_t line_no, int64_t cycle,
                                 int64_t charge_micros)
{
    if (charge_micros <= 0 || (pr->cycles > 0 && cycle > pr->cycles) ||
        (pr->per_line && line_no < pr->from_line))
        return 0;
    if (pr->currency)
        return pr->amount_micros < charge_micros ? pr->amount_micros : charge_micros;
    int64_t off = 0;
    if (!bss_money_muldiv(charge_micros, pr->percent_micros, 100 * BSS_MICROS_PER_UNIT, &off))
        return 0;
    return off < charge_micros ? off : charge_micros;
}

bss_err bss_eligibility_check(const json_t *offering, const json_t *promotions, const bss_elig_request *in,
                              bss_elig_result *out, bss_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    bss_elig_request counted = *in;
    const bss_elig_request *req = &counted;
    bss_eligibility_count_lines(offering, &counted);
    out->lines_held = counted.lines_held;
    out->lines_ordered = counted.lines_ordered;
    out->tenure_months = bss_eligibility_tenure_months(&counted);
    const char *id = str_of(offering, "id");
    if (!json_is_object(offering) || !id)
        return bss_fail(ei, BSS_E_INVALID, "id", "the offering has no id");
    if (req->quantity < 1)
        return bss_fail(ei, BSS_E_INVALID, "quantity", "quantity must be at least 1");
    const char *status = str_of(offering, "lifecycleStatus");
    if (!status || strcasecmp(status, "Active") != 0)
        add_reason(out, "OFFERING_NOT_ACTIVE", "the offering is %s, not Active",
                   status ? status : "without a status");
    if (!in_valid_for(offering, req->now_ms))
        add_reason(out, "OUTSIDE_VALID_FOR", "the offering is not on sale at this time (see its validFor)");
    const json_t *ext = json_object_get(offering, "eligibility");
    check_market(offering, ext, req, out);
    check_relations(offering, req, out);
    out->eligible = out->nreasons == 0;
    if (out->eligible)
        check_promotions(promotions, id, req, out);
    return BSS_OK;
}
