/*
 * fuzz_search.c: libFuzzer target for the text handling of the customer
 * search (src/customer/search.c), which needs no store: the input bytes go
 * to bss_search_fold (at several output sizes), bss_search_norm_phone and
 * the query lower-casing, and, parsed as JSON, to the term extraction of
 * bss_search_index_doc (customer_int.h). Invariants checked:
 *   - fold: output valid UTF-8, no upper-case ASCII, no ASCII punctuation
 *     or control bytes, single spaces between words and none at the ends,
 *     length < cap and returned length == strlen, idempotent (folding the
 *     folded output gives it back), and a cut output is a prefix of a
 *     longer one;
 *   - norm_phone: "+" then 3..15 digits when true;
 *   - lower / terms / display: valid UTF-8 (they go to a TEXT column, and
 *     PostgreSQL refuses a cut character), no upper-case ASCII in terms,
 *     shorter than BSS_SEARCH_TERM_MAX.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether s[0..n) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static bool valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        uint32_t v;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 2;
            v = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 3;
            v = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 4;
            v = c & 0x07u;
        } else {
            return false;
        }
        if (i + k > n)
            return false;
        for (size_t j = 1; j < k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
            v = (v << 6) | (s[i + j] & 0x3Fu);
        }
        if ((k == 3 && v < 0x800) || (k == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
            (v >= 0xD800 && v <= 0xDFFF))
            return false;
        i += k;
    }
    return true;
}

static void check_folded(const char *f, size_t n, size_t cap)
{
    if (n >= cap || strlen(f) != n || !valid_utf8((const unsigned char *)f, n))
        abort();
    if (n > 0 && (f[0] == ' ' || f[n - 1] == ' '))
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)f[i];
        if (c < 0x80 && !(islower(c) || isdigit(c) || c == ' '))
            abort();
        if (c == ' ' && i > 0 && f[i - 1] == ' ')
            abort();
    }
}

static void fold_checks(const char *in, size_t len)
{
    char big[4 * 8192 + 8], again[4 * 8192 + 8], small[BSS_SEARCH_TERM_MAX];
    size_t n = bss_search_fold(in, len, big, sizeof big);
    check_folded(big, n, sizeof big);
    size_t m = bss_search_fold(big, n, again, sizeof again);
    if (m != n || memcmp(big, again, n) != 0)
        abort();
    size_t k = bss_search_fold(in, len, small, sizeof small);
    check_folded(small, k, sizeof small);
    if (k > n || memcmp(small, big, k) != 0)
        abort();
    m = bss_search_fold(small, k, again, sizeof again);
    if (m != k || memcmp(small, again, k) != 0)
        abort();
    char one[1] = {'x'};
    if (bss_search_fold(in, len, one, sizeof one) != 0 || one[0] != '\0')
        abort();
}

static void phone_checks(const char *s)
{
    char out[20];
    if (!bss_search_norm_phone(s, out))
        return;
    size_t n = strlen(out);
    if (out[0] != '+' || n < 4 || n > 16)
        abort();
    for (size_t i = 1; i < n; i++)
        if (out[i] < '0' || out[i] > '9')
            abort();
}

static void check_text(const char *t, bool lower)
{
    size_t n = strlen(t);
    if (n >= BSS_SEARCH_TERM_MAX || !valid_utf8((const unsigned char *)t, n))
        abort();
    for (size_t i = 0; lower && i < n; i++)
        if (isupper((unsigned char)t[i]))
            abort();
}

static void on_term(void *arg, const char *term, const char *field)
{
    (void)field;
    (*(size_t *)arg)++;
    if (term[0] == '\0')
        abort();
    check_text(term, true);
}

static void doc_checks(const uint8_t *data, size_t size)
{
    json_t *doc = NULL;
    if (bss_json_parse((const char *)data, size, &doc, NULL) != BSS_OK)
        return;
    if (json_is_object(doc)) {
        const char *id = json_string_value(json_object_get(doc, "id"));
        char display[BSS_SEARCH_TERM_MAX];
        size_t count = 0;
        if (bss__search_doc_terms(doc, id && id[0] ? id : "x", display, on_term, &count) == BSS_OK)
            check_text(display, false);
    }
    json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    if (!inited) {
        bss_mem_init();
        inited = 1;
    }
    if (size > 8192)
        return 0;
    fold_checks((const char *)data, size);
    char *s = bss_malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    phone_checks(s);
    char low[BSS_SEARCH_TERM_MAX];
    if (valid_utf8((const unsigned char *)s, strlen(s))) {
        bss__search_lower(s, low, sizeof low);
        check_text(low, true);
    }
    bss_free(s);
    doc_checks(data, size);
    return 0;
}
