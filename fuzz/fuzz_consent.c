/*
 * fuzz_consent.c: libFuzzer target for the consent request reader of
 * TMF632 (src/customer/consent.c): request body text -> bss_json_parse ->
 * bss_consent_parse, as POST .../{id}/consent does before it records the
 * decision. Any input must give BSS_OK (with every required member set,
 * taken from the documented tables and bounds) or BSS_E_INVALID, never
 * crash, hang or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "customer/customer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool one_of(const char *s, const char *const *set)
{
    for (size_t i = 0; s && set[i]; i++)
        if (strcmp(s, set[i]) == 0)
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const purposes[] = {"marketing", "profiling", "thirdPartySharing", NULL};
    static const char *const channels[] = {"sms", "email", "phone", "post", "push", NULL};
    static const char *const sources[] = {"channel", "agent", "selfCare", NULL};
    static int inited;
    if (!inited) {
        bss_mem_init();
        inited = 1;
    }
    json_t *body = NULL;
    bss_errinfo ei;
    if (bss_json_parse((const char *)data, size, &body, &ei) != BSS_OK)
        return 0;
    bss_consent_input in;
    memset(&ei, 0, sizeof ei);
    bss_err rc = bss_consent_parse(body, &in, &ei);
    if (rc != BSS_OK && rc != BSS_E_INVALID)
        abort();
    if (rc == BSS_E_INVALID && ei.message[0] == '\0')
        abort();
    if (rc == BSS_OK) {
        if (!one_of(in.purpose, purposes) || !one_of(in.channel, channels) || !one_of(in.source, sources))
            abort();
        size_t w = in.wording_version ? strlen(in.wording_version) : 0;
        if (w == 0 || w > BSS_CONSENT_WORDING_MAX)
            abort();
        if (in.note && strlen(in.note) > BSS_CONSENT_NOTE_MAX)
            abort();
    }
    json_decref(body);
    return 0;
}
