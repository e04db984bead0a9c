/*
 * test_fuzz_regressions.c: inputs found by the customer-management fuzz
 * targets (fuzz/fuzz_contact.c, fuzz_search.c, fuzz_consent.c,
 * fuzz_party.c) that broke an invariant, each kept as a test that fails
 * without its fix. No store needed.
 *
 *   - search: the exact-match form of a query or value (and the display
 *     name) was cut at a byte, so a long non-ASCII value gave a term ending
 *     in half a character: invalid UTF-8, which PostgreSQL refuses as a
 *     TEXT parameter (a 500 on search or on indexing the document).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"
#include "core/mem.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

/* Whether the last character of s is complete (s itself assumed otherwise well-formed). */
static bool ends_whole(const char *s)
{
    size_t n = strlen(s), j = n;
    while (j > 0 && ((unsigned char)s[j - 1] & 0xC0) == 0x80)
        j--;
    if (j == 0 || j == n)
        return j == n || n == 0;
    unsigned char lead = (unsigned char)s[j - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    return n - (j - 1) == want;
}

/* 158 ASCII letters then "É" and more: the cut at 159 bytes falls inside the É. */
static void long_text(char *buf, size_t cap, char c)
{
    memset(buf, c, 158);
    snprintf(buf + 158, cap - 158, "\xc3\x89tienne Dupont");
}

static void test_search_lower_cuts_at_character(void **state)
{
    (void)state;
    char in[200], out[BSS_SEARCH_TERM_MAX];
    long_text(in, sizeof in, 'A');
    size_t n = bss__search_lower(in, out, sizeof out);
    assert_int_equal(n, 158);
    assert_int_equal(strlen(out), 158);
    assert_true(ends_whole(out));
    assert_int_equal(out[0], 'a');
    /* a whole character that fits is kept */
    n = bss__search_lower(in + 1, out, sizeof out);
    assert_int_equal(n, 159);
    assert_true(ends_whole(out));
    assert_memory_equal(out + 157, "\xc3\x89", 2);
}

typedef struct seen {
    int bad;
    int count;
} seen;

static void on_term(void *arg, const char *term, const char *field)
{
    (void)field;
    seen *s = arg;
    s->count++;
    if (!ends_whole(term) || strlen(term) >= BSS_SEARCH_TERM_MAX)
        s->bad++;
}

static void test_search_terms_and_display_cut_at_character(void **state)
{
    (void)state;
    char text[200];
    long_text(text, sizeof text, 'B');
    json_t *doc = json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "id", "p1", "fullName", text, "characteristic",
                            "name", "accountNumber", "value", text);
    assert_non_null(doc);
    char display[BSS_SEARCH_TERM_MAX];
    seen s = {0, 0};
    assert_int_equal(bss__search_doc_terms(doc, "p1", display, on_term, &s), BSS_OK);
    assert_int_equal(strlen(display), 158);
    assert_true(ends_whole(display));
    assert_true(s.count > 0);
    assert_int_equal(s.bad, 0);
    json_decref(doc);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_search_lower_cuts_at_character),
        cmocka_unit_test(test_search_terms_and_display_cut_at_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
