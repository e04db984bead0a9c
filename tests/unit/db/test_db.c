/*
 * test_db.c: THE store test suite. Every test below runs on SQLite and, when
 * configured, on PostgreSQL (dbtest.h), so the SQL subset of
 * db.h is proven to mean the same on both: binds of NULL, int64 extremes and
 * awkward text, placeholders inside literals, unique violations, explicit
 * transactions, savepoints, bss_db_tx retry (injected and real lock waits),
 * RETURNING and ON CONFLICT upserts, and the error codes of misuse.
 */
#include "db/dbtest.h"

#include "db/db_int.h"

static const char *create_t = "CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, n BIGINT)";

static void make_t(bss_db *db)
{
    bss_errinfo ei;
    assert_int_equal(bss_db_exec(db, create_t, BSS_DB_NOARGS, NULL, &ei), BSS_OK);
}

static int64_t count_t(bss_db *db)
{
    int64_t n = -1;
    bss_errinfo ei;
    assert_int_equal(bss_db_query_int64(db, "SELECT COUNT(*) FROM t", BSS_DB_NOARGS, &n, &ei), BSS_OK);
    return n;
}

static void test_binds_roundtrip(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    int64_t changes = 0;
    const char *quoted = "it's \"quoted\" ? -- not a comment /* nor this */ $1 \\n";
    const char *unicode = "Gr\xc3\xbc\xc3\x9f"
                          "e \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\xb1";
    static const char *ins = "INSERT INTO t (id, name, n) VALUES (?, ?, ?)";

    make_t(db);
    assert_int_equal(
        bss_db_exec(db, ins, BSS_DB_ARGS(BSS_DB_I64(1), BSS_DB_NIL, BSS_DB_I64(INT64_MIN)), &changes, &ei),
        BSS_OK);
    assert_int_equal(changes, 1);
    assert_int_equal(bss_db_exec(db, ins,
                                 BSS_DB_ARGS(BSS_DB_I64(2), BSS_DB_STR(quoted), BSS_DB_I64(INT64_MAX)), NULL,
                                 &ei),
                     BSS_OK);
    assert_int_equal(
        bss_db_exec(db, ins, BSS_DB_ARGS(BSS_DB_I64(3), BSS_DB_STR(unicode), BSS_DB_NIL), NULL, &ei), BSS_OK);
    /* STRN: not NUL-terminated at len; the empty string is not NULL. */
    assert_int_equal(
        bss_db_exec(db, ins, BSS_DB_ARGS(BSS_DB_I64(4), BSS_DB_STRN("abcdef", 3), BSS_DB_I64(0)), NULL, &ei),
        BSS_OK);
    assert_int_equal(
        bss_db_exec(db, ins, BSS_DB_ARGS(BSS_DB_I64(5), BSS_DB_STRN("", 0), BSS_DB_I64(-1)), NULL, &ei),
        BSS_OK);

    bss_db_rows *rows;
    size_t len;
    assert_int_equal(bss_db_query(db, "SELECT id, name, n FROM t ORDER BY id", BSS_DB_NOARGS, &rows, &ei),
                     BSS_OK);
    assert_true(bss_db_next(rows));
    assert_int_equal(bss_db_col_int64(rows, 0), 1);
    assert_true(bss_db_col_null(rows, 1));
    assert_null(bss_db_col_text(rows, 1, &len));
    assert_int_equal(len, 0);
    assert_true(bss_db_col_int64(rows, 2) == INT64_MIN);
    assert_true(bss_db_next(rows));
    assert_string_equal(bss_db_col_text(rows, 1, &len), quoted);
    assert_int_equal(len, strlen(quoted));
    assert_true(bss_db_col_int64(rows, 2) == INT64_MAX);
    assert_true(bss_db_next(rows));
    assert_string_equal(bss_db_col_text(rows, 1, &len), unicode);
    assert_int_equal(len, strlen(unicode));
    assert_true(bss_db_col_null(rows, 2));
    assert_int_equal(bss_db_col_int64(rows, 2), 0);
    assert_true(bss_db_next(rows));
    assert_string_equal(bss_db_col_text(rows, 1, NULL), "abc");
    assert_true(bss_db_next(rows));
    assert_false(bss_db_col_null(rows, 1));
    assert_string_equal(bss_db_col_text(rows, 1, &len), "");
    assert_int_equal(len, 0);
    assert_int_equal(bss_db_col_int64(rows, 2), -1);
    assert_false(bss_db_next(rows));
    assert_false(bss_db_next(rows));
    assert_int_equal(bss_db_rows_error(rows), BSS_OK);
    bss_db_rows_close(rows);

    /* A bound value compares as the column's type. */
    int64_t n = 0;
    assert_int_equal(
        bss_db_query_int64(db, "SELECT id FROM t WHERE name = ?", BSS_DB_ARGS(BSS_DB_STR(quoted)), &n, &ei),
        BSS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(bss_db_query_int64(db, "SELECT COUNT(*) FROM t WHERE n = ?",
                                        BSS_DB_ARGS(BSS_DB_I64(INT64_MAX)), &n, &ei),
                     BSS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(
        bss_db_exec(db, "UPDATE t SET n = n + 1 WHERE id >= ?", BSS_DB_ARGS(BSS_DB_I64(4)), &changes, &ei),
        BSS_OK);
    assert_int_equal(changes, 2);
    assert_int_equal(
        bss_db_exec(db, "DELETE FROM t WHERE id = ?", BSS_DB_ARGS(BSS_DB_I64(99)), &changes, &ei), BSS_OK);
    assert_int_equal(changes, 0);
}

static void test_rewrite_placeholders(void **state)
{
    static const struct {
        const char *in, *out;
        int n;
    } cases[] = {
        {"SELECT ?", "SELECT $1", 1},
        {"SELECT ?, ?,?", "SELECT $1, $2,$3", 3},
        {"SELECT '?', 'it''s ?', ?", "SELECT '?', 'it''s ?', $1", 1},
        {"SELECT \"a?\" FROM x WHERE y = ?", "SELECT \"a?\" FROM x WHERE y = $1", 1},
        {"SELECT ? -- what?\n, ?", "SELECT $1 -- what?\n, $2", 2},
        {"SELECT /* ? /* nested ? */ ? */ ?", "SELECT /* ? /* nested ? */ ? */ $1", 1},
        {"SELECT $$ ? $$, $tag$ '? $tag$, ?", "SELECT $$ ? $$, $tag$ '? $tag$, $1", 1},
        {"SELECT E'\\'?', ?", "SELECT E'\\'?', $1", 1},
        {"SELECT 'unterminated ?", "SELECT 'unterminated ?", 0},
        {"", "", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int n = -1;
        bool several = true;
        char *out = bss__db_rewrite_placeholders(cases[i].in, &n, &several);
        assert_non_null(out);
        assert_string_equal(out, cases[i].out);
        assert_int_equal(n, cases[i].n);
        assert_false(several);
        bss_free(out);
    }
    static const struct {
        const char *sql;
        bool several;
    } multi[] = {
        {"SELECT 1;", false},   {"SELECT 1; -- done\n", false}, {"SELECT 1 ;\n ; ", false},
        {"SELECT ';x'", false}, {"SELECT 1; SELECT 2", true},   {"SELECT 1;/* c */ DROP TABLE x", true},
    };
    for (size_t i = 0; i < sizeof(multi) / sizeof(multi[0]); i++) {
        int n;
        bool several = !multi[i].several;
        bss_free(bss__db_rewrite_placeholders(multi[i].sql, &n, &several));
        assert_int_equal(several, multi[i].several);
    }
}

static void test_placeholders_in_literals(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    bss_db_rows *rows;

    assert_int_equal(bss_db_query(env->db, "SELECT '?', 'a''?b', ? -- trailing ?\n",
                                  BSS_DB_ARGS(BSS_DB_STR("x")), &rows, &ei),
                     BSS_OK);
    assert_true(bss_db_next(rows));
    assert_string_equal(bss_db_col_text(rows, 0, NULL), "?");
    assert_string_equal(bss_db_col_text(rows, 1, NULL), "a'?b");
    assert_string_equal(bss_db_col_text(rows, 2, NULL), "x");
    assert_false(bss_db_next(rows));
    bss_db_rows_close(rows);
}

static void test_unique_violation(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    static const char *ins = "INSERT INTO t (id, name) VALUES (?, ?)";

    make_t(env->db);
    assert_int_equal(bss_db_exec(env->db, "CREATE UNIQUE INDEX t_name ON t (name)", BSS_DB_NOARGS, NULL, &ei),
                     BSS_OK);
    assert_int_equal(bss_db_exec(env->db, ins, BSS_DB_ARGS(BSS_DB_I64(1), BSS_DB_STR("a")), NULL, &ei),
                     BSS_OK);
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_db_exec(env->db, ins, BSS_DB_ARGS(BSS_DB_I64(1), BSS_DB_STR("b")), NULL, &ei),
                     BSS_E_EXISTS);
    assert_int_equal(ei.code, BSS_E_EXISTS);
    assert_true(ei.message[0] != '\0');
    assert_int_equal(bss_db_exec(env->db, ins, BSS_DB_ARGS(BSS_DB_I64(2), BSS_DB_STR("a")), NULL, &ei),
                     BSS_E_EXISTS);
    /* Other constraint failures are plain store errors. */
    assert_int_equal(bss_db_exec(env->db, "CREATE TABLE c (id BIGINT NOT NULL)", BSS_DB_NOARGS, NULL, &ei),
                     BSS_OK);
    assert_int_equal(
        bss_db_exec(env->db, "INSERT INTO c (id) VALUES (?)", BSS_DB_ARGS(BSS_DB_NIL), NULL, &ei), BSS_E_DB);
    assert_int_equal(count_t(env->db), 1);
}

/* bss_db_open_sibling: another connection to the same store, seeing what the first committed. */
static void test_sibling(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    bss_db *sib = NULL;
    int64_t v = 0;

    make_t(env->db);
    assert_int_equal(bss_db_exec(env->db, "INSERT INTO t (id, name) VALUES (?, ?)",
                                 BSS_DB_ARGS(BSS_DB_I64(7), BSS_DB_STR("seven")), NULL, &ei),
                     BSS_OK);
    assert_int_equal(bss_db_open_sibling(env->db, &sib, &ei), BSS_OK);
    assert_ptr_not_equal(sib, env->db);
    assert_int_equal(bss_db_kind(sib), bss_db_kind(env->db));
    assert_int_equal(
        bss_db_query_int64(sib, "SELECT id FROM t WHERE name = ?", BSS_DB_ARGS(BSS_DB_STR("seven")), &v, &ei),
        BSS_OK);
    assert_int_equal(v, 7);
    /* both read at once: one open result on each */
    bss_db_rows *a = NULL, *b = NULL;
    assert_int_equal(bss_db_query(env->db, "SELECT id FROM t", BSS_DB_NOARGS, &a, &ei), BSS_OK);
    assert_int_equal(bss_db_query(sib, "SELECT name FROM t", BSS_DB_NOARGS, &b, &ei), BSS_OK);
    assert_true(bss_db_next(a));
    assert_true(bss_db_next(b));
    assert_int_equal(bss_db_col_int64(a, 0), 7);
    assert_string_equal(bss_db_col_text(b, 0, NULL), "seven");
    bss_db_rows_close(a);
    bss_db_rows_close(b);
    bss_db_close(sib);
}

/* bss_db_query_stream: more rows than one batch, inside and outside a transaction, closed early, a bad statement. */
static void test_query_stream(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    bss_db_rows *rows = NULL;
    static const char *series = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                                "SELECT i, 'x' || i FROM n";
    int64_t want = 2 * BSS_DB_STREAM_BATCH + 1, count = 0, sum = 0, v = 0;

    assert_int_equal(bss_db_query_stream(env->db, series, BSS_DB_ARGS(BSS_DB_I64(want)), &rows, &ei), BSS_OK);
    char last[32] = "";
    while (bss_db_next(rows)) {
        count++;
        sum += bss_db_col_int64(rows, 0);
        snprintf(last, sizeof last, "%s", bss_db_col_text(rows, 1, NULL));
    }
    assert_int_equal(bss_db_rows_error(rows), BSS_OK);
    bss_db_rows_close(rows);
    assert_int_equal(count, want);
    assert_int_equal(sum, want * (want + 1) / 2);
    assert_string_equal(last, "x20001");
    /* the stream's own transaction ended with it: one may begin */
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    make_t(env->db);
    assert_int_equal(bss_db_exec(env->db, "INSERT INTO t (id, name) VALUES (?, ?)",
                                 BSS_DB_ARGS(BSS_DB_I64(1), BSS_DB_STR("uncommitted")), NULL, &ei),
                     BSS_OK);
    /* inside the caller's transaction: sees its rows, leaves it open */
    assert_int_equal(bss_db_query_stream(env->db, "SELECT name FROM t", BSS_DB_NOARGS, &rows, &ei), BSS_OK);
    assert_true(bss_db_next(rows));
    assert_string_equal(bss_db_col_text(rows, 0, NULL), "uncommitted");
    assert_false(bss_db_next(rows));
    bss_db_rows_close(rows);
    assert_int_equal(bss_db_query_int64(env->db, "SELECT COUNT(*) FROM t", BSS_DB_NOARGS, &v, &ei), BSS_OK);
    assert_int_equal(v, 1);
    assert_int_equal(bss_db_rollback(env->db), BSS_OK);
    /* closed after a few rows of many: the connection goes on */
    assert_int_equal(bss_db_query_stream(env->db, series, BSS_DB_ARGS(BSS_DB_I64(want)), &rows, &ei), BSS_OK);
    for (int i = 0; i < 5; i++)
        assert_true(bss_db_next(rows));
    bss_db_rows_close(rows);
    assert_int_equal(bss_db_query_int64(env->db, "SELECT 41", BSS_DB_NOARGS, &v, &ei), BSS_OK);
    assert_int_equal(v, 41);
    /* a bad statement fails, and leaves no transaction behind */
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_db_query_stream(env->db, "SELECT nope FROM nowhere", BSS_DB_NOARGS, &rows, &ei), BSS_E_DB);
    assert_null(rows);
    assert_int_equal(bss_db_query_stream(env->db, "SELECT ? + 1", BSS_DB_NOARGS, &rows, &ei), BSS_E_INVALID);
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    assert_int_equal(bss_db_rollback(env->db), BSS_OK);
}

/* bss_db_insert_rows: the same rows on both stores (COPY on PostgreSQL), awkward text, NULLs, and its failures. */
static void test_insert_rows(void **state)
{
    dbtest_env *env = *state;
    bss_db *db = env->db;
    bss_errinfo ei;
    static const char *ins = "INSERT INTO t (id, name, n) VALUES (?, ?, ?)";
    static const char *target = "t (id, name, n)";
    static const char awkward[] = "tab\there, line\nend, cr\r, back\\slash \\N, quote' \"q\", caf\xc3\xa9";
    make_t(db);
    assert_int_equal(bss_db_insert_rows(db, ins, target, NULL, 3, 0, &ei), BSS_OK); /* none: nothing */
    enum { N = 3000 }; /* more than one flush of COPY data */
    bss_db_val *v = calloc((size_t)N * 3, sizeof *v);
    assert_non_null(v);
    for (int i = 0; i < N; i++) {
        v[i * 3] = BSS_DB_I64(i + 1);
        v[i * 3 + 1] = i % 3 == 0 ? BSS_DB_NIL : i % 3 == 1 ? BSS_DB_STRN(awkward, sizeof awkward - 1) : BSS_DB_STR("");
        v[i * 3 + 2] = i == 0 ? BSS_DB_I64(INT64_MIN) : i == 1 ? BSS_DB_I64(INT64_MAX) : BSS_DB_I64(i);
    }
    assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
    assert_int_equal(bss_db_insert_rows(db, ins, target, v, 3, N, &ei), BSS_OK);
    assert_int_equal(bss_db_commit(db, &ei), BSS_OK);
    assert_int_equal(count_t(db), N);
    bss_db_rows *rows = NULL;
    assert_int_equal(bss_db_query(db, "SELECT id, name, n FROM t WHERE id <= 3 ORDER BY id", BSS_DB_NOARGS, &rows, &ei),
                     BSS_OK);
    assert_true(bss_db_next(rows));
    assert_true(bss_db_col_null(rows, 1));
    assert_true(bss_db_col_int64(rows, 2) == INT64_MIN);
    assert_true(bss_db_next(rows));
    assert_string_equal(bss_db_col_text(rows, 1, NULL), awkward);
    assert_true(bss_db_col_int64(rows, 2) == INT64_MAX);
    assert_true(bss_db_next(rows));
    assert_false(bss_db_col_null(rows, 1)); /* the empty text stays text */
    assert_string_equal(bss_db_col_text(rows, 1, NULL), "");
    bss_db_rows_close(rows);
    /* without a COPY target: the INSERT a row, on both */
    bss_db_val one[3] = {BSS_DB_I64(N + 1), BSS_DB_STR("x"), BSS_DB_NIL};
    assert_int_equal(bss_db_insert_rows(db, ins, NULL, one, 3, 1, &ei), BSS_OK);
    assert_int_equal(count_t(db), N + 1);
    /* a duplicate key among the rows: BSS_E_EXISTS, and none of them written once rolled back */
    bss_db_val dup[6] = {BSS_DB_I64(N + 2), BSS_DB_STR("y"), BSS_DB_NIL, BSS_DB_I64(1), BSS_DB_STR("z"), BSS_DB_NIL};
    assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_db_insert_rows(db, ins, target, dup, 3, 2, &ei), BSS_E_EXISTS);
    assert_int_equal(ei.code, BSS_E_EXISTS);
    bss_db_rollback(db);
    assert_int_equal(count_t(db), N + 1);
    /* a NUL byte in a text is BSS_E_INVALID (as for a parameter, on both), nothing written */
    bss_db_val nul[3] = {BSS_DB_I64(N + 3), BSS_DB_STRN("a\0b", 3), BSS_DB_NIL};
    assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
    assert_int_equal(bss_db_insert_rows(db, ins, target, nul, 3, 1, &ei), BSS_E_INVALID);
    bss_db_rollback(db);
    assert_int_equal(count_t(db), N + 1);
    /* the connection is usable afterwards */
    assert_int_equal(bss_db_exec(db, ins, BSS_DB_ARGS(BSS_DB_I64(N + 4), BSS_DB_STR("after"), BSS_DB_NIL), NULL, &ei),
                     BSS_OK);
    assert_int_equal(count_t(db), N + 2);
    free(v);
}

static void test_errors(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    bss_db *db = NULL;
    bss_db_rows *rows, *rows2;
    int64_t n;

    /* a text with a NUL byte: refused by both stores alike (PostgreSQL cannot hold one) */
    make_t(env->db);
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_db_exec(env->db, "INSERT INTO t (id, name) VALUES (?, ?)",
                                 BSS_DB_ARGS(BSS_DB_I64(1), BSS_DB_STRN("a\0b", 3)), NULL, &ei),
                     BSS_E_INVALID);
    assert_string_equal(ei.message, "text parameter 2 contains a NUL byte");
    assert_int_equal(count_t(env->db), 0);
    assert_int_equal(bss_db_exec(env->db, "DROP TABLE t", BSS_DB_NOARGS, NULL, &ei), BSS_OK);

    assert_int_equal(bss_db_open("mysql://x", NULL, &db, &ei), BSS_E_INVALID);
    assert_null(db);
    assert_string_equal(ei.field, "db");
    assert_int_equal(bss_db_open("", NULL, &db, &ei), BSS_E_INVALID);
    assert_int_equal(bss_db_open("sqlite:", NULL, &db, &ei), BSS_E_INVALID);
    assert_int_equal(bss_db_open("sqlite:/nonexistent-dir/x/y.db", NULL, &db, &ei), BSS_E_DB);

    make_t(env->db);
    assert_int_equal(bss_db_exec(env->db, "SELEKT 1", BSS_DB_NOARGS, NULL, &ei), BSS_E_DB);
    assert_non_null(strstr(ei.message, env->kind == BSS_DB_SQLITE ? "sqlite" : "postgres"));
    assert_int_equal(bss_db_exec(env->db, "SELECT * FROM no_such_table", BSS_DB_NOARGS, NULL, &ei), BSS_E_DB);
    assert_int_equal(bss_db_exec(env->db, "INSERT INTO t (id) VALUES (?)", BSS_DB_NOARGS, NULL, &ei),
                     BSS_E_INVALID);
    assert_int_equal(bss_db_exec(env->db, "INSERT INTO t (id) VALUES (?)",
                                 BSS_DB_ARGS(BSS_DB_I64(1), BSS_DB_I64(2)), NULL, &ei),
                     BSS_E_INVALID);
    assert_int_equal(
        bss_db_query_int64(env->db, "SELECT id FROM t WHERE id = ?", BSS_DB_ARGS(BSS_DB_I64(7)), &n, &ei),
        BSS_E_NOT_FOUND);
    /* One statement at a time: a script would run only its first statement on SQLite. */
    assert_int_equal(bss_db_exec(env->db, "DELETE FROM t; DROP TABLE t", BSS_DB_NOARGS, NULL, &ei),
                     BSS_E_INVALID);
    assert_non_null(strstr(ei.message, "bss_db_exec_script"));
    assert_int_equal(bss_db_exec(env->db, "DELETE FROM t; -- trailing comment", BSS_DB_NOARGS, NULL, &ei),
                     BSS_OK);
    assert_int_equal(
        bss_db_exec_script(env->db, "INSERT INTO t (id) VALUES (1); INSERT INTO t (id) VALUES (2);", &ei),
        BSS_OK);
    assert_int_equal(bss_db_exec_script(env->db, "INSERT INTO t (id) VALUES (3); SELEKT", &ei), BSS_E_DB);
    /* One open result per connection. */
    assert_int_equal(bss_db_query(env->db, "SELECT id FROM t", BSS_DB_NOARGS, &rows, &ei), BSS_OK);
    assert_int_equal(bss_db_query(env->db, "SELECT 1", BSS_DB_NOARGS, &rows2, &ei), BSS_E_STATE);
    assert_null(rows2);
    bss_db_rows_close(rows);
    bss_db_rows_close(NULL);
    bss_db_close(NULL);
    /* Closing a connection with a result still open frees it too. */
    bss_db *other = dbtest_open(env, NULL);
    assert_int_equal(bss_db_query(other, "SELECT 1", BSS_DB_NOARGS, &rows, &ei), BSS_OK);
    assert_true(bss_db_next(rows));
    bss_db_close(other);
    /* Transaction misuse. */
    assert_int_equal(bss_db_commit(env->db, &ei), BSS_E_STATE);
    assert_int_equal(bss_db_rollback(env->db), BSS_OK);
    assert_int_equal(bss_db_savepoint(env->db, "a", &ei), BSS_E_STATE);
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_E_STATE);
    assert_int_equal(bss_db_savepoint(env->db, "bad name", &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "savepoint");
    assert_int_equal(bss_db_savepoint(env->db, "", &ei), BSS_E_INVALID);
    assert_int_equal(bss_db_savepoint(env->db, "1a", &ei), BSS_E_INVALID);
    assert_int_equal(bss_db_rollback(env->db), BSS_OK);
    assert_false(bss_db_in_tx(env->db));
    assert_string_equal(bss_db_kind_name(env->db), env->kind == BSS_DB_SQLITE ? "sqlite" : "postgres");
    assert_int_equal(bss_db_kind(env->db), env->kind);
}

static void test_tx_commit_rollback(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    static const char *ins = "INSERT INTO t (id) VALUES (?)";

    make_t(env->db);
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    assert_true(bss_db_in_tx(env->db));
    assert_int_equal(bss_db_exec(env->db, ins, BSS_DB_ARGS(BSS_DB_I64(1)), NULL, &ei), BSS_OK);
    assert_int_equal(bss_db_commit(env->db, &ei), BSS_OK);
    assert_false(bss_db_in_tx(env->db));
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    assert_int_equal(bss_db_exec(env->db, ins, BSS_DB_ARGS(BSS_DB_I64(2)), NULL, &ei), BSS_OK);
    assert_int_equal(count_t(env->db), 2);
    assert_int_equal(bss_db_rollback(env->db), BSS_OK);
    assert_int_equal(count_t(env->db), 1);

    /* Another connection sees only committed rows. */
    bss_db *other = dbtest_open(env, NULL);
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    assert_int_equal(bss_db_exec(env->db, ins, BSS_DB_ARGS(BSS_DB_I64(3)), NULL, &ei), BSS_OK);
    assert_int_equal(count_t(other), 1);
    assert_int_equal(bss_db_commit(env->db, &ei), BSS_OK);
    assert_int_equal(count_t(other), 2);
    bss_db_close(other);

    /* Closing with an open transaction rolls it back. */
    other = dbtest_open(env, NULL);
    assert_int_equal(bss_db_begin(other, &ei), BSS_OK);
    assert_int_equal(bss_db_exec(other, ins, BSS_DB_ARGS(BSS_DB_I64(4)), NULL, &ei), BSS_OK);
    bss_db_close(other);
    assert_int_equal(count_t(env->db), 2);

    bss_db_stats st;
    bss_db_get_stats(env->db, &st);
    assert_int_equal(st.commits, 2);
    assert_true(st.queries >= 6);
}

static void test_savepoints(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    static const char *ins = "INSERT INTO t (id) VALUES (?)";

    make_t(env->db);
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    assert_int_equal(bss_db_exec(env->db, ins, BSS_DB_ARGS(BSS_DB_I64(1)), NULL, &ei), BSS_OK);
    assert_int_equal(bss_db_savepoint(env->db, "job", &ei), BSS_OK);
    assert_int_equal(bss_db_exec(env->db, ins, BSS_DB_ARGS(BSS_DB_I64(2)), NULL, &ei), BSS_OK);
    assert_int_equal(bss_db_rollback_to(env->db, "job", &ei), BSS_OK);
    assert_int_equal(bss_db_release(env->db, "job", &ei), BSS_OK);
    /* A failed statement inside a savepoint leaves the transaction usable after rollback_to. */
    assert_int_equal(bss_db_savepoint(env->db, "job_2", &ei), BSS_OK);
    assert_int_equal(bss_db_exec(env->db, ins, BSS_DB_ARGS(BSS_DB_I64(1)), NULL, &ei), BSS_E_EXISTS);
    assert_int_equal(bss_db_rollback_to(env->db, "job_2", &ei), BSS_OK);
    assert_int_equal(bss_db_release(env->db, "job_2", &ei), BSS_OK);
    assert_int_equal(bss_db_savepoint(env->db, "job", &ei), BSS_OK);
    assert_int_equal(bss_db_exec(env->db, ins, BSS_DB_ARGS(BSS_DB_I64(3)), NULL, &ei), BSS_OK);
    assert_int_equal(bss_db_release(env->db, "job", &ei), BSS_OK);
    assert_int_equal(bss_db_commit(env->db, &ei), BSS_OK);
    assert_int_equal(count_t(env->db), 2);
    assert_int_equal(bss_db_query_int64(env->db, "SELECT SUM(id) FROM t", BSS_DB_NOARGS, &(int64_t){0}, &ei),
                     BSS_OK);
}

typedef struct tx_arg {
    int calls;
    int64_t id;
    bss_err fail_with;
} tx_arg;

static bss_err tx_insert(bss_db *db, void *arg, bss_errinfo *ei)
{
    tx_arg *a = arg;
    a->calls++;
    bss_err rc = bss_db_exec(db, "INSERT INTO t (id) VALUES (?)", BSS_DB_ARGS(BSS_DB_I64(a->id)), NULL, ei);
    if (rc == BSS_OK && a->fail_with != BSS_OK)
        return bss_fail(ei, a->fail_with, NULL, "job says no");
    return rc;
}

static void test_tx_retry(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    bss_db_stats st;
    bss_db_options opt = {.busy_timeout_ms = 100, .retries = 3};
    bss_db *db = dbtest_open(env, &opt);

    make_t(db);
    tx_arg a = {.id = 1};
    assert_int_equal(bss_db_tx(db, tx_insert, &a, &ei), BSS_OK);
    assert_int_equal(a.calls, 1);

    /* Busy for 3 statements: 4 attempts, the last one commits. */
    a = (tx_arg){.id = 2};
    bss_db_inject_busy(db, 3);
    assert_int_equal(bss_db_tx(db, tx_insert, &a, &ei), BSS_OK);
    assert_int_equal(a.calls, 4);
    bss_db_get_stats(db, &st);
    assert_int_equal(st.busy_retries, 3);

    /* Busy beyond the retries: gives up with BSS_E_BUSY, nothing committed. */
    a = (tx_arg){.id = 3};
    bss_db_inject_busy(db, 4);
    assert_int_equal(bss_db_tx(db, tx_insert, &a, &ei), BSS_E_BUSY);
    assert_int_equal(ei.code, BSS_E_BUSY);
    assert_int_equal(a.calls, 4);
    assert_false(bss_db_in_tx(db));
    assert_int_equal(count_t(db), 2);

    /* Any other error is returned at once and rolled back. */
    a = (tx_arg){.id = 4, .fail_with = BSS_E_INVALID};
    assert_int_equal(bss_db_tx(db, tx_insert, &a, &ei), BSS_E_INVALID);
    assert_int_equal(a.calls, 1);
    assert_string_equal(ei.message, "job says no");
    a = (tx_arg){.id = 1};
    assert_int_equal(bss_db_tx(db, tx_insert, &a, &ei), BSS_E_EXISTS);
    assert_int_equal(a.calls, 1);
    assert_int_equal(count_t(db), 2);

    /* No nesting. */
    assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
    assert_int_equal(bss_db_tx(db, tx_insert, &a, &ei), BSS_E_STATE);
    bss_db_rollback(db);
    bss_db_close(db);
}

static bss_err tx_update(bss_db *db, void *arg, bss_errinfo *ei)
{
    (*(int *)arg)++;
    return bss_db_exec(db, "UPDATE t SET n = 2 WHERE id = 1", BSS_DB_NOARGS, NULL, ei);
}

/* A real lock wait: another connection holds the lock longer than the busy timeout. */
static void test_real_busy(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    bss_db_options quick = {.busy_timeout_ms = 50, .retries = 1};
    bss_db *holder = dbtest_open(env, NULL);
    bss_db *waiter = dbtest_open(env, &quick);

    make_t(env->db);
    assert_int_equal(bss_db_exec(env->db, "INSERT INTO t (id, n) VALUES (1, 0)", BSS_DB_NOARGS, NULL, &ei),
                     BSS_OK);
    assert_int_equal(bss_db_begin(holder, &ei), BSS_OK);
    assert_int_equal(bss_db_exec(holder, "UPDATE t SET n = 1 WHERE id = 1", BSS_DB_NOARGS, NULL, &ei),
                     BSS_OK);
    assert_int_equal(bss_db_exec(waiter, "UPDATE t SET n = 2 WHERE id = 1", BSS_DB_NOARGS, NULL, &ei),
                     BSS_E_BUSY);
    assert_int_equal(ei.code, BSS_E_BUSY);
    int calls = 0;
    assert_int_equal(bss_db_tx(waiter, tx_update, &calls, &ei), BSS_E_BUSY);
    assert_int_equal(calls, env->kind == BSS_DB_SQLITE ? 0 : 2); /* SQLite waits at BEGIN IMMEDIATE */
    bss_db_stats st;
    bss_db_get_stats(waiter, &st);
    assert_int_equal(st.busy_retries, 1);
    assert_int_equal(bss_db_commit(holder, &ei), BSS_OK);
    assert_int_equal(bss_db_tx(waiter, tx_update, &calls, &ei), BSS_OK);
    int64_t n = 0;
    assert_int_equal(bss_db_query_int64(env->db, "SELECT n FROM t WHERE id = 1", BSS_DB_NOARGS, &n, &ei),
                     BSS_OK);
    assert_int_equal(n, 2);
    bss_db_close(holder);
    bss_db_close(waiter);
}

static void test_returning_and_upsert(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    bss_db_rows *rows;
    static const char *upsert =
        "INSERT INTO kv (k, v, hits) VALUES (?, ?, 1) "
        "ON CONFLICT (k) DO UPDATE SET v = excluded.v, hits = kv.hits + 1 RETURNING hits";

    assert_int_equal(
        bss_db_exec(env->db, "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL, hits BIGINT NOT NULL)",
                    BSS_DB_NOARGS, NULL, &ei),
        BSS_OK);
    int64_t hits = 0;
    assert_int_equal(
        bss_db_query_int64(env->db, upsert, BSS_DB_ARGS(BSS_DB_STR("a"), BSS_DB_STR("1")), &hits, &ei),
        BSS_OK);
    assert_int_equal(hits, 1);
    assert_int_equal(
        bss_db_query_int64(env->db, upsert, BSS_DB_ARGS(BSS_DB_STR("a"), BSS_DB_STR("2")), &hits, &ei),
        BSS_OK);
    assert_int_equal(hits, 2);
    assert_int_equal(bss_db_exec(env->db,
                                 "INSERT INTO kv (k, v, hits) VALUES (?, ?, 0) ON CONFLICT (k) DO NOTHING",
                                 BSS_DB_ARGS(BSS_DB_STR("a"), BSS_DB_STR("3")), &(int64_t){0}, &ei),
                     BSS_OK);
    assert_int_equal(bss_db_query(env->db, "SELECT k, v, hits FROM kv", BSS_DB_NOARGS, &rows, &ei), BSS_OK);
    assert_true(bss_db_next(rows));
    assert_string_equal(bss_db_col_text(rows, 1, NULL), "2");
    assert_int_equal(bss_db_col_int64(rows, 2), 2);
    assert_false(bss_db_next(rows));
    bss_db_rows_close(rows);

    assert_int_equal(bss_db_query(env->db,
                                  "INSERT INTO kv (k, v, hits) VALUES (?, ?, ?), (?, ?, ?) RETURNING k, hits",
                                  BSS_DB_ARGS(BSS_DB_STR("b"), BSS_DB_STR("x"), BSS_DB_I64(5),
                                              BSS_DB_STR("c"), BSS_DB_STR("y"), BSS_DB_I64(6)),
                                  &rows, &ei),
                     BSS_OK);
    int64_t sum = 0;
    int n = 0;
    while (bss_db_next(rows)) {
        sum += bss_db_col_int64(rows, 1);
        n++;
    }
    assert_int_equal(bss_db_rows_error(rows), BSS_OK);
    bss_db_rows_close(rows);
    assert_int_equal(n, 2);
    assert_int_equal(sum, 11);
}

/* The statement cache is keyed by pointer but never confuses a reused buffer. */
static void test_reused_sql_buffer(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    char sql[64];
    int64_t v = 0;

    for (int i = 0; i < 5; i++) {
        snprintf(sql, sizeof(sql), "SELECT %d + ?", i * 10);
        assert_int_equal(bss_db_query_int64(env->db, sql, BSS_DB_ARGS(BSS_DB_I64(1)), &v, &ei), BSS_OK);
        assert_int_equal(v, i * 10 + 1);
    }
    /* Many distinct statements: the cache evicts and still answers right. */
    for (int i = 0; i < 2000; i++) {
        char *dyn = bss_malloc(64);
        snprintf(dyn, 64, "SELECT %d", i);
        assert_int_equal(bss_db_query_int64(env->db, dyn, BSS_DB_NOARGS, &v, &ei), BSS_OK);
        assert_int_equal(v, i);
        bss_free(dyn);
    }
}

/* PostgreSQL: a connection the server dropped is re-opened once, outside a transaction. */
static void test_reconnect(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    int64_t pid = 0, v = 0;

    if (env->kind != BSS_DB_POSTGRES)
        return;
    assert_int_equal(bss_db_query_int64(env->db, "SELECT pg_backend_pid()", BSS_DB_NOARGS, &pid, &ei),
                     BSS_OK);
    bss_db *other = dbtest_open(env, NULL);
    assert_int_equal(
        bss_db_query_int64(other, "SELECT pg_terminate_backend(?)", BSS_DB_ARGS(BSS_DB_I64(pid)), &v, &ei),
        BSS_OK);
    assert_int_equal(v, 1);
    bss_db_close(other);
    usleep(100 * 1000);
    if (bss_db_query_int64(env->db, "SELECT 42", BSS_DB_NOARGS, &v, &ei) != BSS_OK)
        fail_msg("after reconnect: %s", ei.message);
    assert_int_equal(v, 42);

    /* Inside a transaction the statement is not replayed: it fails, and the next one after rollback
     * reconnects. */
    assert_int_equal(bss_db_query_int64(env->db, "SELECT pg_backend_pid()", BSS_DB_NOARGS, &pid, &ei),
                     BSS_OK);
    assert_int_equal(bss_db_begin(env->db, &ei), BSS_OK);
    other = dbtest_open(env, NULL);
    assert_int_equal(
        bss_db_query_int64(other, "SELECT pg_terminate_backend(?)", BSS_DB_ARGS(BSS_DB_I64(pid)), &v, &ei),
        BSS_OK);
    bss_db_close(other);
    usleep(100 * 1000);
    assert_int_equal(bss_db_query_int64(env->db, "SELECT 43", BSS_DB_NOARGS, &v, &ei), BSS_E_DB);
    assert_int_equal(bss_db_rollback(env->db), BSS_OK);
    assert_int_equal(bss_db_query_int64(env->db, "SELECT 44", BSS_DB_NOARGS, &v, &ei), BSS_OK);
    assert_int_equal(v, 44);
}

#define DB_TESTS(setup)                                                                                      \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_binds_roundtrip, setup, dbtest_teardown),                       \
            cmocka_unit_test_setup_teardown(test_rewrite_placeholders, setup, dbtest_teardown),              \
            cmocka_unit_test_setup_teardown(test_placeholders_in_literals, setup, dbtest_teardown),          \
            cmocka_unit_test_setup_teardown(test_unique_violation, setup, dbtest_teardown),                  \
            cmocka_unit_test_setup_teardown(test_errors, setup, dbtest_teardown),                            \
            cmocka_unit_test_setup_teardown(test_insert_rows, setup, dbtest_teardown),                       \
            cmocka_unit_test_setup_teardown(test_sibling, setup, dbtest_teardown),                           \
            cmocka_unit_test_setup_teardown(test_query_stream, setup, dbtest_teardown),                      \
            cmocka_unit_test_setup_teardown(test_tx_commit_rollback, setup, dbtest_teardown),                \
            cmocka_unit_test_setup_teardown(test_savepoints, setup, dbtest_teardown),                        \
            cmocka_unit_test_setup_teardown(test_tx_retry, setup, dbtest_teardown),                          \
            cmocka_unit_test_setup_teardown(test_real_busy, setup, dbtest_teardown),                         \
            cmocka_unit_test_setup_teardown(test_returning_and_upsert, setup, dbtest_teardown),              \
            cmocka_unit_test_setup_teardown(test_reused_sql_buffer, setup, dbtest_teardown),                 \
            cmocka_unit_test_setup_teardown(test_reconnect, setup, dbtest_teardown),                         \
    }

DBTEST_MAIN(DB_TESTS)
