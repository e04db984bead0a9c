/*
 * time.c: UTC milliseconds, RFC 3339 parsing and formatting, the proleptic
 * Gregorian calendar (Howard Hinnant's days_from_civil / civil_from_days),
 * month arithmetic and bill periods for the billing module, the injected
 * clock every module reads `now` from, and monotonic time for durations.
 *
 * Accepted by bss_time_parse: "YYYY-MM-DD" (midnight UTC) and
 * "YYYY-MM-DDTHH:MM:SS[.f...](Z|+HH:MM|-HH:MM)" with 'T'/'t' and 'Z'/'z'.
 * Fractions of any length are truncated to milliseconds. Rejected: a space
 * instead of 'T', a date-time without an offset, impossible dates, hour 24,
 * minute or second 60 (no leap seconds), offsets beyond 23:59, anything after
 * the offset. bss_time_format clamps to years 0000..9999 so it always writes
 * 24 characters.
 */
#include "core/time.h"

#include <stdatomic.h>
#include <time.h>

/* ---- calendar ---- */

bool bss_is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int bss_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && bss_is_leap_year(year))
        return 29;
    return days[month - 1];
}

int64_t bss_days_from_civil(int year, int month, int day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void bss_civil_from_days(int64_t days, int *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = m;
    *year = (int)(yoe + era * 400 + (m <= 2));
}

/* days * one day + ms_of_day, saturated at the int64 range (only absurd years get there). */
static int64_t days_to_ms(int64_t days, int64_t ms_of_day)
{
    int64_t ms;
    if (__builtin_mul_overflow(days, BSS_MS_PER_DAY, &ms) || __builtin_add_overflow(ms, ms_of_day, &ms))
        return days < 0 ? INT64_MIN : INT64_MAX;
    return ms;
}

int64_t bss_time_from_civil(int year, int month, int day, int hour, int min, int sec, int ms)
{
    return days_to_ms(bss_days_from_civil(year, month, day),
                      (int64_t)hour * 3600000 + (int64_t)min * 60000 + (int64_t)sec * 1000 + ms);
}

void bss_time_to_civil(int64_t ms, int *year, int *month, int *day, int *hour, int *min, int *sec,
                       int *weekday)
{
    int64_t days = ms / BSS_MS_PER_DAY, rem = ms % BSS_MS_PER_DAY;
    if (rem < 0) {
        rem += BSS_MS_PER_DAY;
        days--;
    }
    bss_civil_from_days(days, year, month, day);
    if (hour)
        *hour = (int)(rem / 3600000);
    if (min)
        *min = (int)(rem / 60000 % 60);
    if (sec)
        *sec = (int)(rem / 1000 % 60);
    if (weekday) {
        int64_t w = (days + 3) % 7; /* 1970-01-01 was a Thursday (3) */
        *weekday = (int)(w < 0 ? w + 7 : w);
    }
}

int64_t bss_time_add_months(int64_t ms, int months)
{
    int y, m, d;
    int64_t days = ms / BSS_MS_PER_DAY, tod = ms % BSS_MS_PER_DAY;
    if (tod < 0) {
        tod += BSS_MS_PER_DAY;
        days--;
    }
    bss_civil_from_days(days, &y, &m, &d);
    int64_t total = (int64_t)y * 12 + (m - 1) + months;
    int64_t ny = total >= 0 ? total / 12 : -((-total + 11) / 12);
    int nm = (int)(total - ny * 12) + 1;
    int dim = bss_days_in_month((int)ny, nm);
    if (d > dim)
        d = dim;
    return days_to_ms(bss_days_from_civil((int)ny, nm, d), tod);
}

void bss_bill_period(int64_t at_ms, int cycle_day, int64_t *start_ms, int64_t *end_ms)
{
    if (cycle_day < 1)
        cycle_day = 1;
    if (cycle_day > 28)
        cycle_day = 28;
    int y, m, d;
    bss_time_to_civil(at_ms, &y, &m, &d, NULL, NULL, NULL, NULL);
    if (d < cycle_day) {
        m--;
        if (m == 0) {
            m = 12;
            y--;
        }
    }
    int64_t start = days_to_ms(bss_days_from_civil(y, m, cycle_day), 0);
    *start_ms = start;
    *end_ms = bss_time_add_months(start, 1);
}

/* ---- RFC 3339 ---- */

#define ECHO_MAX 48

static bss_err bad_time(bss_errinfo *ei, const char *text, size_t len, const char *why)
{
    int n = len > ECHO_MAX ? ECHO_MAX : (int)len;
    return bss_fail(ei, BSS_E_INVALID, NULL, "not an RFC 3339 date-time: '%.*s%s' (%s)", n, text,
                    len > ECHO_MAX ? "..." : "", why);
}

/* Reads exactly n digits at text[at..]; -1 if they are not all digits or run past len. */
static int read_digits(const char *text, size_t len, size_t at, size_t n)
{
    if (at + n > len)
        return -1;
    int v = 0;
    for (size_t i = at; i < at + n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        v = v * 10 + (text[i] - '0');
    }
    return v;
}

static bss_err parse_date(const char *text, size_t len, int *y, int *m, int *d, bss_errinfo *ei)
{
    *y = read_digits(text, len, 0, 4);
    *m = read_digits(text, len, 5, 2);
    *d = read_digits(text, len, 8, 2);
    if (*y < 0 || *m < 0 || *d < 0 || text[4] != '-' || text[7] != '-')
        return bad_time(ei, text, len, "expected YYYY-MM-DD");
    if (*m < 1 || *m > 12)
        return bad_time(ei, text, len, "month must be 01..12");
    if (*d < 1 || *d > bss_days_in_month(*y, *m))
        return bad_time(ei, text, len, "no such day in that month");
    return BSS_OK;
}

/* Parses the offset at text[i..len) into minutes east of UTC. */
static bss_err parse_offset(const char *text, size_t len, size_t i, int *minutes, bss_errinfo *ei)
{
    if (i >= len)
        return bad_time(ei, text, len, "missing UTC offset: add Z or +HH:MM");
    if (text[i] == 'Z' || text[i] == 'z') {
        *minutes = 0;
        i++;
    } else if (text[i] == '+' || text[i] == '-') {
        int oh = read_digits(text, len, i + 1, 2), om = read_digits(text, len, i + 4, 2);
        if (oh < 0 || om < 0 || text[i + 3] != ':')
            return bad_time(ei, text, len, "UTC offset must be Z, +HH:MM or -HH:MM");
        if (oh > 23 || om > 59)
            return bad_time(ei, text, len, "UTC offset out of range");
        *minutes = (text[i] == '-' ? -1 : 1) * (oh * 60 + om);
        i += 6;
    } else {
        return bad_time(ei, text, len, "UTC offset must be Z, +HH:MM or -HH:MM");
    }
    if (i != len)
        return bad_time(ei, text, len, "unexpected text after the UTC offset");
    return BSS_OK;
}

bss_err bss_time_parse(const char *text, size_t len, int64_t *out_ms, bss_errinfo *ei)
{
    if (text == NULL)
        text = "", len = 0;
    if (len < 10)
        return bad_time(ei, text, len, "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
    int y, mo, d;
    bss_err e = parse_date(text, len, &y, &mo, &d, ei);
    if (e)
        return e;
    if (len == 10) {
        *out_ms = bss_days_from_civil(y, mo, d) * BSS_MS_PER_DAY;
        return BSS_OK;
    }
    if (text[10] != 'T' && text[10] != 't')
        return bad_time(ei, text, len, "expected 'T' between date and time");
    int h = read_digits(text, len, 11, 2), mi = read_digits(text, len, 14, 2);
    int s = read_digits(text, len, 17, 2);
    if (h < 0 || mi < 0 || s < 0 || text[13] != ':' || text[16] != ':')
        return bad_time(ei, text, len, "expected HH:MM:SS after 'T'");
    if (h > 23)
        return bad_time(ei, text, len, "hour must be 00..23");
    if (mi > 59)
        return bad_time(ei, text, len, "minute must be 00..59");
    if (s > 59)
        return bad_time(ei, text, len, "second must be 00..59");
    size_t i = 19;
    int ms = 0;
    if (i < len && text[i] == '.') {
        size_t start = ++i;
        for (; i < len && text[i] >= '0' && text[i] <= '9'; i++)
            if (i - start < 3)
                ms = ms * 10 + (text[i] - '0');
        if (i == start)
            return bad_time(ei, text, len, "expected digits after '.'");
        for (size_t k = i - start; k < 3; k++)
            ms *= 10;
    }
    int offset_min = 0;
    if ((e = parse_offset(text, len, i, &offset_min, ei)) != BSS_OK)
        return e;
    *out_ms = bss_time_from_civil(y, mo, d, h, mi, s, ms) - (int64_t)offset_min * 60000;
    return BSS_OK;
}

static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

size_t bss_time_format(int64_t ms, char buf[32])
{
    static const int64_t lo = -62167219200000; /* 0000-01-01T00:00:00.000Z */
    static const int64_t hi = 253402300799999; /* 9999-12-31T23:59:59.999Z */
    if (ms < lo)
        ms = lo;
    if (ms > hi)
        ms = hi;
    int y, mo, d, h, mi, s;
    bss_time_to_civil(ms, &y, &mo, &d, &h, &mi, &s, NULL);
    int frac = (int)(((ms % 1000) + 1000) % 1000);
    put2(buf, y / 100);
    put2(buf + 2, y % 100);
    buf[4] = '-';
    put2(buf + 5, mo);
    buf[7] = '-';
    put2(buf + 8, d);
    buf[10] = 'T';
    put2(buf + 11, h);
    buf[13] = ':';
    put2(buf + 14, mi);
    buf[16] = ':';
    put2(buf + 17, s);
    buf[19] = '.';
    buf[20] = (char)('0' + frac / 100);
    put2(buf + 21, frac % 100);
    buf[23] = 'Z';
    buf[24] = '\0';
    return 24;
}

/* ---- clocks ---- */

void bss_clock_init_real(bss_clock *c)
{
    c->is_test = 0;
    atomic_init(&c->fixed_ms, 0);
}

void bss_clock_init_test(bss_clock *c, int64_t start_ms)
{
    c->is_test = 1;
    atomic_init(&c->fixed_ms, start_ms);
}

int64_t bss_clock_now(const bss_clock *c)
{
    if (c->is_test)
        return atomic_load(&((bss_clock *)c)->fixed_ms);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bss_err bss_clock_set(bss_clock *c, int64_t now_ms)
{
    if (!c->is_test)
        return BSS_E_UNSUPPORTED;
    atomic_store(&c->fixed_ms, now_ms);
    return BSS_OK;
}

int64_t bss_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t bss_monotonic_ms(void)
{
    return bss_monotonic_ns() / 1000000;
}
