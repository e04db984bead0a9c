/*
 * tz.h: IANA time zones ("Europe/Amsterdam") read from the system's
 * compiled zoneinfo files (Debian's tzdata, /usr/share/zoneinfo, TZif
 * version 2+), for time bands "in the account's time zone". A loaded zone
 * is immutable and lives until process exit; bss_tz_get caches by name, so
 * a zone file is read once. Thread-safe. Never uses TZ/localtime.
 */
#ifndef BSS_CATALOG_TZ_H
#define BSS_CATALOG_TZ_H

#include <stdint.h>

#include "core/err.h"

typedef struct bss_tz bss_tz;

/* "UTC", "Europe/Amsterdam", ... BSS_E_INVALID (unknown or malformed name; no '..', no leading '/'). */
bss_err bss_tz_get(const char *name, const bss_tz **out, bss_errinfo *ei);
const char *bss_tz_name(const bss_tz *tz);
/* Offset from UTC in seconds at the instant (DST included); beyond the file's transitions its POSIX TZ rule applies. */
int32_t bss_tz_offset_s(const bss_tz *tz, int64_t utc_ms);

#endif
