/*
 * unittest.h: what most unit tests need besides cmocka itself: js(), a
 * JSON document from literal text that fails the test (with the parser's
 * message) when the text is not JSON. Include after <cmocka.h> or
 * db/dbtest.h.
 */
#ifndef BSS_TESTS_UNIT_UNITTEST_H
#define BSS_TESTS_UNIT_UNITTEST_H

#include <string.h>

#include "core/json.h"

static inline json_t *js(const char *text)
{
    json_t *v = NULL;
    bss_errinfo ei;
    if (bss_json_parse(text, strlen(text), &v, &ei) != BSS_OK)
        fail_msg("%s: %s", text, ei.message);
    return v;
}

#endif
