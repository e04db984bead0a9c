/*
 * test_ticket.c: TMF621 trouble tickets (src/customer/ticket.c): the SLA
 * table and the status transitions as pure functions, then on a migrated
 * store (SQLite and, via db/dbtest.h, PostgreSQL) through the write
 * paths of doc/doc.h: required members, severity -> expectedResolutionDate,
 * illegal transitions (STATE), statusChange history, assignment on
 * inProgress, notes appended, references checked, export and erasure.
 */
#include "customer/custtest.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

static const bss_doc_kind *const T = &bss_ticket_kind;
static const bss_principal agent = {.key_id = "key-agent-1", .name = "Alice Agent", .role = BSS_ROLE_AGENT};

/* A write as the writer runs it, by the agent key, at time now. */
static bss_err wr(bss_db *db, const char *id, bool patch, int64_t now, const char *text, json_t **out,
                  bss_errinfo *ei)
{
    return write_doc_as(db, T, id, patch, now, &agent, text, out, ei);
}

static void ok(bss_db *db, const char *id, bool patch, int64_t now, const char *text, json_t **out)
{
    bss_errinfo ei;
    bss_err rc = wr(db, id, patch, now, text, out, &ei);
    if (rc != BSS_OK)
        fail_msg("%s: %s %s (%s)", text, bss_errname(rc), ei.message, ei.field);
}

static void bad(bss_db *db, const char *id, bool patch, const char *text, bss_err code, const char *field)
{
    bss_errinfo ei;
    bss_err rc = wr(db, id, patch, NOW, text, NULL, &ei);
    if (rc != code || strcmp(ei.field, field) != 0)
        fail_msg("%s: want %s (%s), got %s (%s) %s", text, bss_errname(code), field, bss_errname(rc),
                 ei.field, ei.message);
}

static void test_sla_table(void **state)
{
    (void)state;
    assert_int_equal(bss__ticket_sla_ms("critical"), 4 * 3600 * 1000LL);
    assert_int_equal(bss__ticket_sla_ms("Major"), 24 * 3600 * 1000LL);
    assert_int_equal(bss__ticket_sla_ms("minor"), 72 * 3600 * 1000LL);
    assert_int_equal(bss__ticket_sla_ms("LOW"), 7 * 24 * 3600 * 1000LL);
    assert_int_equal(bss__ticket_sla_ms("urgent"), -1);
    assert_int_equal(bss__ticket_sla_ms(NULL), -1);
}

static void test_transitions(void **state)
{
    (void)state;
    static const char *const ok_pairs[][2] = {
        {"acknowledged", "inProgress"}, {"inProgress", "pending"}, {"pending", "inProgress"},
        {"inProgress", "resolved"},     {"pending", "resolved"},   {"resolved", "inProgress"},
        {"resolved", "closed"},         {"closed", "closed"},
    };
    static const char *const bad_pairs[][2] = {
        {"acknowledged", "resolved"}, {"acknowledged", "closed"},     {"inProgress", "closed"},
        {"pending", "closed"},        {"closed", "inProgress"},       {"closed", "resolved"},
        {"resolved", "pending"},      {"inProgress", "acknowledged"}, {"open", "closed"},
    };
    for (size_t i = 0; i < sizeof ok_pairs / sizeof ok_pairs[0]; i++)
        assert_true(bss__ticket_transition_ok(ok_pairs[i][0], ok_pairs[i][1]));
    for (size_t i = 0; i < sizeof bad_pairs / sizeof bad_pairs[0]; i++)
        assert_false(bss__ticket_transition_ok(bad_pairs[i][0], bad_pairs[i][1]));
}

#define BASE "\"description\":\"No data since Monday\",\"ticketType\":\"complaint\""

static void test_create_rules(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    bad(db, "t1", false, "{\"ticketType\":\"complaint\",\"severity\":\"major\"}", BSS_E_INVALID,
        "description");
    bad(db, "t1", false, "{\"description\":\"x\",\"ticketType\":\"complaint\"}", BSS_E_INVALID, "severity");
    bad(db, "t1", false, "{" BASE ",\"severity\":\"urgent\"}", BSS_E_INVALID, "severity");
    bad(db, "t1", false, "{\"description\":\"x\",\"severity\":\"major\",\"ticketType\":\"\"}", BSS_E_INVALID,
        "ticketType");
    bad(db, "t1", false, "{" BASE ",\"severity\":\"major\",\"status\":\"inProgress\"}", BSS_E_STATE,
        "status");
    bad(db, "t1", false, "{" BASE ",\"severity\":\"major\",\"status\":\"done\"}", BSS_E_INVALID, "status");
    bad(db, "t1", false, "{" BASE ",\"severity\":\"major\",\"note\":[{\"author\":\"x\"}]}", BSS_E_INVALID,
        "note[0].text");
    bad(db, "t1", false,
        "{" BASE ",\"severity\":\"major\",\"relatedEntity\":[{\"@referredType\":\"Product\"}]}",
        BSS_E_INVALID, "relatedEntity[0].id");
    bad(db, "t1", false,
        "{" BASE
        ",\"severity\":\"major\",\"relatedParty\":[{\"id\":\"nobody\",\"@referredType\":\"Customer\"}]}",
        BSS_E_UNPROCESSABLE, "relatedParty[0].id");
    json_t *doc = NULL;
    ok(db, "t1", false, NOW,
       "{" BASE ",\"severity\":\"Critical\",\"expectedResolutionDate\":\"2030-01-01T00:00:00Z\"}", &doc);
    assert_string_equal(str_at(doc, "severity"), "critical");
    assert_string_equal(str_at(doc, "status"), "acknowledged");
    assert_string_equal(str_at(doc, "creationDate"), "2026-01-01T00:00:00.000Z");
    assert_string_equal(str_at(doc, "expectedResolutionDate"), "2026-01-01T04:00:00.000Z");
    assert_int_equal(json_array_size(json_object_get(doc, "statusChange")), 1);
    assert_string_equal(str_at(json_array_get(json_object_get(doc, "statusChange"), 0), "status"),
                        "acknowledged");
    json_decref(doc);
    /* a later severity change recomputes the due time from creation */
    ok(db, "t1", true, NOW + 3600000, "{\"severity\":\"low\"}", &doc);
    assert_string_equal(str_at(doc, "expectedResolutionDate"), "2026-01-08T00:00:00.000Z");
    assert_string_equal(str_at(doc, "creationDate"), "2026-01-01T00:00:00.000Z");
    json_decref(doc);
}

static void test_lifecycle(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    json_t *doc = NULL;
    ok(db, "t1", false, NOW, "{" BASE ",\"severity\":\"minor\"}", NULL);
    bad(db, "t1", true, "{\"status\":\"resolved\"}", BSS_E_STATE, "status");
    bad(db, "t1", true, "{\"status\":\"closed\"}", BSS_E_STATE, "status");
    ok(db, "t1", true, NOW + 1000, "{\"status\":\"inProgress\"}", &doc);
    /* the agent who took it is the assignee */
    const json_t *rp = json_array_get(json_object_get(doc, "relatedParty"), 0);
    assert_string_equal(str_at(rp, "role"), "assignee");
    assert_string_equal(str_at(rp, "name"), "Alice Agent");
    json_decref(doc);
    ok(db, "t1", true, NOW + 2000, "{\"status\":\"pending\",\"statusChangeReason\":\"waiting for customer\"}",
       NULL);
    ok(db, "t1", true, NOW + 3000, "{\"status\":\"inProgress\"}", NULL);
    ok(db, "t1", true, NOW + 4000, "{\"status\":\"resolved\"}", &doc);
    assert_string_equal(str_at(doc, "resolutionDate"), "2026-01-01T00:00:04.000Z");
    json_decref(doc);
    ok(db, "t1", true, NOW + 5000, "{\"status\":\"inProgress\"}", &doc); /* reopened */
    assert_null(json_object_get(doc, "resolutionDate"));
    json_decref(doc);
    ok(db, "t1", true, NOW + 6000, "{\"status\":\"resolved\"}", NULL);
    ok(db, "t1", true, NOW + 7000, "{\"status\":\"closed\",\"statusChange\":[]}", &doc);
    const json_t *hist = json_object_get(doc, "statusChange");
    assert_int_equal(json_array_size(hist), 8);
    assert_string_equal(str_at(json_array_get(hist, 2), "changeReason"), "waiting for customer");
    assert_string_equal(str_at(json_array_get(hist, 7), "status"), "closed");
    assert_string_equal(str_at(doc, "statusChangeDate"), "2026-01-01T00:00:07.000Z");
    json_decref(doc);
    bss_errinfo ei;
    assert_int_equal(wr(db, "t1", true, NOW, "{\"status\":\"inProgress\"}", NULL, &ei), BSS_E_STATE);
    assert_string_equal(ei.message, "status cannot change from closed to inProgress; closed is final");
    /* a change of another member keeps the history as it was */
    ok(db, "t1", true, NOW + 8000, "{\"name\":\"renamed\"}", &doc);
    assert_int_equal(json_array_size(json_object_get(doc, "statusChange")), 8);
    json_decref(doc);
}

static void test_notes(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    json_t *doc = NULL;
    ok(db, "t1", false, NOW, "{" BASE ",\"severity\":\"major\",\"note\":[{\"text\":\"first\"}]}", &doc);
    const json_t *n0 = json_array_get(json_object_get(doc, "note"), 0);
    assert_string_equal(str_at(n0, "author"), "Alice Agent");
    assert_string_equal(str_at(n0, "date"), "2026-01-01T00:00:00.000Z");
    json_decref(doc);
    /* only the new note sent: the old one stays */
    ok(db, "t1", true, NOW + 1000, "{\"note\":[{\"text\":\"second\",\"author\":\"Bob\"}]}", &doc);
    assert_int_equal(json_array_size(json_object_get(doc, "note")), 2);
    json_t *sent = json_deep_copy(json_object_get(doc, "note"));
    json_decref(doc);
    /* the whole list sent back plus one: no duplicates */
    json_array_append_new(sent, json_pack("{s:s}", "text", "third"));
    json_t *patch = json_pack("{s:o}", "note", sent);
    char *text = bss_json_dump(patch, NULL);
    ok(db, "t1", true, NOW + 2000, text, &doc);
    bss_free(text);
    json_decref(patch);
    assert_int_equal(json_array_size(json_object_get(doc, "note")), 3);
    assert_string_equal(str_at(json_array_get(json_object_get(doc, "note"), 2), "text"), "third");
    json_decref(doc);
    /* null or an empty list removes nothing */
    ok(db, "t1", true, NOW + 3000, "{\"note\":null}", &doc);
    assert_int_equal(json_array_size(json_object_get(doc, "note")), 3);
    json_decref(doc);
    bad(db, "t1", true, "{\"note\":\"hello\"}", BSS_E_INVALID, "note");
    bad(db, "t1", true, "{\"note\":[{\"text\":\"x\",\"date\":\"yesterday\"}]}", BSS_E_INVALID,
        "note[0].date");
}

static void test_export_erase(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    bss_errinfo ei;
    add_party(db, NULL, "ind-1");
    assert_int_equal(bss_db_exec(db,
                                 "INSERT INTO tmf629_customer (id, doc, created_ms, updated_ms, row_version, "
                                 "engaged_party_id) VALUES ('c1', "
                                 "'{\"id\":\"c1\",\"engagedParty\":{\"id\":\"ind-1\"}}', 0, 0, 1, 'ind-1')",
                                 BSS_DB_NOARGS, NULL, &ei),
                     BSS_OK);
    /* one ticket names the customer (its party is found through it), one the party, one nobody */
    ok(db, "t1", false, NOW,
       "{" BASE ",\"severity\":\"major\",\"relatedParty\":[{\"id\":\"c1\",\"@referredType\":"
       "\"Customer\",\"role\":\"customer\"}],\"note\":[{\"text\":\"lives at 1 Main St\"}]}",
       NULL);
    ok(db, "t2", false, NOW + 1,
       "{" BASE ",\"severity\":\"low\",\"relatedParty\":[{\"id\":\"ind-1\",\"name\":"
       "\"Ann Smith\",\"@referredType\":\"Individual\"}]}",
       NULL);
    ok(db, "t3", false, NOW + 2, "{" BASE ",\"severity\":\"low\"}", NULL);
    json_t *arr = json_array();
    assert_int_equal(bss__tickets_export_party(db, "ind-1", arr, &ei), BSS_OK);
    assert_int_equal(json_array_size(arr), 2);
    assert_string_equal(str_at(json_array_get(arr, 0), "id"), "t2"); /* newest first */
    json_decref(arr);
    int64_t changed = 0;
    assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
    assert_int_equal(bss__tickets_erase_party(db, "ind-1", NULL, 0, "anon-1", &changed, &ei), BSS_OK);
    assert_int_equal(bss_db_commit(db, &ei), BSS_OK);
    assert_int_equal(changed, 2);
    arr = json_array();
    assert_int_equal(bss__tickets_export_party(db, "ind-1", arr, &ei), BSS_OK);
    assert_int_equal(json_array_size(arr), 0);
    assert_int_equal(bss__tickets_export_party(db, "anon-1", arr, &ei), BSS_OK);
    assert_int_equal(json_array_size(arr), 2);
    const json_t *t2 = json_array_get(arr, 0), *t1 = json_array_get(arr, 1);
    assert_string_equal(str_at(t2, "description"), "[erased]");
    assert_string_equal(str_at(json_array_get(json_object_get(t2, "relatedParty"), 0), "id"), "anon-1");
    assert_string_equal(str_at(json_array_get(json_object_get(t2, "relatedParty"), 0), "name"), "[erased]");
    assert_string_equal(str_at(json_array_get(json_object_get(t1, "note"), 0), "text"), "[erased]");
    assert_string_equal(str_at(t1, "severity"), "major"); /* kept */
    assert_string_equal(str_at(t1, "status"), "acknowledged");
    json_decref(arr);
    assert_int_equal(bss__tickets_export_party(db, "ind-1", NULL, &ei), BSS_E_INVALID);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_create_rules, setup, dbtest_teardown),                          \
            cmocka_unit_test_setup_teardown(test_lifecycle, setup, dbtest_teardown),                         \
            cmocka_unit_test_setup_teardown(test_notes, setup, dbtest_teardown),                             \
            cmocka_unit_test_setup_teardown(test_export_erase, setup, dbtest_teardown),                      \
    }

static const struct CMUnitTest pure_tests[] = {
    cmocka_unit_test(test_sla_table),
    cmocka_unit_test(test_transitions),
};

DBTEST_MAIN_PURE("pure", pure_tests, STORE_TESTS, setup_sqlite_store, setup_pg_store)
