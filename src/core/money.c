/*
 * money.c: amounts as int64 micro-units. The currency table (ISO 4217 code,
 * minor units, name), the strict decimal parser used for JSON strings, CSV
 * files and flags, the JSON number path (jansson doubles, accepted only when
 * they carry at most 15 significant digits), exact formatting, half-up
 * rounding to a minor unit and checked arithmetic with 128-bit intermediates.
 *
 * Accepted decimal text (bss_money_parse), the JSON number grammar minus
 * exponents: an optional '-', then "0" or a digit 1-9 followed by digits,
 * then optionally '.' and 1..6 digits. Rejected: empty, '+', a lone '-',
 * '.', "1.", ".5", leading zeros ("01"), exponents ("1e3"), spaces, more than
 * 6 decimals (BSS_E_INVALID) and magnitudes above BSS_MONEY_MAX_MICROS
 * (BSS_E_RANGE). "-0" and "-0.0" are zero.
 *
 * Output (bss_money_to_json): a whole amount is a JSON integer ("10"); any
 * other amount is a JSON real whose %.15g text is the formatted amount, so
 * jansson with BSS_JSON_DUMP_FLAGS prints "12.5". Two cases cannot be printed
 * that way by jansson and are documented here: magnitudes below 0.0001 come
 * out in exponent form ("5e-5", the same number exactly), and amounts with
 * more than 15 significant digits (possible only above 10^9 units) are
 * emitted as a JSON string holding the exact text, which
 * bss_money_from_json reads back, rather than as a rounded number.
 */
#include "core/money.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/parse.h"

/* ---- currencies ---- */

static const bss_currency currencies[] = {
    {"AED", 2, "UAE Dirham"},
    {"ARS", 2, "Argentine Peso"},
    {"AUD", 2, "Australian Dollar"},
    {"BDT", 2, "Taka"},
    {"BHD", 3, "Bahraini Dinar"},
    {"BRL", 2, "Brazilian Real"},
    {"CAD", 2, "Canadian Dollar"},
    {"CHF", 2, "Swiss Franc"},
    {"CLP", 0, "Chilean Peso"},
    {"CNY", 2, "Yuan Renminbi"},
    {"COP", 2, "Colombian Peso"},
    {"CZK", 2, "Czech Koruna"},
    {"DKK", 2, "Danish Krone"},
    {"EGP", 2, "Egyptian Pound"},
    {"ETB", 2, "Ethiopian Birr"},
    {"EUR", 2, "Euro"},
    {"GBP", 2, "Pound Sterling"},
    {"GHS", 2, "Ghana Cedi"},
    {"HKD", 2, "Hong Kong Dollar"},
    {"HUF", 2, "Forint"},
    {"IDR", 2, "Rupiah"},
    {"ILS", 2, "New Israeli Sheqel"},
    {"INR", 2, "Indian Rupee"},
    {"IQD", 3, "Iraqi Dinar"},
    {"ISK", 0, "Iceland Krona"},
    {"JOD", 3, "Jordanian Dinar"},
    {"JPY", 0, "Yen"},
    {"KES", 2, "Kenyan Shilling"},
    {"KRW", 0, "Won"},
    {"KWD", 3, "Kuwaiti Dinar"},
    {"LYD", 3, "Libyan Dinar"},
    {"MAD", 2, "Moroccan Dirham"},
    {"MXN", 2, "Mexican Peso"},
    {"MYR", 2, "Malaysian Ringgit"},
    {"NGN", 2, "Naira"},
    {"NOK", 2, "Norwegian Krone"},
    {"NZD", 2, "New Zealand Dollar"},
    {"OMR", 3, "Rial Omani"},
    {"PEN", 2, "Sol"},
    {"PHP", 2, "Philippine Peso"},
    {"PKR", 2, "Pakistan Rupee"},
    {"PLN", 2, "Zloty"},
    {"PYG", 0, "Guarani"},
    {"QAR", 2, "Qatari Rial"},
    {"RON", 2, "Romanian Leu"},
    {"RSD", 2, "Serbian Dinar"},
    {"RWF", 0, "Rwanda Franc"},
    {"SAR", 2, "Saudi Riyal"},
    {"SEK", 2, "Swedish Krona"},
    {"SGD", 2, "Singapore Dollar"},
    {"THB", 2, "Baht"},
    {"TND", 3, "Tunisian Dinar"},
    {"TRY", 2, "Turkish Lira"},
    {"TZS", 2, "Tanzanian Shilling"},
    {"UAH", 2, "Hryvnia"},
    {"UGX", 0, "Uganda Shilling"},
    {"USD", 2, "US Dollar"},
    {"VND", 0, "Dong"},
    {"XAF", 0, "CFA Franc BEAC"},
    {"XOF", 0, "CFA Franc BCEAO"},
    {"ZAR", 2, "Rand"},
    {"ZMW", 2, "Zambian Kwacha"},
};
#define NCURRENCIES (sizeof(currencies) / sizeof(currencies[0]))

const bss_currency *bss_currency_find(const char *code)
{
    if (code == NULL)
        return NULL;
    for (int i = 0; i < 3; i++)
        if (code[i] < 'A' || code[i] > 'Z')
            return NULL;
    if (code[3] != '\0')
        return NULL;
    size_t lo = 0, hi = NCURRENCIES; /* the table is sorted by code */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(code, currencies[mid].code, 3);
        if (c == 0)
            return &currencies[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* ---- parsing ---- */

#define MAX_DECIMALS 6
#define ECHO_MAX 40 /* how much of a bad input a message repeats */

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* "field: " or "" for messages. */
static const char *sep(const char *field)
{
    return field && *field ? ": " : "";
}

static bss_err bad_text(bss_errinfo *ei, bss_err code, const char *field, const char *why, const char *text,
                        size_t len)
{
    int n = len > ECHO_MAX ? ECHO_MAX : (int)len;
    return bss_fail(ei, code, field, "%s%s%s, got '%.*s%s'", field ? field : "", sep(field), why, n, text,
                    len > ECHO_MAX ? "..." : "");
}

/*
 * The one decimal parser: strict grammar described at the top of the file.
 * field (may be NULL) prefixes messages and fills ei->field.
 */
static bss_err parse_decimal(const char *text, size_t len, const char *field, int64_t *out, bss_errinfo *ei)
{
    static const char *const shape = "expected a decimal amount like 12.50 (no exponent, no '+')";
    size_t i = 0;
    bool neg = false;
    if (len > 0 && text[0] == '-') {
        neg = true;
        i = 1;
    }
    if (i >= len || !is_digit(text[i]))
        return bad_text(ei, BSS_E_INVALID, field, shape, text, len);
    if (text[i] == '0' && i + 1 < len && is_digit(text[i + 1]))
        return bad_text(ei, BSS_E_INVALID, field, "leading zeros are not allowed", text, len);
    uint64_t units = 0;
    bool too_big = false;
    for (; i < len && is_digit(text[i]); i++) {
        units = units * 10 + (uint64_t)(text[i] - '0');
        if (units > (uint64_t)(BSS_MONEY_MAX_MICROS / BSS_MICROS_PER_UNIT))
            too_big = true, units = (uint64_t)(BSS_MONEY_MAX_MICROS / BSS_MICROS_PER_UNIT) + 1;
    }
    uint64_t frac = 0;
    int decimals = 0;
    if (i < len && text[i] == '.') {
        i++;
        if (i >= len || !is_digit(text[i]))
            return bad_text(ei, BSS_E_INVALID, field, shape, text, len);
        for (; i < len && is_digit(text[i]); i++, decimals++)
            if (decimals < MAX_DECIMALS)
                frac = frac * 10 + (uint64_t)(text[i] - '0');
    }
    if (i < len) {
        if (text[i] == 'e' || text[i] == 'E')
            return bad_text(ei, BSS_E_INVALID, field, "exponents are not allowed in amounts", text, len);
        return bad_text(ei, BSS_E_INVALID, field, shape, text, len);
    }
    if (decimals > MAX_DECIMALS)
        return bad_text(ei, BSS_E_INVALID, field, "at most 6 decimal places", text, len);
    for (int d = decimals; d < MAX_DECIMALS; d++)
        frac *= 10;
    uint64_t mag = units * (uint64_t)BSS_MICROS_PER_UNIT + frac;
    if (too_big || mag > (uint64_t)BSS_MONEY_MAX_MICROS)
        return bad_text(ei, BSS_E_RANGE, field, "amount out of range (at most 1000000000000 in magnitude)",
                        text, len);
    *out = neg ? -(int64_t)mag : (int64_t)mag;
    return BSS_OK;
}

bss_err bss_money_parse(const char *text, size_t len, int64_t *out_micros, bss_errinfo *ei)
{
    if (text == NULL)
        len = 0, text = "";
    return parse_decimal(text, len, NULL, out_micros, ei);
}

/*
 * Rewrites %.15g output ("1.5e-05", "-2.5e+20", "12.5") as plain decimal
 * text ("0.000015") so the strict parser can judge it. The exponent of a
 * finite double is within +-330, so out (512 bytes) always suffices.
 */
static size_t expand_exponent(const char *g, char *out, size_t cap)
{
    const char *e = strchr(g, 'e');
    if (e == NULL)
        return (size_t)snprintf(out, cap, "%s", g);
    const char *ep = e + 1;
    int64_t exp10 = 0; /* %.15g of a finite double: within +-330 */
    (void)bss_parse_int64_prefix(&ep, ep + strlen(ep), BSS_NUM_SIGNED, -400, 400, &exp10);
    char digits[32];
    size_t nd = 0, o = 0;
    long point = -1; /* digits before the '.' in the mantissa */
    const char *p = g;
    if (*p == '-')
        out[o++] = *p++;
    for (; p < e && nd < sizeof(digits); p++) {
        if (*p == '.')
            point = (long)nd;
        else
            digits[nd++] = *p;
    }
    if (point < 0)
        point = (long)nd;
    point += exp10; /* digits before the '.' in the result */
    if (point <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (long z = point; z < 0 && o < cap - 1; z++)
            out[o++] = '0';
        for (size_t k = 0; k < nd && o < cap - 1; k++)
            out[o++] = digits[k];
    } else {
        for (long k = 0; k < point && o < cap - 2; k++)
            out[o++] = k < (long)nd ? digits[k] : '0';
        if ((long)nd > point) {
            out[o++] = '.';
            for (size_t k = (size_t)point; k < nd && o < cap - 1; k++)
                out[o++] = digits[k];
        }
    }
    out[o] = '\0';
    return o;
}

static bss_err from_real(double d, const char *field, int64_t *out, bss_errinfo *ei)
{
    if (!isfinite(d))
        return bss_fail(ei, BSS_E_INVALID, field, "%s%snot a finite number", field ? field : "", sep(field));
    char g[40];
    snprintf(g, sizeof(g), "%.15g", d);
    double back = 0;
    if (bss_parse_double(g, strlen(g), &back) != BSS_OK || back != d)
        return bss_fail(ei, BSS_E_INVALID, field,
                        "%s%smore than 15 significant digits in a JSON number; send the amount as a "
                        "string (\"123.456789\") to keep it exact",
                        field ? field : "", sep(field));
    char plain[512];
    size_t n = expand_exponent(g, plain, sizeof(plain));
    return parse_decimal(plain, n, field, out, ei);
}

bss_err bss_money_from_json(const json_t *value, const char *field, int64_t *out_micros, bss_errinfo *ei)
{
    if (json_is_integer(value)) {
        json_int_t units = json_integer_value(value);
        const json_int_t max_units = BSS_MONEY_MAX_MICROS / BSS_MICROS_PER_UNIT;
        if (units > max_units || units < -max_units)
            return bss_fail(ei, BSS_E_RANGE, field,
                            "%s%samount out of range (at most 1000000000000 in magnitude), got %lld",
                            field ? field : "", sep(field), (long long)units);
        *out_micros = (int64_t)units * BSS_MICROS_PER_UNIT;
        return BSS_OK;
    }
    if (json_is_real(value))
        return from_real(json_real_value(value), field, out_micros, ei);
    if (json_is_string(value))
        return parse_decimal(json_string_value(value), json_string_length(value), field, out_micros, ei);
    return bss_fail(ei, BSS_E_INVALID, field, "%s%sexpected a number or a decimal string", field ? field : "",
                    sep(field));
}

/* ---- formatting ---- */

size_t bss_money_format(int64_t micros, char buf[32])
{
    uint64_t mag = micros < 0 ? (uint64_t)0 - (uint64_t)micros : (uint64_t)micros;
    uint64_t units = mag / (uint64_t)BSS_MICROS_PER_UNIT;
    uint64_t frac = mag % (uint64_t)BSS_MICROS_PER_UNIT;
    char rev[24];
    size_t nrev = 0, n = 0;
    do {
        rev[nrev++] = (char)('0' + units % 10);
        units /= 10;
    } while (units);
    if (micros < 0)
        buf[n++] = '-';
    while (nrev)
        buf[n++] = rev[--nrev];
    if (frac) {
        int decimals = MAX_DECIMALS;
        while (frac % 10 == 0)
            frac /= 10, decimals--;
        buf[n++] = '.';
        for (int d = decimals - 1; d >= 0; d--) {
            buf[n + (size_t)d] = (char)('0' + frac % 10);
            frac /= 10;
        }
        n += (size_t)decimals;
    }
    buf[n] = '\0';
    return n;
}

json_t *bss_money_to_json(int64_t micros)
{
    if (micros % BSS_MICROS_PER_UNIT == 0)
        return json_integer(micros / BSS_MICROS_PER_UNIT);
    char text[32];
    bss_money_format(micros, text);
    int significant = 0;
    bool leading = true;
    for (const char *p = text; *p; p++) {
        if (!is_digit(*p) || (leading && *p == '0'))
            continue;
        leading = false;
        significant++;
    }
    if (significant > 15)
        return json_string(text);
    double v = 0;
    return bss_parse_double(text, strlen(text), &v) == BSS_OK ? json_real(v) : json_string(text);
}

/* ---- rounding and arithmetic ---- */

int64_t bss_money_round(int64_t micros, int minor_units)
{
    if (minor_units < 0)
        minor_units = 0;
    if (minor_units >= MAX_DECIMALS)
        return micros;
    int64_t unit = 1;
    for (int i = minor_units; i < MAX_DECIMALS; i++)
        unit *= 10;
    int64_t q = micros / unit, r = micros % unit; /* both truncate toward zero */
    __int128 away = q;
    if (r >= 0 && 2 * (__int128)r >= unit)
        away = (__int128)q + 1;
    else if (r < 0 && -2 * (__int128)r >= unit)
        away = (__int128)q - 1;
    __int128 rounded = away * unit;
    if (rounded > INT64_MAX || rounded < INT64_MIN)
        return q * unit; /* not representable: the nearest multiple toward zero */
    return (int64_t)rounded;
}

bool bss_money_add(int64_t a, int64_t b, int64_t *out)
{
    int64_t sum;
    if (__builtin_add_overflow(a, b, &sum))
        return false;
    *out = sum;
    return true;
}

bool bss_money_mul(int64_t micros, int64_t factor, int64_t *out)
{
    int64_t product;
    if (__builtin_mul_overflow(micros, factor, &product))
        return false;
    *out = product;
    return true;
}

bool bss_money_muldiv(int64_t micros, int64_t num, int64_t den, int64_t *out)
{
    if (den == 0)
        return false;
    __int128 p = (__int128)micros * num; /* |p| <= 2^126: no overflow */
    __int128 q = p / den, r = p % den;
    __int128 ar = r < 0 ? -r : r, ad = den < 0 ? -(__int128)den : den;
    if (2 * ar >= ad)
        q += ((p < 0) != (den < 0)) ? -1 : 1; /* away from zero, in the result's sign */
    if (q > INT64_MAX || q < INT64_MIN)
        return false;
    *out = (int64_t)q;
    return true;
}
