/*
 * fuzz_resource.c: libFuzzer target for the JSON-to-resource path of the
 * TMF API: request body text -> bss_json_parse -> the required-field check
 * -> the TMF620 category hook (create, and PATCH against a fixed stored
 * category through RFC 7396 merge patch) -> dump, as the server would
 * answer. No store (ctx.db NULL: parentId existence is not checked). Any
 * input must give BSS_OK or an input error, never crash, hang or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/tmf.h"
#include "catalog/catalog.h"
#include "core/json.h"
#include "core/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool input_error(bss_err rc)
{
    return rc == BSS_OK || rc == BSS_E_INVALID || rc == BSS_E_PARSE || rc == BSS_E_STATE ||
           rc == BSS_E_NOMEM || rc == BSS_E_RANGE || rc == BSS_E_TOO_BIG;
}

static void dump_free(json_t *doc)
{
    char *text = bss_json_dump(doc, NULL);
    bss_free(text);
}

static const char stored[] =
    "{\"id\":\"0190f2c4-8d4e-7abc-9def-0123456789ab\",\"href\":\"http://h/c\","
    "\"name\":\"Phones\",\"lifecycleStatus\":\"Active\",\"isRoot\":true,"
    "\"validFor\":{\"startDateTime\":\"2026-01-01T00:00:00Z\"},\"@type\":\"Category\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    if (!inited) {
        bss_mem_init();
        inited = 1;
    }
    json_t *body = NULL;
    bss_errinfo ei;
    bss_err rc = bss_json_parse((const char *)data, size, &body, &ei);
    if (!input_error(rc))
        abort();
    if (rc || !json_is_object(body)) {
        json_decref(body);
        return 0;
    }
    bss_doc_ctx ctx = {&bss_category_kind, NULL, INT64_C(1767225600000), "http://h", NULL};

    /* as a POST body */
    json_t *doc = json_deep_copy(body);
    if (doc && json_object_set_new(doc, "id", json_string("0190f2c4-8d4e-7abc-9def-0123456789ff")) == 0) {
        rc = bss_doc_check_required(&bss_category_kind, doc, &ei);
        if (!rc)
            rc = bss_category_kind.prepare(&ctx, doc, NULL, &ei);
        if (!input_error(rc))
            abort();
        if (!rc)
            dump_free(doc);
    }
    json_decref(doc);

    /* as a merge patch of a stored category */
    json_t *old = NULL;
    if (bss_json_parse(stored, sizeof stored - 1, &old, NULL) == BSS_OK) {
        doc = json_deep_copy(old);
        if (doc && bss_json_merge_patch(doc, body) == BSS_OK) {
            rc = bss_doc_check_required(&bss_category_kind, doc, &ei);
            if (!rc)
                rc = bss_category_kind.prepare(&ctx, doc, old, &ei);
            if (!input_error(rc))
                abort();
            if (!rc)
                dump_free(doc);
        }
        json_decref(doc);
        json_decref(old);
    }
    json_decref(body);
    return 0;
}
