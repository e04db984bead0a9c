/*
 * test_tmf.c: what the generic TMF layer of src/api decides by itself
 * before a document reaches its kind: the Content-Type a PATCH must have
 * (a JSON merge patch, 415 otherwise).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api/tmf.h"

static void test_content_types(void **state)
{
    (void)state;
    bss_errinfo ei;
    assert_int_equal(bss_tmf_check_patch_type(NULL, 0, &ei), BSS_OK);
    assert_int_equal(bss_tmf_check_patch_type("application/json", 16, &ei), BSS_OK);
    assert_int_equal(bss_tmf_check_patch_type("application/merge-patch+json; charset=utf-8", 44, &ei),
                     BSS_OK);
    assert_int_equal(bss_tmf_check_patch_type("Application/JSON", 16, &ei), BSS_OK);
    assert_int_equal(bss_tmf_check_patch_type("application/json-patch+json", 27, &ei), BSS_E_UNSUPPORTED);
    assert_string_equal(ei.field, "Content-Type");
    assert_int_equal(bss_tmf_check_patch_type("text/plain", 10, &ei), BSS_E_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_content_types)};
    return cmocka_run_group_tests_name("tmf", tests, NULL, NULL);
}
