/*
 * iccid.c: ICCID normalisation and the Luhn check (iccid.h).
 */
#include "core/iccid.h"

#include <stdbool.h>

char bss_iccid_check_digit(const char *body, size_t n)
{
    /* Luhn: from the right, every second digit doubled (the check digit will be the rightmost) */
    int sum = 0;
    bool dbl = true;
    for (size_t i = n; i-- > 0; dbl = !dbl) {
        int d = body[i] - '0';
        if (dbl && (d *= 2) > 9)
            d -= 9;
        sum += d;
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

bss_err bss_iccid_normalize(const char *text, size_t len, const char *field, char *out, bss_errinfo *ei)
{
    const char *f = field && *field ? field : "iccid";
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == ' ' || c == '-')
            continue;
        if ((c == 'F' || c == 'f') && i + 1 == len && n == 19)
            continue; /* the filler of a 19-digit ICCID written as 20 nibbles */
        if (c < '0' || c > '9')
            return bss_fail(ei, BSS_E_INVALID, f, "%s must be an ICCID: digits (spaces and dashes allowed)", f);
        if (n == BSS_ICCID_MAX)
            return bss_fail(ei, BSS_E_INVALID, f, "%s must be an ICCID of 19 or 20 digits, not more", f);
        out[n++] = c;
    }
    out[n] = '\0';
    if (n < 19)
        return bss_fail(ei, BSS_E_INVALID, f, "%s must be an ICCID of 19 or 20 digits, not %zu", f, n);
    if (out[0] != '8' || out[1] != '9')
        return bss_fail(ei, BSS_E_INVALID, f, "%s must be an ICCID: it starts with 89 (telecommunications)", f);
    char want = bss_iccid_check_digit(out, n - 1);
    if (out[n - 1] != want)
        return bss_fail(ei, BSS_E_INVALID, f, "%s has a wrong check digit: %c, the number needs %c", f, out[n - 1],
                        want);
    return BSS_OK;
}
