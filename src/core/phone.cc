// phone.cc: core/phone.h over libphonenumber. The one C++ file of bss:
// nothing C++ crosses the interface (no exceptions are thrown by the calls
// used here; every entry point is noexcept and returns plain C values).
#include <phonenumbers/phonenumberutil.h>

#include <cstdio>
#include <cstring>
#include <set>
#include <string>

extern "C" {
#include "core/phone.h"
}

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

char default_cc[3];

enum class verdict { ok, not_a_number, no_country, invalid, too_long };

verdict normalise(const char *text, size_t len, char *out) noexcept
{
    if (len == 0 || len > 40)
        return len > 40 ? verdict::too_long : verdict::not_a_number;
    for (size_t i = 0; i < len; i++) { // what people type: digits, + once at the start, and separators
        unsigned char c = static_cast<unsigned char>(text[i]);
        bool sep = c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/';
        if (!(c >= '0' && c <= '9') && !sep && !(c == '+' && i == 0))
            return verdict::not_a_number;
    }
    const PhoneNumberUtil *u = PhoneNumberUtil::GetInstance();
    PhoneNumber n;
    std::string in(text, len);
    const char *region = default_cc[0] ? default_cc : "ZZ";
    size_t lead = in.find_first_not_of(' ');
    if (!default_cc[0] && lead != std::string::npos && in.compare(lead, 2, "00") == 0)
        in.replace(lead, 2, "+"); // 00 is the international prefix almost everywhere (ITU-T E.164 Annex)
    PhoneNumberUtil::ErrorType e = u->Parse(in, region, &n);
    bool international = lead != std::string::npos && in[lead] == '+';
    if (e == PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR)
        return default_cc[0] || international ? verdict::invalid : verdict::no_country;
    if (e == PhoneNumberUtil::TOO_LONG_NSN)
        return verdict::too_long;
    if (e != PhoneNumberUtil::NO_PARSING_ERROR || !u->IsValidNumber(n))
        return verdict::invalid;
    std::string e164;
    u->Format(n, PhoneNumberUtil::E164, &e164);
    if (e164.size() > BSS_PHONE_E164_MAX)
        return verdict::too_long;
    std::memcpy(out, e164.c_str(), e164.size() + 1);
    return verdict::ok;
}

} // namespace

extern "C" void bss_phone_set_default_country(const char *cc)
{
    std::snprintf(default_cc, sizeof default_cc, "%s", cc && std::strlen(cc) == 2 ? cc : "");
}

extern "C" const char *bss_phone_default_country(void)
{
    return default_cc;
}

extern "C" bool bss_phone_country_ok(const char *cc)
{
    if (!cc || std::strlen(cc) != 2)
        return false;
    std::set<std::string> regions;
    PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
    return regions.count(cc) > 0;
}

extern "C" bool bss_phone_try_e164(const char *text, size_t len, char *out)
{
    return normalise(text, len, out) == verdict::ok;
}

extern "C" bss_err bss_phone_range(const char *from, const char *to, int64_t max, char *from_out, char *to_out,
                                   int64_t *count, bss_errinfo *ei)
{
    *count = 0;
    bss_err rc = bss_phone_e164(from ? from : "", from ? std::strlen(from) : 0, "from", from_out, ei);
    if (rc == BSS_OK)
        rc = bss_phone_e164(to ? to : "", to ? std::strlen(to) : 0, "to", to_out, ei);
    if (rc != BSS_OK)
        return rc;
    const PhoneNumberUtil *u = PhoneNumberUtil::GetInstance();
    PhoneNumber pa, pb;
    if (u->Parse(from_out, "ZZ", &pa) == PhoneNumberUtil::NO_PARSING_ERROR &&
        u->Parse(to_out, "ZZ", &pb) == PhoneNumberUtil::NO_PARSING_ERROR && pa.country_code() != pb.country_code())
        return bss_fail(ei, BSS_E_INVALID, "to", "to (%s) is in another country (+%d) than from (+%d)", to_out,
                        pb.country_code(), pa.country_code());
    size_t n = std::strlen(from_out);
    if (std::strlen(to_out) != n)
        return bss_fail(ei, BSS_E_INVALID, "to", "to (%s) must have as many digits as from (%s)", to_out, from_out);
    if (std::strcmp(from_out, to_out) > 0)
        return bss_fail(ei, BSS_E_INVALID, "to", "to (%s) comes before from (%s)", to_out, from_out);
    int64_t a = 0, b = 0; // at most 15 digits: fits
    for (size_t i = 1; i < n; i++) {
        a = a * 10 + (from_out[i] - '0');
        b = b * 10 + (to_out[i] - '0');
    }
    if (b - a + 1 > max)
        return bss_fail(ei, BSS_E_INVALID, "to", "the range %s..%s holds %lld numbers, more than %lld at once", from_out,
                        to_out, static_cast<long long>(b - a + 1), static_cast<long long>(max));
    *count = b - a + 1;
    return BSS_OK;
}

extern "C" bss_err bss_phone_e164(const char *text, size_t len, const char *field, char *out, bss_errinfo *ei)
{
    switch (normalise(text, len, out)) {
    case verdict::ok:
        return BSS_OK;
    case verdict::not_a_number:
        return bss_fail(ei, BSS_E_INVALID, field,
                        "%s must be a phone number: digits, an optional leading '+', spaces, dashes, dots or "
                        "parentheses",
                        field);
    case verdict::no_country:
        return bss_fail(ei, BSS_E_INVALID, field,
                        "%s must be in international form (+<country code> ...): no default country is set "
                        "(--default-country)",
                        field);
    case verdict::too_long:
        return bss_fail(ei, BSS_E_INVALID, field, "%s is too long for a phone number", field);
    case verdict::invalid:
        break;
    }
    char how[80] = "";
    if (default_cc[0])
        std::snprintf(how, sizeof how, " (a national number is read as one of %s)", default_cc);
    return bss_fail(ei, BSS_E_INVALID, field, "%s is not a valid phone number%s", field, how);
}
