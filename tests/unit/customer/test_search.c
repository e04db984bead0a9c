/*
 * test_search.c: the customer search (src/customer/search.c): name folding
 * (accents, ß, ł, ø, apostrophes, other scripts, cuts), phone
 * normalisation, and on a migrated store (SQLite and, via
 * db/dbtest.h, PostgreSQL) the index kept per document and the query:
 * prefix semantics on names, exact e-mail / phone / id / account number,
 * the customer of a party found through its engaged party, and bad input.
 */
#include "customer/custtest.h"
#include "customer/customer.h"

static void fold_is(const char *in, const char *want)
{
    char out[BSS_SEARCH_TERM_MAX];
    size_t n = bss_search_fold(in, strlen(in), out, sizeof out);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static void test_fold(void **state)
{
    (void)state;
    fold_is("Élodie MÜLLER", "elodie muller");
    fold_is("Straße", "strasse");
    fold_is("Søren Kierkegård", "soren kierkegard");
    fold_is("Łukasz Żółć", "lukasz zolc");
    fold_is("O'Brien", "obrien");
    fold_is("O\xe2\x80\x99"
            "Connor",
            "oconnor"); /* typographic apostrophe */
    fold_is("Jean-Luc  Picard", "jean luc picard");
    fold_is("  ÆSIR Œuvre Þór ĳssel ", "aesir oeuvre thor ijssel");
    fold_is("Çağrı Şahin", "cagri sahin");
    fold_is("Ďurovič Ňachová Řehoř", "durovic nachova rehor");
    fold_is("Иван", "Иван"); /* other scripts are kept as they are */
    fold_is("a\xff"
            "b\xc3",
            "ab"); /* invalid bytes are skipped */
    fold_is("...", "");
    char small[6];
    assert_int_equal(bss_search_fold("Élodie", strlen("Élodie"), small, sizeof small), 5);
    assert_string_equal(small, "elodi");
    char tiny[3];
    bss_search_fold("a b", 3, tiny, sizeof tiny); /* the space would need room for the 'b' as well */
    assert_string_equal(tiny, "a");
}

static void test_phone(void **state)
{
    (void)state;
    char out[20];
    assert_true(bss_search_norm_phone("+44 20 7946-0958", out));
    assert_string_equal(out, "+442079460958");
    assert_true(bss_search_norm_phone("0044 (20) 7946.0958", out));
    assert_string_equal(out, "+442079460958");
    assert_true(bss_search_norm_phone("491701234567", out));
    assert_string_equal(out, "+491701234567");
    assert_false(bss_search_norm_phone("+44 20 ext 5", out));
    assert_false(bss_search_norm_phone("+12", out));
    assert_false(bss_search_norm_phone("+1234567890123456", out)); /* 16 digits */
    assert_false(bss_search_norm_phone("john@example.com", out));
}

static void index_elodie(bss_db *db)
{
    bss_errinfo ei;
    json_t *doc =
        js("{\"id\":\"ind-1\",\"givenName\":\"Élodie\",\"familyName\":\"Müller-Łukasz\","
           "\"contactMedium\":[{\"mediumType\":\"email\",\"characteristic\":{\"emailAddress\":"
           "\"Elodie.M@Example.COM\"}},{\"mediumType\":\"mobile\",\"characteristic\":{\"phoneNumber\":"
           "\"+33 6 12 34 56 78\"}}]}");
    assert_int_equal(bss_search_index_doc(db, "individual", "ind-1", NULL, doc, &ei), BSS_OK);
    json_decref(doc);
    doc = js("{\"id\":\"ba-1\",\"name\":\"Elodie home\",\"accountNumber\":\"BA-000123\"}");
    assert_int_equal(bss_search_index_doc(db, "billingAccount", "ba-1", "cust-1", doc, &ei), BSS_OK);
    json_decref(doc);
    doc = js("{\"id\":\"prod-1\",\"name\":\"Mobile M\",\"productCharacteristic\":[{\"name\":\"MSISDN\","
             "\"value\":\"336 99 00 11 22\"},{\"name\":\"iccid\",\"value\":\"8933150319000012345\"}]}");
    assert_int_equal(bss_search_index_doc(db, "product", "prod-1", "cust-1", doc, &ei), BSS_OK);
    json_decref(doc);
}

/* Runs a search and returns the comma-joined "kind:id" of the hits. */
static const char *hits_of(bss_db *db, const char *q, int limit)
{
    static char buf[512];
    json_t *arr = NULL;
    bss_errinfo ei;
    if (bss_search_run(db, q, limit, &arr, &ei) != BSS_OK)
        fail_msg("search %s: %s", q, ei.message);
    size_t i, len = 0;
    json_t *h;
    buf[0] = '\0';
    json_array_foreach(arr, i, h)
    {
        int n = snprintf(buf + len, sizeof buf - len, "%s%s:%s", len ? "," : "",
                         json_string_value(json_object_get(h, "kind")),
                         json_string_value(json_object_get(h, "id")));
        if (n > 0 && (size_t)n < sizeof buf - len)
            len += (size_t)n;
    }
    json_decref(arr);
    return buf;
}

static void test_index_and_query(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    index_elodie(db);
    /* name prefixes, any word, any case, any accent */
    assert_string_equal(hits_of(db, "elo", 20), "billingAccount:ba-1,individual:ind-1");
    assert_string_equal(hits_of(db, "ÉLODIE M", 20), "individual:ind-1");
    assert_string_equal(hits_of(db, "mull", 20), "individual:ind-1");
    assert_string_equal(hits_of(db, "Łuk", 20), "individual:ind-1");
    assert_string_equal(hits_of(db, "mullerx", 20), "");
    assert_string_equal(hits_of(db, "lodie", 20), ""); /* a prefix, not a substring */
    /* exact: e-mail (any case), phone in any spelling, account number, MSISDN, ICCID, id */
    assert_string_equal(hits_of(db, " elodie.m@EXAMPLE.com ", 20), "individual:ind-1");
    assert_string_equal(hits_of(db, "elodie.m@", 20), "");
    assert_string_equal(hits_of(db, "0033 6 12 34 56 78", 20), "individual:ind-1");
    assert_string_equal(hits_of(db, "+33612345678", 20), "individual:ind-1");
    assert_string_equal(hits_of(db, "ba-000123", 20), "billingAccount:ba-1");
    assert_string_equal(hits_of(db, "+336 99 00 11 22", 20), "product:prod-1");
    assert_string_equal(hits_of(db, "8933150319000012345", 20), "product:prod-1");
    assert_string_equal(hits_of(db, "PROD-1", 20), "product:prod-1");
    assert_string_equal(hits_of(db, "elo", 1), "billingAccount:ba-1");
    /* the result shape */
    json_t *arr = NULL;
    bss_errinfo ei;
    assert_int_equal(bss_search_run(db, "BA-000123", 5, &arr, &ei), BSS_OK);
    json_t *h = json_array_get(arr, 0);
    assert_string_equal(str_at(h, "customerId"), "cust-1");
    assert_string_equal(str_at(h, "display"), "Elodie home");
    assert_string_equal(str_at(h, "matched"), "ba-000123");
    json_decref(arr);
}

static void test_reindex_and_remove(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    bss_errinfo ei;
    index_elodie(db);
    json_t *doc = js("{\"id\":\"ind-1\",\"givenName\":\"Zoë\",\"familyName\":\"Ødegård\"}");
    assert_int_equal(bss_search_index_doc(db, "individual", "ind-1", "", doc, &ei), BSS_OK);
    json_decref(doc);
    assert_string_equal(hits_of(db, "mull", 20), "");
    assert_string_equal(hits_of(db, "elodie.m@example.com", 20), "");
    assert_string_equal(hits_of(db, "zoe odeg", 20), "individual:ind-1");
    assert_string_equal(hits_of(db, "ode", 20), "individual:ind-1");
    assert_int_equal(bss_search_index_doc(db, "individual", "ind-1", NULL, NULL, &ei), BSS_OK);
    assert_string_equal(hits_of(db, "zoe", 20), "");
    assert_int_equal(bss_search_index_doc(db, NULL, "x", NULL, NULL, &ei), BSS_E_INVALID);
}

static void test_prefix_bounds(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    bss_errinfo ei;
    static const char *const terms[] = {"ab", "abz", "ab\xc3\xbf", "ac", "aa", "a", "abzzzz"};
    for (size_t i = 0; i < sizeof terms / sizeof terms[0]; i++) {
        char id[8];
        snprintf(id, sizeof id, "t%zu", i);
        assert_int_equal(bss_search_put_term(db, terms[i], "name", "individual", id, NULL, terms[i], &ei),
                         BSS_OK);
    }
    /* in byte order; the multibyte continuation stays inside the range */
    assert_string_equal(hits_of(db, "ab", 20), "individual:t0,individual:t1,individual:t6,individual:t2");
    assert_string_equal(hits_of(db, "abz", 20), "individual:t1,individual:t6");
    assert_string_equal(hits_of(db, "a", 3), "individual:t5,individual:t4,individual:t0");
}

/* One entity matching by many terms does not hide the next one (the scan reads further pages). */
static void test_prefix_pages(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    bss_errinfo ei;
    for (int i = 0; i < 20; i++) {
        char term[16];
        snprintf(term, sizeof term, "ab%02d", i);
        assert_int_equal(bss_search_put_term(db, term, "name", "individual", "x", NULL, "X", &ei), BSS_OK);
    }
    assert_int_equal(bss_search_put_term(db, "ab99", "name", "individual", "y", NULL, "Y", &ei), BSS_OK);
    assert_string_equal(hits_of(db, "ab", 2), "individual:x,individual:y");
    assert_string_equal(hits_of(db, "ab", 1), "individual:x");
}

static void test_customer_of_party(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    bss_errinfo ei;
    index_elodie(db);
    assert_int_equal(bss_db_exec(db,
                                 "INSERT INTO tmf629_customer (id, doc, created_ms, updated_ms, row_version, "
                                 "engaged_party_id) VALUES ('cust-9', '{}', 0, 0, 1, 'ind-1')",
                                 BSS_DB_NOARGS, NULL, &ei),
                     BSS_OK);
    json_t *arr = NULL;
    assert_int_equal(bss_search_run(db, "+33612345678", 5, &arr, &ei), BSS_OK);
    assert_string_equal(str_at(json_array_get(arr, 0), "customerId"), "cust-9");
    json_decref(arr);
}

static void test_bad_input(void **state)
{
    bss_db *db = ((dbtest_env *)*state)->db;
    json_t *arr = NULL;
    bss_errinfo ei;
    assert_int_equal(bss_search_run(db, "", 20, &arr, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "q");
    assert_int_equal(bss_search_run(db, "   ", 20, &arr, &ei), BSS_E_INVALID);
    assert_int_equal(bss_search_run(db, NULL, 20, &arr, &ei), BSS_E_INVALID);
    assert_int_equal(bss_search_run(db, "ann", 0, &arr, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "limit");
    assert_int_equal(bss_search_run(db, "ann", BSS_SEARCH_LIMIT_MAX + 1, &arr, &ei), BSS_E_INVALID);
    assert_null(arr);
    /* punctuation only: nothing to match, an empty answer */
    assert_string_equal(hits_of(db, "--", 20), "");
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_index_and_query, setup, dbtest_teardown),                       \
            cmocka_unit_test_setup_teardown(test_reindex_and_remove, setup, dbtest_teardown),                \
            cmocka_unit_test_setup_teardown(test_prefix_bounds, setup, dbtest_teardown),                     \
            cmocka_unit_test_setup_teardown(test_prefix_pages, setup, dbtest_teardown),                      \
            cmocka_unit_test_setup_teardown(test_customer_of_party, setup, dbtest_teardown),                 \
            cmocka_unit_test_setup_teardown(test_bad_input, setup, dbtest_teardown),                         \
    }

static const struct CMUnitTest pure_tests[] = {cmocka_unit_test(test_fold), cmocka_unit_test(test_phone)};

DBTEST_MAIN_PURE("pure", pure_tests, STORE_TESTS, setup_sqlite_store, setup_pg_store)
