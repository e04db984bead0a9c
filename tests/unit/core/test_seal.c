/*
 * test_seal.c: secrets at rest: seal and open round trip, binding to the
 * owner, a different key, tampering, malformed text, and the key file
 * (made with mode 0600 on first use, read back, bad contents refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/seal.h"

static void test_round_trip(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    bss_seal_key k = {.set = true}, other = {.set = true};
    randombytes_buf(k.k, sizeof k.k);
    randombytes_buf(other.k, sizeof other.k);
    char *a = bss_seal(&k, "sub-1", "s3cret:pw", 9);
    char *b = bss_seal(&k, "sub-1", "s3cret:pw", 9);
    assert_non_null(a);
    assert_true(strncmp(a, "v1.", 3) == 0);
    assert_string_not_equal(a, b); /* a fresh nonce each time */
    assert_null(strstr(a, "s3cret"));
    char *plain = NULL;
    size_t len = 0;
    bss_errinfo ei;
    assert_int_equal(bss_unseal(&k, "sub-1", a, &plain, &len, &ei), BSS_OK);
    assert_string_equal(plain, "s3cret:pw");
    assert_int_equal(len, 9);
    bss_free(plain);
    /* another owner, another key, a flipped character, junk */
    assert_int_equal(bss_unseal(&k, "sub-2", a, &plain, &len, &ei), BSS_E_INVALID);
    assert_non_null(strstr(ei.message, "does not open"));
    assert_null(plain);
    assert_int_equal(bss_unseal(&other, "sub-1", a, &plain, &len, &ei), BSS_E_INVALID);
    a[10] = a[10] == 'A' ? 'B' : 'A';
    assert_int_equal(bss_unseal(&k, "sub-1", a, &plain, &len, &ei), BSS_E_INVALID);
    assert_int_equal(bss_unseal(&k, "sub-1", "v1.", &plain, &len, &ei), BSS_E_INVALID);
    assert_int_equal(bss_unseal(&k, "sub-1", "v1.!!!!", &plain, &len, &ei), BSS_E_INVALID);
    assert_int_equal(bss_unseal(&k, "sub-1", "plain", &plain, &len, &ei), BSS_E_INVALID);
    assert_int_equal(bss_unseal(&k, "sub-1", NULL, &plain, &len, &ei), BSS_E_INVALID);
    bss_seal_key unset = {0};
    assert_int_equal(bss_unseal(&unset, "sub-1", b, &plain, &len, &ei), BSS_E_STATE);
    assert_null(bss_seal(&unset, "x", "y", 1));
    char big[BSS_SEAL_PLAIN_MAX + 1];
    memset(big, 'x', sizeof big);
    assert_null(bss_seal(&k, "x", big, sizeof big));
    char *empty = bss_seal(&k, NULL, "", 0);
    assert_int_equal(bss_unseal(&k, NULL, empty, &plain, &len, &ei), BSS_OK);
    assert_string_equal(plain, "");
    bss_free(plain);
    bss_free(empty);
    bss_free(a);
    bss_free(b);
}

static void test_key_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/bss-seal-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/secrets.key", dir);
    bss_seal_key k, again;
    bool created = false;
    bss_errinfo ei;
    assert_int_equal(bss_seal_key_load(path, false, &k, &created, &ei), BSS_E_IO); /* not made unless asked */
    assert_int_equal(bss_seal_key_load(path, true, &k, &created, &ei), BSS_OK);
    assert_true(created && k.set);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(bss_seal_key_load(path, true, &again, &created, &ei), BSS_OK);
    assert_false(created);
    assert_memory_equal(k.k, again.k, sizeof k.k);
    char *s = bss_seal(&k, "o", "pw", 2), *plain = NULL;
    assert_int_equal(bss_unseal(&again, "o", s, &plain, NULL, &ei), BSS_OK);
    bss_free(plain);
    bss_free(s);
    FILE *f = fopen(path, "w");
    fputs("not hex\n", f);
    fclose(f);
    assert_int_equal(bss_seal_key_load(path, true, &k, &created, &ei), BSS_E_CONFIG);
    assert_string_equal(ei.field, "secrets-key");
    assert_false(k.set);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_key_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
