/*
 * test_auth.c: API keys and roles. Pure parts: the key format, the hash
 * (BLAKE2b-256 test vector), the Bearer header parser with the message of
 * each refusal, role names and the role check. Store parts, on SQLite and
 * PostgreSQL (db/dbtest.h): insert, lookup, list, revoke, and the per-loop
 * cache (hit within the TTL, revocation seen once it expires).
 */
#include "db/dbtest.h"

#include "auth/auth.h"
#include "db/migrate.h"

/* ---- pure ---- */

static void test_key_format(void **state)
{
    char a[BSS_AUTH_KEY_LEN + 1], b[BSS_AUTH_KEY_LEN + 1];
    for (int i = 0; i < 100; i++) {
        bss_auth_key_generate(a);
        bss_auth_key_generate(b);
        assert_int_equal(strlen(a), 47);
        assert_memory_equal(a, "bss_", 4);
        assert_true(bss_auth_key_wellformed(a, strlen(a)));
        assert_string_not_equal(a, b);
    }
    assert_false(bss_auth_key_wellformed(a, 46));
    assert_false(bss_auth_key_wellformed(NULL, 0));
    char bad[BSS_AUTH_KEY_LEN + 2];
    memcpy(bad, a, sizeof(a));
    bad[0] = 'x';
    assert_false(bss_auth_key_wellformed(bad, 47));
    for (const char *c = "+/= .\n"; *c; c++) {
        memcpy(bad, a, sizeof(a));
        bad[20] = *c;
        assert_false(bss_auth_key_wellformed(bad, 47));
    }
    memcpy(bad, a, sizeof(a));
    bad[47] = 'A';
    bad[48] = '\0';
    assert_false(bss_auth_key_wellformed(bad, 48));
}

static void test_hash(void **state)
{
    char hex[BSS_AUTH_HASH_HEX_LEN + 1];
    bss_auth_key_hash("abc", 3, hex);
    assert_string_equal(hex, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
    char k[BSS_AUTH_KEY_LEN + 1], h1[65], h2[65];
    bss_auth_key_generate(k);
    bss_auth_key_hash(k, strlen(k), h1);
    bss_auth_key_hash(k, strlen(k), h2);
    assert_string_equal(h1, h2);
    assert_int_equal(strlen(h1), 64);
}

static void test_roles(void **state)
{
    unsigned role = 0;
    bss_errinfo ei;
    static const char *const names[] = {"admin", "agent", "billing", "readonly", "network"};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(bss_auth_role_parse(names[i], &role, &ei), BSS_OK);
        assert_string_equal(bss_auth_role_name(role), names[i]);
    }
    assert_int_equal(bss_auth_role_parse("root", &role, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "role");
    assert_non_null(strstr(ei.message, "unknown role 'root'"));
    assert_int_equal(bss_auth_role_parse("Admin", &role, &ei), BSS_E_INVALID);
    assert_int_equal(bss_auth_role_parse(NULL, &role, &ei), BSS_E_INVALID);
    assert_string_equal(bss_auth_role_name(BSS_ROLE_ADMIN | BSS_ROLE_AGENT), "?");

    assert_true(bss_auth_allows(BSS_ROLES_PUBLIC, 0));
    assert_true(bss_auth_allows(BSS_ROLE_BILLING, BSS_ROLE_ADMIN)); /* admin passes every route */
    assert_true(bss_auth_allows(BSS_ROLES_STAFF_WRITE, BSS_ROLE_AGENT));
    assert_false(bss_auth_allows(BSS_ROLES_STAFF_WRITE, BSS_ROLE_READONLY));
    assert_false(bss_auth_allows(BSS_ROLE_ADMIN, BSS_ROLE_NETWORK));
    assert_true(bss_auth_allows(BSS_ROLES_ANY, BSS_ROLE_NETWORK));
}

static void test_bearer(void **state)
{
    char k[BSS_AUTH_KEY_LEN + 1], hdr[100];
    bss_auth_key_generate(k);
    const char *key;
    size_t len;
    bss_errinfo ei;
    assert_int_equal(bss_auth_parse_bearer(NULL, 0, &key, &len, &ei), BSS_E_UNAUTHORIZED);
    assert_string_equal(ei.message, "missing API key: send Authorization: Bearer <key>");
    assert_int_equal(bss_auth_parse_bearer("Basic Zm9vOmJhcg==", 18, &key, &len, &ei), BSS_E_UNAUTHORIZED);
    assert_string_equal(ei.message, "the Authorization header must be 'Bearer <key>'");
    assert_int_equal(bss_auth_parse_bearer("Bearer", 6, &key, &len, &ei), BSS_E_UNAUTHORIZED);
    assert_int_equal(bss_auth_parse_bearer("Bearer bss_short", 16, &key, &len, &ei), BSS_E_UNAUTHORIZED);
    assert_string_equal(ei.message, "malformed API key: expected bss_ followed by 43 characters");
    snprintf(hdr, sizeof(hdr), "bearer   %s  ", k);
    assert_int_equal(bss_auth_parse_bearer(hdr, strlen(hdr), &key, &len, &ei), BSS_OK);
    assert_int_equal(len, 47);
    assert_memory_equal(key, k, 47);
}

static void test_key_new_bad(void **state)
{
    bss_api_key row;
    char k[BSS_AUTH_KEY_LEN + 1], h[BSS_AUTH_HASH_HEX_LEN + 1], longname[200];
    bss_errinfo ei;
    assert_int_equal(bss_auth_key_new(1, "", BSS_ROLE_AGENT, &row, k, h, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "name");
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(bss_auth_key_new(1, longname, BSS_ROLE_AGENT, &row, k, h, &ei), BSS_E_INVALID);
    assert_int_equal(bss_auth_key_new(1, "x", 0, &row, k, h, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "role");
}

/* ---- store ---- */

static void migrate(dbtest_env *env)
{
    bss_errinfo ei;
    if (bss_db_migrate(env->db, 1, NULL, &ei) != BSS_OK)
        fail_msg("migrate: %s", ei.message);
}

static void count_key(const bss_api_key *k, void *arg)
{
    (*(int *)arg)++;
}

static void test_store(void **state)
{
    dbtest_env *env = *state;
    migrate(env);
    bss_errinfo ei;
    bss_api_key row;
    char key[BSS_AUTH_KEY_LEN + 1], hash[BSS_AUTH_HASH_HEX_LEN + 1];
    int64_t n = -1;
    assert_int_equal(bss_auth_key_count(env->db, &n, &ei), BSS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(bss_auth_key_new(1700000000000, "ops", BSS_ROLE_BILLING, &row, key, hash, &ei), BSS_OK);
    assert_memory_equal(row.prefix, key, 8);
    assert_int_equal(bss_auth_key_insert(env->db, &row, hash, &ei), BSS_OK);
    assert_int_equal(bss_auth_key_insert(env->db, &row, hash, &ei), BSS_E_EXISTS);
    assert_int_equal(bss_auth_key_count(env->db, &n, &ei), BSS_OK);
    assert_int_equal(n, 1);

    bss_principal who;
    assert_int_equal(bss_auth_key_lookup(env->db, hash, &who, &ei), BSS_OK);
    assert_string_equal(who.key_id, row.id);
    assert_string_equal(who.name, "ops");
    assert_int_equal(who.role, BSS_ROLE_BILLING);
    char other[65];
    bss_auth_key_hash("nope", 4, other);
    assert_int_equal(bss_auth_key_lookup(env->db, other, &who, &ei), BSS_E_UNAUTHORIZED);
    assert_string_equal(ei.message, "unknown or revoked API key");

    int listed = 0;
    assert_int_equal(bss_auth_key_list(env->db, count_key, &listed, &ei), BSS_OK);
    assert_int_equal(listed, 1);

    assert_int_equal(bss_auth_key_revoke(env->db, row.id, 1700000001000, &ei), BSS_OK);
    assert_int_equal(bss_auth_key_lookup(env->db, hash, &who, &ei), BSS_E_UNAUTHORIZED);
    assert_int_equal(bss_auth_key_revoke(env->db, row.id, 1700000002000, &ei), BSS_E_NOT_FOUND);
    assert_string_equal(ei.field, "id");
    assert_int_equal(bss_auth_key_revoke(env->db, "no-such-id", 1, &ei), BSS_E_NOT_FOUND);
}

static void test_cache(void **state)
{
    dbtest_env *env = *state;
    migrate(env);
    bss_errinfo ei;
    bss_api_key row;
    char key[BSS_AUTH_KEY_LEN + 1], hash[BSS_AUTH_HASH_HEX_LEN + 1], hdr[80];
    assert_int_equal(bss_auth_key_new(5, "agent-1", BSS_ROLE_AGENT, &row, key, hash, &ei), BSS_OK);
    assert_int_equal(bss_auth_key_insert(env->db, &row, hash, &ei), BSS_OK);
    snprintf(hdr, sizeof(hdr), "Bearer %s", key);

    bss_auth *a = bss_auth_create(1000);
    bss_principal who;
    int64_t hits, misses;
    assert_int_equal(bss_auth_check(a, env->db, hdr, strlen(hdr), 10000, &who, &ei), BSS_OK);
    assert_int_equal(who.role, BSS_ROLE_AGENT);
    assert_int_equal(bss_auth_check(a, env->db, hdr, strlen(hdr), 10500, &who, &ei), BSS_OK);
    bss_auth_stats(a, &hits, &misses);
    assert_int_equal(hits, 1);
    assert_int_equal(misses, 1);

    /* revoked: still cached for at most the TTL, then refused */
    assert_int_equal(bss_auth_key_revoke(env->db, row.id, 6, &ei), BSS_OK);
    assert_int_equal(bss_auth_check(a, env->db, hdr, strlen(hdr), 10999, &who, &ei), BSS_OK);
    assert_int_equal(bss_auth_check(a, env->db, hdr, strlen(hdr), 11000, &who, &ei), BSS_E_UNAUTHORIZED);
    assert_string_equal(ei.message, "unknown or revoked API key");

    /* absent, malformed and unknown keys */
    assert_int_equal(bss_auth_check(a, env->db, NULL, 0, 12000, &who, &ei), BSS_E_UNAUTHORIZED);
    assert_int_equal(bss_auth_check(a, env->db, "Bearer x", 8, 12000, &who, &ei), BSS_E_UNAUTHORIZED);
    char unknown[BSS_AUTH_KEY_LEN + 1];
    bss_auth_key_generate(unknown);
    snprintf(hdr, sizeof(hdr), "Bearer %s", unknown);
    assert_int_equal(bss_auth_check(a, env->db, hdr, strlen(hdr), 12000, &who, &ei), BSS_E_UNAUTHORIZED);
    bss_auth_destroy(a);
    bss_auth_destroy(NULL);
}

#define DBTEST_LIST(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_store, setup, dbtest_teardown),                                 \
            cmocka_unit_test_setup_teardown(test_cache, setup, dbtest_teardown),                             \
    }

static const struct CMUnitTest pure_tests[] = {
    cmocka_unit_test(test_key_format), cmocka_unit_test(test_hash),        cmocka_unit_test(test_roles),
    cmocka_unit_test(test_bearer),     cmocka_unit_test(test_key_new_bad),
};

DBTEST_MAIN_PURE("auth", pure_tests, DBTEST_LIST, dbtest_setup_sqlite, dbtest_setup_pg)
