/*
 * fuzz_party.c: libFuzzer target for the JSON-to-resource path of the
 * customer-management APIs: request body text -> bss_json_parse -> the
 * required-member check -> the prepare hook of TMF632 individual and
 * organization, TMF629 customer and TMF666 billingAccount (as a POST body,
 * and as an RFC 7396 merge patch of a fixed stored document) -> the search
 * terms the document would index -> dump, as the server would answer. No
 * store (ctx.db NULL, as fuzz_resource.c does: references to other rows
 * and the account-number sequence are not consulted). Any input must give
 * BSS_OK or an input error, never crash, hang or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/tmf.h"
#include "core/json.h"
#include "core/mem.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool input_error(bss_err rc)
{
    return rc == BSS_OK || rc == BSS_E_INVALID || rc == BSS_E_PARSE || rc == BSS_E_STATE ||
           rc == BSS_E_NOMEM || rc == BSS_E_RANGE || rc == BSS_E_TOO_BIG || rc == BSS_E_CONFLICT ||
           rc == BSS_E_UNPROCESSABLE;
}

static void on_term(void *arg, const char *term, const char *field)
{
    (void)arg;
    (void)field;
    if (term[0] == '\0' || strlen(term) >= BSS_SEARCH_TERM_MAX)
        abort();
}

/* The answer the server would give: dump it, and the terms it would index. */
static void finish(json_t *doc)
{
    char *text = bss_json_dump(doc, NULL);
    bss_free(text);
    char display[BSS_SEARCH_TERM_MAX];
    const char *id = json_string_value(json_object_get(doc, "id"));
    if (bss__search_doc_terms(doc, id ? id : "x", display, on_term, NULL) != BSS_OK)
        return;
}

typedef struct target {
    const bss_doc_kind *res;
    const char *stored;
} target;

static const target targets[] = {
    {&bss_individual_kind,
     "{\"id\":\"019b8d2b-8c00-7001-b093-336a6d1c8347\",\"href\":\"http://h/i\",\"@type\":\"Individual\","
     "\"givenName\":\"Jane\",\"familyName\":\"Doe\",\"status\":\"initialized\","
     "\"contactMedium\":[{\"mediumType\":\"email\",\"characteristic\":{\"emailAddress\":\"jane@example.com\"}"
     "}]}"},
    {&bss_organization_kind,
     "{\"id\":\"019b8d2b-8c00-7001-b093-336a6d1c8348\",\"href\":\"http://h/o\",\"@type\":\"Organization\","
     "\"tradingName\":\"Acme\",\"status\":\"initialized\"}"},
    {&bss_customer_kind,
     "{\"id\":\"019b8d2b-8c00-7001-b093-336a6d1c8349\",\"href\":\"http://h/c\",\"@type\":\"Customer\","
     "\"name\":\"Jane Doe\",\"status\":\"Approved\",\"engagedParty\":{\"id\":"
     "\"019b8d2b-8c00-7001-b093-336a6d1c8347\",\"@referredType\":\"Individual\"}}"},
    {&bss_billing_account_kind,
     "{\"id\":\"019b8d2b-8c00-7001-b093-336a6d1c834a\",\"href\":\"http://h/b\",\"@type\":\"BillingAccount\","
     "\"name\":\"Jane's "
     "bills\",\"currency\":\"EUR\",\"relatedParty\":[{\"id\":\"019b8d2b-8c00-7001-b093-336a6d1c8349\","
     "\"role\":\"owner\",\"@referredType\":\"Customer\"}]}"},
};

static void run(const bss_doc_kind *res, json_t *doc, const json_t *old)
{
    bss_doc_ctx ctx = {res, NULL, INT64_C(1767225600000), "http://h", NULL};
    bss_errinfo ei;
    bss_err rc = bss_doc_check_required(res, doc, &ei);
    if (!rc)
        rc = res->prepare(&ctx, doc, old, &ei);
    if (!input_error(rc))
        abort();
    if (!rc)
        finish(doc);
}

static void one(const target *t, const json_t *body)
{
    /* as a POST body */
    json_t *doc = json_deep_copy(body);
    if (doc && json_object_set_new(doc, "id", json_string("019b8d2b-8c00-7001-b093-336a6d1c83ff")) == 0 &&
        json_object_set_new(doc, "href", json_string("http://h/x")) == 0 &&
        json_object_set_new(doc, "@type", json_string(t->res->type)) == 0)
        run(t->res, doc, NULL);
    json_decref(doc);

    /* as a merge patch of a stored document */
    json_t *old = NULL;
    if (bss_json_parse(t->stored, strlen(t->stored), &old, NULL) != BSS_OK)
        abort();
    doc = json_deep_copy(old);
    if (doc && bss_json_merge_patch(doc, body) == BSS_OK)
        run(t->res, doc, old);
    json_decref(doc);
    json_decref(old);
}

/* The stored documents must pass their own hook unchanged, or the PATCH half would test nothing. */
static void self_check(void)
{
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        const bss_doc_kind *res = targets[i].res;
        bss_doc_ctx ctx = {res, NULL, INT64_C(1767225600000), "http://h", NULL};
        json_t *old = NULL, *doc = NULL;
        bss_errinfo ei;
        bss_err rc = bss_json_parse(targets[i].stored, strlen(targets[i].stored), &old, &ei);
        if (!rc) {
            doc = json_deep_copy(old);
            rc = bss_doc_check_required(res, doc, &ei);
        }
        if (!rc)
            rc = res->prepare(&ctx, doc, old, &ei);
        if (rc) {
            fprintf(stderr, "fuzz_party: stored %s refused: %s (%s)\n", res->type, ei.message, ei.field);
            abort();
        }
        json_decref(doc);
        json_decref(old);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    if (!inited) {
        bss_mem_init();
        self_check();
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
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
        one(&targets[i], body);
    json_decref(body);
    return 0;
}
