/*
 * test_errmap.c: every bss_err has an HTTP status; the statuses the API
 * promises (404, 400, 422, 409, 401 + WWW-Authenticate, 403, 413, 405,
 * 503 + Retry-After, 500) and the TMF error body's members.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/errmap.h"
#include "api/http.h"
#include "core/mem.h"

static void test_statuses(void **state)
{
    static const struct {
        bss_err code;
        int status;
    } want[] = {
        {BSS_E_NOT_FOUND, 404},
        {BSS_E_INVALID, 400},
        {BSS_E_PARSE, 400},
        {BSS_E_RANGE, 400},
        {BSS_E_UNPROCESSABLE, 422},
        {BSS_E_CONFLICT, 409},
        {BSS_E_EXISTS, 409},
        {BSS_E_STATE, 409},
        {BSS_E_UNAUTHORIZED, 401},
        {BSS_E_FORBIDDEN, 403},
        {BSS_E_TOO_BIG, 413},
        {BSS_E_METHOD, 405},
        {BSS_E_BUSY, 503},
        {BSS_E_TIMEOUT, 504},
        {BSS_E_NOMEM, 500},
        {BSS_E_DB, 500},
        {BSS_E_IO, 500},
        {BSS_E_INTERNAL, 500},
        {BSS_E_UNSUPPORTED, 415},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_int_equal(bss_http_status_of(want[i].code), want[i].status);
    for (int c = 1; c < BSS_E__COUNT; c++) {
        int st = bss_http_status_of((bss_err)c);
        assert_true(st >= 400 && st <= 599);
        assert_non_null(bss_errmap_get((bss_err)c)->reason);
    }
    assert_int_equal(bss_http_status_of((bss_err)9999), 500); /* unknown codes are internal */
}

static void test_headers(void **state)
{
    const bss_errmap_entry *e = bss_errmap_get(BSS_E_UNAUTHORIZED);
    assert_string_equal(e->hdr_name, "WWW-Authenticate");
    assert_non_null(strstr(e->hdr_value, "Bearer"));
    e = bss_errmap_get(BSS_E_BUSY);
    assert_string_equal(e->hdr_name, "Retry-After");
    assert_string_equal(e->hdr_value, "1");
    assert_null(bss_errmap_get(BSS_E_NOT_FOUND)->hdr_name);
}

static void test_body(void **state)
{
    bss_errinfo ei;
    bss_fail(&ei, BSS_E_INVALID, "validFor.startDateTime", "not an RFC 3339 time: %s", "x");
    json_t *b = bss_errmap_body(BSS_E_INVALID, &ei, "http://h:1");
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(b, "@type")), "Error");
    assert_string_equal(json_string_value(json_object_get(b, "code")), "INVALID");
    assert_string_equal(json_string_value(json_object_get(b, "reason")), "Bad Request");
    assert_string_equal(json_string_value(json_object_get(b, "message")), "not an RFC 3339 time: x");
    assert_string_equal(json_string_value(json_object_get(b, "status")), "400");
    assert_string_equal(json_string_value(json_object_get(b, "referenceError")),
                        "http://h:1/docs/errors#INVALID");
    assert_string_equal(json_string_value(json_object_get(b, "field")), "validFor.startDateTime");
    json_decref(b);
    /* no errinfo: the default message, no field */
    b = bss_errmap_body(BSS_E_NOT_FOUND, NULL, "");
    assert_string_equal(json_string_value(json_object_get(b, "message")), "not found");
    assert_string_equal(json_string_value(json_object_get(b, "status")), "404");
    assert_null(json_object_get(b, "field"));
    json_decref(b);
    /* a message that is not UTF-8 falls back to the default text */
    bss_fail(&ei, BSS_E_PARSE, NULL, "bad byte \xff");
    b = bss_errmap_body(BSS_E_PARSE, &ei, "");
    assert_string_equal(json_string_value(json_object_get(b, "message")), "malformed input");
    json_decref(b);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statuses),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
