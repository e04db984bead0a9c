/*
 * test_party.c: the TMF632 party rules (customer.h): the individual
 * and organization prepare hooks on their own (types, status, birth date,
 * countries, languages, contact media, identifications, required names),
 * then on a migrated store: duplicate identification numbers (409 EXISTS
 * naming the field), the organization hierarchy (missing parent 400,
 * cycles 422), and an erased party refusing changes.
 */
#include "partytest.h"

#include "core/time.h"

static bss_err prep(const bss_doc_kind *res, const char *text, const char *old_text, json_t **out,
                    bss_errinfo *ei)
{
    bss_doc_ctx ctx = {res, NULL, PT_NOW, "http://h", NULL, NULL, NULL, false, NULL};
    json_t *doc = pt_js(text), *old = old_text ? pt_js(old_text) : NULL;
    bss_errinfo_clear(ei);
    bss_err rc = res->prepare(&ctx, doc, old, ei);
    json_decref(old);
    if (out)
        *out = doc;
    else
        json_decref(doc);
    return rc;
}

static void expect(const bss_doc_kind *res, const char *text, const char *old, bss_err code,
                   const char *field)
{
    bss_errinfo ei;
    bss_err rc = prep(res, text, old, NULL, &ei);
    if (rc != code)
        fail_msg("%s: want %s, got %s (%s)", text, bss_errname(code), bss_errname(rc), ei.message);
    if (field && strcmp(ei.field, field) != 0)
        fail_msg("%s: want field %s, got %s (%s)", text, field, ei.field, ei.message);
}

#define IND(extra) "{\"id\":\"p1\",\"givenName\":\"Jane\",\"familyName\":\"Doe\"" extra "}"

static void test_individual_rules(void **state)
{
    (void)state;
    const bss_doc_kind *I = &bss_individual_kind;
    json_t *doc;
    bss_errinfo ei;
    assert_int_equal(prep(I, IND(",\"x-custom\":[1]"), NULL, &doc, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "initialized");
    assert_non_null(json_object_get(doc, "x-custom"));
    json_decref(doc);
    assert_int_equal(prep(I, IND(",\"status\":\"VALIDATED\""), NULL, &doc, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "validated");
    json_decref(doc);
    expect(I, IND(",\"status\":\"gone\""), NULL, BSS_E_INVALID, "status");
    expect(I, IND(",\"status\":\"erased\""), NULL, BSS_E_INVALID, "status");
    expect(I, IND(""), IND(",\"status\":\"erased\""), BSS_E_STATE, "status");
    expect(I, "{\"id\":\"p1\",\"givenName\":7,\"familyName\":\"Doe\"}", NULL, BSS_E_INVALID, "givenName");
    expect(I, "{\"id\":\"p1\",\"givenName\":\"\",\"familyName\":\"Doe\"}", NULL, BSS_E_INVALID, "givenName");
    expect(I, IND(",\"birthDate\":\"1990-04-23\""), NULL, BSS_OK, NULL);
    expect(I, IND(",\"birthDate\":\"1990-04-23T00:00:00Z\""), NULL, BSS_OK, NULL);
    expect(I, IND(",\"birthDate\":\"2026-01-01\""), NULL, BSS_OK, NULL); /* born today */
    expect(I, IND(",\"birthDate\":\"2026-01-02\""), NULL, BSS_E_INVALID, "birthDate");
    expect(I, IND(",\"birthDate\":\"1990-02-30\""), NULL, BSS_E_INVALID, "birthDate");
    expect(I, IND(",\"birthDate\":\"23/04/1990\""), NULL, BSS_E_INVALID, "birthDate");
    expect(I, IND(",\"birthDate\":19900423"), NULL, BSS_E_INVALID, "birthDate");
    expect(I, IND(",\"nationality\":\"FR\""), NULL, BSS_OK, NULL);
    expect(I, IND(",\"nationality\":\"XX\""), NULL, BSS_E_INVALID, "nationality");
    expect(I, IND(",\"countryOfBirth\":\"fr\""), NULL, BSS_E_INVALID, "countryOfBirth");
    expect(I, IND(",\"languageAbility\":[{\"languageCode\":\"fr\"},{\"languageCode\":\"en-GB\"}]"), NULL,
           BSS_OK, NULL);
    expect(I, IND(",\"languageAbility\":[{\"languageCode\":\"fr\"},{\"languageCode\":\"xx\"}]"), NULL,
           BSS_E_INVALID, "languageAbility[1].languageCode");
    expect(I, IND(",\"languageAbility\":{}"), NULL, BSS_E_INVALID, "languageAbility");
    expect(I,
           IND(",\"contactMedium\":[{\"mediumType\":\"email\",\"characteristic\":{\"emailAddress\":\"x\"}}]"),
           NULL, BSS_E_INVALID, "contactMedium[0].characteristic.emailAddress");
    expect(I,
           IND(",\"contactMedium\":[{\"mediumType\":\"phone\",\"characteristic\":{\"phoneNumber\":\"+49 "
               "30\"}}]"),
           NULL, BSS_E_INVALID, "contactMedium[0].characteristic.phoneNumber");
    expect(I, IND(",\"individualIdentification\":[{\"identificationType\":\"passport\"}]"), NULL,
           BSS_E_INVALID, "individualIdentification[0].identificationId");
    expect(I, IND(",\"individualIdentification\":[{\"identificationId\":\"X1\",\"issuingCountry\":\"QQ\"}]"),
           NULL, BSS_E_INVALID, "individualIdentification[0].issuingCountry");
    expect(I, IND(",\"individualIdentification\":{}"), NULL, BSS_E_INVALID, "individualIdentification");
}

#define ORG(extra) "{\"id\":\"o1\",\"tradingName\":\"Acme\"" extra "}"

static void test_organization_rules(void **state)
{
    (void)state;
    const bss_doc_kind *O = &bss_organization_kind;
    expect(O, ORG(""), NULL, BSS_OK, NULL);
    expect(O, "{\"id\":\"o1\",\"name\":\"Acme GmbH\"}", NULL, BSS_OK, NULL);
    expect(O, "{\"id\":\"o1\"}", NULL, BSS_E_INVALID, "tradingName");
    expect(O, ORG(",\"status\":\"closed\""), NULL, BSS_OK, NULL);
    expect(O, ORG(",\"status\":\"deceased\""), NULL, BSS_E_INVALID, "status");
    expect(O, ORG(",\"isLegalEntity\":\"yes\""), NULL, BSS_E_INVALID, "isLegalEntity");
    expect(O, ORG(",\"organizationParentRelationship\":{\"organization\":{}}"), NULL, BSS_E_INVALID,
           "organizationParentRelationship.organization.id");
    expect(O, ORG(",\"organizationParentRelationship\":{\"organization\":{\"id\":\"o1\"}}"), NULL,
           BSS_E_UNPROCESSABLE, "organizationParentRelationship.organization.id");
    expect(O, ORG(",\"organizationChildRelationship\":[{\"organization\":{\"id\":\"o1\"}}]"), NULL,
           BSS_E_UNPROCESSABLE, "organizationChildRelationship[0].organization.id");
    expect(O, ORG(",\"organizationIdentification\":[{\"identificationType\":\"companyRegistration\"}]"), NULL,
           BSS_E_INVALID, "organizationIdentification[0].identificationId");
}

/* ---- on a store ---- */

static void test_duplicate_identification(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    const bss_doc_kind *I = &bss_individual_kind, *O = &bss_organization_kind;
    pt_expect(db, I, "p1", false,
              IND(",\"individualIdentification\":[{\"identificationType\":\"passport\",\"identificationId\":"
                  "\"C01X00T47\",\"issuingCountry\":\"DE\"}]"),
              BSS_OK, NULL);
    /* the same number, written differently, on another party */
    pt_expect(db, I, "p2", false,
              "{\"givenName\":\"John\",\"familyName\":\"Roe\",\"individualIdentification\":[{"
              "\"identificationType\":"
              "\"nationalIdCard\",\"identificationId\":\"L1\"},{\"identificationType\":\"Passport\","
              "\"identificationId\":\"c01x-00t47\",\"issuingCountry\":\"DE\"}]}",
              BSS_E_EXISTS, "individualIdentification[1].identificationId");
    /* another country's passport with that number is another document */
    pt_expect(db, I, "p2", false,
              "{\"givenName\":\"John\",\"familyName\":\"Roe\",\"individualIdentification\":[{"
              "\"identificationType\":"
              "\"passport\",\"identificationId\":\"C01X00T47\",\"issuingCountry\":\"AT\"}]}",
              BSS_OK, NULL);
    /* twice in one document */
    pt_expect(db, I, "p3", false,
              "{\"givenName\":\"A\",\"familyName\":\"B\",\"individualIdentification\":[{\"identificationId\":"
              "\"Z9\"},"
              "{\"identificationId\":\"z 9\"}]}",
              BSS_E_EXISTS, "individualIdentification[1].identificationId");
    /* p1 may patch its own identifications (rows replaced), and then the old number is free */
    pt_expect(
        db, I, "p1", true,
        "{\"individualIdentification\":[{\"identificationType\":\"passport\",\"identificationId\":\"NEW1\","
        "\"issuingCountry\":\"DE\"}]}",
        BSS_OK, NULL);
    pt_expect(
        db, I, "p4", false,
        "{\"givenName\":\"C\",\"familyName\":\"D\",\"individualIdentification\":[{\"identificationType\":"
        "\"passport\",\"identificationId\":\"C01X00T47\",\"issuingCountry\":\"DE\"}]}",
        BSS_OK, NULL);
    /* organizations share the table */
    pt_expect(db, O, "o1", false,
              ORG(",\"organizationIdentification\":[{\"identificationType\":\"companyRegistration\","
                  "\"identificationId\":\"HRB 12345\",\"issuingCountry\":\"DE\"}]"),
              BSS_OK, NULL);
    pt_expect(db, O, "o2", false,
              "{\"tradingName\":\"Other\",\"organizationIdentification\":[{\"identificationType\":"
              "\"companyRegistration\",\"identificationId\":\"HRB12345\",\"issuingCountry\":\"DE\"}]}",
              BSS_E_EXISTS, "organizationIdentification[0].identificationId");
    int64_t n = 0;
    bss_errinfo ei;
    assert_int_equal(
        bss_db_query_int64(db, "SELECT COUNT(*) FROM party_identification", BSS_DB_NOARGS, &n, &ei), BSS_OK);
    assert_int_equal(n, 4); /* p1 NEW1, p2 AT, p4 DE, o1 */
}

static void test_hierarchy(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    const bss_doc_kind *O = &bss_organization_kind;
    pt_expect(db, O, "a", false, "{\"tradingName\":\"A\"}", BSS_OK, NULL);
    pt_expect(db, O, "b", false,
              "{\"tradingName\":\"B\",\"organizationParentRelationship\":{\"organization\":{\"id\":\"a\"}}}",
              BSS_OK, NULL);
    pt_expect(
        db, O, "c", false,
        "{\"tradingName\":\"C\",\"organizationParentRelationship\":{\"relationshipType\":\"subsidiary\","
        "\"organization\":{\"id\":\"b\"}}}",
        BSS_OK, NULL);
    pt_expect(
        db, O, "d", false,
        "{\"tradingName\":\"D\",\"organizationParentRelationship\":{\"organization\":{\"id\":\"nope\"}}}",
        BSS_E_INVALID, "organizationParentRelationship.organization.id");
    /* a -> child of c: a cycle a <- b <- c <- a */
    pt_expect(db, O, "a", true, "{\"organizationParentRelationship\":{\"organization\":{\"id\":\"c\"}}}",
              BSS_E_UNPROCESSABLE, "organizationParentRelationship.organization.id");
    /* c lists a (its grandparent) as a child: a cycle */
    pt_expect(db, O, "c", true, "{\"organizationChildRelationship\":[{\"organization\":{\"id\":\"a\"}}]}",
              BSS_E_UNPROCESSABLE, "organizationChildRelationship[0].organization.id");
    pt_expect(db, O, "a", true, "{\"organizationChildRelationship\":[{\"organization\":{\"id\":\"zz\"}}]}",
              BSS_E_INVALID, "organizationChildRelationship[0].organization.id");
    pt_expect(db, O, "a", true, "{\"organizationChildRelationship\":[{\"organization\":{\"id\":\"b\"}}]}",
              BSS_OK, NULL);
    int64_t n = 0;
    bss_errinfo ei;
    assert_int_equal(bss_db_query_int64(db, "SELECT COUNT(*) FROM tmf632_organization WHERE parent_id = 'b'",
                                        BSS_DB_NOARGS, &n, &ei),
                     BSS_OK);
    assert_int_equal(n, 1);
}

static void test_search_and_filters(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    pt_expect(db, &bss_individual_kind, "p1", false,
              IND(",\"contactMedium\":[{\"mediumType\":\"email\",\"characteristic\":{\"emailAddress\":"
                  "\"jane@example.com\"}}]"),
              BSS_OK, NULL);
    int64_t n = 0;
    bss_errinfo ei;
    assert_int_equal(
        bss_db_query_int64(db,
                           "SELECT COUNT(*) FROM tmf632_individual WHERE given_name = 'Jane' AND "
                           "family_name = 'Doe' AND status = 'initialized'",
                           BSS_DB_NOARGS, &n, &ei),
        BSS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(bss_db_query_int64(db, "SELECT COUNT(*) FROM search_index WHERE entity_id = 'p1'",
                                        BSS_DB_NOARGS, &n, &ei),
                     BSS_OK);
    assert_true(n > 0);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_duplicate_identification, setup, dbtest_teardown),              \
            cmocka_unit_test_setup_teardown(test_hierarchy, setup, dbtest_teardown),                         \
            cmocka_unit_test_setup_teardown(test_search_and_filters, setup, dbtest_teardown),                \
    }

static const struct CMUnitTest pure_tests[] = {
    cmocka_unit_test(test_individual_rules),
    cmocka_unit_test(test_organization_rules),
};

DBTEST_MAIN_PURE("rules", pure_tests, STORE_TESTS, pt_setup_sqlite, pt_setup_pg)
