/*
 * party.c: TMF632 Party Management v4 individual and organization (see
 * party.h). Each is a bss_tmf_resource row (api/tmf.h does HTTP, storage
 * and events) plus a prepare hook with the rules below; both hold personal
 * data, so reads by staff keys are recorded in the access audit (audit.c)
 * and every stored document is handed to the customer search index.
 *
 * Individual: givenName and familyName required non-empty strings;
 * status initialized | validated | deceased (default initialized);
 * birthDate an RFC 3339 date or date-time not in the future; nationality
 * and countryOfBirth ISO 3166-1 alpha-2; languageAbility[].languageCode
 * ISO 639-1; contactMedium[] checked by customer/contact.h;
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
 * are mirrored into party_identification on every write; the same triple
 * on another party is 409 EXISTS naming "...Identification[i].identificationId".
 * An erased party (status "erased", set only by POST .../erase) cannot be
 * changed any more: 409 STATE.
 */
#include "customer/party.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "customer/contact.h"
#include "customer/customer.h"
#include "core/json.h"

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

static bss_err index_party(const bss_tmf_ctx *ctx, const char *id, const json_t *doc, bss_errinfo *ei)
{
    if (!ctx->db)
        return BSS_OK;
    return bss_search_index_doc(ctx->db, ctx->res == &bss_tmf632_organization ? "organization" : "individual",
                                id, NULL, doc, ei);
}

static const char *const individual_required[] = {"givenName", "familyName", NULL};

#define PARTY_READERS (BSS_ROLE_ADMIN | BSS_ROLE_AGENT | BSS_ROLE_BILLING | BSS_ROLE_READONLY)

const bss_tmf_resource bss_tmf632_individual = {
    .api = "party",
    BSS_TMF_PATHS(BSS_TMF632_BASE, "individual"),
    .type = "Individual",
    .event_key = "individual",
    .status_field = "status",
    .table = &individual_table,
    .required = individual_required,
    .prepare = bss_tmf632_individual_prepare,
    .read_roles = PARTY_READERS,
    .write_roles = BSS_ROLE_ADMIN | BSS_ROLE_AGENT,
    .allow_delete = false,
    BSS_TMF_NAMES("tmf632.individual"),
    .personal_data = true,
    .after_store = index_party,
};

const bss_tmf_resource bss_tmf632_organization = {
    .api = "party",
    BSS_TMF_PATHS(BSS_TMF632_BASE, "organization"),
    .type = "Organization",
    .event_key = "organization",
    .status_field = "status",
    .table = &organization_table,
    .required = NULL,
    .prepare = bss_tmf632_organization_prepare,
    .read_roles = PARTY_READERS,
    .write_roles = BSS_ROLE_ADMIN | BSS_ROLE_AGENT,
    .allow_delete = false,
    BSS_TMF_NAMES("tmf632.organization"),
    .personal_data = true,
    .after_store = index_party,
};

bss_err bss_party_load(bss_db *db, const bss_tmf_resource *res, const char *id, json_t **out,
                       int64_t *row_version, bss_errinfo *ei)
{
    bss_res_doc row;
    *out = NULL;
    bss_err rc = bss_resource_get(db, res->table, id, &row, ei);
    if (rc == BSS_E_NOT_FOUND)
        return bss_fail(ei, rc, "id", "no %s with id %.64s", res->segment, id);
    if (rc)
        return rc;
    if (row_version)
        *row_version = row.row_version;
    rc = bss_json_parse(row.doc, row.doc_len, out, NULL);
    bss_resource_doc_free(&row);
    if (rc)
        return bss_fail(ei, BSS_E_INTERNAL, NULL, "stored %s %.64s is not valid JSON", res->segment, id);
    return BSS_OK;
}

/* ---- shared rules ---- */

static bss_err check_strings(const json_t *doc, const char *const *names, size_t n, bss_errinfo *ei)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(doc, names[i]);
        if (v && !json_is_null(v) && !json_is_string(v))
            return bss_fail(ei, BSS_E_INVALID, names[i], "%s must be a string", names[i]);
        if (json_is_string(v) && json_string_length(v) == 0)
            return bss_fail(ei, BSS_E_INVALID, names[i], "%s must not be empty", names[i]);
    }
    return BSS_OK;
}

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

bss_err bss_party_identifications_drop(bss_db *db, const char *party_id, bss_errinfo *ei)
{
    return bss_db_exec(db, "DELETE FROM party_identification WHERE party_id = ?",
                       BSS_DB_ARGS(BSS_DB_STR(party_id)), NULL, ei);
}

/* Stores one identification for the party; EXISTS (field = path) when another party holds it. */
static bss_err store_ident(const bss_tmf_ctx *ctx, const char *kind, const char *party_id, const ident *id,
                           const char *path, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(ctx->db,
                              "SELECT party_id FROM party_identification WHERE id_type = ? AND id_number = ? "
                              "AND issuing_country = ?",
                              BSS_DB_ARGS(BSS_DB_STRN(id->type, strlen(id->type)),
                                          BSS_DB_STRN(id->number, strlen(id->number)),
                                          BSS_DB_STRN(id->country, strlen(id->country))),
                              &rows, ei);
    if (rc)
        return rc;
    bool taken = bss_db_next(rows);
    bss_db_rows_close(rows);
    if (taken)
        return bss_fail(ei, BSS_E_EXISTS, path,
                        "%s: %s number %s is already registered to another party (identification numbers "
                        "are unique)",
                        path, *id->type ? id->type : "identification", id->number);
    rc = bss_db_exec(ctx->db,
                     "INSERT INTO party_identification (party_id, party_kind, id_type, id_number, "
                     "issuing_country) VALUES (?, ?, ?, ?, ?)",
                     BSS_DB_ARGS(BSS_DB_STR(party_id), BSS_DB_STR(kind),
                                 BSS_DB_STRN(id->type, strlen(id->type)),
                                 BSS_DB_STRN(id->number, strlen(id->number)),
                                 BSS_DB_STRN(id->country, strlen(id->country))),
                     NULL, ei);
    if (rc == BSS_E_EXISTS)
        return bss_fail(ei, BSS_E_EXISTS, path, "%s: this number is already registered to another party",
                        path);
    return rc;
}

/* Checks member[] (identifications) and, with a store, replaces the party's rows in party_identification. */
static bss_err check_identifications(const bss_tmf_ctx *ctx, const json_t *doc, const char *member,
                                     const char *kind, bss_errinfo *ei)
{
    const json_t *arr = json_object_get(doc, member);
    const char *party_id = json_string_value(json_object_get(doc, "id"));
    if (arr && !json_is_null(arr) && !json_is_array(arr))
        return bss_fail(ei, BSS_E_INVALID, member, "%s must be an array", member);
    bss_err rc = ctx->db && party_id ? bss_party_identifications_drop(ctx->db, party_id, ei) : BSS_OK;
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

static bss_err check_birth_date(const bss_tmf_ctx *ctx, const json_t *doc, bss_errinfo *ei)
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

bss_err bss_tmf632_individual_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    static const char *const strings[] = {"givenName",   "familyName",     "middleName",   "fullName",
                                          "legalName",   "formattedName",  "gender",       "title",
                                          "nationality", "countryOfBirth", "placeOfBirth", "maritalStatus"};
    static const char *const states[] = {"initialized", "validated", "deceased"};
    bss_err rc = check_strings(doc, strings, sizeof strings / sizeof strings[0], ei);
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
    return rc;
}

/* ---- organization ---- */

static const char *ref_id(const json_t *rel)
{
    return json_string_value(bss_json_path(rel, "organization.id"));
}

/* Whether walking parents up from start reaches self (a cycle). BSS_E_NOT_FOUND if start is missing. */
static bss_err reaches(const bss_tmf_ctx *ctx, const char *start, const char *self, bool *cycle,
                       bss_errinfo *ei)
{
    char cur[128];
    *cycle = false;
    snprintf(cur, sizeof cur, "%s", start);
    for (int depth = 0; depth < MAX_PARENT_DEPTH; depth++) {
        if (strcmp(cur, self) == 0) {
            *cycle = true;
            return BSS_OK;
        }
        if (!ctx->db)
            return BSS_OK;
        json_t *doc = NULL;
        bss_err rc = bss_party_load(ctx->db, &bss_tmf632_organization, cur, &doc, NULL, NULL);
        if (rc == BSS_E_NOT_FOUND && depth > 0)
            return BSS_OK;
        if (rc)
            return bss_fail(ei, rc, NULL, "could not read organization %.64s", cur);
        const char *next = ref_id(json_object_get(doc, "organizationParentRelationship"));
        bool more = next && strlen(next) < sizeof cur;
        if (more)
            snprintf(cur, sizeof cur, "%s", next);
        json_decref(doc);
        if (!more)
            return BSS_OK;
    }
    return BSS_OK;
}

/* One relationship {relationshipType, organization: {id}}: the organization exists; a parent must not
 * have self among its ancestors, a child must not be self. */
static bss_err check_relation(const bss_tmf_ctx *ctx, const json_t *rel, const char *prefix, const char *self,
                              bool is_child, bss_errinfo *ei)
{
    char path[160];
    snprintf(path, sizeof path, "%s.organization.id", prefix);
    const char *id = json_is_object(rel) ? ref_id(rel) : NULL;
    if (!id || !*id)
        return bss_fail(ei, BSS_E_INVALID, path, "%s is required: the related organization's id", path);
    bool cycle = strcmp(id, self) == 0;
    bss_err rc = BSS_OK;
    if (!cycle && !is_child)
        rc = reaches(ctx, id, self, &cycle, ei);
    else if (!cycle && ctx->db) {
        json_t *child = NULL;
        rc = bss_party_load(ctx->db, &bss_tmf632_organization, id, &child, NULL, ei);
        json_decref(child);
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
static bss_err check_child_not_ancestor(const bss_tmf_ctx *ctx, const json_t *doc, const char *child,
                                        const char *path, bss_errinfo *ei)
{
    const char *parent = ref_id(json_object_get(doc, "organizationParentRelationship"));
    if (!parent)
        return BSS_OK;
    bool cycle = false;
    bss_err rc = reaches(ctx, parent, child, &cycle, ei);
    if (!rc && cycle)
        rc = bss_fail(ei, BSS_E_UNPROCESSABLE, path,
                      "%s: organization %.64s is an ancestor of this one: a cycle in the hierarchy", path,
                      child);
    return rc;
}

static bss_err check_hierarchy(const bss_tmf_ctx *ctx, const json_t *doc, bss_errinfo *ei)
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

bss_err bss_tmf632_organization_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old,
                                        bss_errinfo *ei)
{
    static const char *const strings[] = {"name", "tradingName", "nameType", "organizationType", "status"};
    static const char *const states[] = {"initialized", "validated", "closed"};
    bss_err rc = check_strings(doc, strings, sizeof strings / sizeof strings[0], ei);
    if (!rc && !json_is_string(json_object_get(doc, "tradingName")) &&
        !json_is_string(json_object_get(doc, "name")))
        rc = bss_fail(ei, BSS_E_INVALID, "tradingName", "tradingName (or name) is required");
    static const char *const flags[] = {"isLegalEntity", "isHeadOffice"};
    for (int i = 0; !rc && i < 2; i++) {
        const json_t *v = json_object_get(doc, flags[i]);
        if (v && !json_is_null(v) && !json_is_boolean(v))
            rc = bss_fail(ei, BSS_E_INVALID, flags[i], "%s must be true or false", flags[i]);
    }
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

bss_err bss_tmf632_register_routes(bss_router *rt)
{
    bss_err rc = bss_tmf_register(rt, &bss_tmf632_individual);
    if (!rc)
        rc = bss_tmf_register(rt, &bss_tmf632_organization);
    if (!rc)
        rc = bss_consent_register_routes(rt);
    if (!rc)
        rc = bss_party_privacy_register_routes(rt);
    if (!rc)
        rc = bss_audit_register_routes(rt);
    return rc;
}
