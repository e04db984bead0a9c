/*
 * timebands.c: compiled time-band plans: which band (peak, off-peak,
 * weekend, holiday ...) an instant falls in, the question the rater asks for
 * every usage event whose price depends on the time of day.
 *
 * A plan compiles to a map of the week with one byte per minute (7 x 1440 =
 * 10,080 bytes, Monday 00:00 first) holding the band index, plus the holidays
 * as a sorted array of local day numbers (days since 1970-01-01) with their
 * band. Answering is then: the zone's UTC offset at the instant (tz.c), the
 * local day and minute by integer division, a binary search of the holidays
 * when the day lies within their range, and one byte load from the map. No
 * allocation, no lock, no floating point; minute resolution is what tariffs
 * are written in ("HH:MM").
 *
 * Painting the map while building is also how the plan is checked: a minute
 * painted twice is an overlap naming both bands, and a minute left unpainted
 * after all bands is a gap ("Tuesday 20:00-22:00 is in no band"), so a
 * successfully built plan prices every minute of the week exactly once.
 * Reading of the document (catalog.h: time-band plans), with two choices the header leaves
 * open. A band whose "from" is later than its "to" wraps midnight: the part
 * after midnight belongs to the next day (Sunday's wraps to Monday); "from"
 * equal to "to" is therefore a full 24 hours starting at "from" (weekend
 * "sat","sun" 08:00-08:00 is Saturday 08:00 to Monday 08:00). And several
 * entries may carry the same name: they are one band with several pieces
 * (offpeak on weeknights plus offpeak on Monday morning), which is how a
 * band with different hours on different days is written. Band indexes
 * follow the order in which names first appear.
 */
#include "catalog/catalog.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/time.h"

#define MIN_PER_DAY 1440
#define MIN_PER_WEEK (7 * MIN_PER_DAY)
#define NO_BAND 0xFF
#define MAX_BANDS 255    /* distinct band names: an index fits the uint8 map */
#define MAX_ENTRIES 4096 /* entries of "bands" */
#define MAX_HOLIDAYS 100000

typedef struct holiday {
    int64_t day; /* local days since 1970-01-01 */
    int band;
    int index; /* position in the document, for messages */
} holiday;

struct bss_timeband_plan {
    const bss_tz *tz;
    size_t nbands;
    char **names;
    size_t nholidays;
    int64_t *holiday_day; /* ascending */
    uint8_t *holiday_band;
    uint8_t week[MIN_PER_WEEK]; /* band of each minute of the week, Monday 00:00 first */
};

static const char *const day_keys[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const day_names[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday"};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/*
 * "Tuesday 20:00-22:00" for the minutes [start, start+len) of the week
 * (start in 0..10079, len 1..10080), "Sunday 23:00-Monday 01:00" when the
 * range crosses midnight.
 */
static void format_range(int start, int len, char *buf, size_t size)
{
    int end = start + len, sday = start / MIN_PER_DAY, smin = start % MIN_PER_DAY;
    int eday = (end - 1) / MIN_PER_DAY, emin = end - eday * MIN_PER_DAY; /* emin 1..1440 */
    if (eday == sday)
        snprintf(buf, size, "%s %02d:%02d-%02d:%02d", day_names[sday], smin / 60, smin % 60, emin / 60,
                 emin % 60);
    else {
        if (emin == MIN_PER_DAY)
            eday++, emin = 0;
        snprintf(buf, size, "%s %02d:%02d-%s %02d:%02d", day_names[sday], smin / 60, smin % 60,
                 day_names[eday % 7], emin / 60, emin % 60);
    }
}

/* "HH:MM" -> minutes; 24:00 only when allow_24. */
static bool parse_hhmm(const char *s, bool allow_24, int *out)
{
    if (strlen(s) != 5 || s[2] != ':')
        return false;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return false;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && (!allow_24 || m != 0)))
        return false;
    *out = h * 60 + m;
    return true;
}

static bss_err read_time(const json_t *band, const char *key, size_t i, bool is_to, int *out, bss_errinfo *ei)
{
    char path[64];
    snprintf(path, sizeof(path), "bands[%zu].%s", i, key);
    const char *s = NULL;
    bss_err e = bss_json_get_str(band, key, path, true, &s, ei);
    if (e)
        return e;
    if (!parse_hhmm(s, is_to, out))
        return bss_fail(ei, BSS_E_INVALID, path,
                        "%s: \"%.20s\" is not a time of day: use \"HH:MM\" from 00:00 to %s", path, s,
                        is_to ? "24:00" : "23:59");
    return BSS_OK;
}

/* The days of bands[i] as a bit set (bit 0 = Monday). */
static bss_err read_days(const json_t *band, size_t i, unsigned *out, bss_errinfo *ei)
{
    char path[64];
    snprintf(path, sizeof(path), "bands[%zu].days", i);
    const json_t *days = json_object_get(band, "days");
    if (!json_is_array(days) || json_array_size(days) == 0)
        return bss_fail(ei, BSS_E_INVALID, path,
                        "%s: expected a non-empty array of days (\"mon\" .. \"sun\")", path);
    unsigned set = 0;
    for (size_t j = 0; j < json_array_size(days); j++) {
        const char *s = json_string_value(json_array_get(days, j));
        int d = 0;
        while (s != NULL && d < 7 && strcmp(s, day_keys[d]) != 0)
            d++;
        snprintf(path, sizeof(path), "bands[%zu].days[%zu]", i, j);
        if (s == NULL || d == 7)
            return bss_fail(ei, BSS_E_INVALID, path, "%s: not a day: use mon, tue, wed, thu, fri, sat or sun",
                            path);
        if (set & (1u << d))
            return bss_fail(ei, BSS_E_INVALID, path, "%s: \"%s\" is listed twice", path, s);
        set |= 1u << d;
    }
    *out = set;
    return BSS_OK;
}

/*
 * Paints band b, from entry bands[i], on the minutes [start, start+len) of
 * the week (within one day); owner[] remembers which entry painted a minute.
 */
static bss_err paint(bss_timeband_plan *p, uint16_t *owner, int b, int i, int start, int len, bss_errinfo *ei)
{
    for (int m = start; m < start + len; m++) {
        if (p->week[m] == NO_BAND) {
            p->week[m] = (uint8_t)b;
            owner[m] = (uint16_t)i;
            continue;
        }
        int other = owner[m], run = 1;
        while (m + run < start + len && p->week[m + run] != NO_BAND && owner[m + run] == other)
            run++;
        char range[64], field[32];
        format_range(m, run, range, sizeof(range));
        snprintf(field, sizeof(field), "bands[%d]", i);
        return bss_fail(ei, BSS_E_UNPROCESSABLE, field,
                        "%s is in both \"%.40s\" (bands[%d]) and \"%.40s\" (bands[%d])", range,
                        p->names[p->week[m]], other, p->names[b], i);
    }
    return BSS_OK;
}

/* The band index of name, adding it to the plan's bands at its first use. */
static bss_err band_of(bss_timeband_plan *p, const char *name, int *out, bss_errinfo *ei)
{
    int b = bss_timeband_index(p, name);
    if (b < 0) {
        if (p->nbands == MAX_BANDS)
            return bss_fail(ei, BSS_E_TOO_BIG, "bands", "a plan may name at most %d different bands",
                            MAX_BANDS);
        if ((p->names[p->nbands] = bss_strdup(name)) == NULL)
            return bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
        b = (int)p->nbands++;
    }
    *out = b;
    return BSS_OK;
}

static bss_err read_band(const json_t *band, size_t i, bss_timeband_plan *p, uint16_t *owner, bss_errinfo *ei)
{
    char path[64];
    snprintf(path, sizeof(path), "bands[%zu]", i);
    if (!json_is_object(band))
        return bss_fail(ei, BSS_E_INVALID, path, "%s: expected an object with name, days, from and to", path);
    snprintf(path, sizeof(path), "bands[%zu].name", i);
    const char *name = NULL;
    unsigned days = 0;
    int from = 0, to = 0, b = 0;
    bss_err e = bss_json_get_str(band, "name", path, true, &name, ei);
    if (e == BSS_OK && name[0] == '\0')
        e = bss_fail(ei, BSS_E_INVALID, path, "%s: a band name must not be empty", path);
    if (e || (e = read_days(band, i, &days, ei)) || (e = read_time(band, "from", i, false, &from, ei)) ||
        (e = read_time(band, "to", i, true, &to, ei)) || (e = band_of(p, name, &b, ei)))
        return e;
    for (int d = 0; d < 7; d++) {
        if (!(days & (1u << d)))
            continue;
        int base = d * MIN_PER_DAY;
        if (from < to)
            e = paint(p, owner, b, (int)i, base + from, to - from, ei);
        else if ((e = paint(p, owner, b, (int)i, base + from, MIN_PER_DAY - from, ei)) == BSS_OK && to > 0)
            e = paint(p, owner, b, (int)i, ((d + 1) % 7) * MIN_PER_DAY, to,
                      ei); /* after midnight: next day */
        if (e)
            return e;
    }
    return BSS_OK;
}

/* The first unpainted stretch of the week, if any, is a gap. */
static bss_err check_gaps(const bss_timeband_plan *p, bss_errinfo *ei)
{
    int s = 0;
    while (s < MIN_PER_WEEK && p->week[s] == NO_BAND)
        s++;
    for (int k = 0; k < MIN_PER_WEEK; k++) {
        int m = (s + k) % MIN_PER_WEEK;
        if (p->week[m] != NO_BAND)
            continue;
        int len = 1;
        while (len < MIN_PER_WEEK && p->week[(m + len) % MIN_PER_WEEK] == NO_BAND)
            len++;
        char range[64];
        format_range(m, len, range, sizeof(range));
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "bands", "%s is in no band", range);
    }
    return BSS_OK;
}

/* "YYYY-MM-DD" -> days since 1970-01-01. */
static bool parse_date(const char *s, int64_t *out)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    int v[8], k = 0;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return false;
        v[k++] = s[i] - '0';
    }
    int y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3], mo = v[4] * 10 + v[5], d = v[6] * 10 + v[7];
    if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > bss_days_in_month(y, mo))
        return false;
    *out = bss_days_from_civil(y, mo, d);
    return true;
}

static int holiday_cmp(const void *a, const void *b)
{
    const holiday *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->index - y->index;
}

static bss_err read_holiday(const json_t *h, size_t i, const bss_timeband_plan *p, holiday *out,
                            bss_errinfo *ei)
{
    char path[64];
    snprintf(path, sizeof(path), "holidays[%zu]", i);
    if (!json_is_object(h))
        return bss_fail(ei, BSS_E_INVALID, path, "%s: expected an object with date and band", path);
    const char *date = NULL, *band = NULL;
    snprintf(path, sizeof(path), "holidays[%zu].date", i);
    bss_err e = bss_json_get_str(h, "date", path, true, &date, ei);
    if (e)
        return e;
    if (!parse_date(date, &out->day))
        return bss_fail(ei, BSS_E_INVALID, path, "%s: \"%.20s\" is not a date: use YYYY-MM-DD", path, date);
    snprintf(path, sizeof(path), "holidays[%zu].band", i);
    if ((e = bss_json_get_str(h, "band", path, true, &band, ei)) != BSS_OK)
        return e;
    if ((out->band = bss_timeband_index(p, band)) < 0)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, path, "%s: \"%.60s\" is not one of the bands", path, band);
    out->index = (int)i;
    return BSS_OK;
}

static bss_err read_holidays(const json_t *doc, bss_timeband_plan *p, bss_errinfo *ei)
{
    const json_t *list = json_object_get(doc, "holidays");
    if (list == NULL || json_is_null(list))
        return BSS_OK;
    if (!json_is_array(list))
        return bss_fail(ei, BSS_E_INVALID, "holidays", "holidays: expected an array of {date, band}");
    size_t n = json_array_size(list);
    if (n == 0)
        return BSS_OK;
    if (n > MAX_HOLIDAYS)
        return bss_fail(ei, BSS_E_TOO_BIG, "holidays", "a plan may hold at most %d holidays", MAX_HOLIDAYS);
    holiday *hs = bss_malloc(n * sizeof(*hs));
    p->holiday_day = bss_malloc(n * sizeof(int64_t));
    p->holiday_band = bss_malloc(n);
    bss_err e = BSS_OK;
    if (hs == NULL || p->holiday_day == NULL || p->holiday_band == NULL)
        e = bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
    for (size_t i = 0; e == BSS_OK && i < n; i++)
        e = read_holiday(json_array_get(list, i), i, p, &hs[i], ei);
    if (e == BSS_OK)
        qsort(hs, n, sizeof(*hs), holiday_cmp);
    for (size_t i = 0; e == BSS_OK && i < n; i++) {
        if (i > 0 && hs[i].day == hs[i - 1].day) {
            char path[64];
            snprintf(path, sizeof(path), "holidays[%d].date", hs[i].index);
            e = bss_fail(ei, BSS_E_UNPROCESSABLE, path,
                         "%s: the same day is listed twice: holidays[%d] and holidays[%d]", path,
                         hs[i - 1].index, hs[i].index);
            break;
        }
        p->holiday_day[i] = hs[i].day;
        p->holiday_band[i] = (uint8_t)hs[i].band;
    }
    if (e == BSS_OK)
        p->nholidays = n;
    bss_free(hs);
    return e;
}

static bss_err read_plan(const json_t *doc, bss_timeband_plan *p, bss_errinfo *ei)
{
    if (!json_is_object(doc))
        return bss_fail(ei, BSS_E_INVALID, "", "a time-band plan must be a JSON object");
    const char *name = NULL, *tz = NULL;
    bss_err e = bss_json_get_str(doc, "name", "name", false, &name, ei);
    if (e || (e = bss_json_get_str(doc, "timeZone", "timeZone", true, &tz, ei)) != BSS_OK)
        return e;
    if ((e = bss_tz_get(tz, &p->tz, ei)) != BSS_OK) {
        if (ei != NULL && e == BSS_E_INVALID)
            snprintf(ei->field, sizeof(ei->field), "timeZone");
        return e;
    }
    const json_t *bands = json_object_get(doc, "bands");
    if (!json_is_array(bands) || json_array_size(bands) == 0)
        return bss_fail(ei, BSS_E_INVALID, "bands", "bands: expected a non-empty array of bands");
    if (json_array_size(bands) > MAX_ENTRIES)
        return bss_fail(ei, BSS_E_TOO_BIG, "bands", "a plan may hold at most %d band entries", MAX_ENTRIES);
    size_t n = json_array_size(bands);
    if ((p->names = bss_calloc(n, sizeof(char *))) == NULL)
        return bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
    memset(p->week, NO_BAND, sizeof(p->week));
    uint16_t owner[MIN_PER_WEEK]; /* the entry that painted each minute, for overlap messages */
    for (size_t i = 0; i < n; i++)
        if ((e = read_band(json_array_get(bands, i), i, p, owner, ei)) != BSS_OK)
            return e;
    if ((e = check_gaps(p, ei)) != BSS_OK)
        return e;
    return read_holidays(doc, p, ei);
}

bss_err bss_timeband_plan_build(const json_t *doc, bss_timeband_plan **out, bss_errinfo *ei)
{
    bss_timeband_plan *p = bss_calloc(1, sizeof(*p));
    if (p == NULL)
        return bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
    bss_err e = read_plan(doc, p, ei);
    if (e != BSS_OK) {
        bss_timeband_plan_free(p);
        return e;
    }
    *out = p;
    return BSS_OK;
}

void bss_timeband_plan_free(bss_timeband_plan *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; p->names != NULL && i < p->nbands; i++)
        bss_free(p->names[i]);
    bss_free(p->names);
    bss_free(p->holiday_day);
    bss_free(p->holiday_band);
    bss_free(p);
}

size_t bss_timeband_count(const bss_timeband_plan *p)
{
    return p->nbands;
}

const char *bss_timeband_name(const bss_timeband_plan *p, int band)
{
    return band >= 0 && (size_t)band < p->nbands ? p->names[band] : NULL;
}

int bss_timeband_index(const bss_timeband_plan *p, const char *name)
{
    for (size_t i = 0; i < p->nbands; i++)
        if (p->names[i] != NULL && strcmp(p->names[i], name) == 0)
            return (int)i;
    return -1;
}

const bss_tz *bss_timeband_plan_tz(const bss_timeband_plan *p)
{
    return p->tz;
}

int bss_timeband_at(const bss_timeband_plan *p, int64_t utc_ms, const bss_tz *tz)
{
    /* clamped (core/time.h) before the zone offset is added, so the sum cannot overflow
     * (fuzz/fuzz_timebands.c found it with INT64_MIN) */
    utc_ms = bss_time_clamp(utc_ms);
    int64_t local_ms = utc_ms + (int64_t)bss_tz_offset_s(tz != NULL ? tz : p->tz, utc_ms) * BSS_MS_PER_SEC;
    int64_t day = floor_div(local_ms, BSS_MS_PER_DAY);
    int minute = (int)((local_ms - day * BSS_MS_PER_DAY) / 60000);
    size_t n = p->nholidays;
    if (n > 0 && day >= p->holiday_day[0] && day <= p->holiday_day[n - 1]) {
        size_t lo = 0, hi = n; /* first holiday_day >= day */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (p->holiday_day[mid] < day)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (p->holiday_day[lo] == day)
            return p->holiday_band[lo];
    }
    int weekday = (int)(((day % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday; 0 = Monday */
    return p->week[weekday * MIN_PER_DAY + minute];
}
