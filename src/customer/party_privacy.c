/*
 * party_privacy.c: GDPR export and erasure of a party (TMF632 individual
 * or organization): bss_party_export and bss_party_erase (customer.h),
 * served by src/api/tmf632.c as
 *
 *   GET  /tmf-api/party/v4/{individual|organization}/{id}/export
 *        -> 200 one document with everything personal bss holds about the
 *        party: the party, its consents with history, the customers that
 *        engage it (TMF629), the accounts naming it or those customers
 *        (TMF666), interactions and trouble tickets (interaction.c,
 *        ticket.c), and the access-audit rows about it.
 *   POST .../{id}/erase
 *        -> 200 {id, status: "erased", pseudonym, erasedAt, changed: {...}}
 *        in one writer transaction: the party document keeps its id, href
 *        and @type, gets status "erased", a pseudonym ("anon-<uuid>") and
 *        erasedAt; names become "[erased]"; every other member (contact
 *        media, identifications, birth date, nationality, languages,
 *        characteristics, notes ...) is dropped. Its identification rows go;
 *        consent free text becomes "[erased]" (the decisions themselves stay
 *        as proof of lawful processing); in customers and accounts the
 *        references to the party carry the pseudonym as name, the customer's
 *        own name becomes the pseudonym and its contact media go (accounts of
 *        such customers get the pseudonym as name and lose their contact
 *        list; a business customer that merely lists the person in
 *        relatedParty keeps its own name and accounts); interactions and tickets
 *        are anonymised by their modules. Ids, amounts, dates and statuses
 *        stay: financial records are kept under the pseudonymous id. Erasing
 *        an erased party again answers the same 200.
 *
 * Refused with 409 CONFLICT while the party has active products (a row of
 * table product whose account_id is one of its billing accounts, one of
 * its customers or the party itself, status not terminated or cancelled)
 * or an unpaid balance. There is no receivables ledger yet: the balance is
 * the "balance" member of its billing accounts (a Money object or a
 * number), and more than zero refuses. The payments issue's ledger will
 * replace that check.
 *
 * "Naming the party": a document of those tables whose JSON holds, at any
 * depth below the top level, an object whose "id" is the party's id (a
 * customer's engagedParty, an account's relatedParty ...). customer_store.c
 * finds the documents with doc LIKE '%"<id>"%' (ids are server-made UUIDs,
 * no LIKE metacharacters) and reads and rewrites them there; they are then
 * checked structurally here. A full scan of those tables, acceptable for a
 * rare, audited operation. Tables that do not exist yet (a module not
 * landed) are skipped.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/id.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/money.h"
#include "customer/customer.h"
#include "customer/customer_int.h"
#include "events/events.h"

#define MAX_RELATED 200 /* customers or accounts of one party handled by one export/erase */

/* Whether v holds, below its top level, an object whose "id" is id. */
static bool names_id(const json_t *v, const char *id, bool top)
{
    if (json_is_object(v)) {
        const char *mid = json_string_value(json_object_get(v, "id"));
        if (!top && mid && strcmp(mid, id) == 0)
            return true;
        const char *key;
        json_t *m;
        json_object_foreach((json_t *)v, key, m) if (names_id(m, id, false)) return true;
    } else if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) if (names_id(m, id, false)) return true;
    }
    return false;
}

/* What find_related's callback adds to. */
typedef struct related_out {
    const char *const *ids;
    json_t *out;
} related_out;

/* bss__related_fn: keeps a document that names ids[k] structurally, once, at most MAX_RELATED. */
static bss_err related_add(const char *text, size_t len, size_t k, void *arg, bss_errinfo *ei)
{
    related_out *r = arg;
    json_t *doc = NULL;
    if (bss_json_parse(text, len, &doc, NULL) != BSS_OK)
        return BSS_OK;
    bool dup = false;
    size_t i;
    json_t *have;
    json_array_foreach(r->out, i, have) dup =
        dup || json_equal(json_object_get(have, "id"), json_object_get(doc, "id"));
    if (!dup && names_id(doc, r->ids[k], true) && json_array_size(r->out) < MAX_RELATED)
        return json_array_append_new(r->out, doc) ? bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory") : BSS_OK;
    json_decref(doc);
    return BSS_OK;
}

/* The documents of one table that name any of ids[0..nids): appended to out (an array), no duplicates. */
static bss_err find_related(bss_db *db, bss__related t, const char *const *ids, size_t nids, json_t *out,
                            bss_errinfo *ei)
{
    related_out r = {ids, out};
    return bss__store_related_scan(db, t, ids, nids, related_add, &r, ei);
}

/* Everything that names the party: related[BSS__REL_CUSTOMER..] arrays (new references). */
#define PERSON_MAX (MAX_RELATED * 2 + 1)

typedef struct party_links {
    json_t *docs[BSS__REL_COUNT];
    const char *ids[MAX_RELATED + 1]; /* the party and its customers (point into docs) */
    bool engaged[MAX_RELATED + 1];    /* ids[i] is a customer whose engagedParty is the party */
    size_t nids;
    const char *person[PERSON_MAX]; /* erasure: the party, its own customers and accounts (collect_person) */
    size_t nperson;
} party_links;

static void links_free(party_links *l)
{
    for (int t = 0; t < BSS__REL_COUNT; t++)
        json_decref(l->docs[t]);
    memset(l, 0, sizeof *l);
}

static bss_err links_find(bss_db *db, const char *party_id, party_links *l, bss_errinfo *ei)
{
    memset(l, 0, sizeof *l);
    for (int t = 0; t < BSS__REL_COUNT; t++)
        if (!(l->docs[t] = json_array()))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    l->ids[l->nids++] = party_id;
    bss_err rc = find_related(db, BSS__REL_CUSTOMER, l->ids, 1, l->docs[BSS__REL_CUSTOMER], ei);
    size_t i;
    json_t *c;
    json_array_foreach(l->docs[BSS__REL_CUSTOMER], i, c)
    {
        const char *cid = json_string_value(json_object_get(c, "id"));
        const char *engaged = json_string_value(bss_json_path(c, "engagedParty.id"));
        if (cid && l->nids < MAX_RELATED) {
            l->engaged[l->nids] = engaged && strcmp(engaged, party_id) == 0;
            l->ids[l->nids++] = cid;
        }
    }
    for (int t = BSS__REL_BILLING; !rc && t < BSS__REL_COUNT; t++)
        rc = find_related(db, t, l->ids, l->nids, l->docs[t], ei);
    return rc;
}

/* ---- export ---- */

bss_err bss_party_export(bss_db *db, const bss_doc_kind *kind, const char *id, int64_t now_ms, json_t **out,
                         bss_errinfo *ei)
{
    json_t *party = NULL, *doc = json_object(), *arr = NULL;
    party_links l;
    memset(&l, 0, sizeof l);
    bss_err rc =
        doc ? bss_doc_load(db, kind, id, &party, NULL, ei) : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    char at[32];
    bss_time_format(now_ms, at);
    if (!rc &&
        (json_object_set_new(doc, "partyId", json_string(id)) ||
         json_object_set_new(doc, "partyType", json_string(kind->type)) ||
         json_object_set_new(doc, "exportedAt", json_string(at)) || json_object_set(doc, "party", party)))
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (!rc && !(rc = bss_consent_list(db, id, true, &arr, ei)))
        json_object_set_new(doc, "consents", arr);
    if (!rc && !(rc = links_find(db, id, &l, ei))) {
        json_object_set(doc, "customers", l.docs[BSS__REL_CUSTOMER]);
        json_t *accounts = json_array();
        for (int t = BSS__REL_BILLING; accounts && t < BSS__REL_COUNT; t++)
            json_array_extend(accounts, l.docs[t]);
        json_object_set_new(doc, "accounts", accounts);
    }
    json_t *inter = json_array(), *tickets = json_array();
    json_object_set_new(doc, "interactions", inter);
    json_object_set_new(doc, "troubleTickets", tickets);
    if (!rc && (!inter || !tickets))
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (!rc)
        rc = bss__interactions_export_party(db, id, inter, ei);
    if (!rc)
        rc = bss__tickets_export_party(db, id, tickets, ei);
    /* after erasure the records name the party by its pseudonym: they are still its records */
    const char *pseudonym = json_string_value(json_object_get(party, "pseudonym"));
    if (!rc && pseudonym && strcmp(pseudonym, id) != 0)
        rc = bss__interactions_export_party(db, pseudonym, inter, ei);
    if (!rc && pseudonym && strcmp(pseudonym, id) != 0)
        rc = bss__tickets_export_party(db, pseudonym, tickets, ei);
    if (!rc && !(rc = bss__audit_export(db, id, &arr, ei)))
        json_object_set_new(doc, "accessAudit", arr);
    links_free(&l);
    json_decref(party);
    if (rc)
        json_decref(doc);
    *out = rc ? NULL : doc;
    return rc;
}

/* ---- erasure ---- */

/* One erasure: what erase_party_doc and erase_result need. */
typedef struct erase_job {
    const bss_doc_kind *kind;
    int64_t now_ms;
    const char *party_id;
    json_t *result;
} erase_job;

/* bss__product_state_fn: a product on the account *arg that is not terminated or cancelled refuses. */
static bss_err product_guard(const char *id, const char *status, void *arg, bss_errinfo *ei)
{
    if (status && (strcasecmp(status, "terminated") == 0 || strcasecmp(status, "cancelled") == 0))
        return BSS_OK;
    return bss_fail(
        ei, BSS_E_CONFLICT, "product",
        "cannot erase: product %.64s on account %.64s is %s; terminate the party's products first", id,
        *(const char *const *)arg, status ? status : "active");
}

/* The refusal, if any: active products or a positive balance on the party's accounts. */
static bss_err erase_guard(bss_db *db, const party_links *l, bss_errinfo *ei)
{
    const char *acc_ids[MAX_RELATED * 2 + 2];
    size_t n = 0;
    for (size_t i = 0; i < l->nids; i++)
        acc_ids[n++] = l->ids[i];
    size_t i;
    json_t *a;
    json_array_foreach(l->docs[BSS__REL_BILLING], i, a)
    {
        const char *aid = json_string_value(json_object_get(a, "id"));
        if (aid && n < sizeof acc_ids / sizeof acc_ids[0])
            acc_ids[n++] = aid;
        const json_t *bal = json_object_get(a, "balance");
        const json_t *val = json_is_object(bal) ? json_object_get(bal, "value") : bal;
        int64_t micros = 0;
        if (val && !json_is_null(val) && bss_money_from_json(val, "balance", &micros, NULL) == BSS_OK &&
            micros > 0) {
            char amount[32];
            bss_money_format(micros, amount);
            const char *unit = json_is_object(bal) ? json_string_value(json_object_get(bal, "unit")) : NULL;
            return bss_fail(
                ei, BSS_E_CONFLICT, "balance",
                "cannot erase: billing account %.64s has an unpaid balance of %s%s%s; settle it first",
                aid ? aid : "?", amount, unit ? " " : "", unit ? unit : "");
        }
    }
    for (size_t k = 0; k < n; k++) {
        bss_err rc = bss__store_product_states(db, acc_ids[k], product_guard, &acc_ids[k], ei);
        if (rc)
            return rc;
    }
    return BSS_OK;
}

static bss_err store_related(bss_db *db, bss__related t, json_t *doc, int64_t now_ms, bss_errinfo *ei)
{
    char *text = bss_json_dump(doc, NULL);
    if (!text)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    const char *id = json_string_value(json_object_get(doc, "id"));
    const char *name = json_string_value(json_object_get(doc, "name")); /* the typed column follows the doc */
    bss_err rc = bss__store_related_update(db, t, id, text, name, now_ms, ei);
    /* the search index follows: the old name must not be findable (nor shown) any more */
    if (!rc && t == BSS__REL_CUSTOMER)
        rc = bss_search_index_doc(db, "customer", id, id, doc, ei);
    if (!rc && t == BSS__REL_BILLING) {
        const char *customer = json_string_value(json_object_get(json_object_get(doc, "customer"), "id"));
        rc = bss_search_index_doc(db, "billingAccount", id, customer, doc, ei);
    }
    bss_free(text);
    return rc;
}

/*
 * The members a record of the person keeps once they are erased: ids,
 * references (renamed), amounts, dates, statuses. Everything else goes,
 * members bss does not know included, since they may hold anything.
 */
static const char *const customer_keeps[] = {"id", "href", "@type", "@baseType", "@schemaLocation", "name",
                                             "status", "statusReason", "validFor", "segment", "creditClass",
                                             "customerSince", "engagedParty", "account", "paymentMethod",
                                             "agreement", NULL};
static const char *const account_keeps[] = {
    "id", "href", "@type", "@baseType", "@schemaLocation", "name", "accountNumber", "accountType", "state",
    "stateReason", "currency", "billCycleDay", "billStructure", "creditLimit", "paymentMethod",
    "defaultPaymentMethod", "paymentPlan", "customer", "parentAccount", "relatedParty", "lastModified", "balance",
    "accountBalance", "ratingType", NULL};

static bool kept(const char *const *keeps, const char *key)
{
    for (; *keeps; keeps++)
        if (strcmp(*keeps, key) == 0)
            return true;
    return false;
}

/* Whether id is one of the person's ids (the party, its own customers and accounts). */
static bool person_id(const party_links *l, const char *id)
{
    for (size_t i = 0; id && i < l->nperson; i++)
        if (strcmp(l->person[i], id) == 0)
            return true;
    return false;
}

/*
 * Below v: every reference to one of the person's ids carries the pseudonym
 * as its name and loses any contact details it copied; the ids stay (they
 * are the pseudonymous keys the financial records use).
 */
static void rename_person_refs(json_t *v, const party_links *l, const char *pseudonym, bool top)
{
    if (json_is_object(v)) {
        const char *mid = json_string_value(json_object_get(v, "id"));
        if (!top && person_id(l, mid)) {
            if (json_object_get(v, "name"))
                json_object_set_new(v, "name", json_string(pseudonym));
            json_object_del(v, "contactMedium");
            json_object_del(v, "contactName");
        }
        const char *key;
        json_t *m;
        json_object_foreach(v, key, m) rename_person_refs(m, l, pseudonym, false);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) rename_person_refs(m, l, pseudonym, false);
    }
}

/* A record of the person: only the kept members stay; its name becomes the pseudonym. */
static void strip_own(json_t *doc, const char *const *keeps, const char *pseudonym)
{
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(doc, tmp, key, v) if (!kept(keeps, key)) json_object_del(doc, key);
    json_object_set_new(doc, "name", json_string(pseudonym));
    if (keeps == account_keeps) { /* its related parties: the person's entries only, renamed; others go */
        json_t *rp = json_object_get(doc, "relatedParty");
        json_t *keep = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(rp, i, e)
        {
            json_t *o = json_pack("{s:O?, s:O?, s:O?, s:s}", "id", json_object_get(e, "id"), "role",
                                  json_object_get(e, "role"), "@referredType", json_object_get(e, "@referredType"),
                                  "name", pseudonym);
            if (o)
                json_array_append_new(keep, o);
        }
        if (rp && keep)
            json_object_set_new(doc, "relatedParty", keep);
        else
            json_decref(keep);
    }
}

/* Whether account doc belongs to the person: owned by the party, or of one of its own customers. */
static bool own_account(const json_t *doc, const party_links *l, const char *party_id)
{
    const char *cust = json_string_value(bss_json_path(doc, "customer.id"));
    for (size_t k = 1; cust && k < l->nids; k++)
        if (l->engaged[k] && strcmp(cust, l->ids[k]) == 0)
            return true;
    size_t i;
    const json_t *rp;
    json_array_foreach(json_object_get(doc, "relatedParty"), i, rp)
    {
        const char *id = json_string_value(json_object_get(rp, "id"));
        const char *role = json_string_value(json_object_get(rp, "role"));
        bool owner = i == 0 || (role && (strcasecmp(role, "owner") == 0 || strcasecmp(role, "accountHolder") == 0));
        if (owner && id && (strcmp(id, party_id) == 0 || (person_id(l, id) && strcmp(id, party_id) != 0)))
            return true;
    }
    return false;
}

/* The person's ids: the party, the customers it is the engagedParty of, the accounts it owns. */
static void collect_person(party_links *l, const char *party_id)
{
    l->nperson = 0;
    l->person[l->nperson++] = party_id;
    for (size_t k = 1; k < l->nids && l->nperson < PERSON_MAX; k++)
        if (l->engaged[k])
            l->person[l->nperson++] = l->ids[k];
    for (int t = BSS__REL_BILLING; t < BSS__REL_COUNT; t++) {
        size_t i;
        json_t *doc;
        json_array_foreach(l->docs[t], i, doc)
        {
            const char *id = json_string_value(json_object_get(doc, "id"));
            if (id && l->nperson < PERSON_MAX && own_account(doc, l, party_id))
                l->person[l->nperson++] = id;
        }
    }
}

/*
 * Rewrites customers and accounts: the person's own records keep only what
 * is not personal (and the pseudonym as name); every other record that
 * names the person keeps its own data with the references renamed.
 */
static bss_err erase_related(bss_db *db, party_links *l, const char *party_id, const char *pseudonym,
                             int64_t now_ms, int64_t *changed, bss_errinfo *ei)
{
    for (int t = 0; t < BSS__REL_COUNT; t++) {
        size_t i;
        json_t *doc;
        json_array_foreach(l->docs[t], i, doc)
        {
            const char *id = json_string_value(json_object_get(doc, "id"));
            bool own = person_id(l, id);
            if (own)
                strip_own(doc, t == BSS__REL_CUSTOMER ? customer_keeps : account_keeps, pseudonym);
            rename_person_refs(doc, l, pseudonym, true);
            bss_err rc = store_related(db, t, doc, now_ms, ei);
            if (rc)
                return rc;
            (*changed)++;
        }
    }
    return BSS_OK;
}

/* Other parties that name the person (a child organization's parent, a contact person): references renamed. */
typedef struct named_party {
    const bss_doc_kind *kind;
    char id[BSS_ID_MAX + 1];
} named_party;

typedef struct parties_ctx {
    named_party found[MAX_RELATED];
    size_t n;
} parties_ctx;

static bss_err note_party(const bss_doc_kind *kind, const char *id, void *arg, bss_errinfo *ei)
{
    (void)ei;
    parties_ctx *pc = arg;
    if (pc->n < MAX_RELATED && strlen(id) <= BSS_ID_MAX) {
        pc->found[pc->n].kind = kind;
        memcpy(pc->found[pc->n].id, id, strlen(id) + 1);
        pc->n++;
    }
    return BSS_OK;
}

static bss_err erase_in_parties(bss_db *db, const party_links *l, const char *party_id, const char *pseudonym,
                                int64_t now_ms, int64_t *changed, bss_errinfo *ei)
{
    parties_ctx *pc = bss_calloc(1, sizeof *pc);
    if (!pc)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = bss__store_parties_naming(db, party_id, note_party, pc, ei);
    for (size_t i = 0; !rc && i < pc->n; i++) {
        if (strcmp(pc->found[i].id, party_id) == 0)
            continue;
        json_t *doc = NULL;
        bss_doc_meta meta;
        rc = bss_doc_load(db, pc->found[i].kind, pc->found[i].id, &doc, &meta, ei);
        if (rc == BSS_E_NOT_FOUND) {
            rc = BSS_OK;
            continue;
        }
        if (!rc) {
            rename_person_refs(doc, l, pseudonym, true);
            rc = bss_resource_update(db, pc->found[i].kind->table, pc->found[i].id, doc, now_ms, meta.row_version,
                                     NULL, ei);
            if (!rc)
                (*changed)++;
        }
        json_decref(doc);
    }
    bss_free(pc);
    return rc;
}

/* The anonymised party document. */
static json_t *erased_doc(const bss_doc_kind *kind, const json_t *old, const char *pseudonym, int64_t now_ms)
{
    static const char *const keep[] = {"id", "href", "@type", "@baseType", "@schemaLocation"};
    json_t *doc = json_object();
    for (size_t i = 0; doc && i < sizeof keep / sizeof keep[0]; i++) {
        json_t *v = json_object_get(old, keep[i]);
        if (v && json_object_set(doc, keep[i], v)) {
            json_decref(doc);
            return NULL;
        }
    }
    bool individual = kind == &bss_individual_kind;
    int bad = !doc ||
              json_object_set_new(doc, individual ? "givenName" : "tradingName", json_string("[erased]")) ||
              json_object_set_new(doc, individual ? "familyName" : "name", json_string("[erased]")) ||
              json_object_set_new(doc, "status", json_string(BSS_PARTY_ERASED)) ||
              json_object_set_new(doc, "pseudonym", json_string(pseudonym)) ||
              bss_json_set_time(doc, "erasedAt", now_ms) != 0;
    if (bad) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static bss_err erase_party_doc(bss_db *db, const erase_job *job, json_t *old, int64_t version,
                               const char *pseudonym, bss_errinfo *ei)
{
    const bss_doc_kind *kind = job->kind;
    json_t *doc = erased_doc(kind, old, pseudonym, job->now_ms);
    if (!doc)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    char type[96];
    bss_err rc = bss_resource_update(db, kind->table, job->party_id, doc, job->now_ms, version, NULL, ei);
    snprintf(type, sizeof type, "%sStateChangeEvent", kind->type);
    if (!rc)
        rc = bss_outbox_add(db, job->now_ms, kind->api, type, kind->name, doc, ei);
    if (!rc)
        rc = bss__store_ident_drop(db, job->party_id, ei);
    if (!rc)
        rc = bss_search_index_doc(db, kind->name, job->party_id, NULL, NULL, ei);
    json_decref(doc);
    return rc;
}

static bss_err erase_result(erase_job *job, const char *pseudonym, const char *erased_at,
                            const int64_t counts[4], bss_errinfo *ei)
{
    job->result = json_pack("{s:s, s:s, s:s, s:s, s:{s:I, s:I, s:I, s:I}}", "id", job->party_id, "status",
                            BSS_PARTY_ERASED, "pseudonym", pseudonym, "erasedAt", erased_at, "changed",
                            "consents", (json_int_t)counts[0], "customersAndAccounts", (json_int_t)counts[1],
                            "interactions", (json_int_t)counts[2], "troubleTickets", (json_int_t)counts[3]);
    return job->result ? BSS_OK : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
}

bss_err bss_party_erase(bss_db *db, const bss_doc_kind *kind, const char *party_id, int64_t now_ms,
                        const bss_principal *who, const char *reason, json_t **out, bss_errinfo *ei)
{
    erase_job one = {kind, now_ms, party_id, NULL}, *job = &one;
    json_t *old = NULL;
    int64_t version = 0, counts[4] = {0};
    bss_doc_meta meta = {0};
    party_links l;
    memset(&l, 0, sizeof l);
    *out = NULL;
    bss_err rc = bss_doc_load(db, job->kind, job->party_id, &old, &meta, ei);
    version = meta.row_version;
    const char *status = rc ? NULL : json_string_value(json_object_get(old, "status"));
    if (status && strcmp(status, BSS_PARTY_ERASED) == 0) { /* again: the same answer */
        const char *ps = json_string_value(json_object_get(old, "pseudonym"));
        const char *at = json_string_value(json_object_get(old, "erasedAt"));
        rc = erase_result(job, ps ? ps : "", at ? at : "", counts, ei);
        json_decref(old);
        *out = rc ? NULL : job->result;
        return rc;
    }
    char pseudonym[BSS_ID_LEN + 8], uuid[BSS_ID_LEN + 1], at[32];
    bss_id_new(job->now_ms, uuid);
    snprintf(pseudonym, sizeof pseudonym, "anon-%s", uuid);
    bss_time_format(job->now_ms, at);
    if (!rc)
        rc = links_find(db, job->party_id, &l, ei);
    if (!rc)
        rc = erase_guard(db, &l, ei);
    if (!rc)
        collect_person(&l, job->party_id);
    /* the events already recorded about the person's records keep their envelope, not the data */
    for (size_t k = 0; !rc && k < l.nperson; k++)
        rc = bss_outbox_redact(db, l.person[k], NULL, ei);
    if (!rc)
        rc = erase_party_doc(db, job, old, version, pseudonym, ei);
    if (!rc)
        rc = bss__store_consent_erase(db, job->party_id, &counts[0], ei);
    if (!rc)
        rc = erase_related(db, &l, job->party_id, pseudonym, job->now_ms, &counts[1], ei);
    if (!rc)
        rc = erase_in_parties(db, &l, job->party_id, pseudonym, job->now_ms, &counts[1], ei);
    if (!rc)
        rc = bss__interactions_erase_party(db, job->party_id, l.person + 1, l.nperson - 1, pseudonym, &counts[2], ei);
    if (!rc)
        rc = bss__tickets_erase_party(db, job->party_id, l.person + 1, l.nperson - 1, pseudonym, &counts[3], ei);
    if (!rc)
        rc = bss__audit_record(db, job->now_ms, who ? who->key_id : NULL, who ? who->name : NULL, "erase",
                               job->kind->name, job->party_id, ei);
    if (!rc)
        rc = erase_result(job, pseudonym, at, counts, ei);
    if (!rc) { /* the change history: who, why and how much; nothing of what was erased */
        json_t *changes = json_pack("[{s:s, s:O}]", "member", "*", "changed", json_object_get(job->result, "changed"));
        rc = changes ? bss_doc_history_add(db, job->kind, job->party_id, job->now_ms, who, "erasure", "erase", reason,
                                           changes, ei)
                     : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        json_decref(changes);
    }
    links_free(&l);
    json_decref(old);
    if (rc)
        json_decref(job->result);
    *out = rc ? NULL : job->result;
    return rc;
}
