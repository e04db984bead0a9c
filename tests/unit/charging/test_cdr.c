/*
 * test_cdr.c: the CDR file reader (charging.h): the header checks, every
 * field's rule with its exact message, extra columns kept, a bad row
 * reported with its line and original text while the rest is read, and
 * the bad inputs issue 11 names (unknown service or unit, negative or
 * absurd quantities, a start time in the future, a destination that is
 * not digits, a truncated or non-UTF-8 file, a file without a header).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "charging/charging.h"
#include "core/mem.h"

#define NOW 1777888000000LL /* 2026-05-04T09:46:40Z */
#define HDR "record_id,start_time,msisdn,service,destination,quantity,unit,rating_group,visited_plmn\n"

static bss_cdr_reader rd;

static void open_ok(const char *text)
{
    bss_cdr_limits lim = bss_cdr_limits_default(NOW);
    bss_errinfo ei;
    if (bss_cdr_open(&rd, text, strlen(text), &lim, &ei) != BSS_OK)
        fail_msg("open: %s", ei.message);
}

static void expect_header(const char *text, const char *message)
{
    bss_cdr_limits lim = bss_cdr_limits_default(NOW);
    bss_errinfo ei;
    assert_int_equal(bss_cdr_open(&rd, text, strlen(text), &lim, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "line 1");
    assert_string_equal(ei.message, message);
}

static void test_header(void **state)
{
    (void)state;
    expect_header("", "line 1: the file is empty; a header row is expected");
    expect_header("\n\n", "line 1: the file is empty; a header row is expected");
    expect_header("record_id,start_time,msisdn,service,destination,unit\n",
                  "line 1: missing column quantity (a CDR file has "
                  "record_id,start_time,msisdn,service,destination,quantity,unit,rating_group,visited_plmn)");
    expect_header("record_id,start_time,msisdn,service,destination,quantity,unit,unit\n",
                  "line 1: column unit appears twice");
    expect_header("record_id,start_time,msisdn,service,destination,quantity,unit,cell,cell\n",
                  "line 1: column cell appears twice");
    expect_header("record_id,,start_time,msisdn,service,destination,quantity,unit\n", "line 1: column 2 has no usable name");
    /* columns in any order; rating_group and visited_plmn may be absent */
    open_ok("unit,quantity,destination,service,msisdn,start_time,record_id\n");
}

static bss_err next(bss_cdr *c, bss_errinfo *ei, const char **raw, size_t *raw_len)
{
    return bss_cdr_next(&rd, c, raw, raw_len, ei);
}

static void test_records(void **state)
{
    (void)state;
    static const char file[] = HDR
        "r1,2026-05-04T09:00:00Z,31612345678,voice,31201234567,125,s,,\n"
        "r2,2026-05-04T09:01:00+02:00,31612345678,data,,1048576,byte,10,234-15\n"
        "r3,2026-05-04T09:02:00Z,31612345678,sms,447700900123,1,msg,,\n";
    open_ok(file);
    bss_cdr c;
    bss_errinfo ei;
    const char *raw;
    size_t raw_len;
    assert_int_equal(next(&c, &ei, &raw, &raw_len), BSS_OK);
    assert_int_equal(c.line, 2);
    assert_string_equal(c.record_id, "r1");
    assert_int_equal(c.start_ms, 1777885200000LL);
    assert_int_equal(c.service, BSS_CDR_VOICE);
    assert_int_equal(c.unit, BSS_CDR_SECONDS);
    assert_int_equal(c.quantity, 125);
    assert_string_equal(c.destination, "31201234567");
    assert_int_equal(c.rating_group, -1);
    assert_string_equal(c.visited_plmn, "");
    assert_int_equal(raw_len, strlen("r1,2026-05-04T09:00:00Z,31612345678,voice,31201234567,125,s,,"));
    assert_int_equal(next(&c, &ei, &raw, &raw_len), BSS_OK);
    assert_int_equal(c.start_ms, 1777878060000LL);
    assert_int_equal(c.service, BSS_CDR_DATA);
    assert_int_equal(c.rating_group, 10);
    assert_string_equal(c.visited_plmn, "234-15");
    assert_int_equal(next(&c, &ei, &raw, &raw_len), BSS_OK);
    assert_int_equal(c.service, BSS_CDR_SMS);
    assert_int_equal(next(&c, &ei, &raw, &raw_len), BSS_E_DONE);
}

static void expect_reject(const char *row, const char *field, const char *message)
{
    char file[1024];
    snprintf(file, sizeof file, HDR "%s\nok1,2026-05-04T09:00:00Z,31612345678,voice,3120,1,s,,\n", row);
    open_ok(file);
    bss_cdr c;
    bss_errinfo ei;
    const char *raw;
    size_t raw_len;
    bss_err rc = next(&c, &ei, &raw, &raw_len);
    if (rc != BSS_E_INVALID)
        fail_msg("%s: accepted", row);
    assert_string_equal(ei.field, field);
    assert_string_equal(ei.message, message);
    assert_int_equal(c.line, 2);
    assert_int_equal(raw_len, strlen(row));
    assert_memory_equal(raw, row, raw_len);
    assert_int_equal(next(&c, &ei, &raw, &raw_len), BSS_OK); /* the rest is read */
    assert_string_equal(c.record_id, "ok1");
}

static void test_rejects(void **state)
{
    (void)state;
    expect_reject(",2026-05-04T09:00:00Z,31612345678,voice,3120,1,s,,", "record_id", "line 2: record_id must be 1 to 128 bytes");
    expect_reject("r,yesterday,31612345678,voice,3120,1,s,,", "start_time",
                  "line 2: start_time yesterday is not an RFC 3339 time");
    expect_reject("r,2026-05-04T10:00:00Z,31612345678,voice,3120,1,s,,", "start_time",
                  "line 2: start_time 2026-05-04T10:00:00Z is in the future");
    expect_reject("r,2026-05-04T09:00:00Z,+31612345678,voice,3120,1,s,,", "msisdn",
                  "line 2: msisdn +31612345678 is not 6 to 15 digits (E.164 without '+')");
    expect_reject("r,2026-05-04T09:00:00Z,31612345678,fax,3120,1,s,,", "service",
                  "line 2: unknown service fax (voice, sms, mms, data, content)");
    expect_reject("r,2026-05-04T09:00:00Z,31612345678,voice,3120,1,min,,", "unit",
                  "line 2: unknown unit min (s, msg, byte, event)");
    expect_reject("r,2026-05-04T09:00:00Z,31612345678,voice,3120,1,byte,,", "unit",
                  "line 2: unit byte does not fit service voice");
    expect_reject("r,2026-05-04T09:00:00Z,31612345678,voice,3120,-5,s,,", "quantity",
                  "line 2: quantity -5 is not a whole number >= 0");
    expect_reject("r,2026-05-04T09:00:00Z,31612345678,voice,3120,90000,s,,", "quantity",
                  "line 2: quantity 90000 is more than the most a record may hold (86400)");
    expect_reject("r,2026-05-04T09:00:00Z,31612345678,voice,31-20,1,s,,", "destination",
                  "line 2: destination 31-20 is not 1 to 20 digits");
    expect_reject("r,2026-05-04T09:00:00Z,31612345678,data,3120,1,byte,,", "destination",
                  "line 2: destination must be empty for data");
    expect_reject("r,2026-05-04T09:00:00Z,31612345678,voice,3120,1,s,7,", "rating_group",
                  "line 2: rating_group is for data records only");
    expect_reject("r,2026-05-04T09:00:00Z,31612345678,data,,1,byte,x,", "rating_group",
                  "line 2: rating_group x is not an integer 0..4294967295");
    expect_reject("r,2026-05-04T09:00:00Z,31612345678,voice,3120,1,s,,23415", "visited_plmn",
                  "line 2: visited_plmn 23415 is not MCC-MNC (234-15)");
    expect_reject("r,2026-05-04T09:00:00Z,31612345678,voice,3120,1,s", "line",
                  "line 2: the row has 7 fields, the header 9 (a truncated file?)");
    expect_reject("r\xff,2026-05-04T09:00:00Z,31612345678,voice,3120,1,s,,", "record_id", "line 2: record_id is not UTF-8 text");
    expect_reject("r,2026-05-04T09:00:00Z,\"316,voice", "line 2", "line 2: a quoted field is never closed");
}

static void test_extras(void **state)
{
    (void)state;
    open_ok("record_id,start_time,msisdn,service,destination,quantity,unit,cell_id,imei\n"
            "r1,2026-05-04T09:00:00Z,31612345678,voice,3120,60,s,20408-4711,\n");
    bss_cdr c;
    bss_errinfo ei;
    const char *raw;
    size_t raw_len;
    assert_int_equal(next(&c, &ei, &raw, &raw_len), BSS_OK);
    assert_int_equal(c.nextra, 1); /* empty extras are not kept */
    assert_string_equal(c.extra[0].name, "cell_id");
    assert_string_equal(c.extra[0].value, "20408-4711");
    assert_string_equal(bss_cdr_service_name(BSS_CDR_CONTENT), "content");
    assert_string_equal(bss_cdr_unit_name(BSS_CDR_EVENTS), "event");
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_header), cmocka_unit_test(test_records),
                                       cmocka_unit_test(test_rejects), cmocka_unit_test(test_extras)};
    return cmocka_run_group_tests_name("cdr", tests, NULL, NULL);
}
