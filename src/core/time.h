/*
 * time.h: time inside bss is UTC milliseconds since the Unix epoch (int64).
 * RFC 3339 on the wire. Calendar helpers for billing periods, and the
 * injected clock every module reads `now` from, so a test can run a month of
 * billing in a second (`bss serve --test-clock`, PUT /admin/v1/clock).
 */
#ifndef BSS_CORE_TIME_H
#define BSS_CORE_TIME_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "core/err.h"

#define BSS_MS_PER_SEC INT64_C(1000)
#define BSS_MS_PER_DAY INT64_C(86400000)

/*
 * The instants bss computes with: +-253402300800000 ms, about the years
 * -6000 to 9999 (the upper bound is 10000-01-01T00:00:00Z), which holds
 * every RFC 3339 time bss_time_parse accepts. Inside it, differences,
 * calendar months, day counts and zone offsets cannot overflow int64.
 * Functions that do arithmetic on instants refuse anything outside
 * (BSS_E_RANGE: the recurring-price functions) or clamp to it (lookups that
 * must answer, such as the time band of an instant); a product's open end
 * (INT64_MAX) is clamped to a period before any arithmetic.
 */
#define BSS_TIME_MAX_MS INT64_C(253402300800000)
#define BSS_TIME_MIN_MS (-BSS_TIME_MAX_MS)

/* Whether ms lies in [BSS_TIME_MIN_MS, BSS_TIME_MAX_MS]. */
static inline bool bss_time_in_range(int64_t ms)
{
    return ms >= BSS_TIME_MIN_MS && ms <= BSS_TIME_MAX_MS;
}

/* ms clamped into [BSS_TIME_MIN_MS, BSS_TIME_MAX_MS]. */
static inline int64_t bss_time_clamp(int64_t ms)
{
    return ms < BSS_TIME_MIN_MS ? BSS_TIME_MIN_MS : ms > BSS_TIME_MAX_MS ? BSS_TIME_MAX_MS : ms;
}

/*
 * Parses RFC 3339: "2026-02-28T13:45:00Z", "...T13:45:00.123+02:00",
 * fractional seconds of any length (kept to ms, truncated), 't'/'z' accepted.
 * A date-only "2026-02-28" is accepted as midnight UTC. Rejects impossible
 * dates (2026-02-30, hour 24, minute 60; leap second 60 is rejected too).
 */
bss_err bss_time_parse(const char *text, size_t len, int64_t *out_ms, bss_errinfo *ei);

/* Formats as "2026-02-28T13:45:00.123Z" (always ms, always Z). Returns length (24). */
size_t bss_time_format(int64_t ms, char buf[32]);

/* Civil calendar (proleptic Gregorian). month 1..12. */
bool bss_is_leap_year(int year);
int bss_days_in_month(int year, int month);
int64_t bss_days_from_civil(int year, int month, int day); /* days since 1970-01-01 */
void bss_civil_from_days(int64_t days, int *year, int *month, int *day);
int64_t bss_time_from_civil(int year, int month, int day, int hour, int min, int sec, int ms);
/* Breaks ms into UTC fields; weekday 0 = Monday .. 6 = Sunday. */
void bss_time_to_civil(int64_t ms, int *year, int *month, int *day, int *hour, int *min, int *sec,
                       int *weekday);

/*
 * Adds n months to a date, clamping the day to the target month's length
 * (Jan 31 + 1 month = Feb 28/29). Time of day is kept.
 */
int64_t bss_time_add_months(int64_t ms, int months);

/*
 * The billing period containing `at` for a bill-cycle day (1..28): the
 * period starts at 00:00 UTC on that day of a month and ends (exclusive)
 * on the same day of the next month.
 */
void bss_bill_period(int64_t at_ms, int cycle_day, int64_t *start_ms, int64_t *end_ms);

/*
 * The injected clock. A real clock reads CLOCK_REALTIME; a test clock
 * returns the instant last set (frozen until set again). Safe to read from
 * any thread while another sets it.
 */
typedef struct bss_clock {
    int is_test;              /* set at creation, never changed */
    _Atomic int64_t fixed_ms; /* test clock's current instant */
} bss_clock;

void bss_clock_init_real(bss_clock *c);
void bss_clock_init_test(bss_clock *c, int64_t start_ms);
int64_t bss_clock_now(const bss_clock *c);
/* BSS_E_UNSUPPORTED on a real clock. */
bss_err bss_clock_set(bss_clock *c, int64_t now_ms);

/* Monotonic milliseconds and nanoseconds for durations and timeouts (never for business time). */
int64_t bss_monotonic_ms(void);
int64_t bss_monotonic_ns(void);

#endif
