/*
 * care_ref.c: what interactions (interaction.c) and trouble tickets
 * (ticket.c) share, declared in customer_int.h: the rows of the care_ref
 * table (written and read by customer_store.c) that index which customers,
 * parties, accounts, products, tickets and orders a record names (so the
 * customer view, export and erasure find a subscriber's records with one
 * indexed lookup), the check of the references a record names, the TMF
 * note rules (notes are appended, never lost), and the export and erasure
 * of the records that name a party.
 */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

bool bss__care_ref_exists(bss_db *db, const char *type, const char *id)
{
    int64_t n = 0;
    /* a type bss does not check, a table not there yet, or cannot tell: do not refuse */
    return bss__store_ref_count(db, type, id, &n) != BSS_OK || n > 0;
}

bss_err bss__care_check_refs(const bss_doc_ctx *ctx, const json_t *doc, const char *key, bss_errinfo *ei)
{
    const json_t *arr = json_object_get(doc, key);
    if (!arr || json_is_null(arr))
        return BSS_OK;
    if (!json_is_array(arr))
        return bss_fail(ei, BSS_E_INVALID, key, "%s must be an array of references {id, @referredType}", key);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        char path[64];
        snprintf(path, sizeof path, "%s[%zu].id", key, i);
        const char *id = json_string_value(json_object_get(e, "id"));
        if (!id || !id[0])
            return bss_fail(ei, BSS_E_INVALID, path, "%s is required (a string)", path);
        const char *type = json_string_value(json_object_get(e, "@referredType"));
        if (ctx->db && !bss__care_ref_exists(ctx->db, type, id))
            return bss_fail(ei, BSS_E_UNPROCESSABLE, path, "%s: no %s with id %.64s", path, type, id);
    }
    return BSS_OK;
}

/* The set of ids one record names. */
typedef struct ref_set {
    size_t n;
    struct {
        char id[128];
        char type[48];
    } r[BSS__CARE_REFS_MAX];
} ref_set;

static void refs_add(ref_set *rs, const char *id, const char *type)
{
    if (!id || !id[0] || strlen(id) >= sizeof rs->r[0].id || rs->n >= BSS__CARE_REFS_MAX)
        return;
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->r[i].id, id) == 0)
            return;
    snprintf(rs->r[rs->n].id, sizeof rs->r[rs->n].id, "%s", id);
    snprintf(rs->r[rs->n].type, sizeof rs->r[rs->n].type, "%s", type ? type : "");
    rs->n++;
}

/* A ref object {id, @referredType} or an array of them; key names the type when none is given. */
static void refs_from(ref_set *rs, const json_t *v, const char *key_type)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            const json_t *item = json_object_get(e, "item"); /* TMF683 interactionItem */
            refs_from(rs, json_is_object(item) ? item : e, key_type);
        }
        return;
    }
    if (!json_is_object(v))
        return;
    const char *type = json_string_value(json_object_get(v, "@referredType"));
    refs_add(rs, json_string_value(json_object_get(v, "id")), type ? type : key_type);
}

/* One step further: a customer's engaged party, a billing account's related parties. */
static void refs_expand(bss_db *db, ref_set *rs)
{
    size_t n = rs->n;
    for (size_t i = 0; i < n; i++) {
        json_t *doc = NULL;
        if (bss_doc_load(db, &bss_billing_account_kind, rs->r[i].id, &doc, NULL, NULL) == BSS_OK) {
            refs_from(rs, json_object_get(doc, "relatedParty"), "RelatedParty");
            refs_from(rs, json_object_get(doc, "customer"), "Customer");
            json_decref(doc);
        }
    }
    n = rs->n;
    for (size_t i = 0; i < n; i++) {
        json_t *doc = NULL;
        if (bss_doc_load(db, &bss_customer_kind, rs->r[i].id, &doc, NULL, NULL) == BSS_OK) {
            refs_from(rs, json_object_get(doc, "engagedParty"), "Party");
            json_decref(doc);
        }
    }
}

bss_err bss__care_refs_store(bss_db *db, const char *kind, const char *entity_id, const json_t *doc,
                             int64_t sort_ms, bss_errinfo *ei)
{
    static const char *const keys[][2] = {
        {"relatedParty", "RelatedParty"}, {"relatedEntity", "Entity"}, {"interactionItem", "Entity"},
        {"customer", "Customer"},         {"engagedParty", "Party"},   {"billingAccount", "BillingAccount"},
        {"account", "Account"},           {"product", "Product"},      {"troubleTicket", "TroubleTicket"},
        {"productOrder", "ProductOrder"},
    };
    bss_err rc = bss__store_care_refs_drop(db, kind, entity_id, ei);
    if (rc != BSS_OK || !doc)
        return rc;
    ref_set *rs = bss_calloc(1, sizeof *rs);
    if (!rs)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        refs_from(rs, json_object_get(doc, keys[k][0]), keys[k][1]);
    refs_expand(db, rs);
    for (size_t i = 0; i < rs->n && rc == BSS_OK; i++)
        rc = bss__store_care_ref_add(db, kind, entity_id, rs->r[i].id, rs->r[i].type, sort_ms, ei);
    bss_free(rs);
    return rc;
}

/* Whether arr holds a note equal to n (text, author, date). */
static bool note_in(const json_t *arr, const json_t *n)
{
    static const char *const keys[] = {"text", "author", "date"};
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        bool same = true;
        for (int k = 0; k < 3 && same; k++)
            same = json_equal(json_object_get(e, keys[k]), json_object_get(n, keys[k])) ||
                   (!json_object_get(e, keys[k]) && !json_object_get(n, keys[k]));
        if (same)
            return true;
    }
    return false;
}

/* Checks one new note and fills its author and date. */
static bss_err note_fill(const bss_doc_ctx *ctx, json_t *n, size_t idx, bss_errinfo *ei)
{
    char path[64];
    snprintf(path, sizeof path, "note[%zu].text", idx);
    if (!json_is_object(n))
        return bss_fail(ei, BSS_E_INVALID, path, "a note must be an object {text, author, date}");
    const json_t *t = json_object_get(n, "text");
    if (!json_is_string(t) || json_string_length(t) == 0)
        return bss_fail(ei, BSS_E_INVALID, path, "%s is required (a non-empty string)", path);
    if (!json_object_get(n, "author") &&
        json_object_set_new(n, "author", json_string(ctx->who ? ctx->who->name : "system")) != 0)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    const json_t *d = json_object_get(n, "date");
    if (!d) {
        if (bss_json_set_time(n, "date", ctx->now_ms) != 0)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    } else {
        int64_t ms;
        snprintf(path, sizeof path, "note[%zu].date", idx);
        bss_err rc = bss_json_get_time(n, "date", path, true, &ms, ei);
        if (rc != BSS_OK)
            return rc;
    }
    if (!json_object_get(n, "@type"))
        json_object_set_new(n, "@type", json_string("Note"));
    return BSS_OK;
}

bss_err bss__care_notes_merge(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    json_t *given = json_object_get(doc, "note");
    const json_t *had = old ? json_object_get(old, "note") : NULL;
    if (!given || json_is_null(given)) {
        if (json_object_set_new(doc, "note", json_is_array(had) ? json_deep_copy(had) : json_array()) != 0)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        return BSS_OK;
    }
    if (!json_is_array(given))
        return bss_fail(ei, BSS_E_INVALID, "note", "note must be an array of {text, author, date}");
    json_t *merged = json_is_array(had) ? json_deep_copy(had) : json_array();
    if (!merged)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    size_t i;
    json_t *n;
    json_array_foreach(given, i, n)
    {
        if (json_is_array(had) && note_in(had, n))
            continue;
        json_t *copy = json_deep_copy(n);
        bss_err rc = copy ? note_fill(ctx, copy, i, ei) : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        if (rc != BSS_OK || json_array_append_new(merged, copy) != 0) {
            json_decref(copy);
            json_decref(merged);
            return rc != BSS_OK ? rc : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        }
    }
    json_object_set_new(doc, "note", merged);
    return BSS_OK;
}

/* Replaces the references to party_id in an array of refs; erases their names (and those of refs to also[]). */
static int64_t erase_refs(json_t *arr, const char *party_id, const char *const *also, size_t nalso,
                          const char *pseudonym)
{
    int64_t changed = 0;
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const json_t *target = json_object_get(e, "item");
        json_t *ref = json_is_object(target) ? (json_t *)target : e;
        const char *id = json_string_value(json_object_get(ref, "id"));
        bool other = false;
        for (size_t k = 0; id && k < nalso; k++)
            other = other || strcmp(id, also[k]) == 0;
        if (other) { /* one of the person's records: its id stays, its name goes */
            const char *nm = json_string_value(json_object_get(ref, "name"));
            if (nm && strcmp(nm, "[erased]") != 0) {
                json_object_set_new(ref, "name", json_string("[erased]"));
                changed++;
            }
            continue;
        }
        if (!id || strcmp(id, party_id) != 0)
            continue;
        const char *name = json_string_value(json_object_get(ref, "name"));
        if (strcmp(id, pseudonym) == 0 && !json_object_get(ref, "href") &&
            (!name || strcmp(name, "[erased]") == 0))
            continue; /* erased before */
        json_object_set_new(ref, "id", json_string(pseudonym));
        if (json_object_get(ref, "name"))
            json_object_set_new(ref, "name", json_string("[erased]"));
        json_object_del(ref, "href");
        changed++;
    }
    return changed;
}

/* Names (and copied contact details) of every object below v whose id is the party's or one of also[]. */
static int64_t erase_names_below(json_t *v, const char *party_id, const char *const *also, size_t nalso)
{
    int64_t changed = 0;
    if (json_is_object(v)) {
        const char *id = json_string_value(json_object_get(v, "id"));
        bool person = id && strcmp(id, party_id) == 0;
        for (size_t k = 0; id && !person && k < nalso; k++)
            person = strcmp(id, also[k]) == 0;
        if (person) {
            const char *nm = json_string_value(json_object_get(v, "name"));
            if (json_object_get(v, "name") && !(nm && strcmp(nm, "[erased]") == 0)) {
                json_object_set_new(v, "name", json_string("[erased]"));
                changed++;
            }
            if (json_object_get(v, "contactMedium")) {
                json_object_del(v, "contactMedium");
                changed++;
            }
        }
        const char *key;
        json_t *m;
        json_object_foreach(v, key, m) changed += erase_names_below(m, party_id, also, nalso);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) changed += erase_names_below(m, party_id, also, nalso);
    }
    return changed;
}

int64_t bss__care_erase_doc(json_t *doc, const char *party_id, const char *const *also, size_t nalso,
                            const char *pseudonym, const char *const *text_keys)
{
    static const char *const ref_keys[] = {"relatedParty", "relatedEntity", "interactionItem", NULL};
    int64_t changed = 0;
    for (size_t k = 0; text_keys[k]; k++) {
        json_t *v = json_object_get(doc, text_keys[k]);
        if (json_is_string(v) && strcmp(json_string_value(v), "[erased]") != 0) {
            json_object_set_new(doc, text_keys[k], json_string("[erased]"));
            changed++;
        }
    }
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(doc, "note"), i, n)
    {
        const json_t *t = json_object_get(n, "text");
        if (json_is_string(t) && strcmp(json_string_value(t), "[erased]") != 0) {
            json_object_set_new(n, "text", json_string("[erased]"));
            changed++;
        }
    }
    json_array_foreach(json_object_get(doc, "statusChange"), i, n)
    {
        const json_t *t = json_object_get(n, "changeReason");
        if (json_is_string(t) && strcmp(json_string_value(t), "[erased]") != 0) {
            json_object_set_new(n, "changeReason", json_string("[erased]"));
            changed++;
        }
    }
    if (json_object_get(doc, "attachment")) {
        json_object_del(doc, "attachment");
        changed++;
    }
    for (size_t k = 0; ref_keys[k]; k++)
        changed += erase_refs(json_object_get(doc, ref_keys[k]), party_id, also, nalso, pseudonym);
    /* and wherever else a copy of a reference sits (a system record's engagedParty, customer, ...) */
    const char *key;
    json_t *m;
    json_object_foreach(doc, key, m) changed += erase_names_below(m, party_id, also, nalso);
    return changed;
}

/* ---- export and erasure of the records that name a party ---- */

typedef struct per_doc {
    bss_db *db;
    const bss_doc_kind *kind;
    json_t *out;          /* export */
    const char *party_id; /* erase */
    const char *pseudonym;
    const char *const *also;
    size_t nalso;
    const char *const *text_keys;
    int64_t changed;
    bss_errinfo *ei;
} per_doc;

static bss_err export_one(const char *id, int64_t ms, void *arg)
{
    (void)ms;
    per_doc *p = arg;
    json_t *doc = NULL;
    bss_err rc = bss_doc_load(p->db, p->kind, id, &doc, NULL, p->ei);
    if (rc == BSS_E_NOT_FOUND)
        return BSS_OK;
    if (rc != BSS_OK)
        return rc;
    return json_array_append_new(p->out, doc) == 0 ? BSS_OK
                                                   : bss_fail(p->ei, BSS_E_NOMEM, NULL, "out of memory");
}

static bss_err erase_one(const char *id, int64_t ms, void *arg)
{
    (void)ms;
    per_doc *p = arg;
    json_t *doc = NULL;
    bss_doc_meta meta;
    bss_err rc = bss_doc_load(p->db, p->kind, id, &doc, &meta, p->ei);
    if (rc == BSS_E_NOT_FOUND)
        return BSS_OK;
    if (rc != BSS_OK)
        return rc;
    if (bss__care_erase_doc(doc, p->party_id, p->also, p->nalso, p->pseudonym, p->text_keys) > 0) {
        /* updated_ms stays: an erasure is not an edit of the record */
        rc = bss_resource_update(p->db, p->kind->table, id, doc, meta.updated_ms, meta.row_version, NULL,
                                 p->ei);
        if (rc == BSS_OK)
            p->changed++;
    }
    json_decref(doc);
    return rc;
}

bss_err bss__care_export(bss_db *db, const bss_doc_kind *kind, const char *ref_kind, const char *party_id,
                         json_t *out, bss_errinfo *ei)
{
    per_doc p = {.db = db, .kind = kind, .out = out, .ei = ei};
    if (!json_is_array(out))
        return bss_fail(ei, BSS_E_INVALID, NULL, "export: out must be a JSON array");
    return bss__store_care_refs_find(db, ref_kind, party_id, -1, export_one, &p, ei);
}

bss_err bss__care_erase(bss_db *db, const bss_doc_kind *kind, const char *ref_kind,
                        const char *const *text_keys, const char *party_id, const char *const *also, size_t nalso,
                        const char *pseudonym, int64_t *changed, bss_errinfo *ei)
{
    per_doc p = {.db = db,
                 .kind = kind,
                 .party_id = party_id,
                 .also = also,
                 .nalso = nalso,
                 .pseudonym = pseudonym,
                 .text_keys = text_keys,
                 .ei = ei};
    if (changed)
        *changed = 0;
    bss_err rc = bss__store_care_refs_find(db, ref_kind, party_id, -1, erase_one, &p, ei);
    if (!rc) /* the index follows the pseudonym */
        rc = bss__store_care_refs_rename(db, ref_kind, party_id, pseudonym, ei);
    if (!rc && changed)
        *changed = p.changed;
    return rc;
}
