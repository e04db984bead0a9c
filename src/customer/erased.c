/*
 * erased.c: an erased party stays erased (GDPR). Once POST .../erase has
 * anonymised a party, no write may give it back an identity or a new role:
 *   - a customer or account that newly names an erased party (engagedParty,
 *     relatedParty) is 409;
 *   - a reference to an erased party that a record already holds cannot
 *     change (its name is the pseudonym);
 *   - the party's own records (a customer it is the engagedParty of; an
 *     account it owns, or that belongs to such a customer) keep everything
 *     but their status: only status, statusReason, state, stateReason and
 *     validFor may change (a contract still ends, a balance still settles).
 * The party documents themselves refuse every write once erased (party.c).
 */
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

static bool party_erased(bss_db *db, const char *id)
{
    static const bss_doc_kind *const kinds[] = {&bss_individual_kind, &bss_organization_kind};
    for (size_t i = 0; id && i < 2; i++) {
        json_t *doc = NULL;
        if (bss_doc_load(db, kinds[i], id, &doc, NULL, NULL) != BSS_OK)
            continue;
        const char *st = json_string_value(json_object_get(doc, "status"));
        bool erased = st && strcmp(st, BSS_PARTY_ERASED) == 0;
        json_decref(doc);
        return erased;
    }
    return false;
}

/* The party references of a customer or account: engagedParty, then relatedParty[i]. */
typedef struct party_ref {
    const json_t *entry;
    const char *id;
    char path[48];
    int index; /* -1 for engagedParty */
} party_ref;

static size_t refs_of(const json_t *doc, party_ref *out, size_t cap)
{
    size_t n = 0;
    const json_t *ep = json_object_get(doc, "engagedParty");
    if (json_is_object(ep) && json_is_string(json_object_get(ep, "id")) && n < cap)
        out[n++] = (party_ref){ep, json_string_value(json_object_get(ep, "id")), "engagedParty", -1};
    size_t i;
    const json_t *rp;
    json_array_foreach(json_object_get(doc, "relatedParty"), i, rp)
    {
        const char *id = json_string_value(json_object_get(rp, "id"));
        if (!json_is_object(rp) || !id || n == cap)
            continue;
        out[n] = (party_ref){rp, id, "", (int)i};
        snprintf(out[n].path, sizeof out[n].path, "relatedParty[%zu]", i);
        n++;
    }
    return n;
}

static const json_t *entry_for(const json_t *doc, const char *id)
{
    party_ref refs[64];
    size_t n = refs_of(doc, refs, 64);
    for (size_t i = 0; i < n; i++)
        if (strcmp(refs[i].id, id) == 0)
            return refs[i].entry;
    return NULL;
}

static bool owner_role(const json_t *entry)
{
    const char *role = json_string_value(json_object_get(entry, "role"));
    return role && (strcasecmp(role, "owner") == 0 || strcasecmp(role, "accountHolder") == 0 ||
                    strcasecmp(role, "holder") == 0);
}

/* Whether doc (a customer or account) is the record of an erased party. */
static bool own_record(bss_db *db, const json_t *doc)
{
    party_ref refs[64];
    size_t n = refs_of(doc, refs, 64);
    for (size_t i = 0; i < n; i++)
        if ((refs[i].index <= 0 || owner_role(refs[i].entry)) && party_erased(db, refs[i].id))
            return true; /* engagedParty, the first related party, or an owner */
    const char *cust = json_string_value(bss_json_path(doc, "customer.id"));
    json_t *c = NULL;
    bool own = false;
    if (cust && bss_doc_load(db, &bss_customer_kind, cust, &c, NULL, NULL) == BSS_OK)
        own = party_erased(db, json_string_value(bss_json_path(c, "engagedParty.id")));
    json_decref(c);
    return own;
}

static bool may_change(const char *key)
{
    static const char *const ok[] = {"status", "statusReason", "state", "stateReason", "validFor",
                                     "lastUpdate", "lastModified"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(key, ok[i]) == 0)
            return true;
    return false;
}

static bool same(const json_t *a, const json_t *b)
{
    return (!a && !b) || (a && b && json_equal((json_t *)a, (json_t *)b));
}

bss_err bss__erased_guard(const bss_doc_ctx *ctx, const json_t *doc, const json_t *old, bss_errinfo *ei)
{
    if (!ctx->db)
        return BSS_OK;
    const char *name = ctx->kind->name;
    if (old && own_record(ctx->db, old)) {
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)doc, key, v) if (!may_change(key) && !same(v, json_object_get(old, key)))
            return bss_fail(ei, BSS_E_CONFLICT, key,
                            "%s %.64s is the record of an erased party: only its status can change, not %s", name,
                            json_string_value(json_object_get(old, "id")), key);
        json_object_foreach((json_t *)old, key, v) if (!may_change(key) && !json_object_get(doc, key))
            return bss_fail(ei, BSS_E_CONFLICT, key,
                            "%s %.64s is the record of an erased party: only its status can change, not %s", name,
                            json_string_value(json_object_get(old, "id")), key);
    }
    party_ref refs[64];
    size_t n = refs_of(doc, refs, 64);
    for (size_t i = 0; i < n; i++) {
        if (!party_erased(ctx->db, refs[i].id))
            continue;
        const json_t *was = old ? entry_for(old, refs[i].id) : NULL;
        char field[64];
        snprintf(field, sizeof field, "%s.id", refs[i].path);
        if (!was)
            return bss_fail(ei, BSS_E_CONFLICT, field, "party %.64s was erased (GDPR): it takes on no new roles",
                            refs[i].id);
        if (!json_equal((json_t *)was, (json_t *)refs[i].entry))
            return bss_fail(ei, BSS_E_CONFLICT, refs[i].path,
                            "%s names erased party %.64s: that reference cannot change", refs[i].path, refs[i].id);
    }
    return BSS_OK;
}
