/*
 * cattest.h: helpers shared by the catalog test suites: JSON test documents
 * and the check of a refused build (exact code, field and message).
 * Include after <cmocka.h>.
 */
#ifndef BSS_TESTS_UNIT_CATALOG_CATTEST_H
#define BSS_TESTS_UNIT_CATALOG_CATTEST_H

#include <string.h>

#include "core/err.h"
#include "core/json.h"

/* A test document; a typo in the test's JSON fails the test. */
static inline json_t *cat_json(const char *text)
{
    json_t *doc = NULL;
    bss_errinfo ei;
    if (bss_json_parse(text, strlen(text), &doc, &ei) != BSS_OK)
        fail_msg("bad test JSON: %s", ei.message);
    return doc;
}

/* Asserts a refusal: rc and ei->code are code, ei->field is field, the message contains message. */
static inline void cat_expect_error(bss_err rc, const bss_errinfo *ei, bss_err code, const char *field,
                                    const char *message)
{
    assert_int_equal(rc, code);
    assert_int_equal(ei->code, code);
    assert_string_equal(ei->field, field);
    if (strstr(ei->message, message) == NULL)
        fail_msg("message '%s' lacks '%s'", ei->message, message);
}

#endif
