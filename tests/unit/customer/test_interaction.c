/*
 * test_interaction.c: TMF683 party interactions (src/customer/interaction.c)
 * on a migrated store (SQLite and, via db/dbtest.h, PostgreSQL):
 * required members and enums, the channel shorthand, the agent taken from
 * the API key, references checked, notes appended, the system interactions
 * the outbox hook records in the event's transaction, and export/erasure.
 */
#include "customer/custtest.h"
#include "customer/customer.h"
#include "customer/customer_int.h"
#include "events/events.h"

static const bss_doc_kind *const I = &bss_interaction_kind;
static const bss_principal agent = {.key_id = "key-agent-1", .name = "Alice Agent", .role = BSS_ROLE_AGENT};

/* A write as the writer runs it, by the agent key, at time now. */
static bss_err wr(bss_db *db, const char *id, bool patch, int64_t now, const char *text, json_t **out,
                  bss_errinfo *ei)
{
    return write_doc_as(db, I, id, patch, now, &agent, text, out, ei);
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

static void customer_c1(bss_db *db)
{
    bss_errinfo ei;
    add_party(db, NULL, "ind-1");
    assert_int_equal(
        bss_db_exec(db,
                    "INSERT INTO tmf629_customer (id, doc, created_ms, updated_ms, row_version, "
                    "engaged_party_id) VALUES ('c1', '{\"id\":\"c1\",\"engagedParty\":{\"id\":\"ind-1\"}}', "
                    "0, 0, 1, 'ind-1')",
                    BSS_DB_NOARGS, NULL, &ei),
        BSS_OK);
}

#define SUBJ "\"relatedParty\":[{\"id\":\"c1\",\"@referredType\":\"Customer\",\"role\":\"customer\"}]"

static int64_t count(bss_db *db, const char *sql)
{
    int64_t n = -1;
    bss_errinfo ei;
    assert_int_equal(bss_db_query_int64(db, sql, BSS_DB_NOARGS, &n, &ei), BSS_OK);
    return n;
}

static void test_rules(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    customer_c1(db);
    bad(db, "i1", false, "{\"channel\":\"call\",\"direction\":\"inbound\"," SUBJ "}", BSS_E_INVALID,
        "reason");
    bad(db, "i1", false, "{\"direction\":\"inbound\",\"reason\":\"bill\"," SUBJ "}", BSS_E_INVALID,
        "channel");
    bad(db, "i1", false, "{\"channel\":\"fax\",\"direction\":\"inbound\",\"reason\":\"bill\"," SUBJ "}",
        BSS_E_INVALID, "channel[0].name");
    bad(db, "i1", false, "{\"channel\":[],\"direction\":\"inbound\",\"reason\":\"bill\"," SUBJ "}",
        BSS_E_INVALID, "channel");
    bad(db, "i1", false, "{\"channel\":\"call\",\"direction\":\"sideways\",\"reason\":\"bill\"," SUBJ "}",
        BSS_E_INVALID, "direction");
    bad(db, "i1", false, "{\"channel\":\"call\",\"direction\":\"internal\",\"reason\":\"bill\"," SUBJ "}",
        BSS_E_INVALID, "direction");
    bad(db, "i1", false, "{\"channel\":\"call\",\"direction\":\"inbound\",\"reason\":\"\"," SUBJ "}",
        BSS_E_INVALID, "reason");
    bad(db, "i1", false,
        "{\"channel\":\"call\",\"direction\":\"inbound\",\"reason\":\"bill\",\"status\":\"x\"," SUBJ "}",
        BSS_E_INVALID, "status");
    bad(db, "i1", false, "{\"channel\":\"call\",\"direction\":\"inbound\",\"reason\":\"bill\"}",
        BSS_E_INVALID, "relatedParty");
    bad(db, "i1", false,
        "{\"channel\":\"call\",\"direction\":\"inbound\",\"reason\":\"bill\",\"relatedParty\":[{\"id\":\"x\","
        "\"role\":\"agent\"}]}",
        BSS_E_INVALID, "relatedParty");
    bad(db, "i1", false,
        "{\"channel\":\"call\",\"direction\":\"inbound\",\"reason\":\"bill\",\"relatedParty\":[{\"id\":"
        "\"c9\","
        "\"@referredType\":\"Customer\"}]}",
        BSS_E_UNPROCESSABLE, "relatedParty[0].id");
    bad(db, "i1", false,
        "{\"channel\":\"call\",\"direction\":\"inbound\",\"reason\":\"bill\",\"relatedEntity\":[{\"name\":"
        "\"x\"}]}",
        BSS_E_INVALID, "relatedEntity[0].id");
    bad(db, "i1", false,
        "{\"channel\":\"call\",\"direction\":\"inbound\",\"reason\":\"bill\",\"interactionDate\":{"
        "\"startDateTime\":"
        "\"2026-01-02T00:00:00Z\",\"endDateTime\":\"2026-01-01T00:00:00Z\"}," SUBJ "}",
        BSS_E_INVALID, "interactionDate.endDateTime");
    bad(db, "i1", false,
        "{\"channel\":\"call\",\"direction\":\"inbound\",\"reason\":\"bill\",\"interactionDate\":{"
        "\"startDateTime\":"
        "\"soon\"}," SUBJ "}",
        BSS_E_INVALID, "interactionDate.startDateTime");
    assert_int_equal(count(db, "SELECT COUNT(*) FROM interaction"), 0);
}

static void test_create_and_notes(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    customer_c1(db);
    json_t *doc = NULL;
    ok(db, "i1", false, NOW,
       "{\"channel\":\"call\",\"direction\":\"inbound\",\"reason\":\"bill question\",\"note\":[{\"text\":"
       "\"asked about roaming\"}]," SUBJ "}",
       &doc);
    assert_string_equal(str_at(json_array_get(json_object_get(doc, "channel"), 0), "name"), "call");
    assert_string_equal(str_at(json_array_get(json_object_get(doc, "channel"), 0), "@type"), "ChannelRef");
    assert_string_equal(str_at(doc, "status"), "completed");
    assert_string_equal(str_at(doc, "interactionDate.startDateTime"), "2026-01-01T00:00:00.000Z");
    const json_t *rp = json_object_get(doc, "relatedParty");
    assert_int_equal(json_array_size(rp), 2);
    assert_string_equal(str_at(json_array_get(rp, 1), "role"), "agent");
    assert_string_equal(str_at(json_array_get(rp, 1), "id"), "key-agent-1");
    assert_string_equal(str_at(json_array_get(json_object_get(doc, "note"), 0), "author"), "Alice Agent");
    json_decref(doc);
    ok(db, "i1", true, NOW + 1000, "{\"note\":[{\"text\":\"called back\"}],\"status\":\"completed\"}", &doc);
    assert_int_equal(json_array_size(json_object_get(doc, "note")), 2);
    json_decref(doc);
    /* an agent named by the client is kept */
    ok(db, "i2", false, NOW,
       "{\"channel\":[{\"name\":\"shop\"}],\"direction\":\"outbound\",\"reason\":\"visit\",\"relatedParty\":["
       "{\"id\":"
       "\"c1\",\"@referredType\":\"Customer\"},{\"id\":\"emp-7\",\"name\":\"Bob\",\"role\":\"Agent\"}]}",
       &doc);
    assert_int_equal(json_array_size(json_object_get(doc, "relatedParty")), 2);
    json_decref(doc);
    /* indexed for the customer and, through it, its party */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM care_ref WHERE kind = 'interaction' AND ref_id = 'c1'"),
                     2);
    assert_int_equal(
        count(db, "SELECT COUNT(*) FROM care_ref WHERE kind = 'interaction' AND ref_id = 'ind-1'"), 2);
}

static void test_system_events(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    bss_errinfo ei;
    customer_c1(db);
    json_t *cust = js("{\"id\":\"c1\",\"@type\":\"Customer\",\"engagedParty\":{\"id\":\"ind-1\"}}");
    json_t *order = js("{\"id\":\"o1\",\"@type\":\"ProductOrder\",\"relatedParty\":[{\"id\":\"c1\","
                       "\"@referredType\":\"Customer\"}]}");
    json_t *cat = js("{\"id\":\"cat1\",\"@type\":\"Category\",\"name\":\"Phones\"}");
    assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
    assert_int_equal(
        bss_outbox_add(db, NOW, "customerManagement", "CustomerStateChangeEvent", "customer", cust, &ei),
        BSS_OK);
    assert_int_equal(
        bss_outbox_add(db, NOW + 1, "productOrdering", "ProductOrderCreateEvent", "productOrder", order, &ei),
        BSS_OK);
    assert_int_equal(
        bss_outbox_add(db, NOW + 2, "productCatalogManagement", "CategoryCreateEvent", "category", cat, &ei),
        BSS_OK);
    /* our own events do not loop */
    assert_int_equal(bss_outbox_add(db, NOW + 3, "partyInteraction", "PartyInteractionCreateEvent",
                                    "partyInteraction", order, &ei),
                     BSS_OK);
    bss_db_rollback(db); /* rolled back with the events */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM interaction"), 0);
    assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
    assert_int_equal(
        bss_outbox_add(db, NOW, "customerManagement", "CustomerStateChangeEvent", "customer", cust, &ei),
        BSS_OK);
    assert_int_equal(
        bss_outbox_add(db, NOW + 1, "productOrdering", "ProductOrderCreateEvent", "productOrder", order, &ei),
        BSS_OK);
    assert_int_equal(
        bss_outbox_add(db, NOW + 2, "productCatalogManagement", "CategoryCreateEvent", "category", cat, &ei),
        BSS_OK);
    assert_int_equal(bss_db_commit(db, &ei), BSS_OK);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM interaction"), 2);
    assert_int_equal(count(db,
                           "SELECT COUNT(*) FROM interaction WHERE reason = 'ProductOrderCreateEvent' AND "
                           "direction = 'internal'"),
                     1);
    json_t *arr = json_array();
    assert_int_equal(bss__interactions_export_party(db, "ind-1", arr, &ei), BSS_OK);
    assert_int_equal(json_array_size(arr), 2);
    const json_t *newest = json_array_get(arr, 0);
    assert_string_equal(str_at(newest, "reason"), "ProductOrderCreateEvent");
    assert_string_equal(str_at(json_array_get(json_object_get(newest, "channel"), 0), "name"), "system");
    assert_string_equal(str_at(json_array_get(json_object_get(newest, "relatedEntity"), 0), "id"), "o1");
    json_decref(arr);
    json_decref(cust);
    json_decref(order);
    json_decref(cat);
}

static void test_export_erase(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    bss_errinfo ei;
    customer_c1(db);
    ok(db, "i1", false, NOW,
       "{\"channel\":\"call\",\"direction\":\"inbound\",\"reason\":\"moving\",\"description\":\"new address "
       "2 Elm "
       "St\",\"note\":[{\"text\":\"born 1980\"}]," SUBJ "}",
       NULL);
    ok(db, "i2", false, NOW + 1,
       "{\"channel\":\"email\",\"direction\":\"outbound\",\"reason\":\"offer\",\"relatedParty\":[{\"id\":"
       "\"ind-1\","
       "\"name\":\"Ann Smith\",\"@referredType\":\"Individual\"}]}",
       NULL);
    ok(db, "i3", false, NOW + 2,
       "{\"channel\":\"chat\",\"direction\":\"inbound\",\"reason\":\"other\",\"relatedEntity\":[{\"id\":\"p-"
       "9\","
       "\"@referredType\":\"ProductOffering\"}]}",
       NULL);
    int64_t changed = -1;
    assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
    assert_int_equal(bss__interactions_erase_party(db, "ind-1", NULL, 0, "anon-1", &changed, &ei), BSS_OK);
    assert_int_equal(bss_db_commit(db, &ei), BSS_OK);
    assert_int_equal(changed, 2);
    json_t *arr = json_array();
    assert_int_equal(bss__interactions_export_party(db, "anon-1", arr, &ei), BSS_OK);
    assert_int_equal(json_array_size(arr), 2);
    const json_t *i2 = json_array_get(arr, 0), *i1 = json_array_get(arr, 1);
    assert_string_equal(str_at(i1, "description"), "[erased]");
    assert_string_equal(str_at(json_array_get(json_object_get(i1, "note"), 0), "text"), "[erased]");
    assert_string_equal(str_at(i1, "reason"), "[erased]"); /* free text: an agent writes what was said */
    assert_string_equal(str_at(json_array_get(json_object_get(i2, "relatedParty"), 0), "id"), "anon-1");
    assert_string_equal(str_at(json_array_get(json_object_get(i2, "relatedParty"), 0), "name"), "[erased]");
    json_decref(arr);
    /* erasing again changes nothing */
    assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
    assert_int_equal(bss__interactions_erase_party(db, "anon-1", NULL, 0, "anon-1", &changed, &ei), BSS_OK);
    assert_int_equal(bss_db_commit(db, &ei), BSS_OK);
    assert_int_equal(changed, 0);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_rules, setup, dbtest_teardown),                                 \
            cmocka_unit_test_setup_teardown(test_create_and_notes, setup, dbtest_teardown),                  \
            cmocka_unit_test_setup_teardown(test_system_events, setup, dbtest_teardown),                     \
            cmocka_unit_test_setup_teardown(test_export_erase, setup, dbtest_teardown),                      \
    }

DBTEST_MAIN_SETUP(STORE_TESTS, setup_sqlite_store, setup_pg_store)
