/*
 * test_iccid.c: ICCIDs (src/core/iccid.c): the Luhn check digit against
 * published examples, the accepted spellings, and every refusal with its
 * message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/iccid.h"

static void ok(const char *in, const char *want)
{
    char out[BSS_ICCID_MAX + 1];
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    if (bss_iccid_normalize(in, strlen(in), "iccid", out, &ei) != BSS_OK)
        fail_msg("%s refused: %s", in, ei.message);
    assert_string_equal(out, want);
}

static void bad(const char *in, const char *msg)
{
    char out[BSS_ICCID_MAX + 1];
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_iccid_normalize(in, strlen(in), "sims[3].iccid", out, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "sims[3].iccid");
    assert_string_equal(ei.message, msg);
}

static void test_check_digit(void **state)
{
    (void)state;
    assert_int_equal(bss_iccid_check_digit("7992739871", 10), '3'); /* the classic Luhn example */
    assert_int_equal(bss_iccid_check_digit("893120000000000001", 18), '4');
    assert_int_equal(bss_iccid_check_digit("8931200000000000001", 19), '1');
}

static void test_normalize(void **state)
{
    (void)state;
    ok("8991101200003204514", "8991101200003204514");   /* a published 19-digit example */
    ok("89014103211118510720", "89014103211118510720"); /* a published 20-digit one */
    ok("8931200000000000014", "8931200000000000014");
    ok("8931 2000 0000 0000 014", "8931200000000000014");
    ok("8931-2000-0000-0000-014", "8931200000000000014");
    ok("8931200000000000014F", "8931200000000000014");
    ok("89312000000000000011", "89312000000000000011");
    bad("8931200000000000015", "sims[3].iccid has a wrong check digit: 5, the number needs 4");
    bad("8831200000000000014", "sims[3].iccid must be an ICCID: it starts with 89 (telecommunications)");
    bad("893120000000000001", "sims[3].iccid must be an ICCID of 19 or 20 digits, not 18");
    bad("893120000000000000123", "sims[3].iccid must be an ICCID of 19 or 20 digits, not more");
    bad("8931200000000000014X", "sims[3].iccid must be an ICCID: digits (spaces and dashes allowed)");
    bad("89312000000000000F14", "sims[3].iccid must be an ICCID: digits (spaces and dashes allowed)");
    bad("", "sims[3].iccid must be an ICCID of 19 or 20 digits, not 0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_digit),
        cmocka_unit_test(test_normalize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
