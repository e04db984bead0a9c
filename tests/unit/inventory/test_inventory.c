/*
 * test_inventory.c: the resource inventory (inventory.h): each check of a
 * SIM row with its field, the state table, then on a migrated store (both
 * backends): a batch imported with its secrets sealed so they open only
 * for their own card, all-or-nothing and partial imports, ranges and
 * their overlaps, reservations that end by themselves and the release of
 * a holder's numbers, staff status moves, and the stats.
 */
#include "../db/dbtest.h"

#include <jansson.h>

#include "core/seal.h"
#include "db/db.h"
#include "inventory/inventory.h"
#include "inventory/inventory_int.h"

#define NOW 1777888000000LL /* 2026-05-04 */

static const char *ICC1 = "8931440000000000014"; /* Luhn-valid */

static void fields(bss__sim_fields *f, const char *iccid, const char *imsi, const char *ki, const char *opc,
                   const char *pin1, const char *puk1, const char *profile)
{
    memset(f, 0, sizeof *f);
    snprintf(f->v[BSS__SIMCOL_ICCID], 80, "%s", iccid);
    snprintf(f->v[BSS__SIMCOL_IMSI], 80, "%s", imsi);
    snprintf(f->v[BSS__SIMCOL_KI], 80, "%s", ki);
    snprintf(f->v[BSS__SIMCOL_OPC], 80, "%s", opc);
    snprintf(f->v[BSS__SIMCOL_PIN1], 80, "%s", pin1);
    snprintf(f->v[BSS__SIMCOL_PUK1], 80, "%s", puk1);
    snprintf(f->v[BSS__SIMCOL_PROFILE], 80, "%s", profile);
}

#define K32 "000102030405060708090a0b0c0d0e0f"

static void expect_row(const char *iccid, const char *imsi, const char *ki, const char *pin1, const char *puk1,
                       const char *profile, bss_sim_keys keys, bss_err want, const char *field)
{
    bss__sim_fields f;
    bss__sim_new out;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    fields(&f, iccid, imsi, ki, K32, pin1, puk1, profile);
    bss_err rc = bss__sim_check(&f, keys, "B1", &out, &ei);
    if (rc != want)
        fail_msg("%s/%s: got %s (%s), want %s", iccid, imsi, bss_strerror(rc), ei.message, bss_strerror(want));
    if (field)
        assert_string_equal(ei.field, field);
}

static void test_row_checks(void **state)
{
    (void)state;
    expect_row(ICC1, "204040000000011", K32, "1234", "12345678", "", BSS_SIM_KEYS_STORE, BSS_OK, NULL);
    expect_row("8931 4400 0000 0000 014", "204040000000011", K32, "", "", "eSIM", BSS_SIM_KEYS_STORE, BSS_OK, NULL);
    expect_row("8931440000000000012", "204040000000011", K32, "", "", "", BSS_SIM_KEYS_STORE, BSS_E_INVALID, "iccid");
    expect_row(ICC1, "20404", K32, "", "", "", BSS_SIM_KEYS_STORE, BSS_E_INVALID, "imsi");
    expect_row(ICC1, "2040400000000111", K32, "", "", "", BSS_SIM_KEYS_STORE, BSS_E_INVALID, "imsi");
    expect_row(ICC1, "20404000000001x", K32, "", "", "", BSS_SIM_KEYS_STORE, BSS_E_INVALID, "imsi");
    expect_row(ICC1, "204040000000011", "00", "", "", "", BSS_SIM_KEYS_STORE, BSS_E_INVALID, "ki");
    expect_row(ICC1, "204040000000011", "", "", "", "", BSS_SIM_KEYS_HSS, BSS_OK, NULL);
    expect_row(ICC1, "204040000000011", K32, "123", "", "", BSS_SIM_KEYS_STORE, BSS_E_INVALID, "pin1");
    expect_row(ICC1, "204040000000011", K32, "1234", "1234567", "", BSS_SIM_KEYS_STORE, BSS_E_INVALID, "puk1");
    expect_row(ICC1, "204040000000011", K32, "", "", "usim", BSS_SIM_KEYS_STORE, BSS_E_INVALID, "profile");
    bss__sim_fields f;
    bss__sim_new out;
    bss_errinfo ei;
    fields(&f, ICC1, "204040000000011", K32, K32, "", "", "");
    snprintf(f.v[BSS__SIMCOL_WAREHOUSE], 80, "card 4111 1111 1111 1111");
    assert_int_equal(bss__sim_check(&f, BSS_SIM_KEYS_STORE, "B1", &out, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "warehouse");
    fields(&f, ICC1, "204040000000011", K32, K32, "", "", "");
    f.too_long[BSS__SIMCOL_BATCH] = true;
    assert_int_equal(bss__sim_check(&f, BSS_SIM_KEYS_STORE, "B1", &out, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "batch");
}

static void test_moves(void **state)
{
    (void)state;
    assert_true(bss__inv_move_ok(BSS__RES_SIM, "available", "reserved", false));
    assert_false(bss__inv_move_ok(BSS__RES_SIM, "available", "reserved", true));
    assert_true(bss__inv_move_ok(BSS__RES_SIM, "active", "lost", true));
    assert_false(bss__inv_move_ok(BSS__RES_SIM, "retired", "available", true));
    assert_true(bss__inv_move_ok(BSS__RES_MSISDN, "active", "quarantined", false));
    assert_false(bss__inv_move_ok(BSS__RES_MSISDN, "active", "quarantined", true));
    assert_true(bss__inv_move_ok(BSS__RES_MSISDN, "quarantined", "available", true));
    assert_false(bss__inv_move_ok(BSS__RES_MSISDN, "available", "lost", true));
    assert_false(bss__inv_move_ok(BSS__RES_MSISDN, "nonsense", "available", true));
    char buf[160];
    assert_string_equal(bss__inv_next_states(BSS__RES_SIM, "stolen", buf, sizeof buf),
                        "; from stolen it may become: retired");
}

/* ---- on a store ---- */

static int setup_sqlite(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_sqlite, NOW);
}
static int setup_pg(void **state)
{
    return dbtest_setup_migrated(state, dbtest_setup_pg, NOW);
}

static bss_seal_key key = {.set = true, .k = {1, 2, 3, 4, 5, 6, 7, 8, 9}};

static bss_inv_config cfg(void)
{
    return (bss_inv_config){.seal = &key, .keys = BSS_SIM_KEYS_STORE, .quarantine_days = 90, .hold_minutes = 30,
                            .warn_left = 5};
}

static const char FILE_OK[] = "iccid,imsi,ki,opc,pin1,puk1\n"
                              "8931440000000000014,204040000000011," K32 "," K32 ",1234,12345678\n"
                              "8931440000000000022,204040000000012," K32 "," K32 ",,\n";

static bss_err import(bss_db *db, const char *data, bool partial, json_t **rep, bss_errinfo *ei)
{
    bss_inv_config c = cfg();
    bss_inv_actor by = {.now_ms = NOW};
    bss_inv_import in = {.data = data, .len = strlen(data), .batch = "B1", .partial = partial};
    return bss_inv_sim_import(db, &c, &by, &in, rep, ei);
}

static void test_import_and_seal(void **state)
{
    dbtest_env *env = *state;
    json_t *rep = NULL;
    bss_errinfo ei;
    assert_int_equal(import(env->db, FILE_OK, false, &rep, &ei), BSS_OK);
    assert_int_equal(json_integer_value(json_object_get(rep, "imported")), 2);
    json_decref(rep);
    /* the sealed Ki opens for its own card only */
    bss_db_rows *rows = NULL;
    assert_int_equal(bss_db_query(env->db, "SELECT ki FROM inv_sim WHERE iccid = '8931440000000000014'",
                                  BSS_DB_NOARGS, &rows, &ei),
                     BSS_OK);
    assert_true(bss_db_next(rows));
    char *sealed = bss_strdup(bss_db_col_text(rows, 0, NULL));
    bss_db_rows_close(rows);
    assert_null(strstr(sealed, K32));
    char *plain = NULL;
    size_t len = 0;
    assert_int_equal(bss_unseal(&key, "sim:8931440000000000014:ki", sealed, &plain, &len, &ei), BSS_OK);
    assert_memory_equal(plain, K32, 32);
    bss_free(plain);
    assert_int_equal(bss_unseal(&key, "sim:8931440000000000022:ki", sealed, &plain, &len, &ei), BSS_E_INVALID);
    bss_free(sealed);
    /* importing it again: every row is already there, nothing changes */
    assert_int_equal(import(env->db, FILE_OK, false, &rep, &ei), BSS_E_UNPROCESSABLE);
    assert_int_equal(json_integer_value(json_object_get(rep, "rejected")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(rep, "rejects"), 1), "line")), 3);
    json_decref(rep);
    /* codes: shown once */
    bss_inv_config c = cfg();
    bss_inv_actor by = {.now_ms = NOW};
    json_t *codes = NULL;
    assert_int_equal(bss_inv_sim_codes(env->db, &c, &by, "8931440000000000014", "locked", &codes, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(codes, "puk1")), "12345678");
    json_decref(codes);
    assert_int_equal(bss_inv_sim_codes(env->db, &c, &by, "8931440000000000014", "again", &codes, &ei), BSS_E_CONFLICT);
    assert_int_equal(bss_inv_sim_codes(env->db, &c, &by, "8931440000000000022", "none", &codes, &ei), BSS_E_NOT_FOUND);
}

static void test_partial(void **state)
{
    dbtest_env *env = *state;
    static const char file[] = "iccid,imsi,ki,opc\n"
                               "8931440000000000014,204040000000011," K32 "," K32 "\n"
                               "8931440000000000014,204040000000013," K32 "," K32 "\n"
                               "8931440000000000030,204040000000011," K32 "," K32 "\n"
                               "\"8931440000000000048,x\n";
    json_t *rep = NULL;
    bss_errinfo ei;
    assert_int_equal(import(env->db, file, false, &rep, &ei), BSS_E_UNPROCESSABLE);
    assert_string_equal(ei.field, "line");
    json_decref(rep);
    int64_t n = -1;
    assert_int_equal(bss_db_query_int64(env->db, "SELECT COUNT(*) FROM inv_sim", BSS_DB_NOARGS, &n, &ei), BSS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(import(env->db, file, true, &rep, &ei), BSS_OK);
    json_t *rj = json_object_get(rep, "rejects");
    assert_int_equal(json_array_size(rj), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rj, 0), "field")), "iccid");
    assert_string_equal(json_string_value(json_object_get(json_array_get(rj, 1), "field")), "imsi");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(rj, 2), "line")), 5);
    json_decref(rep);
    assert_int_equal(bss_db_query_int64(env->db, "SELECT COUNT(*) FROM inv_sim", BSS_DB_NOARGS, &n, &ei), BSS_OK);
    assert_int_equal(n, 1);
}

static void test_ranges_and_reservations(void **state)
{
    dbtest_env *env = *state;
    bss_inv_actor by = {.now_ms = NOW};
    json_t *out = NULL;
    bss_errinfo ei;
    assert_int_equal(bss_inv_range_add(env->db, &by, "+31612340000", "+31612340009", NULL, &out, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(out, "prefix")), "3161234000");
    json_decref(out);
    assert_int_equal(bss_inv_range_add(env->db, &by, "+31612340005", "+31612340019", NULL, &out, &ei), BSS_E_CONFLICT);
    assert_non_null(strstr(ei.message, "5 numbers"));
    assert_int_equal(bss_inv_range_add(env->db, &by, "+31612340010", "+31612340019", "golden", &out, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "category");

    bss_inv_pick pick = {.holder = "order-1", .hold_ms = 10 * 60000};
    assert_int_equal(bss_inv_msisdn_reserve(env->db, &by, &pick, &out, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(out, "id")), "31612340000");
    json_decref(out);
    pick.holder = "order-2";
    pick.number = "+31612340000";
    assert_int_equal(bss_inv_msisdn_reserve(env->db, &by, &pick, &out, &ei), BSS_E_CONFLICT);
    /* eleven minutes later the hold is over: the number is free to whoever asks */
    bss_inv_actor later = {.now_ms = NOW + 11 * 60000};
    assert_int_equal(bss_inv_msisdn_reserve(env->db, &later, &pick, &out, &ei), BSS_OK);
    json_decref(out);
    int64_t n = -1;
    assert_int_equal(bss_inv_release(env->db, &later, "order-1", "gone", &n, &ei), BSS_OK);
    assert_int_equal(n, 0); /* order-1 holds nothing now */
    assert_int_equal(bss_inv_release(env->db, &later, "order-2", "cancelled", &n, &ei), BSS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(bss_inv_get(env->db, later.now_ms, NULL, "31612340000", &out, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(out, "resourceStatus")), "available");
    json_decref(out);

    /* staff: retire a number, and stats count it */
    assert_int_equal(bss_inv_set_status(env->db, &later, NULL, "31612340009", "retired", "damaged range", &out, &ei), BSS_OK);
    json_decref(out);
    assert_int_equal(bss_inv_set_status(env->db, &later, NULL, "31612340009", "active", "x", &out, &ei), BSS_E_STATE);
    bss_inv_config c = cfg();
    assert_int_equal(bss_inv_stats(env->db, &c, later.now_ms, &out, &ei), BSS_OK);
    json_t *ms = json_object_get(out, "msisdns");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(ms, "byState"), "retired")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(ms, "byState"), "available")), 9);
    json_decref(out);
    /* the list pages over both tables, SIMs first */
    bss_inv_filter f = {.type = "MSISDN", .status = "available", .offset = 8, .limit = 5};
    int64_t total = 0;
    assert_int_equal(bss_inv_list(env->db, later.now_ms, NULL, &f, &out, &total, &ei), BSS_OK);
    assert_int_equal(total, 9);
    assert_int_equal(json_array_size(out), 1);
    json_decref(out);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_import_and_seal, setup, dbtest_teardown),                       \
            cmocka_unit_test_setup_teardown(test_partial, setup, dbtest_teardown),                           \
            cmocka_unit_test_setup_teardown(test_ranges_and_reservations, setup, dbtest_teardown),           \
    }

static const struct CMUnitTest pure_tests[] = {cmocka_unit_test(test_row_checks), cmocka_unit_test(test_moves)};

DBTEST_MAIN_PURE("rules", pure_tests, STORE_TESTS, setup_sqlite, setup_pg)
