/*
 * test_docs.c: the catalog's document kinds other than category
 * (doc_spec.c, doc_offering.c, doc_price.c, doc_tables.c, doc_catalog.c,
 * versions.c): shape rules without a store, then
 * on a migrated store (SQLite, and PostgreSQL when configured, db/dbtest.h)
 * references (missing 400, retired 422), bundle cycles, add-ons, price
 * validation through the pricing model, zone tables and time-band plans
 * through their builders (catalog.h), versions of Active documents and the
 * delete guards (409).
 */
#include "db/dbtest.h"

#include "doc/doc.h"
#include "catalog/catalog.h"
#include "core/json.h"
#include "core/time.h"
#include "db/migrate.h"
#include "unittest.h"

#define NOW INT64_C(1767225600000) /* 2026-01-01T00:00:00.000Z */
#define DAY INT64_C(86400000)

static const char *str(const json_t *doc, const char *path)
{
    const char *s = json_string_value(bss_json_path(doc, path));
    return s ? s : "(none)";
}

/* ---- without a store ---- */

static void expect_prep(const bss_doc_kind *res, const char *doc_text, bss_err code, const char *field)
{
    bss_doc_ctx ctx = {res, NULL, NOW, "http://h", NULL, NULL, NULL, false, NULL};
    json_t *doc = js(doc_text);
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = res->prepare(&ctx, doc, NULL, &ei);
    json_decref(doc);
    if (rc != code)
        fail_msg("%s: want %s, got %s (%s)", doc_text, bss_errname(code), bss_errname(rc), ei.message);
    if (field && strcmp(ei.field, field) != 0)
        fail_msg("%s: want field %s, got '%s' (%s)", doc_text, field, ei.field, ei.message);
}

static void test_spec_shapes(void **state)
{
    (void)state;
    const bss_doc_kind *s = &bss_spec_kind;
    expect_prep(s,
                "{\"id\":\"s\",\"name\":\"SIM\",\"productSpecCharacteristic\":["
                "{\"name\":\"dataAllowance\",\"valueType\":\"number\",\"productSpecCharacteristicValue\":"
                "[{\"value\":10,\"unitOfMeasure\":\"GB\",\"isDefault\":true},{\"value\":20}]},"
                "{\"name\":\"simType\",\"valueType\":\"string\",\"productSpecCharacteristicValue\":"
                "[{\"value\":\"eSIM\"},{\"value\":\"physical\"}]},"
                "{\"name\":\"msisdnRequired\",\"valueType\":\"boolean\",\"productSpecCharacteristicValue\":"
                "[{\"value\":true}]}]}",
                BSS_OK, NULL);
    expect_prep(s, "{\"name\":\"x\",\"productSpecCharacteristic\":[{\"valueType\":\"string\"}]}",
                BSS_E_INVALID, "productSpecCharacteristic[0].name");
    expect_prep(s, "{\"name\":\"x\",\"productSpecCharacteristic\":[{\"name\":\"a\"},{\"name\":\"a\"}]}",
                BSS_E_UNPROCESSABLE, "productSpecCharacteristic[1].name");
    expect_prep(s,
                "{\"name\":\"x\",\"productSpecCharacteristic\":[{\"name\":\"speed\",\"valueType\":\"number\","
                "\"productSpecCharacteristicValue\":[{\"value\":\"fast\"}]}]}",
                BSS_E_INVALID, "productSpecCharacteristic[0].productSpecCharacteristicValue[0].value");
    expect_prep(
        s,
        "{\"name\":\"x\",\"productSpecCharacteristic\":[{\"name\":\"a\",\"productSpecCharacteristicValue\":"
        "[{\"value\":1,\"isDefault\":true},{\"value\":2,\"isDefault\":true}]}]}",
        BSS_E_UNPROCESSABLE, "productSpecCharacteristic[0].productSpecCharacteristicValue[1]");
    expect_prep(s,
                "{\"name\":\"x\",\"productSpecCharacteristic\":[{\"name\":\"a\",\"minCardinality\":2,"
                "\"maxCardinality\":1}]}",
                BSS_E_INVALID, "productSpecCharacteristic[0].maxCardinality");
    expect_prep(s, "{\"name\":\"x\",\"productSpecCharacteristic\":{}}", BSS_E_INVALID,
                "productSpecCharacteristic");
    expect_prep(s, "{\"name\":\"x\",\"isBundle\":\"no\"}", BSS_E_INVALID, "isBundle");
    expect_prep(s, "{\"id\":\"s\",\"name\":\"x\",\"bundledProductSpecification\":[{\"id\":\"s\"}]}",
                BSS_E_UNPROCESSABLE, "bundledProductSpecification[0].id");
    expect_prep(s, "{\"name\":\"x\",\"lifecycleStatus\":\"Launched\"}", BSS_E_INVALID, "lifecycleStatus");
    expect_prep(&bss_offering_kind, "{\"name\":\"x\"}", BSS_E_INVALID, "productSpecification");
    expect_prep(&bss_offering_kind, "{\"name\":\"x\",\"isBundle\":true}", BSS_E_INVALID,
                "bundledProductOffering");
    expect_prep(&bss_offering_kind, "{\"name\":\"x\",\"productSpecification\":{\"name\":\"no id\"}}",
                BSS_E_INVALID, "productSpecification.id");
    expect_prep(&bss_catalog_kind, "{\"name\":\"x\",\"catalogType\":3}", BSS_E_INVALID, "catalogType");
}

static void test_server_version(void **state)
{
    (void)state;
    bss_doc_ctx ctx = {&bss_spec_kind, NULL, NOW, "http://h", NULL, NULL, NULL, false, NULL};
    json_t *doc = js("{\"id\":\"s\",\"name\":\"n\",\"version\":\"7.5\",\"lastUpdate\":\"1999-01-01\"}");
    bss_errinfo ei;
    assert_int_equal(bss_spec_kind.prepare(&ctx, doc, NULL, &ei), BSS_OK);
    assert_string_equal(str(doc, "version"), "1");
    assert_string_equal(str(doc, "lastUpdate"), "2026-01-01T00:00:00.000Z");
    assert_string_equal(str(doc, "lifecycleStatus"), "In design");
    json_decref(doc);
}

/* ---- on a store ---- */

static int setup_sqlite_store(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_sqlite, NOW);
}
static int setup_pg_store(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_pg, NOW);
}

static bss_err tx_end(bss_db *db, bss_err rc)
{
    bss_errinfo ei;
    if (rc == BSS_OK)
        assert_int_equal(bss_db_commit(db, &ei), BSS_OK);
    else
        bss_db_rollback(db);
    return rc;
}

static bss_err create_at(bss_db *db, const bss_doc_kind *res, const char *id, const char *body_text,
                         int64_t now_ms, bss_errinfo *ei)
{
    bss_doc_ctx ctx = {res, db, now_ms, "http://h", NULL, NULL, NULL, false, NULL};
    json_t *body = js(body_text), *out = NULL;
    bss_errinfo_clear(ei);
    assert_int_equal(bss_db_begin(db, ei), BSS_OK);
    bss_err rc = tx_end(db, bss_doc_create(&ctx, id, body, &out, ei));
    json_decref(body);
    json_decref(out);
    return rc;
}

static void create(bss_db *db, const bss_doc_kind *res, const char *id, const char *body_text)
{
    bss_errinfo ei;
    bss_err rc = create_at(db, res, id, body_text, NOW, &ei);
    if (rc)
        fail_msg("create %s: %s %s (%s)", body_text, bss_errname(rc), ei.message, ei.field);
}

static void expect_create(bss_db *db, const bss_doc_kind *res, const char *body_text, bss_err code,
                          const char *field)
{
    bss_errinfo ei;
    bss_err rc = create_at(db, res, "new", body_text, NOW, &ei);
    if (rc != code)
        fail_msg("%s: want %s, got %s (%s)", body_text, bss_errname(code), bss_errname(rc), ei.message);
    if (field && strcmp(ei.field, field) != 0)
        fail_msg("%s: want field %s, got '%s' (%s)", body_text, field, ei.field, ei.message);
    if (rc == BSS_OK) { /* keep "new" free for the next call */
        bss_doc_ctx ctx = {res, db, NOW, "http://h", NULL, NULL, NULL, false, NULL};
        assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
        assert_int_equal(tx_end(db, bss_doc_delete(&ctx, "new", &ei)), BSS_OK);
    }
}

static bss_err patch_at(bss_db *db, const bss_doc_kind *res, const char *id, const char *patch_text,
                        int64_t now_ms, json_t **out, bss_errinfo *ei)
{
    bss_doc_ctx ctx = {res, db, now_ms, "http://h", NULL, NULL, NULL, false, NULL};
    json_t *p = js(patch_text), *doc = NULL;
    bss_errinfo_clear(ei);
    assert_int_equal(bss_db_begin(db, ei), BSS_OK);
    bss_err rc = tx_end(db, bss_doc_patch(&ctx, id, p, &doc, ei));
    json_decref(p);
    if (out)
        *out = doc;
    else
        json_decref(doc);
    return rc;
}

static bss_err delete_rc(bss_db *db, const bss_doc_kind *res, const char *id, bss_errinfo *ei)
{
    bss_doc_ctx ctx = {res, db, NOW, "http://h", NULL, NULL, NULL, false, NULL};
    bss_errinfo_clear(ei);
    assert_int_equal(bss_db_begin(db, ei), BSS_OK);
    return tx_end(db, bss_doc_delete(&ctx, id, ei));
}

#define MONTHLY                                                                                              \
    "{\"name\":\"Monthly\",\"priceType\":\"recurring\",\"price\":{\"unit\":\"EUR\",\"value\":9.99},"         \
    "\"recurringChargePeriodType\":\"month\",\"lifecycleStatus\":\"Active\"}"

/* A spec s1 and a price p1 (Active), a category c1, an offering o1 selling them. */
static void seed(bss_db *db)
{
    create(db, &bss_spec_kind, "s1", "{\"name\":\"Mobile line\",\"lifecycleStatus\":\"Active\"}");
    create(db, &bss_offering_price_kind, "p1", MONTHLY);
    create(db, &bss_category_kind, "c1", "{\"name\":\"Plans\"}");
    create(db, &bss_offering_kind, "o1",
           "{\"name\":\"Plan S\",\"lifecycleStatus\":\"Active\",\"productSpecification\":{\"id\":\"s1\"},"
           "\"productOfferingPrice\":[{\"id\":\"p1\"}],\"category\":[{\"id\":\"c1\"}]}");
}

static void test_references(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    const bss_doc_kind *o = &bss_offering_kind;
    seed(db);
    expect_create(db, o, "{\"name\":\"x\",\"productSpecification\":{\"id\":\"nope\"}}", BSS_E_INVALID,
                  "productSpecification.id");
    expect_create(db, o,
                  "{\"name\":\"x\",\"productSpecification\":{\"id\":\"s1\"},"
                  "\"productOfferingPrice\":[{\"id\":\"p1\"},{\"id\":\"nope\"}]}",
                  BSS_E_INVALID, "productOfferingPrice[1].id");
    expect_create(db, o,
                  "{\"name\":\"x\",\"productSpecification\":{\"id\":\"s1\"},\"category\":[{\"id\":\"z\"}]}",
                  BSS_E_INVALID, "category[0].id");
    expect_create(db, o,
                  "{\"name\":\"x\",\"productSpecification\":{\"id\":\"s1\"},"
                  "\"productOfferingPrice\":[{\"name\":\"embedded\"}]}",
                  BSS_E_INVALID, "productOfferingPrice[0].id");
    /* a spec a live offering sells cannot retire; once the offering is retired it can */
    bss_errinfo ei;
    assert_int_equal(patch_at(db, &bss_spec_kind, "s1", "{\"lifecycleStatus\":\"Retired\"}", NOW, NULL, &ei),
                     BSS_E_UNPROCESSABLE);
    assert_string_equal(ei.field, "lifecycleStatus");
    assert_non_null(strstr(ei.message, "o1"));
    assert_int_equal(
        patch_at(db, &bss_offering_price_kind, "p1", "{\"lifecycleStatus\":\"Retired\"}", NOW, NULL, &ei),
        BSS_E_UNPROCESSABLE);
    assert_int_equal(patch_at(db, o, "o1", "{\"lifecycleStatus\":\"Retired\"}", NOW, NULL, &ei), BSS_OK);
    assert_int_equal(patch_at(db, &bss_spec_kind, "s1", "{\"lifecycleStatus\":\"Retired\"}", NOW, NULL, &ei),
                     BSS_OK);
    /* new references to a retired document are 422; a retired offering keeps its own */
    expect_create(db, o, "{\"name\":\"x\",\"productSpecification\":{\"id\":\"s1\"}}", BSS_E_UNPROCESSABLE,
                  "productSpecification.id");
    assert_int_equal(patch_at(db, o, "o1", "{\"description\":\"was sold\"}", NOW, NULL, &ei), BSS_OK);
    assert_int_equal(patch_at(db, &bss_spec_kind, "s1", "{\"lifecycleStatus\":\"Active\"}", NOW, NULL, &ei),
                     BSS_E_STATE);
    assert_string_equal(ei.field, "lifecycleStatus");
    /* the catalog resource refers to categories */
    expect_create(db, &bss_catalog_kind, "{\"name\":\"Retail\",\"category\":[{\"id\":\"c1\"}]}", BSS_OK,
                  NULL);
    expect_create(db, &bss_catalog_kind, "{\"name\":\"Retail\",\"category\":[{\"id\":\"c9\"}]}",
                  BSS_E_INVALID, "category[0].id");
}

static void test_bundles_and_addons(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    const bss_doc_kind *o = &bss_offering_kind;
    bss_errinfo ei;
    seed(db);
    create(db, o, "b1",
           "{\"name\":\"Bundle 1\",\"isBundle\":true,\"bundledProductOffering\":[{\"id\":\"o1\"}]}");
    create(db, o, "b2",
           "{\"name\":\"Bundle 2\",\"isBundle\":true,\"bundledProductOffering\":[{\"id\":\"b1\"}]}");
    /* b1 -> b2 -> b1 */
    assert_int_equal(patch_at(db, o, "b1", "{\"bundledProductOffering\":[{\"id\":\"o1\"},{\"id\":\"b2\"}]}",
                              NOW, NULL, &ei),
                     BSS_E_UNPROCESSABLE);
    assert_string_equal(ei.field, "bundledProductOffering[1].id");
    assert_non_null(strstr(ei.message, "cycle"));
    assert_int_equal(patch_at(db, o, "b1", "{\"bundledProductOffering\":[{\"id\":\"b1\"}]}", NOW, NULL, &ei),
                     BSS_E_UNPROCESSABLE);
    assert_string_equal(ei.field, "bundledProductOffering[0].id");

    create(db, o, "a1",
           "{\"name\":\"Data 5GB\",\"productSpecification\":{\"id\":\"s1\"},"
           "\"productOfferingRelationship\":[{\"id\":\"o1\",\"relationshipType\":\"addOnTo\"}]}");
    expect_create(db, o,
                  "{\"name\":\"Add-on of add-on\",\"productSpecification\":{\"id\":\"s1\"},"
                  "\"productOfferingRelationship\":[{\"id\":\"o1\",\"relationshipType\":\"addOnTo\"},"
                  "{\"id\":\"a1\",\"relationshipType\":\"requires\"}]}",
                  BSS_E_UNPROCESSABLE, "productOfferingRelationship[1].id");
    expect_create(db, o,
                  "{\"name\":\"x\",\"productSpecification\":{\"id\":\"s1\"},"
                  "\"productOfferingRelationship\":[{\"id\":\"gone\",\"relationshipType\":\"addOnTo\"}]}",
                  BSS_E_INVALID, "productOfferingRelationship[0].id");
    /* nor can it retire while live bundles and add-ons need it */
    assert_int_equal(patch_at(db, o, "o1", "{\"lifecycleStatus\":\"Retired\"}", NOW, NULL, &ei),
                     BSS_E_UNPROCESSABLE);
    assert_string_equal(ei.field, "lifecycleStatus");
    /* a bundled or related offering cannot go */
    assert_int_equal(delete_rc(db, o, "o1", &ei), BSS_E_CONFLICT);
    assert_int_equal(delete_rc(db, o, "b2", &ei), BSS_OK);
    assert_int_equal(delete_rc(db, o, "b1", &ei), BSS_OK);
    assert_int_equal(delete_rc(db, o, "o1", &ei), BSS_E_CONFLICT); /* a1 is an add-on to it */
    assert_non_null(strstr(ei.message, "productOfferingRelationship"));
}

static void test_delete_guards(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    seed(db);
    assert_int_equal(bss_db_exec(db,
                                 "INSERT INTO product (id, doc, created_ms, updated_ms, row_version, offering_id, offering_version, status) VALUES "
                                 "('pr1', '{}', 0, 0, 1, 'o1', '1', 'active'), ('pr2', '{}', 0, 0, 1, 'o1', '1', 'suspended'), "
                                 "('pr3', '{}', 0, 0, 1, 'o1', '1', 'terminated')",
                                 BSS_DB_NOARGS, NULL, &ei),
                     BSS_OK);
    assert_int_equal(delete_rc(db, &bss_offering_kind, "o1", &ei), BSS_E_CONFLICT);
    assert_non_null(strstr(ei.message, "used by 2 active products"));
    assert_int_equal(delete_rc(db, &bss_offering_price_kind, "p1", &ei), BSS_E_CONFLICT);
    assert_non_null(strstr(ei.message, "o1"));
    assert_int_equal(delete_rc(db, &bss_spec_kind, "s1", &ei), BSS_E_CONFLICT);
    assert_int_equal(bss_db_exec(db, "UPDATE product SET status = 'cancelled'", BSS_DB_NOARGS, NULL, &ei),
                     BSS_OK);
    assert_int_equal(delete_rc(db, &bss_offering_kind, "o1", &ei), BSS_OK);
    assert_int_equal(delete_rc(db, &bss_offering_price_kind, "p1", &ei), BSS_OK);
    assert_int_equal(delete_rc(db, &bss_spec_kind, "s1", &ei), BSS_OK);
}

static int64_t count(bss_db *db, const char *sql)
{
    int64_t n = -1;
    bss_errinfo ei;
    assert_int_equal(bss_db_query_int64(db, sql, BSS_DB_NOARGS, &n, &ei), BSS_OK);
    return n;
}

static void test_versions(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    json_t *doc = NULL;
    seed(db);
    const bss_doc_kind *p = &bss_offering_price_kind;
    /* a cosmetic change keeps the version */
    assert_int_equal(patch_at(db, p, "p1", "{\"description\":\"the plan fee\"}", NOW + DAY, &doc, &ei),
                     BSS_OK);
    assert_string_equal(str(doc, "version"), "1");
    json_decref(doc);
    /* a price change of an Active price is version 2, effective now */
    assert_int_equal(
        patch_at(db, p, "p1", "{\"price\":{\"unit\":\"EUR\",\"value\":12}}", NOW + 2 * DAY, &doc, &ei),
        BSS_OK);
    assert_string_equal(str(doc, "version"), "2");
    assert_string_equal(str(doc, "validFor.startDateTime"), "2026-01-03T00:00:00.000Z");
    json_decref(doc);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM tmf620_version WHERE kind = 'productOfferingPrice' "
                               "AND id = 'p1' AND version = 1 AND valid_from_ms = 1767225600000 "
                               "AND valid_to_ms = 1767398400000"),
                     1);
    /* an effective date in the request; before the current version started is refused */
    assert_int_equal(patch_at(db, p, "p1",
                              "{\"price\":{\"unit\":\"EUR\",\"value\":13},"
                              "\"validFor\":{\"startDateTime\":\"2026-02-01T00:00:00Z\"}}",
                              NOW + 3 * DAY, &doc, &ei),
                     BSS_OK);
    assert_string_equal(str(doc, "version"), "3");
    json_decref(doc);
    assert_int_equal(patch_at(db, p, "p1",
                              "{\"price\":{\"unit\":\"EUR\",\"value\":14},"
                              "\"validFor\":{\"startDateTime\":\"2026-01-15T00:00:00Z\"}}",
                              NOW + 4 * DAY, NULL, &ei),
                     BSS_E_INVALID);
    assert_string_equal(ei.field, "validFor.startDateTime");
    /* an offering's price list */
    create(db, p, "p2", MONTHLY);
    assert_int_equal(patch_at(db, &bss_offering_kind, "o1", "{\"productOfferingPrice\":[{\"id\":\"p2\"}]}",
                              NOW + DAY, &doc, &ei),
                     BSS_OK);
    assert_string_equal(str(doc, "version"), "2");
    json_decref(doc);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM tmf620_version"), 3);
    /* an In design price changes in place */
    create(db, p, "p3",
           "{\"name\":\"Draft\",\"priceType\":\"oneTime\",\"price\":{\"unit\":\"EUR\",\"value\":5}}");
    assert_int_equal(patch_at(db, p, "p3", "{\"price\":{\"unit\":\"EUR\",\"value\":6}}", NOW, &doc, &ei),
                     BSS_OK);
    assert_string_equal(str(doc, "version"), "1");
    json_decref(doc);
}

static void test_prices(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    const bss_doc_kind *p = &bss_offering_price_kind;
    expect_create(
        db, p, "{\"name\":\"x\",\"priceType\":\"oneTime\",\"price\":{\"unit\":\"EUR\",\"value\":1.1234567}}",
        BSS_E_INVALID, "price.value");
    expect_create(db, p,
                  "{\"name\":\"x\",\"priceType\":\"oneTime\",\"price\":{\"unit\":\"EUR\",\"value\":-1}}",
                  BSS_E_UNPROCESSABLE, "price.value");
    expect_create(db, p,
                  "{\"name\":\"x\",\"priceType\":\"oneTime\",\"price\":{\"unit\":\"XXY\",\"value\":1}}",
                  BSS_E_INVALID, "price.unit");
    expect_create(db, p,
                  "{\"name\":\"x\",\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,\"units\":\"MB\"},"
                  "\"usage\":{\"service\":\"data\",\"structure\":\"tiered\",\"tiers\":["
                  "{\"from\":0,\"to\":100,\"price\":{\"unit\":\"EUR\",\"value\":0.01}},"
                  "{\"from\":50,\"price\":{\"unit\":\"EUR\",\"value\":0.005}}]}}",
                  BSS_E_UNPROCESSABLE, "usage.tiers[1].from");
    expect_create(db, p,
                  "{\"name\":\"x\",\"priceType\":\"usage\",\"price\":{\"unit\":\"EUR\",\"value\":0.1},"
                  "\"unitOfMeasure\":{\"amount\":1,\"units\":\"minute\"},"
                  "\"usage\":{\"service\":\"voice\",\"zoneTableId\":\"zt-missing\"}}",
                  BSS_E_INVALID, "usage.zoneTableId");
    create(db, p, "p1", MONTHLY);
    expect_create(db, p,
                  "{\"name\":\"x\",\"priceType\":\"oneTime\",\"price\":{\"unit\":\"EUR\",\"value\":1},"
                  "\"productOfferingPriceRelationship\":[{\"id\":\"p9\"}]}",
                  BSS_E_INVALID, "productOfferingPriceRelationship[0].id");
}

static void test_tables(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    expect_create(
        db, &bss_zone_table_kind,
        "{\"name\":\"NL\",\"kind\":\"destination\",\"zones\":["
        "{\"name\":\"mobile\",\"prefixes\":[\"316\"]},{\"name\":\"fixed\",\"prefixes\":[\"31\",\"316\"]}]}",
        BSS_E_UNPROCESSABLE, "zones[1].prefixes[1]");
    expect_create(db, &bss_timeband_plan_kind,
                  "{\"name\":\"NL\",\"timeZone\":\"Europe/Amsterdam\",\"bands\":["
                  "{\"name\":\"peak\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":\"08:00\","
                  "\"to\":\"20:00\"},"
                  "{\"name\":\"weekend\",\"days\":[\"sat\",\"sun\"],\"from\":\"00:00\",\"to\":\"24:00\"}]}",
                  BSS_E_UNPROCESSABLE, "bands");
    create(
        db, &bss_zone_table_kind, "zt1",
        "{\"name\":\"NL\",\"kind\":\"destination\",\"zones\":[{\"name\":\"mobile\",\"prefixes\":[\"316\"]},"
        "{\"name\":\"fixed\",\"prefixes\":[\"31\"]}]}");
    create(db, &bss_offering_price_kind, "pu",
           "{\"name\":\"Calls\",\"priceType\":\"usage\",\"price\":{\"unit\":\"EUR\",\"value\":0.1},"
           "\"unitOfMeasure\":{\"amount\":1,\"units\":\"minute\"},"
           "\"usage\":{\"service\":\"voice\",\"zoneTableId\":\"zt1\",\"rates\":["
           "{\"zone\":\"mobile\",\"band\":\"*\",\"price\":{\"unit\":\"EUR\",\"value\":0.2}}]}}");
    assert_int_equal(delete_rc(db, &bss_zone_table_kind, "zt1", &ei), BSS_E_CONFLICT);
    assert_non_null(strstr(ei.message, "pu"));
    assert_int_equal(delete_rc(db, &bss_offering_price_kind, "pu", &ei), BSS_OK);
    assert_int_equal(delete_rc(db, &bss_zone_table_kind, "zt1", &ei), BSS_OK);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_references, setup, dbtest_teardown),                            \
            cmocka_unit_test_setup_teardown(test_bundles_and_addons, setup, dbtest_teardown),                \
            cmocka_unit_test_setup_teardown(test_delete_guards, setup, dbtest_teardown),                     \
            cmocka_unit_test_setup_teardown(test_versions, setup, dbtest_teardown),                          \
            cmocka_unit_test_setup_teardown(test_prices, setup, dbtest_teardown),                            \
            cmocka_unit_test_setup_teardown(test_tables, setup, dbtest_teardown),                            \
    }

static const struct CMUnitTest pure_tests[] = {
    cmocka_unit_test(test_spec_shapes),
    cmocka_unit_test(test_server_version),
};

DBTEST_MAIN_PURE("rules", pure_tests, STORE_TESTS, setup_sqlite_store, setup_pg_store)
