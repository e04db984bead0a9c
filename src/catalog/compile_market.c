/*
 * compile_market.c: markets and tax treatment in the compiled catalog
 * (catalog.h: the compiled catalog, "Markets and tax"). Reads the "market" and
 * "pricesIncludeTax" extension members of the TMF620 catalogs, finds for
 * every offering the catalogs that sell it (catalog.category[] meets
 * offering.category[]), and checks that they agree and that the offering's
 * prices are in the market's currency. Also the market parser the catalog
 * resource validates with, and the net/tax split billing uses. Called by
 * compile.c after the offerings and their price chains are built.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/catalog_int_compile.h"
#include "core/money.h"

/* Every assigned ISO 3166-1 alpha-2 code (249), sorted. */
static const char countries[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV "
    "BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES "
    "ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE "
    "IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY "
    "MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU "
    "NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM "
    "SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE "
    "VG VI VN VU WF WS YE YT ZA ZM ZW";

static bool country_known(const char *code)
{
    if (!code || strlen(code) != 2)
        return false;
    size_t lo = 0, hi = (sizeof countries) / 3; /* entries are "XX " (the last has no space) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strncmp(countries + mid * 3, code, 2);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

bss_err bss_catalog_market_parse(const json_t *doc, bss_market *out, bool *has, bss_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    *has = false;
    const json_t *m = json_object_get(doc, "market"), *tax = json_object_get(doc, "pricesIncludeTax");
    bool market = m && !json_is_null(m), taxed = tax && !json_is_null(tax);
    if (taxed && !json_is_boolean(tax))
        return bss_fail(ei, BSS_E_INVALID, "pricesIncludeTax", "pricesIncludeTax must be true or false");
    if (!market) {
        if (taxed)
            return bss_fail(ei, BSS_E_INVALID, "pricesIncludeTax",
                            "pricesIncludeTax needs a market {country, currency} to apply to");
        return BSS_OK;
    }
    if (!json_is_object(m))
        return bss_fail(ei, BSS_E_INVALID, "market",
                        "market must be an object {country: ISO 3166-1 alpha-2, currency: ISO 4217}");
    out->country = json_string_value(json_object_get(m, "country"));
    out->currency = json_string_value(json_object_get(m, "currency"));
    if (!country_known(out->country))
        return bss_fail(ei, BSS_E_INVALID, "market.country",
                        "market.country must be an ISO 3166-1 alpha-2 code in upper case, like NL");
    if (!out->currency || !bss_currency_find(out->currency))
        return bss_fail(ei, BSS_E_INVALID, "market.currency",
                        "market.currency must be an ISO 4217 currency code, like EUR");
    out->catalog_id = json_string_value(json_object_get(doc, "id"));
    out->prices_include_tax = json_is_true(tax);
    *has = true;
    return BSS_OK;
}

/* ---- resolving ---------------------------------------------------------- */

/* A category of a live catalog with a market: which market it puts offerings in. */
typedef struct cat_pair {
    const char *category_id; /* points into the source document */
    size_t market;           /* index into cat->markets */
} cat_pair;

typedef struct resolver {
    bss_catalog *cat;
    const bss_catalog_source *src;
    cat_pair *pairs;
    size_t npairs;
} resolver;

static int cmp_pair(const void *a, const void *b)
{
    const cat_pair *x = a, *y = b;
    int c = strcmp(x->category_id, y->category_id);
    return c ? c : (x->market > y->market) - (x->market < y->market);
}

static int cmp_market(const void *a, const void *b)
{
    return strcmp(((const bss_market *)a)->catalog_id, ((const bss_market *)b)->catalog_id);
}

static bool is_retired(const json_t *doc)
{
    const char *s = json_string_value(json_object_get(doc, "lifecycleStatus"));
    return s && (strcasecmp(s, "Retired") == 0 || strcasecmp(s, "Obsolete") == 0);
}

static const char *arena_str(bss_catalog *cat, const char *s)
{
    return bss_arena_strndup(cat->arena, s ? s : "", s ? strlen(s) : 0);
}

/* The markets of the live catalogs, sorted by catalog id, copied into the arena. */
static bss_err read_markets(resolver *r, bss_errinfo *ei)
{
    const json_t *list = r->src->catalogs;
    size_t n = json_array_size(list);
    bss_catalog *cat = r->cat;
    if (!(cat->markets = bss_arena_alloc(cat->arena, (n + 1) * sizeof *cat->markets)))
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory compiling the catalog");
    for (size_t i = 0; i < n; i++) {
        const json_t *doc = json_array_get(list, i);
        const char *id = json_string_value(json_object_get(doc, "id"));
        bss_market m;
        bool has = false;
        if (!id || is_retired(doc))
            continue;
        bss_err rc = bss_catalog_market_parse(doc, &m, &has, ei);
        if (rc != BSS_OK && ei) {
            char msg[sizeof ei->message], field[sizeof ei->field];
            snprintf(msg, sizeof msg, "catalog %.60s: %.180s", id, ei->message);
            snprintf(field, sizeof field, "%s", ei->field);
            return bss_fail(ei, rc, field, "%s", msg);
        }
        if (rc != BSS_OK)
            return rc;
        if (!has)
            continue;
        bss_market *to = &cat->markets[cat->nmarkets];
        to->catalog_id = arena_str(cat, id);
        to->country = arena_str(cat, m.country);
        to->currency = arena_str(cat, m.currency);
        to->prices_include_tax = m.prices_include_tax;
        if (!to->catalog_id || !to->country || !to->currency)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory compiling the catalog");
        cat->nmarkets++;
    }
    qsort(cat->markets, cat->nmarkets, sizeof *cat->markets, cmp_market);
    return BSS_OK;
}

/* (category, market) pairs of every market's catalog, sorted by category id. */
static bss_err read_pairs(resolver *r, bss_errinfo *ei)
{
    size_t cap = 0;
    for (size_t i = 0; i < json_array_size(r->src->catalogs); i++)
        cap += json_array_size(json_object_get(json_array_get(r->src->catalogs, i), "category"));
    if (!(r->pairs = bss_calloc(cap + 1, sizeof *r->pairs)))
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory compiling the catalog");
    for (size_t i = 0; i < json_array_size(r->src->catalogs); i++) {
        const json_t *doc = json_array_get(r->src->catalogs, i);
        const char *id = json_string_value(json_object_get(doc, "id"));
        bss_market key = {.catalog_id = id};
        const bss_market *m =
            id ? bsearch(&key, r->cat->markets, r->cat->nmarkets, sizeof key, cmp_market) : NULL;
        if (!m || is_retired(doc))
            continue;
        const json_t *cats = json_object_get(doc, "category");
        for (size_t j = 0; j < json_array_size(cats); j++) {
            const char *cid = json_string_value(json_object_get(json_array_get(cats, j), "id"));
            if (cid && r->npairs < cap)
                r->pairs[r->npairs++] = (cat_pair){cid, (size_t)(m - r->cat->markets)};
        }
    }
    qsort(r->pairs, r->npairs, sizeof *r->pairs, cmp_pair);
    return BSS_OK;
}

static bool same_market(const bss_market *a, const bss_market *b)
{
    return strcmp(a->country, b->country) == 0 && strcmp(a->currency, b->currency) == 0 &&
           a->prices_include_tax == b->prices_include_tax;
}

static void describe(const bss_market *m, char *buf, size_t cap)
{
    snprintf(buf, cap, "catalog %.60s (market %s, %s, prices %s tax)", m->catalog_id, m->country, m->currency,
             m->prices_include_tax ? "including" : "excluding");
}

static bool focus_is(const bss_catalog_source *src, const char *kind, const char *id)
{
    return src->focus_kind && src->focus_id && strcmp(src->focus_kind, kind) == 0 &&
           strcmp(src->focus_id, id) == 0;
}

/* Two catalogs put the live offering o in different markets: 422 on the document being written. */
static bss_err conflict(const resolver *r, const bss_offering *o, const bss_market *first, size_t first_j,
                        const bss_market *second, size_t second_j, bss_errinfo *ei)
{
    char a[160], b[160], path[64];
    const bss_market *mine = focus_is(r->src, "catalog", first->catalog_id)    ? first
                             : focus_is(r->src, "catalog", second->catalog_id) ? second
                                                                               : NULL;
    if (mine) {
        const bss_market *other = mine == first ? second : first;
        const char *field = strcmp(mine->country, other->country) != 0     ? "market.country"
                            : strcmp(mine->currency, other->currency) != 0 ? "market.currency"
                                                                           : "pricesIncludeTax";
        describe(other, b, sizeof b);
        return bss_fail(ei, BSS_E_UNPROCESSABLE, field,
                        "catalog %.60s: productOffering %.60s is also sold in %s: an offering is sold in "
                        "one market (same country, currency and pricesIncludeTax)",
                        mine->catalog_id, o->id, b);
    }
    describe(first, a, sizeof a);
    describe(second, b, sizeof b);
    snprintf(path, sizeof path, "category[%zu].id", second_j);
    return bss_fail(ei, BSS_E_UNPROCESSABLE, path,
                    "productOffering %.60s: category[%zu] puts it in %s, category[%zu] in %s: an offering is "
                    "sold in one market",
                    o->id, second_j, b, first_j, a);
}

/* The index of price id among o's productOfferingPrice refs (a bundle price's part: -1). */
static long price_ref(const bss_offering *o, const char *id)
{
    const json_t *refs = json_object_get(o->doc, "productOfferingPrice");
    for (size_t i = 0; i < json_array_size(refs); i++) {
        const char *rid = json_string_value(json_object_get(json_array_get(refs, i), "id"));
        if (rid && strcmp(rid, id) == 0)
            return (long)i;
    }
    return -1;
}

/* Every price of the live offering o with a currency uses its market's. */
static bss_err check_currencies(const resolver *r, const bss_offering *o, bss_errinfo *ei)
{
    const bss_market *m = o->market;
    for (size_t i = 0; i < o->nprices; i++) {
        const char *cur = bss_price_currency(o->prices[i]), *pid = bss_price_id(o->prices[i]);
        if (!cur || !cur[0] || strcmp(cur, m->currency) == 0)
            continue;
        if (focus_is(r->src, "catalog", m->catalog_id))
            return bss_fail(ei, BSS_E_UNPROCESSABLE, "market.currency",
                            "catalog %.60s: its market currency %s is not %s, the currency of "
                            "productOfferingPrice %.60s of productOffering %.60s, which it sells",
                            m->catalog_id, m->currency, cur, pid, o->id);
        if (focus_is(r->src, "productOfferingPrice", pid))
            return bss_fail(ei, BSS_E_UNPROCESSABLE, "price.unit",
                            "productOfferingPrice %.60s: its currency %s is not %s, the currency of market "
                            "%s of catalog %.60s, which sells productOffering %.60s",
                            pid, cur, m->currency, m->country, m->catalog_id, o->id);
        long ref = price_ref(o, pid);
        char path[64];
        if (ref >= 0)
            snprintf(path, sizeof path, "productOfferingPrice[%ld].id", ref);
        else
            snprintf(path, sizeof path, "productOfferingPrice");
        return bss_fail(
            ei, BSS_E_UNPROCESSABLE, path,
            "productOffering %.60s: productOfferingPrice %.60s is in %s, but the offering is sold "
            "in catalog %.60s, market %s, in %s",
            o->id, pid, cur, m->catalog_id, m->country, m->currency);
    }
    return BSS_OK;
}

/* Resolves o's market from its categories; a conflict is an error for a live current offering only. */
static bss_err resolve_one(const resolver *r, bss_offering *o, bss_errinfo *ei)
{
    const json_t *cats = json_object_get(o->doc, "category");
    bool live = o->version_no == INT64_MAX && !o->retired;
    const bss_market *first = NULL;
    size_t first_j = 0;
    for (size_t j = 0; j < json_array_size(cats); j++) {
        const char *cid = json_string_value(json_object_get(json_array_get(cats, j), "id"));
        if (!cid)
            continue;
        size_t lo = 0, hi = r->npairs; /* the first pair of category cid */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(r->pairs[mid].category_id, cid) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (const cat_pair *p = r->pairs + lo; p < r->pairs + r->npairs && strcmp(p->category_id, cid) == 0;
             p++) {
            const bss_market *m = &r->cat->markets[p->market];
            if (!first) {
                first = m;
                first_j = j;
            } else if (live && !same_market(first, m)) {
                return conflict(r, o, first, first_j, m, j, ei);
            }
        }
    }
    o->market = first;
    return live && first ? check_currencies(r, o, ei) : BSS_OK;
}

bss_err bss__catalog_resolve_markets(bss_catalog *cat, const bss_catalog_source *src, bss_errinfo *ei)
{
    resolver r = {.cat = cat, .src = src};
    bss_err rc = read_markets(&r, ei);
    if (rc == BSS_OK && cat->nmarkets > 0)
        rc = read_pairs(&r, ei);
    if (rc == BSS_OK && r.npairs == 0) {
        bss_free(r.pairs);
        return BSS_OK;
    }
    for (size_t i = 0; rc == BSS_OK && i < cat->noffs; i++)
        rc = resolve_one(&r, &cat->offs[i], ei);
    bss_free(r.pairs);
    return rc;
}

const bss_market *bss_offering_market(const bss_offering *o)
{
    return o ? o->market : NULL;
}

bool bss_offering_prices_include_tax(const bss_offering *o)
{
    return o && o->market && o->market->prices_include_tax;
}

/* ---- splitting net and tax ---------------------------------------------- */

bss_err bss_catalog_split_tax(int64_t amount_micros, bool includes_tax, int64_t rate_ppm, int64_t *net_micros,
                              int64_t *tax_micros)
{
    int64_t net = 0, tax = 0;
    if (rate_ppm < 0 || rate_ppm > BSS_MICROS_PER_UNIT)
        return BSS_E_RANGE;
    if (includes_tax) {
        if (!bss_money_muldiv(amount_micros, BSS_MICROS_PER_UNIT, BSS_MICROS_PER_UNIT + rate_ppm, &net))
            return BSS_E_RANGE;
        tax = amount_micros - net; /* |net| <= |amount|: no overflow */
    } else {
        if (!bss_money_muldiv(amount_micros, rate_ppm, BSS_MICROS_PER_UNIT, &tax))
            return BSS_E_RANGE;
        net = amount_micros;
    }
    *net_micros = net;
    *tax_micros = tax;
    return BSS_OK;
}
