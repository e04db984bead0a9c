/*
 * custtest.h: the fixture of the customer and account tests
 * (test_customer_res.c, test_account.c): a migrated store (SQLite, and
 * PostgreSQL when configured, via db/dbtest.h), parties
 * inserted straight into the TMF632 tables, and the write paths of
 * doc/doc.h run inside a transaction as the writer would, with the
 * kind's after_store hook (run by doc/doc.c).
 */
#ifndef BSS_TESTS_UNIT_CUSTOMER_CUSTTEST_H
#define BSS_TESTS_UNIT_CUSTOMER_CUSTTEST_H

#include "db/dbtest.h"

#include "doc/doc.h"
#include "core/json.h"
#include "customer/customer.h"
#include "db/migrate.h"
#include "unittest.h"

#define NOW INT64_C(1767225600000) /* 2026-01-01T00:00:00.000Z */

/* The setups of the store tests: dbtest's fixture, migrated at NOW. */
static inline int setup_sqlite_store(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_sqlite, NOW);
}
static inline int setup_pg_store(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_pg, NOW);
}

/* A party row as party.c would store it (only id and doc matter here). */
static inline void add_party(bss_db *db, const char *table_is_org, const char *id)
{
    bss_errinfo ei;
    const char *sql = table_is_org
                          ? "INSERT INTO tmf632_organization (id, doc, created_ms, updated_ms, row_version) "
                            "VALUES (?, '{}', 0, 0, 1)"
                          : "INSERT INTO tmf632_individual (id, doc, created_ms, updated_ms, row_version) "
                            "VALUES (?, '{}', 0, 0, 1)";
    if (bss_db_exec(db, sql, BSS_DB_ARGS(BSS_DB_STR(id)), NULL, &ei) != BSS_OK)
        fail_msg("add party %s: %s", id, ei.message);
}

static inline bss_err tx_end(bss_db *db, bss_err rc)
{
    bss_errinfo ei;
    if (rc == BSS_OK)
        assert_int_equal(bss_db_commit(db, &ei), BSS_OK);
    else
        bss_db_rollback(db);
    return rc;
}

/* Creates (id given) or patches (patch true) a document of res at now, by who (may be NULL); out may be NULL.
 */
static inline bss_err write_doc_as(bss_db *db, const bss_doc_kind *res, const char *id, bool patch,
                                   int64_t now, const bss_principal *who, const char *text, json_t **out,
                                   bss_errinfo *ei)
{
    bss_doc_ctx ctx = {res, db, now, "http://h", who, NULL, NULL, false, NULL};
    json_t *body = js(text), *doc = NULL;
    bss_errinfo_clear(ei);
    assert_int_equal(bss_db_begin(db, ei), BSS_OK);
    bss_err rc = patch ? bss_doc_patch(&ctx, id, body, &doc, ei) : bss_doc_create(&ctx, id, body, &doc, ei);
    rc = tx_end(db, rc);
    json_decref(body);
    if (out)
        *out = doc;
    else
        json_decref(doc);
    return rc;
}

/* write_doc_as at NOW with no principal. */
static inline bss_err write_doc(bss_db *db, const bss_doc_kind *res, const char *id, bool patch,
                                const char *text, json_t **out, bss_errinfo *ei)
{
    return write_doc_as(db, res, id, patch, NOW, NULL, text, out, ei);
}

static inline json_t *must_create(bss_db *db, const bss_doc_kind *res, const char *id, const char *text)
{
    bss_errinfo ei;
    json_t *doc = NULL;
    bss_err rc = write_doc(db, res, id, false, text, &doc, &ei);
    if (rc)
        fail_msg("create %s: %s %s (%s)", text, bss_errname(rc), ei.message, ei.field);
    return doc;
}

/* Asserts that a write fails with code, naming field (when not NULL) and saying needle (when not NULL). */
static inline void expect_fail(bss_db *db, const bss_doc_kind *res, const char *id, bool patch,
                               const char *text, bss_err code, const char *field, const char *needle)
{
    bss_errinfo ei;
    bss_err rc = write_doc(db, res, id, patch, text, NULL, &ei);
    if (rc != code)
        fail_msg("%s: want %s, got %s (%s)", text, bss_errname(code), bss_errname(rc), ei.message);
    if (field && strcmp(ei.field, field) != 0)
        fail_msg("%s: want field %s, got %s (%s)", text, field, ei.field, ei.message);
    if (needle && !strstr(ei.message, needle))
        fail_msg("%s: message '%s' lacks '%s'", text, ei.message, needle);
}

static inline const char *str_at(const json_t *doc, const char *path)
{
    const char *s = json_string_value(bss_json_path(doc, path));
    return s ? s : "(none)";
}

#endif
