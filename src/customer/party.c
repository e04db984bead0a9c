/*
 * party.c: the TMF632 Party Management v4 individual and organization
 * document kinds (customer.h), served at /tmf-api/party/v4 by
 * src/api/tmf632.c. Each is a bss_doc_kind row (doc/doc.h does storage and
 * events) plus a prepare hook with the rules below; both hold personal
 * data, so reads by staff keys are recorded in the access audit (audit.c)
 * and every stored document is handed to the customer search index.
 * Stored in tmf632_individual / tmf632_organization (migration 0007) with
 * typed columns given_name, family_name, status / trading_name, name,
 * status, parent_id.
 *
 * Individual: givenName and familyName required non-empty strings;
 * status initialized | validated | deceased (default initialized);
 * birthDate an RFC 3339 date or date-time not in the future; nationality
 * and countryOfBirth ISO 3166-1 alpha-2; languageAbility[].languageCode
 * ISO 639-1; contactMedium[] checked by customer.h;
 * individualIdentification[] each with a non-empty identificationId.
 * Organization: tradingName or name required; status initialized |
 * validated | closed; organizationIdentification[] as above; the parent in
 * organizationParentRelationship.organization.id and each child of
 * organizationChildRelationship[] must exist (400) and must not close a
 * cycle (422). The parent link is the one the store follows; child lists
 * are checked, not mirrored into the children.
 *
 * Identifications: type (lower-cased), number (upper-cased, spaces and '-'
 * dropped) and issuingCountry (a bss extension, ISO 3166-1, "" when absent)
 * are mirrored into party_identification (customer_store.c) on every
 * write; the same triple on another party is 409 EXISTS naming
 * "...Identification[i].identificationId".
 * An erased party (status "erased", set only by POST .../erase) cannot be
 * changed any more: 409 STATE.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

#define MAX_PARENT_DEPTH 64
#define IDNUM_MAX 64

static const bss_res_column individual_columns[] = {
    {"givenName", "given_name", BSS_RES_TEXT},
    {"familyName", "family_name", BSS_RES_TEXT},
    {"status", "status", BSS_RES_TEXT},
};
static bss_res_table individual_table = {
    .name = "tmf632_individual",
    .columns = individual_columns,
    .ncolumns = sizeof individual_columns / sizeof individual_columns[0],
};

static const bss_res_column organization_columns[] = {
    {"tradingName", "trading_name", BSS_RES_TEXT},
    {"name", "name", BSS_RES_TEXT},
    {"status", "status", BSS_RES_TEXT},
    {"organizationParentRelationship.organization.id", "parent_id", BSS_RES_TEXT},
};
static bss_res_table organization_table = {
    .name = "tmf632_organization",
    .columns = organization_columns,
    .ncolumns = sizeof organization_columns / sizeof organization_columns[0],
};

static bss_err index_party(const bss_doc_ctx *ctx, const char *id, const json_t *doc, bss_errinfo *ei)
{
    if (!ctx->db)
        return BSS_OK;
    return bss_search_index_doc(ctx->db, ctx->kind->name, id, NULL, doc, ei);
}

static const char *const individual_required[] = {"givenName", "familyName", NULL};

static bss_err individual_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);
static bss_err organization_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);

static const char *const party_server_managed[] = {"erasedAt", "pseudonym", NULL};

const bss_doc_kind bss_individual_kind = {
    .api = "party",
    .path = BSS_TMF632_BASE "/individual",
    .name = "individual",
    .type = "Individual",
    .status_field = "status",
    .server_managed = party_server_managed,
    .table = &individual_table,
    .required = individual_required,
    .prepare = individual_prepare,
    .after_store = index_party,
    .personal_data = true,
};

static const bss_doc_ref organization_refs[] = {
    {"organizationParentRelationship.organization", &bss_organization_kind},
    {NULL, NULL},
};

const bss_doc_kind bss_organization_kind = {
    .api = "party",
    .path = BSS_TMF632_BASE "/organization",
    .name = "organization",
    .type = "Organization",
    .status_field = "status",
    .server_managed = party_server_managed,
    .refs = organization_refs,
    .table = &organization_table,
    .prepare = organization_prepare,
    .after_store = index_party,
    .personal_data = true,
};

/* ---- shared rules ---- */

/* status: one of states (case-insensitive, stored in this spelling), states[0] when absent. */
static bss_err check_status(json_t *doc, const json_t *old, const char *const *states, size_t n,
                            bss_errinfo *ei)
{
    const char *was = old ? json_string_value(json_object_get(old, "status")) : NULL;
    if (was && strcmp(was, BSS_PARTY_ERASED) == 0)
        return bss_fail(ei, BSS_E_STATE, "status", "this party was erased (GDPR): it cannot be changed");
    json_t *v = json_object_get(doc, "status");
    if (!v || json_is_null(v)) {
        if (json_object_set_new(doc, "status", json_string(was ? was : states[0])))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        return BSS_OK;
    }
    for (size_t i = 0; json_is_string(v) && i < n; i++)
        if (strcasecmp(json_string_value(v), states[i]) == 0) {
            json_string_set(v, states[i]);
            return BSS_OK;
        }
    if (json_is_string(v) && strcasecmp(json_string_value(v), BSS_PARTY_ERASED) == 0)
        return bss_fail(ei, BSS_E_INVALID, "status",
                        "status erased is set only by POST .../{id}/erase, which checks it is allowed");
    return bss_fail(ei, BSS_E_INVALID, "status", "status must be one of: %s, %s, %s", states[0], states[1],
                    states[2]);
}

/* Upper-cases a number and drops spaces, dashes and dots: "ab 12-34" -> "AB1234". */
static bool norm_number(const char *in, char out[IDNUM_MAX + 1])
{
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        if (*p == ' ' || *p == '-' || *p == '.')
            continue;
        if (n == IDNUM_MAX)
            return false;
        out[n++] = (char)toupper((unsigned char)*p);
    }
    out[n] = '\0';
    return n > 0;
}

typedef struct ident {
    char type[48];
    char number[IDNUM_MAX + 1];
    char country[3];
} ident;

static bss_err parse_ident(const json_t *e, const char *prefix, ident *out, bss_errinfo *ei)
{
    char path[160];
    if (!json_is_object(e))
        return bss_fail(ei, BSS_E_INVALID, prefix,
                        "%s must be an object {identificationType, identificationId}", prefix);
    snprintf(path, sizeof path, "%s.identificationId", prefix);
    const json_t *num = json_object_get(e, "identificationId");
    if (!json_is_string(num) || !norm_number(json_string_value(num), out->number))
        return bss_fail(ei, BSS_E_INVALID, path,
                        "%s is required: the document number (at most %d characters)", path, IDNUM_MAX);
    snprintf(path, sizeof path, "%s.identificationType", prefix);
    const json_t *type = json_object_get(e, "identificationType");
    if (type && !json_is_null(type) &&
        (!json_is_string(type) || json_string_length(type) >= sizeof out->type))
        return bss_fail(ei, BSS_E_INVALID, path, "%s must be a string such as passport or nationalIdCard",
                        path);
    snprintf(out->type, sizeof out->type, "%s", json_is_string(type) ? json_string_value(type) : "");
    for (char *p = out->type; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    snprintf(path, sizeof path, "%s.issuingCountry", prefix);
    const json_t *c = json_object_get(e, "issuingCountry");
    out->country[0] = '\0';
    if (c && !json_is_null(c)) {
        bss_err rc = bss_contact_check_country(json_string_value(c), path, ei);
        if (rc)
            return rc;
        memcpy(out->country, json_string_value(c), 3);
    }
    return BSS_OK;
}

/* Stores one identification for the party; EXISTS (field = path) when another party holds it. */
static bss_err store_ident(const bss_doc_ctx *ctx, const char *kind, const char *party_id, const ident *id,
                           const char *path, bss_errinfo *ei)
{
    bool taken = false;
    bss_err rc = bss__store_ident_taken(ctx->db, id->type, id->number, id->country, &taken, ei);
    if (rc)
        return rc;
    if (taken)
        return bss_fail(ei, BSS_E_EXISTS, path,
                        "%s: %s number %s is already registered to another party (identification numbers "
                        "are unique)",
                        path, *id->type ? id->type : "identification", id->number);
    rc = bss__store_ident_insert(ctx->db, party_id, kind, id->type, id->number, id->country, ei);
    if (rc == BSS_E_EXISTS)
        return bss_fail(ei, BSS_E_EXISTS, path, "%s: this number is already registered to another party",
                        path);
    return rc;
}

/* Checks member[] (identifications) and, with a store, replaces the party's rows in party_identification. */
static bss_err check_identifications(const bss_doc_ctx *ctx, const json_t *doc, const char *member,
                                     const char *kind, bss_errinfo *ei)
{
    const json_t *arr = json_object_get(doc, member);
    const char *party_id = json_string_value(json_object_get(doc, "id"));
    if (arr && !json_is_null(arr) && !json_is_array(arr))
        return bss_fail(ei, BSS_E_INVALID, member, "%s must be an array", member);
    bss_err rc = ctx->db && party_id ? bss__store_ident_drop(ctx->db, party_id, ei) : BSS_OK;
    size_t i;
    const json_t *e;
    json_array_foreach(arr, i, e)
    {
        char prefix[96], path[160];
        ident id;
        snprintf(prefix, sizeof prefix, "%s[%zu]", member, i);
        snprintf(path, sizeof path, "%s.identificationId", prefix);
        if (!rc)
            rc = parse_ident(e, prefix, &id, ei);
        if (!rc && ctx->db && party_id)
            rc = store_ident(ctx, kind, party_id, &id, path, ei);
        if (rc)
            return rc;
    }
    return rc;
}

static bss_err check_country_member(const json_t *doc, const char *key, bss_errinfo *ei)
{
    const json_t *v = json_object_get(doc, key);
    if (!v || json_is_null(v))
        return BSS_OK;
    return bss_contact_check_country(json_string_value(v), key, ei);
}

/* ---- individual ---- */

static bss_err check_birth_date(const bss_doc_ctx *ctx, const json_t *doc, bss_errinfo *ei)
{
    const json_t *v = json_object_get(doc, "birthDate");
    if (!v || json_is_null(v))
        return BSS_OK;
    int64_t ms = 0;
    if (!json_is_string(v) ||
        bss_time_parse(json_string_value(v), json_string_length(v), &ms, NULL) != BSS_OK)
        return bss_fail(ei, BSS_E_INVALID, "birthDate",
                        "birthDate must be an RFC 3339 date such as 1990-04-23 (or a date-time)");
    if (ms > ctx->now_ms)
        return bss_fail(ei, BSS_E_INVALID, "birthDate", "birthDate %.40s is in the future",
                        json_string_value(v));
    return BSS_OK;
}

static bss_err check_languages(const json_t *doc, bss_errinfo *ei)
{
    const json_t *arr = json_object_get(doc, "languageAbility");
    if (!arr || json_is_null(arr))
        return BSS_OK;
    if (!json_is_array(arr))
        return bss_fail(ei, BSS_E_INVALID, "languageAbility", "languageAbility must be an array");
    size_t i;
    const json_t *e;
    json_array_foreach(arr, i, e)
    {
        char path[96];
        snprintf(path, sizeof path, "languageAbility[%zu].languageCode", i);
        const json_t *code = json_is_object(e) ? json_object_get(e, "languageCode") : NULL;
        if (!json_is_string(code))
            return bss_fail(ei, BSS_E_INVALID, path, "%s is required (ISO 639-1, e.g. en)", path);
        bss_err rc = bss_contact_check_language(json_string_value(code), path, ei);
        if (rc)
            return rc;
    }
    return BSS_OK;
}

/* ---- possible duplicates ---- */

#define DUP_MAX 8

typedef struct dup_ctx {
    char ids[DUP_MAX][BSS_ID_MAX + 1];
    size_t n;
    bool full;
} dup_ctx;

static bss_err dup_row(const bss__search_row *row, void *arg, bss_errinfo *ei)
{
    (void)ei;
    dup_ctx *d = arg;
    if (!row->kind || strcmp(row->kind, "individual") != 0 || !row->entity_id)
        return BSS_OK;
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->ids[i], row->entity_id) == 0)
            return BSS_OK;
    if (d->n < DUP_MAX)
        snprintf(d->ids[d->n++], sizeof d->ids[0], "%s", row->entity_id);
    d->full = d->n == DUP_MAX;
    return BSS_OK;
}

/* given + family name, folded (case and accents), for comparing people. */
static void folded_name(const json_t *doc, char *out, size_t cap)
{
    char name[300];
    const char *given = json_string_value(json_object_get(doc, "givenName"));
    const char *family = json_string_value(json_object_get(doc, "familyName"));
    snprintf(name, sizeof name, "%s %s", given ? given : "", family ? family : "");
    if (bss_search_fold(name, strlen(name), out, cap) == 0)
        out[0] = '\0';
}

/*
 * A new individual with the name and an e-mail address or phone number of
 * one already stored is most likely that person typed in twice: 409 naming
 * the candidates, unless the client confirms (?confirmDuplicate=true). The
 * e-mail and phone are looked up in the search index; the names compare
 * folded.
 */
static bss_err check_duplicates(const bss_doc_ctx *ctx, const json_t *doc, bss_errinfo *ei)
{
    if (!ctx->db || ctx->confirmed)
        return BSS_OK;
    char want[300];
    folded_name(doc, want, sizeof want);
    if (!want[0])
        return BSS_OK;
    dup_ctx d = {0};
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(doc, "contactMedium"), i, m)
    {
        const json_t *ch = json_object_get(m, "characteristic");
        const char *terms[] = {json_string_value(json_object_get(ch, "emailAddress")),
                               json_string_value(json_object_get(ch, "phoneNumber"))};
        for (int k = 0; k < 2; k++) {
            char low[300];
            if (!terms[k] || strlen(terms[k]) >= sizeof low || d.full)
                continue;
            for (size_t j = 0; (low[j] = (char)tolower((unsigned char)terms[k][j])) != '\0'; j++)
                ;
            bss_err rc = bss__store_search_exact(ctx->db, low, &d.full, dup_row, &d, ei);
            if (rc)
                return rc;
        }
    }
    char list[DUP_MAX * (BSS_ID_MAX + 2)] = "";
    size_t used = 0, same = 0;
    for (size_t k = 0; k < d.n; k++) {
        json_t *other = NULL;
        if (bss_doc_load(ctx->db, &bss_individual_kind, d.ids[k], &other, NULL, NULL) != BSS_OK)
            continue;
        char name[300];
        folded_name(other, name, sizeof name);
        const char *st = json_string_value(json_object_get(other, "status"));
        bool erased = st && strcmp(st, BSS_PARTY_ERASED) == 0;
        json_decref(other);
        if (erased || strcmp(name, want) != 0)
            continue;
        int w = snprintf(list + used, sizeof list - used, "%s%s", same ? ", " : "", d.ids[k]);
        if (w > 0 && (size_t)w < sizeof list - used)
            used += (size_t)w;
        same++;
    }
    if (same == 0)
        return BSS_OK;
    return bss_fail(ei, BSS_E_CONFLICT, "contactMedium",
                    "possibly a duplicate: %s with this name and e-mail or phone exist%s (%s); use %s, or send "
                    "?confirmDuplicate=true to create another",
                    same == 1 ? "an individual" : "individuals", same == 1 ? "s" : "", list,
                    same == 1 ? "it" : "one of them");
}

static bss_err individual_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    static const char *const strings[] = {"givenName",   "familyName",     "middleName",   "fullName",
                                          "legalName",   "formattedName",  "gender",       "title",
                                          "nationality", "countryOfBirth", "placeOfBirth", "maritalStatus",
                                          NULL};
    static const char *const states[] = {"initialized", "validated", "deceased"};
    bss_err rc = bss_doc_check_strings(doc, "", strings, true, ei);
    if (!rc)
        rc = check_status(doc, old, states, 3, ei);
    if (!rc)
        rc = check_birth_date(ctx, doc, ei);
    if (!rc)
        rc = check_country_member(doc, "nationality", ei);
    if (!rc)
        rc = check_country_member(doc, "countryOfBirth", ei);
    if (!rc)
        rc = check_languages(doc, ei);
    if (!rc)
        rc = bss_contact_check_media(json_object_get(doc, "contactMedium"), "contactMedium", ei);
    if (!rc)
        rc = check_identifications(ctx, doc, "individualIdentification", "individual", ei);
    if (!rc && !old)
        rc = check_duplicates(ctx, doc, ei);
    return rc;
}

/* ---- organization ---- */

static const char *ref_id(const json_t *rel)
{
    return json_string_value(bss_json_path(rel, "organization.id"));
}

#define PARENT_PATH "organizationParentRelationship.organization.id"

/* Whether walking parents up from start reaches self (a cycle). BSS_E_NOT_FOUND if start is missing. */
static bss_err reaches(const bss_doc_ctx *ctx, const char *start, const char *self, const char *path,
                       bool *cycle, bss_errinfo *ei)
{
    bss_doc_walk w;
    bss_err rc = bss_doc_walk_up(ctx->db, &bss_organization_kind, start, PARENT_PATH, self, MAX_PARENT_DEPTH,
                                 path, &w, ei);
    *cycle = w.cycle;
    return rc;
}

/* One relationship {relationshipType, organization: {id}}: the organization exists; a parent must not
 * have self among its ancestors, a child must not be self. */
static bss_err check_relation(const bss_doc_ctx *ctx, const json_t *rel, const char *prefix, const char *self,
                              bool is_child, bss_errinfo *ei)
{
    char path[160];
    snprintf(path, sizeof path, "%s.organization.id", prefix);
    const char *id = json_is_object(rel) ? ref_id(rel) : NULL;
    if (!id || !*id)
        return bss_fail(ei, BSS_E_INVALID, path, "%s is required: the related organization's id", path);
    bool cycle = strcmp(id, self) == 0;
    bss_err rc = BSS_OK;
    if (!cycle && !is_child) {
        rc = reaches(ctx, id, self, path, &cycle, ei);
    } else if (!cycle && ctx->db) {
        bool found = false;
        rc = strlen(id) > BSS_ID_MAX
                 ? bss_fail(ei, BSS_E_INVALID, path, "%s: an id is at most %d characters", path, BSS_ID_MAX)
                 : bss_doc_exists(ctx->db, &bss_organization_kind, id, &found, ei);
        if (!rc && !found)
            rc = BSS_E_NOT_FOUND;
    }
    if (rc == BSS_E_NOT_FOUND)
        return bss_fail(ei, BSS_E_INVALID, path, "%s: no organization with id %.64s", path, id);
    if (rc)
        return rc;
    if (cycle)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, path,
                        "%s: organization %.64s would make a cycle in the organization hierarchy", path, id);
    return BSS_OK;
}

/* A child that is also one of self's ancestors closes a cycle. */
static bss_err check_child_not_ancestor(const bss_doc_ctx *ctx, const json_t *doc, const char *child,
                                        const char *path, bss_errinfo *ei)
{
    const char *parent = ref_id(json_object_get(doc, "organizationParentRelationship"));
    if (!parent)
        return BSS_OK;
    bool cycle = false;
    bss_err rc = reaches(ctx, parent, child, path, &cycle, ei);
    if (!rc && cycle)
        rc = bss_fail(ei, BSS_E_UNPROCESSABLE, path,
                      "%s: organization %.64s is an ancestor of this one: a cycle in the hierarchy", path,
                      child);
    return rc;
}

static bss_err check_hierarchy(const bss_doc_ctx *ctx, const json_t *doc, bss_errinfo *ei)
{
    const char *self = json_string_value(json_object_get(doc, "id"));
    self = self ? self : "";
    const json_t *parent = json_object_get(doc, "organizationParentRelationship");
    bss_err rc = BSS_OK;
    if (parent && !json_is_null(parent))
        rc = check_relation(ctx, parent, "organizationParentRelationship", self, false, ei);
    const json_t *kids = json_object_get(doc, "organizationChildRelationship");
    if (rc || !kids || json_is_null(kids))
        return rc;
    if (!json_is_array(kids))
        return bss_fail(ei, BSS_E_INVALID, "organizationChildRelationship",
                        "organizationChildRelationship must be an array");
    size_t i;
    const json_t *k;
    json_array_foreach(kids, i, k)
    {
        char prefix[64], path[96];
        snprintf(prefix, sizeof prefix, "organizationChildRelationship[%zu]", i);
        snprintf(path, sizeof path, "%s.organization.id", prefix);
        rc = check_relation(ctx, k, prefix, self, true, ei);
        if (!rc)
            rc = check_child_not_ancestor(ctx, doc, ref_id(k), path, ei);
        if (rc)
            return rc;
    }
    return BSS_OK;
}

static bss_err organization_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    static const char *const strings[] = {"name",   "tradingName", "nameType", "organizationType",
                                          "status", NULL};
    static const char *const states[] = {"initialized", "validated", "closed"};
    bss_err rc = bss_doc_check_strings(doc, "", strings, true, ei);
    if (!rc && !json_is_string(json_object_get(doc, "tradingName")) &&
        !json_is_string(json_object_get(doc, "name")))
        rc = bss_fail(ei, BSS_E_INVALID, "tradingName", "tradingName (or name) is required");
    static const char *const flags[] = {"isLegalEntity", "isHeadOffice", NULL};
    if (!rc)
        rc = bss_doc_check_bools(doc, "", flags, ei);
    if (!rc)
        rc = check_status(doc, old, states, 3, ei);
    if (!rc)
        rc = bss_contact_check_media(json_object_get(doc, "contactMedium"), "contactMedium", ei);
    if (!rc)
        rc = check_hierarchy(ctx, doc, ei);
    if (!rc)
        rc = check_identifications(ctx, doc, "organizationIdentification", "organization", ei);
    return rc;
}
