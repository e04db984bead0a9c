/*
 * fuzz_contact.c: libFuzzer target for the contact-detail validators of
 * the customer-management module (src/customer/contact.c). The input, cut
 * at its first NUL, is given as a string to every validator (phone,
 * e-mail, country, language, the two lookup tables); then, parsed as JSON,
 * to bss_contact_check_media (as the contactMedium array itself, and
 * wrapped in one) and to bss_contact_check_postal when it is an object.
 * Every call must return BSS_OK or BSS_E_INVALID with a field named,
 * never crash, hang or leak; a string accepted as a phone number must have
 * the documented E.164 shape.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/iccid.h"
#include "customer/customer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bss_err rc, const bss_errinfo *ei)
{
    if (rc != BSS_OK && rc != BSS_E_INVALID && rc != BSS_E_NOMEM)
        abort();
    if (rc == BSS_E_INVALID && ei->message[0] == '\0')
        abort();
}

/* An accepted phone number is "+" then 8..15 digits. */
static void check_phone_shape(const char *s)
{
    size_t n = strlen(s);
    if (s[0] != '+' || n < 3 || n > 16) /* E.164: '+' and at most 15 digits */
        abort();
    for (size_t i = 1; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            abort();
}

static void strings(const char *s)
{
    bss_errinfo ei;
    memset(&ei, 0, sizeof ei);
    char e164[BSS_PHONE_E164_MAX + 1];
    bss_err rc = bss_contact_check_phone(s, "phoneNumber", e164, &ei);
    check(rc, &ei);
    if (rc == BSS_OK)
        check_phone_shape(e164); /* whatever was typed, what is stored is E.164 */
    char iccid[BSS_ICCID_MAX + 1];
    memset(&ei, 0, sizeof ei);
    rc = bss_iccid_normalize(s, strlen(s), "iccid", iccid, &ei);
    check(rc, &ei);
    if (rc == BSS_OK) { /* what is stored: 19 or 20 digits, 89..., a right check digit */
        size_t n = strlen(iccid);
        if (n < 19 || n > 20 || iccid[0] != '8' || iccid[1] != '9' || bss_iccid_check_digit(iccid, n - 1) != iccid[n - 1])
            abort();
    }
    memset(&ei, 0, sizeof ei);
    rc = bss_contact_check_email(s, "emailAddress", &ei);
    check(rc, &ei);
    if (rc == BSS_OK && (strlen(s) > BSS_EMAIL_MAX || !strchr(s, '@')))
        abort();
    memset(&ei, 0, sizeof ei);
    check(bss_contact_check_country(s, "country", &ei), &ei);
    memset(&ei, 0, sizeof ei);
    check(bss_contact_check_language(s, "languageCode", &ei), &ei);
    if (bss_contact_country_known(s) && strlen(s) != 2)
        abort();
    if (bss_contact_language_known(s) && strlen(s) != 2)
        abort();
}

static void documents(const uint8_t *data, size_t size)
{
    json_t *v = NULL;
    bss_errinfo ei;
    if (bss_json_parse((const char *)data, size, &v, &ei) != BSS_OK)
        return;
    memset(&ei, 0, sizeof ei);
    check(bss_contact_check_media(v, "contactMedium", &ei), &ei);
    if (json_is_object(v)) {
        memset(&ei, 0, sizeof ei);
        check(bss_contact_check_postal(v, "contactMedium[0].characteristic", &ei), &ei);
        memset(&ei, 0, sizeof ei);
        check(bss_contact_check_media(json_object_get(v, "contactMedium"), "contactMedium", &ei), &ei);
    }
    json_t *arr = json_array();
    if (arr && json_array_append(arr, v) == 0) {
        memset(&ei, 0, sizeof ei);
        check(bss_contact_check_media(arr, "contactMedium", &ei), &ei);
    }
    json_decref(arr);
    json_decref(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    if (!inited) {
        bss_mem_init();
        inited = 1;
    }
    char *s = bss_malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    strings(s);
    bss_free(s);
    documents(data, size);
    return 0;
}
