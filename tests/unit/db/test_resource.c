/*
 * test_resource.c: the generic persistence of TMF resource documents
 * (src/db/resource.c) on SQLite and, when configured, on PostgreSQL
 * (dbtest.h): typed columns kept in sync with the document,
 * optimistic updates and deletes, filtered and paged listing with totals,
 * and every error code.
 */
#include "db/dbtest.h"

#include "core/json.h"
#include "db/resource.h"
#include "unittest.h"

static const char *create_sql =
    "CREATE TABLE res_test (id TEXT PRIMARY KEY, doc TEXT NOT NULL, "
    "created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL, row_version BIGINT NOT NULL, "
    "name TEXT, qty BIGINT, flag BIGINT, start_ms BIGINT)";

static const bss_res_column cols[] = {
    {"name", "name", BSS_RES_TEXT},
    {"qty", "qty", BSS_RES_INT64},
    {"flag", "flag", BSS_RES_BOOL},
    {"validFor.startDateTime", "start_ms", BSS_RES_TIME},
};

static bss_res_table table = {.name = "res_test", .columns = cols, .ncolumns = 4};

static void make_table(bss_db *db)
{
    bss_errinfo ei;
    assert_int_equal(bss_db_exec(db, create_sql, BSS_DB_NOARGS, NULL, &ei), BSS_OK);
    assert_int_equal(bss_resource_table_prepare(&table), BSS_OK);
}

static void insert(bss_db *db, const char *id, const char *text, int64_t now)
{
    json_t *doc = js(text);
    bss_errinfo ei;
    bss_err rc = bss_resource_insert(db, &table, id, doc, now, &ei);
    if (rc)
        fail_msg("insert %s: %s %s", id, bss_errname(rc), ei.message);
    json_decref(doc);
}

static void test_bad_descriptors(void **state)
{
    static const bss_res_column bad_col[] = {{"x", "x;drop", BSS_RES_TEXT}};
    static const bss_res_column bad_type[] = {{"x", "x", (bss_res_type)9}};
    static const bss_res_column no_path[] = {{"", "x", BSS_RES_TEXT}};
    static bss_res_table t1 = {.name = "Bad-Name"};
    static bss_res_table t2 = {.name = "ok", .columns = bad_col, .ncolumns = 1};
    static bss_res_table t3 = {.name = "ok", .columns = bad_type, .ncolumns = 1};
    static bss_res_table t4 = {.name = "ok", .columns = no_path, .ncolumns = 1};
    static bss_res_table t5 = {.name = "ok", .columns = cols, .ncolumns = BSS_RES_MAX_COLUMNS + 1};
    assert_int_equal(bss_resource_table_prepare(&t1), BSS_E_INVALID);
    assert_int_equal(bss_resource_table_prepare(&t2), BSS_E_INVALID);
    assert_int_equal(bss_resource_table_prepare(&t3), BSS_E_INVALID);
    assert_int_equal(bss_resource_table_prepare(&t4), BSS_E_INVALID);
    assert_int_equal(bss_resource_table_prepare(&t5), BSS_E_INVALID);
    dbtest_env *env = *state;
    bss_errinfo ei;
    json_t *doc = js("{}");
    assert_int_equal(bss_resource_insert(env->db, &t1, "a", doc, 1, &ei), BSS_E_INTERNAL);
    json_decref(doc);
    assert_int_equal(bss_resource_column_of(&table, "id"), BSS_RES_COL_ID);
    assert_int_equal(bss_resource_column_of(&table, "qty"), 1);
    assert_int_equal(bss_resource_column_of(&table, "validFor.startDateTime"), 3);
    assert_int_equal(bss_resource_column_of(&table, "other"), BSS_RES_COL_NONE);
}

static void test_insert_get(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    make_table(db);
    const char *text =
        "{\"id\":\"a1\",\"name\":\"Gr\xc3\xbc\xc3\x9f \\\"q\\\"\",\"qty\":-5,\"flag\":true,"
        "\"validFor\":{\"startDateTime\":\"2026-01-01T01:00:00+01:00\"},\"x\":[1,{\"y\":null}]}";
    insert(db, "a1", text, 1000);
    bss_res_doc row;
    assert_int_equal(bss_resource_get(db, &table, "a1", &row, &ei), BSS_OK);
    json_t *want = js(text);
    char *dumped = bss_json_dump(want, NULL);
    assert_string_equal(row.doc, dumped);
    assert_int_equal(row.doc_len, strlen(dumped));
    assert_int_equal(row.created_ms, 1000);
    assert_int_equal(row.updated_ms, 1000);
    assert_int_equal(row.row_version, 1);
    bss_free(dumped);
    json_decref(want);
    bss_resource_doc_free(&row);
    bss_resource_doc_free(NULL);

    bss_db_rows *rows;
    assert_int_equal(bss_db_query(db, "SELECT name, qty, flag, start_ms FROM res_test WHERE id = ?",
                                  BSS_DB_ARGS(BSS_DB_STR("a1")), &rows, &ei),
                     BSS_OK);
    assert_true(bss_db_next(rows));
    size_t len;
    assert_string_equal(bss_db_col_text(rows, 0, &len), "Gr\xc3\xbc\xc3\x9f \"q\"");
    assert_int_equal(bss_db_col_int64(rows, 1), -5);
    assert_int_equal(bss_db_col_int64(rows, 2), 1);
    assert_int_equal(bss_db_col_int64(rows, 3), INT64_C(1767225600000));
    bss_db_rows_close(rows);

    /* absent typed members are NULL */
    insert(db, "a2", "{\"id\":\"a2\",\"flag\":null}", 1001);
    assert_int_equal(bss_db_query(db, "SELECT name, qty, flag, start_ms FROM res_test WHERE id = ?",
                                  BSS_DB_ARGS(BSS_DB_STR("a2")), &rows, &ei),
                     BSS_OK);
    assert_true(bss_db_next(rows));
    for (int c = 0; c < 4; c++)
        assert_true(bss_db_col_null(rows, c));
    bss_db_rows_close(rows);

    assert_int_equal(bss_resource_get(db, &table, "nope", &row, &ei), BSS_E_NOT_FOUND);
    assert_string_equal(ei.field, "id");
    assert_null(row.doc);
}

static void expect_insert_error(bss_db *db, const char *id, const char *text, bss_err code, const char *field)
{
    json_t *doc = js(text);
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_resource_insert(db, &table, id, doc, 1, &ei);
    json_decref(doc);
    if (rc != code)
        fail_msg("%s: want %s got %s (%s)", text, bss_errname(code), bss_errname(rc), ei.message);
    assert_string_equal(ei.field, field);
}

static void test_insert_errors(void **state)
{
    dbtest_env *env = *state;
    make_table(env->db);
    insert(env->db, "dup", "{}", 1);
    expect_insert_error(env->db, "dup", "{}", BSS_E_EXISTS, "id");
    expect_insert_error(env->db, "b", "{\"name\":5}", BSS_E_INVALID, "name");
    expect_insert_error(env->db, "b", "{\"qty\":1.5}", BSS_E_INVALID, "qty");
    expect_insert_error(env->db, "b", "{\"qty\":\"1\"}", BSS_E_INVALID, "qty");
    expect_insert_error(env->db, "b", "{\"flag\":1}", BSS_E_INVALID, "flag");
    expect_insert_error(env->db, "b", "{\"validFor\":{\"startDateTime\":\"2026-02-30T00:00:00Z\"}}",
                        BSS_E_INVALID, "validFor.startDateTime");
    expect_insert_error(env->db, "b", "{\"validFor\":{\"startDateTime\":7}}", BSS_E_INVALID,
                        "validFor.startDateTime");
    expect_insert_error(env->db, "b", "[1]", BSS_E_INVALID, "");
    int64_t n = 0;
    bss_errinfo ei;
    assert_int_equal(bss_db_query_int64(env->db, "SELECT COUNT(*) FROM res_test", BSS_DB_NOARGS, &n, &ei),
                     BSS_OK);
    assert_int_equal(n, 1);
}

static void test_update_delete(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    make_table(db);
    insert(db, "u1", "{\"name\":\"old\",\"qty\":1}", 10);
    json_t *doc = js("{\"name\":\"new\",\"qty\":2,\"extra\":\"kept\"}");
    int64_t v = 0;
    assert_int_equal(bss_resource_update(db, &table, "u1", doc, 20, 1, &v, &ei), BSS_OK);
    assert_int_equal(v, 2);
    /* stale version */
    assert_int_equal(bss_resource_update(db, &table, "u1", doc, 30, 1, &v, &ei), BSS_E_CONFLICT);
    assert_string_equal(ei.field, "id");
    assert_int_equal(bss_resource_update(db, &table, "zz", doc, 30, 1, &v, &ei), BSS_E_NOT_FOUND);
    json_t *bad = js("{\"qty\":\"x\"}");
    assert_int_equal(bss_resource_update(db, &table, "u1", bad, 30, 2, &v, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "qty");
    json_decref(bad);
    json_decref(doc);

    bss_res_doc row;
    assert_int_equal(bss_resource_get(db, &table, "u1", &row, &ei), BSS_OK);
    assert_string_equal(row.doc, "{\"name\":\"new\",\"qty\":2,\"extra\":\"kept\"}");
    assert_int_equal(row.created_ms, 10);
    assert_int_equal(row.updated_ms, 20);
    assert_int_equal(row.row_version, 2);
    bss_resource_doc_free(&row);
    int64_t qty = 0;
    assert_int_equal(bss_db_query_int64(db, "SELECT qty FROM res_test WHERE name = ?",
                                        BSS_DB_ARGS(BSS_DB_STR("new")), &qty, &ei),
                     BSS_OK);
    assert_int_equal(qty, 2);

    assert_int_equal(bss_resource_delete(db, &table, "u1", 1, &ei), BSS_E_CONFLICT);
    assert_int_equal(bss_resource_delete(db, &table, "u1", 2, &ei), BSS_OK);
    assert_int_equal(bss_resource_delete(db, &table, "u1", 0, &ei), BSS_E_NOT_FOUND);
    insert(db, "u2", "{}", 1);
    assert_int_equal(bss_resource_delete(db, &table, "u2", 0, &ei), BSS_OK);
    assert_int_equal(bss_resource_get(db, &table, "u2", &row, &ei), BSS_E_NOT_FOUND);
}

typedef struct collect {
    char ids[16][16];
    int n;
    int stop_at;
} collect;

static bss_err collect_row(const bss_res_row *row, void *arg)
{
    collect *c = arg;
    if (c->stop_at && c->n == c->stop_at)
        return BSS_E_TOO_BIG;
    assert_true(row->doc_len > 0);
    assert_int_equal(row->row_version, 1);
    snprintf(c->ids[c->n++], sizeof c->ids[0], "%s", row->id);
    return BSS_OK;
}

static void seed(bss_db *db)
{
    make_table(db);
    insert(db, "r3",
           "{\"name\":\"c\",\"qty\":30,\"flag\":false,\"validFor\":{\"startDateTime\":\"2026-03-01\"}}", 1);
    insert(db, "r1",
           "{\"name\":\"a\",\"qty\":10,\"flag\":true,\"validFor\":{\"startDateTime\":\"2026-01-01\"}}", 1);
    insert(db, "r5", "{\"name\":\"a\",\"qty\":50}", 1);
    insert(db, "r2",
           "{\"name\":\"b\",\"qty\":20,\"flag\":true,\"validFor\":{\"startDateTime\":\"2026-02-01\"}}", 1);
    insert(db, "r4", "{\"name\":\"d\",\"qty\":40,\"flag\":false}", 1);
}

/* Lists with filters built from (column, op, text values); returns "r1,r2" and the total. */
static void list_ids(bss_db *db, const bss_res_filter *f, size_t nf, int64_t offset, int64_t limit, char *out,
                     int64_t *total)
{
    collect c = {0};
    bss_errinfo ei;
    bss_err rc = bss_resource_list(db, &table, f, nf, offset, limit, total, collect_row, &c, &ei);
    if (rc)
        fail_msg("list: %s %s", bss_errname(rc), ei.message);
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < c.n; i++)
        n += (size_t)snprintf(out + n, 128 - n, "%s%s", i ? "," : "", c.ids[i]);
}

static bss_res_filter filt(int col, bss_res_op op, const char *v1, const char *v2)
{
    bss_res_filter f = {.column = col, .op = op, .nvalues = v2 ? 2 : 1};
    bss_errinfo ei;
    assert_int_equal(bss_resource_filter_value(&table, col, v1, "p", &f.values[0], &ei), BSS_OK);
    if (v2)
        assert_int_equal(bss_resource_filter_value(&table, col, v2, "p", &f.values[1], &ei), BSS_OK);
    return f;
}

static void test_list(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    char ids[128];
    int64_t total = -1;
    seed(db);
    list_ids(db, NULL, 0, 0, 100, ids, &total);
    assert_string_equal(ids, "r1,r2,r3,r4,r5");
    assert_int_equal(total, 5);
    list_ids(db, NULL, 0, 1, 2, ids, &total);
    assert_string_equal(ids, "r2,r3");
    assert_int_equal(total, 5);
    list_ids(db, NULL, 0, 10, 2, ids, &total);
    assert_string_equal(ids, "");
    assert_int_equal(total, 5);
    list_ids(db, NULL, 0, 0, -1, ids, NULL);
    assert_string_equal(ids, "r1,r2,r3,r4,r5");

    bss_res_filter f[3];
    f[0] = filt(0, BSS_RES_EQ, "a", NULL);
    list_ids(db, f, 1, 0, 100, ids, &total);
    assert_string_equal(ids, "r1,r5");
    assert_int_equal(total, 2);
    f[0] = filt(0, BSS_RES_EQ, "a", "d");
    list_ids(db, f, 1, 0, 1, ids, &total);
    assert_string_equal(ids, "r1");
    assert_int_equal(total, 3);
    f[0] = filt(1, BSS_RES_GTE, "20", NULL);
    f[1] = filt(1, BSS_RES_LT, "50", NULL);
    list_ids(db, f, 2, 0, 100, ids, &total);
    assert_string_equal(ids, "r2,r3,r4");
    f[0] = filt(2, BSS_RES_EQ, "true", NULL);
    list_ids(db, f, 1, 0, 100, ids, &total);
    assert_string_equal(ids, "r1,r2");
    f[0] = filt(3, BSS_RES_GT, "2026-01-15T00:00:00Z", NULL);
    list_ids(db, f, 1, 0, 100, ids, &total);
    assert_string_equal(ids, "r2,r3");
    f[0] = filt(3, BSS_RES_LTE, "2026-02-01T00:00:00Z", NULL);
    f[1] = filt(BSS_RES_COL_ID, BSS_RES_EQ, "r2", "r3");
    list_ids(db, f, 2, 0, 100, ids, &total);
    assert_string_equal(ids, "r2");
    assert_int_equal(total, 1);
    f[0] = filt(0, BSS_RES_GT, "b", NULL); /* text range: byte order on both backends for ASCII */
    list_ids(db, f, 1, 0, 100, ids, &total);
    assert_string_equal(ids, "r3,r4");

    collect c = {.stop_at = 2};
    bss_errinfo ei;
    assert_int_equal(bss_resource_list(db, &table, NULL, 0, 0, 100, NULL, collect_row, &c, &ei),
                     BSS_E_TOO_BIG);
    assert_int_equal(c.n, 2);
}

static void test_list_errors(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    seed(db);
    collect c = {0};
    bss_res_filter f[BSS_RES_MAX_FILTERS + 1];
    for (int i = 0; i <= BSS_RES_MAX_FILTERS; i++)
        f[i] = filt(1, BSS_RES_GT, "0", NULL);
    assert_int_equal(
        bss_resource_list(db, &table, f, BSS_RES_MAX_FILTERS + 1, 0, 10, NULL, collect_row, &c, &ei),
        BSS_E_UNSUPPORTED);
    bss_res_filter bad = filt(1, BSS_RES_GT, "0", NULL);
    bad.column = 7;
    assert_int_equal(bss_resource_list(db, &table, &bad, 1, 0, 10, NULL, collect_row, &c, &ei),
                     BSS_E_INVALID);
    bad = filt(1, BSS_RES_GT, "0", "1"); /* two values need EQ */
    assert_int_equal(bss_resource_list(db, &table, &bad, 1, 0, 10, NULL, collect_row, &c, &ei),
                     BSS_E_INVALID);
    bad.nvalues = 0;
    assert_int_equal(bss_resource_list(db, &table, &bad, 1, 0, 10, NULL, collect_row, &c, &ei),
                     BSS_E_INVALID);

    bss_db_val v;
    assert_int_equal(bss_resource_filter_value(&table, 1, "x", "qty", &v, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "qty");
    assert_int_equal(bss_resource_filter_value(&table, 1, "", "qty", &v, &ei), BSS_E_INVALID);
    assert_int_equal(bss_resource_filter_value(&table, 2, "yes", "flag", &v, &ei), BSS_E_INVALID);
    assert_int_equal(bss_resource_filter_value(&table, 3, "2026-13-01", "validFor.startDateTime.gt", &v, &ei),
                     BSS_E_INVALID);
    assert_string_equal(ei.field, "validFor.startDateTime.gt");
    assert_int_equal(bss_resource_filter_value(&table, 2, "false", "flag", &v, &ei), BSS_OK);
    assert_int_equal(v.i, 0);

    /* a table whose statement slots run out reports UNSUPPORTED, never a wrong statement */
    static bss_res_table small = {.name = "res_test", .columns = cols, .ncolumns = 4};
    assert_int_equal(bss_resource_table_prepare(&small), BSS_OK);
    bss_err rc = BSS_OK;
    int shapes = 0;
    for (int col = 1; col <= 3 && rc == BSS_OK; col += 2)
        for (int k = 0; k < BSS_RES_MAX_IN + 4 && rc == BSS_OK; k++) {
            bss_res_filter g = {.column = col, .op = k < BSS_RES_MAX_IN ? BSS_RES_EQ : (bss_res_op)(k - 7)};
            g.nvalues = k < BSS_RES_MAX_IN ? (size_t)k + 1 : 1;
            for (size_t i = 0; i < g.nvalues; i++)
                g.values[i] = BSS_DB_I64(i);
            collect cc = {0};
            rc = bss_resource_list(db, &small, &g, 1, 0, 10, NULL, collect_row, &cc, &ei);
            shapes += rc == BSS_OK;
        }
    assert_int_equal(rc, BSS_E_UNSUPPORTED);
    assert_int_equal(shapes, (BSS_RES_SQL_SLOTS - 6) / 2);
}

#define RES_TESTS(setup)                                                                                     \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_bad_descriptors, setup, dbtest_teardown),                       \
            cmocka_unit_test_setup_teardown(test_insert_get, setup, dbtest_teardown),                        \
            cmocka_unit_test_setup_teardown(test_insert_errors, setup, dbtest_teardown),                     \
            cmocka_unit_test_setup_teardown(test_update_delete, setup, dbtest_teardown),                     \
            cmocka_unit_test_setup_teardown(test_list, setup, dbtest_teardown),                              \
            cmocka_unit_test_setup_teardown(test_list_errors, setup, dbtest_teardown),                       \
    }

DBTEST_MAIN(RES_TESTS)
