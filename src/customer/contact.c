/*
 * contact.c: the contact-detail checks of customer.h, shared by parties
 * (party.c), customers and accounts. Tables are constant strings: ISO
 * 3166-1 alpha-2 (all 249 assigned codes) and ISO 639-1 (all 183 codes);
 * phone numbers are libphonenumber's (core/phone.h): typed in any common
 * form, stored as E.164. Messages say what shape is expected so a care
 * agent can fix the input.
 */
#include "customer/customer.h"

#include "core/phone.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ISO 3166-1 alpha-2, officially assigned codes, two letters each. */
static const char countries[] = "ADAEAFAGAIALAMAOAQARASATAUAWAXAZ"
                                "BABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ"
                                "CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZ"
                                "DEDJDKDMDODZ"
                                "ECEEEGEHERESET"
                                "FIFJFKFMFOFR"
                                "GAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY"
                                "HKHMHNHRHTHU"
                                "IDIEILIMINIOIQIRISIT"
                                "JEJMJOJP"
                                "KEKGKHKIKMKNKPKRKWKYKZ"
                                "LALBLCLILKLRLSLTLULVLY"
                                "MAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZ"
                                "NANCNENFNGNINLNONPNRNUNZ"
                                "OM"
                                "PAPEPFPGPHPKPLPMPNPRPSPTPWPY"
                                "QA"
                                "RERORSRURW"
                                "SASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZ"
                                "TCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZ"
                                "UAUGUMUSUYUZ"
                                "VAVCVEVGVIVNVU"
                                "WFWS"
                                "YEYT"
                                "ZAZMZW";

/* ISO 639-1 language codes. */
static const char languages[] =
    "aaabaeafakamanarasavayazbabebgbhbibmbnbobrbscacechcocrcscucvcydadedvdzeeeleneoeseteufaff"
    "fifjfofrfygagdglgngugvhahehihohrhthuhyhziaidieigiiikioisitiujajvkakgkikjkkklkmknkokrksku"
    "kvkwkylalblglilnloltlulvmgmhmimkmlmnmrmsmtmynanbndnengnlnnnonrnvnyocojomorospapiplpsptqu"
    "rmrnrorurwsascsdsesgsiskslsmsnsosqsrssstsusvswtatetgthtitktltntotrtstttwtyugukuruzvevivo"
    "wawoxhyiyozazhzu";

static bool in_pairs(const char *table, const char *code)
{
    if (!code || strlen(code) != 2)
        return false;
    for (const char *p = table; p[0] && p[1]; p++) {
        if (p[0] == ' ')
            continue;
        if (p[0] == code[0] && p[1] == code[1])
            return true;
        p++;
    }
    return false;
}

bool bss_contact_country_known(const char *code)
{
    return code && code[0] >= 'A' && code[0] <= 'Z' && in_pairs(countries, code);
}

bool bss_contact_language_known(const char *code)
{
    return code && code[0] >= 'a' && code[0] <= 'z' && in_pairs(languages, code);
}

static const char *fieldname(const char *field, const char *fallback)
{
    return field && *field ? field : fallback;
}

bss_err bss_contact_check_phone(const char *s, const char *field, char out[BSS_PHONE_E164_MAX + 1], bss_errinfo *ei)
{
    const char *f = fieldname(field, "phoneNumber");
    if (!s)
        return bss_fail(ei, BSS_E_INVALID, f, "%s must be a string: a phone number", f);
    return bss_phone_e164(s, strlen(s), f, out, ei);
}

static bool local_char_ok(unsigned char c)
{
    if (c <= ' ' || c >= 0x7f)
        return false;
    return strchr("\"(),:;<>[\\]@", c) == NULL;
}

static bool label_char_ok(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* Domain labels: 1..63 bytes of label chars, no '-' at the ends, 2+ labels, alphabetic TLD of 2+. */
static bool domain_ok(const char *d)
{
    size_t labels = 0;
    const char *start = d;
    for (const char *p = d;; p++) {
        if (*p && *p != '.') {
            if (!label_char_ok((unsigned char)*p))
                return false;
            continue;
        }
        size_t len = (size_t)(p - start);
        if (len == 0 || len > 63 || start[0] == '-' || p[-1] == '-')
            return false;
        labels++;
        if (!*p) {
            if (labels < 2 || len < 2)
                return false;
            for (const char *t = start; t < p; t++)
                if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z')))
                    return false;
            return true;
        }
        start = p + 1;
    }
}

bss_err bss_contact_check_email(const char *s, const char *field, bss_errinfo *ei)
{
    const char *f = fieldname(field, "emailAddress");
    const char *shape = "an e-mail address like name@example.com";
    if (!s || !*s)
        return bss_fail(ei, BSS_E_INVALID, f, "%s must be %s", f, shape);
    size_t len = strlen(s);
    if (len > BSS_EMAIL_MAX)
        return bss_fail(ei, BSS_E_INVALID, f, "%s is longer than %d characters", f, BSS_EMAIL_MAX);
    const char *at = strchr(s, '@');
    if (!at || strchr(at + 1, '@'))
        return bss_fail(ei, BSS_E_INVALID, f, "%s must be %s (exactly one '@')", f, shape);
    size_t local = (size_t)(at - s);
    if (local == 0 || local > BSS_EMAIL_LOCAL_MAX)
        return bss_fail(ei, BSS_E_INVALID, f, "%s must have 1 to %d characters before the '@'", f,
                        BSS_EMAIL_LOCAL_MAX);
    if (strstr(s, ".."))
        return bss_fail(ei, BSS_E_INVALID, f, "%s must not contain '..'", f);
    if (s[0] == '.' || at[-1] == '.')
        return bss_fail(ei, BSS_E_INVALID, f, "%s must not start or end its local part with '.'", f);
    for (size_t i = 0; i < local; i++)
        if (!local_char_ok((unsigned char)s[i]))
            return bss_fail(ei, BSS_E_INVALID, f,
                            "%s has a character not allowed before the '@' (spaces, "
                            "quotes, brackets, commas and non-ASCII are refused)",
                            f);
    if (!domain_ok(at + 1))
        return bss_fail(ei, BSS_E_INVALID, f,
                        "%s must have a domain like example.com after the '@' (letters, digits, '-', "
                        "dot-separated, ending in a top-level domain)",
                        f);
    return BSS_OK;
}

bss_err bss_contact_check_country(const char *s, const char *field, bss_errinfo *ei)
{
    const char *f = fieldname(field, "country");
    if (!bss_contact_country_known(s))
        return bss_fail(ei, BSS_E_INVALID, f,
                        "%s '%.16s' is not an ISO 3166-1 alpha-2 country code (two capital letters, e.g. DE)",
                        f, s ? s : "");
    return BSS_OK;
}

bss_err bss_contact_check_language(const char *s, const char *field, bss_errinfo *ei)
{
    const char *f = fieldname(field, "languageCode");
    char lang[3] = {0};
    if (s && strlen(s) >= 2)
        memcpy(lang, s, 2);
    bool ok = bss_contact_language_known(lang) &&
              (s[2] == '\0' || (s[2] == '-' && strlen(s) == 5 && bss_contact_country_known(s + 3)));
    if (!ok)
        return bss_fail(ei, BSS_E_INVALID, f,
                        "%s '%.16s' is not an ISO 639-1 language code (e.g. en, or en-GB with a region)", f,
                        s ? s : "");
    return BSS_OK;
}

/* out = a "." b, cut to cap (paths are for messages; a cut one is still useful). */
static void join_path(char *out, size_t cap, const char *a, const char *b)
{
    int n = snprintf(out, cap, "%s.%s", a, b);
    if (n < 0)
        out[0] = '\0';
}

/* A string member (when present); empty strings refused when nonempty is set. */
static bss_err opt_string(const json_t *obj, const char *key, const char *prefix, bool nonempty,
                          const char **out, bss_errinfo *ei)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return BSS_OK;
    if (!json_is_string(v) || (nonempty && json_string_length(v) == 0))
        return bss_fail(ei, BSS_E_INVALID, NULL, "%s.%s must be a non-empty string", prefix, key);
    *out = json_string_value(v);
    return BSS_OK;
}

static bss_err fail_member(bss_errinfo *ei, bss_err rc, const char *prefix, const char *key)
{
    if (ei && rc)
        join_path(ei->field, sizeof ei->field, prefix, key);
    return rc;
}

static bool postcode_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 16)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == ' ' ||
              *p == '-'))
            return false;
    return true;
}

bss_err bss_contact_check_postal(const json_t *addr, const char *prefix, bss_errinfo *ei)
{
    if (!json_is_object(addr))
        return bss_fail(ei, BSS_E_INVALID, prefix,
                        "%s must be an address object {street1, city, postCode, "
                        "country}",
                        prefix);
    static const char *const strings[] = {"street1",  "street2", "stateOrProvince",
                                          "postCode", "city",    "country"};
    const char *val[6];
    for (int i = 0; i < 6; i++) {
        bss_err rc = opt_string(addr, strings[i], prefix, i >= 4, &val[i], ei);
        if (rc)
            return fail_member(ei, rc, prefix, strings[i]);
    }
    if (!val[4])
        return fail_member(
            ei, bss_fail(ei, BSS_E_INVALID, NULL, "%s.city is required in a postal address", prefix), prefix,
            "city");
    if (!val[5])
        return fail_member(ei,
                           bss_fail(ei, BSS_E_INVALID, NULL,
                                    "%s.country is required in a postal address (ISO 3166-1, e.g. FR)",
                                    prefix),
                           prefix, "country");
    char path[160];
    join_path(path, sizeof path, prefix, "country");
    bss_err rc = bss_contact_check_country(val[5], path, ei);
    if (rc)
        return rc;
    if (val[3] && !postcode_ok(val[3]))
        return fail_member(ei,
                           bss_fail(ei, BSS_E_INVALID, NULL,
                                    "%s.postCode must be 1 to 16 letters, digits, spaces or '-'", prefix),
                           prefix, "postCode");
    return BSS_OK;
}

enum { MT_OTHER, MT_EMAIL, MT_PHONE, MT_POSTAL };

static int medium_kind(const char *t)
{
    static const char *const email[] = {"email", "emailAddress", "e-mail"};
    static const char *const phone[] = {"phone",        "mobile",      "telephone", "telephoneNumber",
                                        "mobileNumber", "phoneNumber", "fax",       "faxNumber"};
    static const char *const postal[] = {"postalAddress", "postal", "address", "postalAddressContact"};
    for (size_t i = 0; i < sizeof email / sizeof email[0]; i++)
        if (strcasecmp(t, email[i]) == 0)
            return MT_EMAIL;
    for (size_t i = 0; i < sizeof phone / sizeof phone[0]; i++)
        if (strcasecmp(t, phone[i]) == 0)
            return MT_PHONE;
    for (size_t i = 0; i < sizeof postal / sizeof postal[0]; i++)
        if (strcasecmp(t, postal[i]) == 0)
            return MT_POSTAL;
    return MT_OTHER;
}

static bss_err check_medium_members(json_t *ch, int kind, const char *prefix, bss_errinfo *ei)
{
    char path[160];
    static const char *const phones[] = {"phoneNumber", "faxNumber"};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(ch, phones[i]);
        join_path(path, sizeof path, prefix, phones[i]);
        if (v && !json_is_null(v)) {
            char e164[BSS_PHONE_E164_MAX + 1];
            bss_err rc = bss_contact_check_phone(json_string_value(v), path, e164, ei);
            if (rc)
                return rc;
            if (json_string_set(v, e164)) /* stored as E.164, however it was typed */
                return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        } else if (i == 0 && kind == MT_PHONE) {
            return bss_fail(ei, BSS_E_INVALID, path, "%s is required for a phone contact medium", path);
        }
    }
    const json_t *em = json_object_get(ch, "emailAddress");
    join_path(path, sizeof path, prefix, "emailAddress");
    if (em && !json_is_null(em)) {
        bss_err rc = bss_contact_check_email(json_string_value(em), path, ei);
        if (rc)
            return rc;
    } else if (kind == MT_EMAIL) {
        return bss_fail(ei, BSS_E_INVALID, path, "%s is required for an email contact medium", path);
    }
    bool postal = kind == MT_POSTAL || json_object_get(ch, "city") || json_object_get(ch, "street1") ||
                  json_object_get(ch, "postCode");
    if (postal)
        return bss_contact_check_postal(ch, prefix, ei);
    const json_t *c = json_object_get(ch, "country");
    join_path(path, sizeof path, prefix, "country");
    if (c && !json_is_null(c))
        return bss_contact_check_country(json_string_value(c), path, ei);
    return BSS_OK;
}

bss_err bss_contact_check_media(json_t *arr, const char *member, bss_errinfo *ei)
{
    if (!arr || json_is_null(arr))
        return BSS_OK;
    if (!json_is_array(arr))
        return bss_fail(ei, BSS_E_INVALID, member, "%s must be an array of contact media", member);
    size_t i;
    const json_t *m;
    json_array_foreach(arr, i, m)
    {
        char prefix[128], path[160];
        snprintf(prefix, sizeof prefix, "%s[%zu]", member, i);
        if (!json_is_object(m))
            return bss_fail(ei, BSS_E_INVALID, prefix, "%s must be an object {mediumType, characteristic}",
                            prefix);
        const json_t *type = json_object_get(m, "mediumType");
        join_path(path, sizeof path, prefix, "mediumType");
        if (!json_is_string(type) || json_string_length(type) == 0)
            return bss_fail(ei, BSS_E_INVALID, path,
                            "%s is required: email, phone, postalAddress or another medium type", path);
        const json_t *pref = json_object_get(m, "preferred");
        join_path(path, sizeof path, prefix, "preferred");
        if (pref && !json_is_null(pref) && !json_is_boolean(pref))
            return bss_fail(ei, BSS_E_INVALID, path, "%s must be true or false", path);
        json_t *ch = json_object_get(m, "characteristic");
        join_path(path, sizeof path, prefix, "characteristic");
        if (!json_is_object(ch))
            return bss_fail(ei, BSS_E_INVALID, path, "%s is required: an object holding the contact details",
                            path);
        bss_err rc = check_medium_members(ch, medium_kind(json_string_value(type)), path, ei);
        if (rc)
            return rc;
    }
    return BSS_OK;
}
