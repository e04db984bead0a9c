/*
 * partytest.h: the fixture of the party tests (test_party.c,
 * test_consent.c): a migrated store (SQLite, and PostgreSQL when
 * configured, via db/dbtest.h) and the TMF write paths of
 * doc/doc.h run in a transaction as the writer would.
 */
#ifndef BSS_TESTS_UNIT_CUSTOMER_PARTYTEST_H
#define BSS_TESTS_UNIT_CUSTOMER_PARTYTEST_H

#include "db/dbtest.h"

#include "doc/doc.h"
#include "core/json.h"
#include "customer/customer.h"
#include "db/migrate.h"

#define PT_NOW INT64_C(1767225600000) /* 2026-01-01T00:00:00.000Z */

static inline json_t *pt_js(const char *text)
{
    json_t *v = NULL;
    bss_errinfo ei;
    if (bss_json_parse(text, strlen(text), &v, &ei) != BSS_OK)
        fail_msg("%s: %s", text, ei.message);
    return v;
}

/* The setups of the store tests: dbtest's fixture, migrated at PT_NOW. */
static inline int pt_setup_sqlite(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_sqlite, PT_NOW);
}
static inline int pt_setup_pg(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_pg, PT_NOW);
}

/* Creates (patch false) or patches a document of res in one transaction; out may be NULL. */
static inline bss_err pt_write(bss_db *db, const bss_doc_kind *res, const char *id, bool patch,
                               const char *text, json_t **out, bss_errinfo *ei)
{
    bss_doc_ctx ctx = {res, db, PT_NOW, "http://h", NULL, NULL, NULL, false, NULL};
    json_t *body = pt_js(text), *doc = NULL;
    bss_errinfo_clear(ei);
    assert_int_equal(bss_db_begin(db, ei), BSS_OK);
    bss_err rc = patch ? bss_doc_patch(&ctx, id, body, &doc, ei) : bss_doc_create(&ctx, id, body, &doc, ei);
    if (rc == BSS_OK) {
        bss_errinfo cei;
        assert_int_equal(bss_db_commit(db, &cei), BSS_OK);
    } else {
        bss_db_rollback(db);
    }
    json_decref(body);
    if (out)
        *out = doc;
    else
        json_decref(doc);
    return rc;
}

static inline void pt_expect(bss_db *db, const bss_doc_kind *res, const char *id, bool patch,
                             const char *text, bss_err code, const char *field)
{
    bss_errinfo ei;
    bss_err rc = pt_write(db, res, id, patch, text, NULL, &ei);
    if (rc != code)
        fail_msg("%s: want %s, got %s (%s)", text, bss_errname(code), bss_errname(rc), ei.message);
    if (field && strcmp(ei.field, field) != 0)
        fail_msg("%s: want field %s, got %s (%s)", text, field, ei.field, ei.message);
}

#endif
