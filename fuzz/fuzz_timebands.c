/*
 * fuzz_timebands.c: libFuzzer target for the time-band plan builder and
 * lookup (src/catalog/timebands.c, with the time zones of tz.c it names).
 * The input is the timeBandPlan JSON text. A plan that builds covers every
 * minute of the week by its own rule, so bss_timeband_at must give a valid
 * band for every instant tried: ordinary ones around DST changes and
 * holidays, the epoch, and the extremes of int64, in the plan's own zone, in
 * UTC and in Europe/Amsterdam. Build must succeed or fail with
 * BSS_E_INVALID, BSS_E_UNPROCESSABLE, BSS_E_TOO_BIG or BSS_E_NOMEM; never
 * crash, hang or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/json.h"
#include "core/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int64_t instants[] = {
    0,
    INT64_C(1767225600000), /* 2026-01-01T00:00:00Z */
    INT64_C(1774746000000), /* 2026-03-29T01:00:00Z, DST starts in the EU */
    INT64_C(1774745999999),
    INT64_C(1792890000000), /* 2026-10-25T01:00:00Z, DST ends */
    INT64_C(1798156800000), /* 2026-12-25T08:00:00Z, a holiday in the seeds */
    INT64_C(1800000000000),
    -INT64_C(86400000) * 365 * 300, /* 1670 */
    INT64_C(7258118400000),         /* 2200-01-01 */
    INT64_C(253402300799999),       /* 9999-12-31T23:59:59.999Z */
    INT64_MAX,
    INT64_MIN,
    INT64_MAX - 1,
    INT64_MIN + 1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bss_tz *zones[3];
    static int inited;
    if (!inited) {
        bss_mem_init();
        bss_errinfo ei;
        if (bss_tz_get("UTC", &zones[1], &ei) || bss_tz_get("Europe/Amsterdam", &zones[2], &ei))
            abort();
        inited = 1;
    }
    json_t *doc = NULL;
    if (bss_json_parse((const char *)data, size, &doc, NULL) != BSS_OK)
        return 0;
    bss_timeband_plan *p = NULL;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_timeband_plan_build(doc, &p, &ei);
    if (rc == BSS_OK) {
        size_t n = bss_timeband_count(p);
        if (n == 0 || !bss_timeband_plan_tz(p))
            abort();
        for (size_t b = 0; b < n; b++) {
            const char *name = bss_timeband_name(p, (int)b);
            if (!name || bss_timeband_index(p, name) < 0)
                abort();
        }
        for (size_t z = 0; z < 3; z++)
            for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++) {
                int band = bss_timeband_at(p, instants[i], zones[z]);
                if (band < 0 || (size_t)band >= n)
                    abort();
            }
        bss_timeband_plan_free(p);
    } else if (p != NULL || (rc != BSS_E_INVALID && rc != BSS_E_UNPROCESSABLE && rc != BSS_E_TOO_BIG &&
                             rc != BSS_E_NOMEM)) {
        abort();
    }
    json_decref(doc);
    return 0;
}
