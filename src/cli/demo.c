/*
 * demo.c: the demo operator seeded by `bss serve --demo` (demo.h), a Dutch
 * MVNO in two parts, each seeded only into a store that has none of it yet:
 *
 *   - the product catalog, data/demo/catalog.json (docs/catalog.md),
 *     imported through the same declarative import as `bss catalog import`
 *     when the store holds no offering, price or zone table;
 *   - its customers, data/demo/customers.json (written by
 *     data/demo/gen-customers.mjs), when the store holds no customer:
 *     individuals and organizations (with a corporate group of a parent and
 *     two subsidiaries), customers, billing accounts (the group account pays
 *     for its subsidiaries' accounts), consent decisions, care interactions,
 *     trouble tickets, then merge patches in file order (ticket status walks,
 *     a suspended and a closed customer). Every document goes through
 *     bss_doc_create / bss_doc_patch (doc/doc.h) with its kind, so the
 *     prepare hooks, search index, care references and events are exactly
 *     those of the REST API; consents go through bss_consent_parse and
 *     bss_consent_decide as the consent route does. The whole seed is
 *     one writer job: all or nothing, the first bad document failing it with
 *     its member path ("customers[3].engagedParty.id").
 *
 *   - its resource inventory, when the store holds no SIM and no number:
 *     the SIM batch data/demo/sims.csv (written by data/demo/gen-sims.mjs)
 *     through the batch import of `bss inventory import-sims`, the golden
 *     number category with the catalog's one-time price, and two ranges of
 *     numbers (2000 standard, 50 golden), in one writer job.
 *
 * The files are looked up next to the binary (the repository's data/ seen
 * from build/ or build/<dir>/) and then in the working directory; the log
 * says which file was loaded and how much was created. Without a file the
 * server still starts, with a warning.
 */
#include "cli/demo.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "charging/charging.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/time.h"
#include "customer/customer.h"
#include "db/db.h"
#include "db/writer.h"
#include "doc/doc.h"
#include "inventory/inventory.h"
#include "order/order.h"

#define DEMO_CATALOG "data/demo/catalog.json"
#define DEMO_SIMS "data/demo/sims.csv"
#define DEMO_GOLDEN_PRICE "pop-golden-number"
#define DEMO_CUSTOMERS "data/demo/customers.json"
#define DEMO_CUSTOMERS_FORMAT "bss-demo-customers/1"
#define DEMO_RECORDED_BY "demo data" /* recordedBy of the seeded consent decisions */
#define MAX_CATALOG_BYTES (64 << 20)

/* Documents of the kinds that make a catalog: offerings, prices, zone tables. */
static bss_err catalog_rows(bss_db *db, int64_t *rows, bss_errinfo *ei)
{
    static const bss_doc_kind *const kinds[] = {&bss_offering_kind, &bss_offering_price_kind,
                                                &bss_zone_table_kind};
    *rows = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        int64_t n = 0;
        bss_err rc = bss_doc_count(db, kinds[i], &n, ei);
        if (rc)
            return rc;
        *rows += n;
    }
    return BSS_OK;
}

/* The first readable candidate path of a demo file (rel: "data/demo/...") into path[cap]; false if none. */
static bool find_data(const char *rel, char *path, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char dir[PATH_MAX] = ".";
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(dir, sizeof dir, "%s", exe);
        }
    }
    const char *const ups[] = {"/../../", "/../"};
    for (size_t i = 0; i < 3; i++) {
        if (i < 2)
            snprintf(path, cap, "%s%s%s", dir, ups[i], rel);
        else
            snprintf(path, cap, "./%s", rel);
        if (access(path, R_OK) == 0)
            return true;
    }
    return false;
}

static bss_err load_file(const char *path, json_t **out, bss_errinfo *ei)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return bss_fail(ei, BSS_E_IO, NULL, "cannot read %s", path);
    char *buf = bss_malloc(MAX_CATALOG_BYTES);
    size_t len = buf ? fread(buf, 1, MAX_CATALOG_BYTES, f) : 0;
    fclose(f);
    if (!buf)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = len == MAX_CATALOG_BYTES ? bss_fail(ei, BSS_E_TOO_BIG, NULL, "%s is too large", path)
                                          : bss_json_parse(buf, len, out, ei);
    bss_free(buf);
    return rc;
}

static bss_err seed_catalog(bss_app *app, bss_errinfo *ei)
{
    char path[PATH_MAX + 64];
    if (!find_data(DEMO_CATALOG, path, sizeof path)) {
        bss_log(BSS_LOG_WARN, "demo.seed", "message",
                "demo: no " DEMO_CATALOG " found next to the binary or here; "
                "the catalog stays empty",
                NULL);
        return BSS_OK;
    }
    json_t *doc = NULL, *report = NULL;
    bss_err rc = load_file(path, &doc, ei);
    if (!rc)
        rc = bss_catalog_import_run(app, doc, false, app->base_url, NULL, &report, ei);
    json_decref(doc);
    if (rc) {
        bss_log(BSS_LOG_ERROR, "demo.seed", "file", path, "error", ei ? ei->message : "", "field",
                ei ? ei->field : "", NULL);
        return rc;
    }
    char created[32];
    snprintf(created, sizeof created, "%zu", json_array_size(json_object_get(report, "created")));
    json_decref(report);
    bss_log(BSS_LOG_INFO, "demo.seed", "message", "demo: catalog imported", "file", path, "created", created,
            NULL);
    return BSS_OK;
}

/* ---- customers ----------------------------------------------------------- */

typedef struct seed_kind {
    const char *member;       /* array of the file */
    const bss_doc_kind *kind; /* its name is the one of "updates" entries, errors and the log */
} seed_kind;

/* Creation order: what a document refers to comes first. */
static const seed_kind seed_kinds[] = {
    {"individuals", &bss_individual_kind},   {"organizations", &bss_organization_kind},
    {"customers", &bss_customer_kind},       {"billingAccounts", &bss_billing_account_kind},
    {"interactions", &bss_interaction_kind}, {"troubleTickets", &bss_ticket_kind},
    {"products", &bss_product_kind},
};
#define NSEED (sizeof seed_kinds / sizeof seed_kinds[0])

/* Tables the hooks of the seeded kinds read besides their own (references, bill structure). */
static const bss_doc_kind *const seed_also_read[] = {
    &bss_party_account_kind, &bss_financial_account_kind,  &bss_settlement_account_kind,
    &bss_bill_format_kind,   &bss_billing_cycle_spec_kind, &bss_bill_presentation_media_kind,
    &bss_offering_kind,      &bss_offering_price_kind,
};

typedef struct seed_job {
    const json_t *doc;
    int64_t now_ms;
    const char *base_url;
    size_t created[NSEED];
    size_t consents, updates;
} seed_job;

static const seed_kind *seed_kind_named(const char *kind)
{
    for (size_t i = 0; kind && i < NSEED; i++)
        if (strcmp(seed_kinds[i].kind->name, kind) == 0)
            return &seed_kinds[i];
    return NULL;
}

/*
 * A demo line runs on a number and a SIM of the demo inventory: both are put
 * in service for the product (a product whose number or card the inventory
 * does not hold, because the inventory was there before the demo, is left
 * as it is, with a warning).
 */
static bss_err seed_line_in_service(bss_db *db, int64_t now_ms, const char *id, const json_t *product,
                                    bss_errinfo *ei)
{
    if (!bss_product_is_live(json_string_value(json_object_get(product, "status"))))
        return BSS_OK;
    bss_inv_actor by = {.now_ms = now_ms};
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(product, "productCharacteristic"), i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *value = json_string_value(json_object_get(c, "value"));
        if (!name || !value || (strcmp(name, "MSISDN") != 0 && strcmp(name, "ICCID") != 0))
            continue;
        bss_err rc = bss_inv_activate(db, &by, value, NULL, id, ei);
        if (rc == BSS_E_NOT_FOUND) {
            bss_log(BSS_LOG_WARN, "demo.seed", "message", "demo: a line's number or SIM is not in the inventory",
                    "product", id, name, value, NULL);
            continue;
        }
        if (rc)
            return rc;
    }
    return BSS_OK;
}

/* Creates every document of one kind, with the id the file gives it. */
static bss_err seed_create_all(bss_db *db, seed_job *job, size_t k, bss_errinfo *ei)
{
    const seed_kind *sk = &seed_kinds[k];
    bss_doc_ctx ctx = {sk->kind, db, job->now_ms, job->base_url, NULL, NULL, "demo", false, NULL};
    size_t i;
    const json_t *want;
    json_array_foreach(json_object_get(job->doc, sk->member), i, want)
    {
        const char *id = json_string_value(json_object_get(want, "id"));
        json_t *out = NULL;
        bss_err rc = id && id[0] ? bss_doc_create(&ctx, id, want, &out, ei)
                                 : bss_fail(ei, BSS_E_INVALID, "id", "every demo document needs its id");
        if (!rc && sk->kind == &bss_product_kind)
            rc = seed_line_in_service(db, job->now_ms, id, out, ei);
        json_decref(out);
        if (rc)
            return bss_errinfo_at(ei, rc, sk->member, i, sk->kind->name, id);
        job->created[k]++;
    }
    return BSS_OK;
}

/* One consent decision {partyId, partyType, purpose, channel, granted, source, wordingVersion, note?}. */
static bss_err seed_consent(bss_db *db, int64_t now_ms, const json_t *c, bss_errinfo *ei)
{
    const char *party = json_string_value(json_object_get(c, "partyId"));
    const char *type = json_string_value(json_object_get(c, "partyType"));
    const bss_doc_kind *kind = NULL;
    if (type && strcmp(type, "individual") == 0)
        kind = &bss_individual_kind;
    else if (type && strcmp(type, "organization") == 0)
        kind = &bss_organization_kind;
    if (!kind)
        return bss_fail(ei, BSS_E_INVALID, "partyType", "partyType must be individual or organization");
    if (!party)
        return bss_fail(ei, BSS_E_INVALID, "partyId", "partyId is required");
    bss_consent_input in;
    bss_err rc = bss_consent_parse(c, &in, ei);
    if (rc)
        return rc;
    in.party_id = party;
    in.recorded_by = DEMO_RECORDED_BY;
    return bss_consent_decide(db, kind, now_ms, &in, NULL, ei); /* the party must exist, as on the route */
}

/* The merge patches of "updates" [{kind, id, patch}], in order. */
static bss_err seed_updates(bss_db *db, seed_job *job, bss_errinfo *ei)
{
    size_t i;
    const json_t *u;
    json_array_foreach(json_object_get(job->doc, "updates"), i, u)
    {
        const char *kind = json_string_value(json_object_get(u, "kind"));
        const char *id = json_string_value(json_object_get(u, "id"));
        const json_t *patch = json_object_get(u, "patch");
        const seed_kind *sk = seed_kind_named(kind);
        bss_err rc;
        if (!sk)
            rc = bss_fail(ei, BSS_E_INVALID, "kind", "unknown kind %.64s", kind ? kind : "(none)");
        else if (!id || !json_is_object(patch))
            rc = bss_fail(ei, BSS_E_INVALID, id ? "patch" : "id", "an update needs an id and a patch object");
        else {
            bss_doc_ctx ctx = {sk->kind, db, job->now_ms, job->base_url, NULL, NULL, "demo", false, NULL};
            json_t *out = NULL;
            rc = bss_doc_patch(&ctx, id, patch, &out, ei);
            json_decref(out);
        }
        if (rc)
            return bss_errinfo_at(ei, rc, "updates", i, kind ? kind : "update", id);
        job->updates++;
    }
    return BSS_OK;
}

/* The writer job: everything in one transaction. A batch retry runs it again from the start. */
static bss_err seed_job_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    seed_job *job = arg;
    memset(job->created, 0, sizeof job->created);
    job->consents = job->updates = 0;
    bss_err rc = BSS_OK;
    for (size_t k = 0; !rc && k < NSEED; k++)
        rc = seed_create_all(db, job, k, ei);
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(job->doc, "consents"), i, c)
    {
        if (rc)
            break;
        rc = seed_consent(db, job->now_ms, c, ei);
        if (rc)
            rc = bss_errinfo_at(ei, rc, "consents", i, "consent of",
                                json_string_value(json_object_get(c, "partyId")));
        else
            job->consents++;
    }
    return rc ? rc : seed_updates(db, job, ei);
}

/* The shape of the file: its format and arrays where arrays belong. */
static bss_err seed_validate(const json_t *doc, bss_errinfo *ei)
{
    const char *format = json_string_value(json_object_get(doc, "format"));
    if (!json_is_object(doc) || !format || strcmp(format, DEMO_CUSTOMERS_FORMAT) != 0)
        return bss_fail(ei, BSS_E_INVALID, "format", "not a %s file", DEMO_CUSTOMERS_FORMAT);
    for (size_t k = 0; k <= NSEED + 1; k++) {
        const char *member = k < NSEED ? seed_kinds[k].member : k == NSEED ? "consents" : "updates";
        const json_t *v = json_object_get(doc, member);
        if (v && !json_is_array(v))
            return bss_fail(ei, BSS_E_INVALID, member, "%s must be an array", member);
    }
    for (size_t k = 0; k < NSEED; k++)
        if (bss_resource_table_prepare(seed_kinds[k].kind->table) != BSS_OK)
            return bss_fail(ei, BSS_E_INTERNAL, NULL, "cannot prepare the %s table",
                            seed_kinds[k].kind->name);
    for (size_t k = 0; k < sizeof seed_also_read / sizeof seed_also_read[0]; k++)
        if (bss_resource_table_prepare(seed_also_read[k]->table) != BSS_OK)
            return bss_fail(ei, BSS_E_INTERNAL, NULL, "cannot prepare the %s table", seed_also_read[k]->name);
    return BSS_OK;
}

static void log_seeded(const char *path, const seed_job *job)
{
    char counts[NSEED][24], consents[24], updates[24];
    for (size_t k = 0; k < NSEED; k++)
        snprintf(counts[k], sizeof counts[k], "%zu", job->created[k]);
    snprintf(consents, sizeof consents, "%zu", job->consents);
    snprintf(updates, sizeof updates, "%zu", job->updates);
    bss_log(BSS_LOG_INFO, "demo.seed", "message", "demo: customers seeded", "file", path, "individuals",
            counts[0], "organizations", counts[1], "customers", counts[2], "billingAccounts", counts[3],
            "interactions", counts[4], "troubleTickets", counts[5], "products", counts[6], "consents", consents,
            "updates", updates, NULL);
}

static bss_err seed_customers(bss_app *app, bss_errinfo *ei)
{
    char path[PATH_MAX + 64];
    if (!find_data(DEMO_CUSTOMERS, path, sizeof path)) {
        bss_log(BSS_LOG_WARN, "demo.seed", "message",
                "demo: no " DEMO_CUSTOMERS " found next to the binary or here; no customers seeded", NULL);
        return BSS_OK;
    }
    if (!app->writer)
        return bss_fail(ei, BSS_E_INTERNAL, NULL, "seeding the demo customers needs the writer");
    json_t *doc = NULL;
    bss_err rc = load_file(path, &doc, ei);
    if (!rc)
        rc = seed_validate(doc, ei);
    seed_job job = {doc, bss_clock_now(&app->clock), app->base_url, {0}, 0, 0};
    if (!rc)
        rc = bss_writer_run(app->writer, seed_job_run, &job, ei);
    json_decref(doc);
    if (rc) {
        bss_log(BSS_LOG_ERROR, "demo.seed", "file", path, "error", ei ? ei->message : "", "field",
                ei ? ei->field : "", NULL);
        return rc;
    }
    log_seeded(path, &job);
    return BSS_OK;
}

/* ---- inventory ------------------------------------------------------------ */

static const struct {
    const char *from, *to, *category;
} demo_ranges[] = {
    {"+31610000000", "+31610001999", "standard"},
    {"+31655550000", "+31655550049", "golden"},
};

typedef struct inv_seed {
    bss_app *app;
    const char *csv;
    size_t len;
    int64_t now_ms;
    int64_t sims, numbers;
} inv_seed;

static bss_err inv_seed_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    inv_seed *s = arg;
    bss_inv_config cfg = {.seal = &s->app->secrets,
                          .keys = strcmp(s->app->cfg.sim_keys, "hss") == 0 ? BSS_SIM_KEYS_HSS : BSS_SIM_KEYS_STORE};
    bss_inv_actor by = {.now_ms = s->now_ms};
    bss_inv_import in = {.data = s->csv, .len = s->len};
    json_t *out = NULL;
    s->sims = s->numbers = 0;
    bss_err rc = bss_inv_sim_import(db, &cfg, &by, &in, &out, ei);
    s->sims = json_integer_value(json_object_get(out, "imported"));
    json_decref(out);
    bool priced = false;
    if (rc == BSS_OK && (rc = bss_doc_exists(db, &bss_offering_price_kind, DEMO_GOLDEN_PRICE, &priced, ei)) == BSS_OK)
        rc = bss_inv_category_put(db, &by, "golden", priced ? DEMO_GOLDEN_PRICE : NULL,
                                  "numbers that are easy to remember", &out, ei);
    json_decref(out);
    for (size_t i = 0; rc == BSS_OK && i < sizeof demo_ranges / sizeof demo_ranges[0]; i++) {
        out = NULL;
        rc = bss_inv_range_add(db, &by, demo_ranges[i].from, demo_ranges[i].to, demo_ranges[i].category, &out, ei);
        s->numbers += json_integer_value(json_object_get(out, "size"));
        json_decref(out);
    }
    return rc;
}

static bss_err seed_inventory(bss_app *app, bss_errinfo *ei)
{
    char path[PATH_MAX + 64];
    if (!find_data(DEMO_SIMS, path, sizeof path)) {
        bss_log(BSS_LOG_WARN, "demo.seed", "message",
                "demo: no " DEMO_SIMS " found next to the binary or here; no inventory seeded", NULL);
        return BSS_OK;
    }
    FILE *f = fopen(path, "rb");
    char *buf = f ? bss_malloc(1 << 20) : NULL;
    size_t len = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    if (f)
        fclose(f);
    if (!buf)
        return bss_fail(ei, BSS_E_IO, DEMO_SIMS, "cannot read %s", path);
    inv_seed s = {.app = app, .csv = buf, .len = len, .now_ms = bss_clock_now(&app->clock)};
    bss_err rc = bss_writer_run(app->writer, inv_seed_run, &s, ei);
    bss_free(buf);
    if (rc) {
        bss_log(BSS_LOG_ERROR, "demo.seed", "file", path, "error", ei ? ei->message : "", "field",
                ei ? ei->field : "", NULL);
        return rc;
    }
    char sims[24], numbers[24];
    snprintf(sims, sizeof sims, "%lld", (long long)s.sims);
    snprintf(numbers, sizeof numbers, "%lld", (long long)s.numbers);
    bss_log(BSS_LOG_INFO, "demo.seed", "message", "demo: inventory seeded", "file", path, "sims", sims, "numbers",
            numbers, NULL);
    return BSS_OK;
}

/* ---- balances --------------------------------------------------------------- */

#define DEMO_WALLET_CATEGORY "cat-prepaid"
#define DEMO_WALLET_MICROS (INT64_C(10) * 1000000) /* each prepaid line starts with 10.00 of credit */

typedef struct bal_seed {
    int64_t now_ms;
    int buckets, wallets;
} bal_seed;

static bss_err bal_seed_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    bal_seed *s = arg;
    bss_catalog *cat = NULL;
    bss_err rc = bss_catalog_build(db, &cat, ei);
    if (rc == BSS_OK)
        rc = bss_charging_seed(db, cat, s->now_ms, DEMO_WALLET_CATEGORY, DEMO_WALLET_MICROS, &s->buckets, &s->wallets,
                               ei);
    int specs = 0;
    if (rc == BSS_OK)
        rc = bss_usage_seed_specs(db, s->now_ms, &specs, ei);
    bss_catalog_free(cat);
    return rc;
}

/* The demo lines' buckets (their allowances) and the prepaid lines' wallets. */
static bss_err seed_balances(bss_app *app, bss_errinfo *ei)
{
    bal_seed s = {.now_ms = bss_clock_now(&app->clock)};
    bss_err rc = bss_writer_run(app->writer, bal_seed_run, &s, ei);
    if (rc != BSS_OK) {
        bss_log(BSS_LOG_ERROR, "demo.seed", "message", "demo: balances not seeded", "error", ei ? ei->message : "",
                NULL);
        return rc;
    }
    char b[16], w[16];
    snprintf(b, sizeof b, "%d", s.buckets);
    snprintf(w, sizeof w, "%d", s.wallets);
    bss_log(BSS_LOG_INFO, "demo.seed", "message", "demo: balances seeded", "buckets", b, "wallets", w, NULL);
    return BSS_OK;
}


/* ---- a month of usage ------------------------------------------------------ */

#define DAY_MS INT64_C(86400000)

typedef struct demo_line {
    char msisdn[16];
    bool prepaid;
    int64_t from_ms; /* the account's current bill period start, or the window's */
} demo_line;

typedef struct line_scan {
    bss_db *db;
    demo_line *lines;
    size_t n, cap;
    int64_t now_ms, window_ms;
} line_scan;

static bss_err demo_line_row(const bss_res_row *row, void *arg)
{
    line_scan *ls = arg;
    json_t *p = NULL;
    if (ls->n >= ls->cap || bss_json_parse(row->doc, row->doc_len, &p, NULL) != BSS_OK)
        return BSS_OK;
    const char *num = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(p, "productCharacteristic"), i, c)
    {
        const char *n = json_string_value(json_object_get(c, "name"));
        if (n && strcmp(n, "MSISDN") == 0)
            num = json_string_value(json_object_get(c, "value"));
    }
    const char *off = json_string_value(json_object_get(json_object_get(p, "productOffering"), "id"));
    const char *acc = json_string_value(json_object_get(json_object_get(p, "billingAccount"), "id"));
    if (num && off && acc) {
        demo_line *l = &ls->lines[ls->n++];
        snprintf(l->msisdn, sizeof l->msisdn, "%s", num[0] == '+' ? num + 1 : num);
        l->prepaid = strncmp(off, "po-prepaid", 10) == 0;
        int day = 1;
        json_t *a = NULL;
        if (bss_doc_load(ls->db, &bss_billing_account_kind, acc, &a, NULL, NULL) == BSS_OK) {
            json_t *d = json_object_get(a, "billCycleDay");
            if (json_is_integer(d) && json_integer_value(d) >= 1 && json_integer_value(d) <= 28)
                day = (int)json_integer_value(d);
        }
        json_decref(a);
        int64_t start = 0, end = 0;
        bss_bill_period(ls->now_ms, day, &start, &end);
        l->from_ms = start > ls->now_ms - ls->window_ms ? start : ls->now_ms - ls->window_ms;
    }
    json_decref(p);
    return BSS_OK;
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

typedef struct usage_seed {
    bss_app *app;
    bss_db *db;
    const bss_catalog *cat;
    bss_usage_batch *b;
    int64_t now_ms;
    int64_t records, rated;
} usage_seed;

static bss_err flush_batch(usage_seed *u, bss_errinfo *ei)
{
    if (!u->b || bss_usage_batch_count(u->b) == 0)
        return BSS_OK;
    bss_err rc = bss_usage_batch_prepare(u->b, u->db, ei);
    if (rc == BSS_OK)
        rc = bss_writer_run(u->app->writer, bss_usage_batch_commit, u->b, ei);
    if (rc == BSS_OK) {
        bss_usage_totals t;
        bss_usage_batch_totals(u->b, &t);
        u->records += t.records;
        u->rated += t.rated;
    }
    bss_usage_batch_free(u->b);
    bss_usage_env env = {.now_ms = u->now_ms, .source = "cdr", .source_ref = "demo", .base_url = u->app->base_url};
    u->b = bss_usage_batch_new(u->cat, &env);
    return rc == BSS_OK && !u->b ? bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory") : rc;
}

static bss_err add_event(usage_seed *u, const char *id, int64_t at, const char *msisdn, bss_cdr_service svc,
                         const char *dest, int64_t qty, const char *plmn, bss_errinfo *ei)
{
    if (bss_usage_batch_count(u->b) >= BSS_USAGE_BATCH_MAX) {
        bss_err rc = flush_batch(u, ei);
        if (rc != BSS_OK)
            return rc;
    }
    bss_usage_rec r = {.id = id, .start_ms = at, .msisdn = msisdn, .service = svc, .destination = dest,
                       .quantity = qty, .rating_group = -1, .visited_plmn = plmn};
    return bss_usage_batch_add(u->b, &r, ei);
}

/* One line's days: calls, SMS and data, lighter on prepaid lines; now and then a day abroad (234-15). */
static bss_err line_usage(usage_seed *u, const demo_line *l, bss_errinfo *ei)
{
    uint64_t s = 88172645463325252u;
    for (const char *c = l->msisdn; *c; c++)
        s = (s ^ (uint64_t)*c) * 1099511628211u;
    int n = 0;
    bss_err rc = BSS_OK;
    for (int64_t day = l->from_ms - l->from_ms % DAY_MS; rc == BSS_OK && day < u->now_ms; day += DAY_MS) {
        bool abroad = !l->prepaid && rnd(&s) % 20 == 0;
        int calls = l->prepaid ? (rnd(&s) % 3 == 0) : (int)(rnd(&s) % 4);
        int sms = (int)(rnd(&s) % (l->prepaid ? 2 : 4));
        int data = l->prepaid ? (rnd(&s) % 2 == 0) : 1 + (int)(rnd(&s) % 2);
        for (int k = 0; rc == BSS_OK && k < calls + sms + data; k++) {
            int64_t at = day + (8 + (int64_t)(rnd(&s) % 13)) * 3600000 + (int64_t)(rnd(&s) % 3600) * 1000;
            if (at < l->from_ms || at > u->now_ms - 3600000)
                continue;
            char id[64], dest[24] = "";
            snprintf(id, sizeof id, "demo-%s-%d", l->msisdn, n++);
            uint64_t r = rnd(&s);
            if (k < calls) {
                if (r % 10 < 6)
                    snprintf(dest, sizeof dest, "316%08llu", (unsigned long long)(rnd(&s) % 100000000));
                else if (r % 10 < 9)
                    snprintf(dest, sizeof dest, "3120%07llu", (unsigned long long)(rnd(&s) % 10000000));
                else
                    snprintf(dest, sizeof dest, "336%08llu", (unsigned long long)(rnd(&s) % 100000000));
                int64_t secs = l->prepaid ? 30 + (int64_t)(rnd(&s) % 90) : 20 + (int64_t)(rnd(&s) % 400);
                rc = add_event(u, id, at, l->msisdn, BSS_CDR_VOICE, dest, secs, abroad ? "234-15" : "", ei);
            } else if (k < calls + sms) {
                snprintf(dest, sizeof dest, "316%08llu", (unsigned long long)(rnd(&s) % 100000000));
                rc = add_event(u, id, at, l->msisdn, BSS_CDR_SMS, dest, 1, abroad ? "234-15" : "", ei);
            } else {
                int64_t mb = l->prepaid ? 1 + (int64_t)(rnd(&s) % 5) : 5 + (int64_t)(rnd(&s) % 75);
                rc = add_event(u, id, at, l->msisdn, BSS_CDR_DATA, "", mb * 1048576, abroad ? "234-15" : "", ei);
            }
        }
    }
    return rc;
}

/* --demo-usage DAYS: the demo lines' usage of the last DAYS days of their current bill period, as CDRs. */
static bss_err seed_usage(bss_app *app, bss_errinfo *ei)
{
    if (app->cfg.demo_usage_days <= 0)
        return BSS_OK;
    usage_seed u = {.app = app, .now_ms = bss_clock_now(&app->clock)};
    bss_err rc = bss_db_open(app->cfg.db_url, &app->dbopt, &u.db, ei);
    if (rc != BSS_OK)
        return rc;
    bss_catalog *cat = NULL;
    rc = bss_catalog_build(u.db, &cat, ei);
    u.cat = cat;
    line_scan ls = {.db = u.db, .cap = 2000, .now_ms = u.now_ms, .window_ms = app->cfg.demo_usage_days * DAY_MS};
    ls.lines = bss_calloc(ls.cap, sizeof *ls.lines);
    if (rc == BSS_OK && !ls.lines)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_res_table *t = bss_product_kind.table;
    bss_res_filter f = {.column = bss_resource_column_of(t, "status"), .op = BSS_RES_EQ, .nvalues = 1};
    f.values[0] = BSS_DB_STRN("active", 6);
    if (rc == BSS_OK)
        rc = bss_resource_list(u.db, t, &f, 1, 0, -1, NULL, demo_line_row, &ls, ei);
    bss_usage_env env = {.now_ms = u.now_ms, .source = "cdr", .source_ref = "demo", .base_url = app->base_url};
    if (rc == BSS_OK && !(u.b = bss_usage_batch_new(cat, &env)))
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    for (size_t i = 0; rc == BSS_OK && i < ls.n; i++)
        rc = line_usage(&u, &ls.lines[i], ei);
    if (rc == BSS_OK)
        rc = flush_batch(&u, ei);
    bss_usage_batch_free(u.b);
    bss_free(ls.lines);
    bss_catalog_free(cat);
    bss_db_close(u.db);
    if (rc != BSS_OK) {
        bss_log(BSS_LOG_ERROR, "demo.seed", "message", "demo: usage not seeded", "error", ei ? ei->message : "", NULL);
        return rc;
    }
    char n[24], r[24];
    snprintf(n, sizeof n, "%lld", (long long)u.records);
    snprintf(r, sizeof r, "%lld", (long long)u.rated);
    bss_log(BSS_LOG_INFO, "demo.seed", "message", "demo: usage seeded", "records", n, "rated", r, NULL);
    return BSS_OK;
}

/* ---- entry ---------------------------------------------------------------- */

/* What the store holds already: catalog rows (catalog_rows) and customers. */
static bss_err store_rows(bss_app *app, int64_t *catalog, int64_t *customers, int64_t *inventory, bss_errinfo *ei)
{
    bss_db *db = NULL;
    bss_err rc = bss_db_open(app->cfg.db_url, &app->dbopt, &db, ei);
    if (rc != BSS_OK)
        return rc;
    rc = catalog_rows(db, catalog, ei);
    if (!rc)
        rc = bss_doc_count(db, &bss_customer_kind, customers, ei);
    json_t *stats = NULL;
    bss_inv_config cfg = {.warn_left = 0};
    if (!rc)
        rc = bss_inv_stats(db, &cfg, 0, &stats, ei);
    *inventory = json_integer_value(json_object_get(json_object_get(stats, "sims"), "total")) +
                 json_integer_value(json_object_get(json_object_get(stats, "msisdns"), "total"));
    json_decref(stats);
    bss_db_close(db);
    return rc;
}

bss_err bss_demo_seed(bss_app *app, bss_errinfo *ei)
{
    int64_t catalog = 0, customers = 0, inventory = 0;
    bss_err rc = store_rows(app, &catalog, &customers, &inventory, ei);
    if (rc != BSS_OK)
        return rc;
    if (catalog > 0)
        bss_log(BSS_LOG_INFO, "demo.seed", "message", "demo: the store already holds a catalog; left alone",
                NULL);
    else if ((rc = seed_catalog(app, ei)) != BSS_OK)
        return rc;
    if (inventory > 0)
        bss_log(BSS_LOG_INFO, "demo.seed", "message", "demo: the store already holds an inventory; left alone",
                NULL);
    else if ((rc = seed_inventory(app, ei)) != BSS_OK)
        return rc;
    if (customers > 0) {
        char n[24];
        snprintf(n, sizeof n, "%lld", (long long)customers);
        bss_log(BSS_LOG_INFO, "demo.seed", "message", "demo: the store already holds customers; left alone",
                "customers", n, NULL);
        return BSS_OK;
    }
    rc = seed_customers(app, ei);
    if (rc == BSS_OK)
        rc = seed_balances(app, ei);
    return rc == BSS_OK ? seed_usage(app, ei) : rc;
}
