/*
 * test_csv.c: the CSV reader (src/core/csv.c): plain and quoted fields,
 * CRLF, BOM, blank lines, line numbers across quoted line breaks, every
 * refusal with its line, going on after a bad line, the limits, headers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/csv.h"
#include "core/mem.h"

static bss_csv c; /* large: not on the stack */

static void want_record(int64_t line, size_t n, ...)
{
    int64_t at = 0;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_csv_next(&c, &at, &ei);
    if (rc != BSS_OK)
        fail_msg("want a record at line %lld, got %s (%s)", (long long)line, bss_errname(rc), ei.message);
    assert_int_equal(at, line);
    assert_int_equal(c.nfields, n);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(c.field[i], va_arg(ap, const char *));
    va_end(ap);
}

static void want_error(int64_t line, const char *msg)
{
    int64_t at = 0;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_csv_next(&c, &at, &ei), BSS_E_INVALID);
    char where[32];
    snprintf(where, sizeof where, "line %lld", (long long)line);
    assert_string_equal(ei.field, where);
    assert_string_equal(ei.message, msg);
}

static void want_done(void)
{
    int64_t at = 0;
    assert_int_equal(bss_csv_next(&c, &at, NULL), BSS_E_DONE);
}

static void test_records(void **state)
{
    (void)state;
    const char *t = "\xEF\xBB\xBFiccid,imsi\r\n8931,2040\r\n\r\n\"a,b\",\"say \"\"hi\"\"\"\n\"two\nlines\",x\n,\nlast";
    bss_csv_init(&c, t, strlen(t));
    want_record(1, 2, "iccid", "imsi");
    assert_int_equal(bss_csv_column(&c, "imsi"), 1);
    assert_int_equal(bss_csv_column(&c, "ki"), -1);
    want_record(2, 2, "8931", "2040");
    want_record(4, 2, "a,b", "say \"hi\"");
    want_record(5, 2, "two\nlines", "x");
    want_record(7, 2, "", "");
    want_record(8, 1, "last");
    want_done();
    want_done();
}

static void test_errors(void **state)
{
    (void)state;
    const char *t = "ok,1\n\"open,2\n";
    bss_csv_init(&c, t, strlen(t));
    want_record(1, 2, "ok", "1");
    want_error(2, "line 2: a quoted field is never closed");
    want_done();
    /* a quote never closed takes its own line, not the rest of the file */
    t = "\"open,1\nnext,2\nlast,3\n";
    bss_csv_init(&c, t, strlen(t));
    want_error(1, "line 1: a quoted field is never closed");
    want_record(2, 2, "next", "2");
    want_record(3, 2, "last", "3");
    want_done();
    t = "a\"b,1\nfine,2\n\"x\"y,3\nz\n";
    bss_csv_init(&c, t, strlen(t));
    want_error(1, "line 1: a quote inside an unquoted field (quote the whole field)");
    want_record(2, 2, "fine", "2");
    want_error(3, "line 3: text after a closing quote");
    want_record(4, 1, "z");
    want_done();
    char nul[] = "a,b\0c\nd\n";
    bss_csv_init(&c, nul, sizeof nul - 1);
    want_error(1, "line 1: a NUL byte");
    want_record(2, 1, "d");
}

static void test_limits(void **state)
{
    (void)state;
    static char big[BSS_CSV_MAX_FIELD + 64];
    memset(big, 'x', BSS_CSV_MAX_FIELD + 1);
    strcpy(big + BSS_CSV_MAX_FIELD + 1, "\nok\n");
    bss_csv_init(&c, big, strlen(big));
    want_error(1, "line 1: a field longer than 4096 bytes");
    want_record(2, 1, "ok");
    static char many[BSS_CSV_MAX_FIELDS * 2 + 8];
    size_t n = 0;
    for (int i = 0; i < BSS_CSV_MAX_FIELDS + 1; i++) {
        many[n++] = 'f';
        many[n++] = i == BSS_CSV_MAX_FIELDS ? '\n' : ',';
    }
    bss_csv_init(&c, many, n);
    want_error(1, "line 1: more than 64 fields");
    bss_csv_init(&c, "", 0);
    want_done();
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
