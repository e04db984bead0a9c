/*
 * fuzz_query.c: libFuzzer target for the TMF list query parser and matcher
 * (src/api/query.c). The input is split at the first NUL-free '\n': the
 * part before is the raw query string, the part after (if any) is JSON
 * text the parsed filters, projection and sort run against. Any input must
 * parse or fail with BSS_E_INVALID/BSS_E_NOMEM, never crash, hang or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/query.h"
#include "core/json.h"
#include "core/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    if (!inited) {
        bss_mem_init();
        inited = 1;
    }
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t qlen = nl ? (size_t)(nl - text) : size;
    bss_query q;
    bss_errinfo ei;
    bss_err rc = bss_query_parse(text, qlen, &q, &ei);
    if (rc != BSS_OK) {
        if (rc != BSS_E_INVALID && rc != BSS_E_NOMEM)
            abort();
        return 0;
    }
    if (q.limit < 1 || q.limit > BSS_QUERY_MAX_LIMIT || q.offset < 0)
        abort();
    json_t *doc = NULL;
    if (nl && bss_json_parse(nl + 1, size - qlen - 1, &doc, NULL) == BSS_OK) {
        (void)bss_query_match(&q, doc);
        json_t *shown = bss_query_project(&q, doc);
        if (shown) {
            char *dumped = bss_json_dump(shown, NULL);
            bss_free(dumped);
        }
        (void)bss_query_compare(&q, doc, shown ? shown : doc);
        json_decref(shown);
        json_decref(doc);
    }
    bss_query_free(&q);
    return 0;
}
