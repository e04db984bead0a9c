/*
 * fuzz_cdr.c: libFuzzer target for the CDR file reader
 * (src/charging/cdr.c), which reads files the network's mediation hands
 * bss. Any bytes: the header is accepted or refused (naming its line), then every
 * row is a record whose fields keep their rules (a known service with its
 * unit, a quantity within its limit, digits where digits belong) or a
 * reject naming its line, with its raw text inside the input; the reader
 * always ends: never a crash, a leak or a hang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charging/charging.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bss_cdr_reader r;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bss_cdr_limits lim = bss_cdr_limits_default(1777888000000LL);
    bss_errinfo ei;
    if (bss_cdr_open(&r, (const char *)data, size, &lim, &ei) != BSS_OK) {
        if (strncmp(ei.field, "line ", 5) != 0)
            abort();
        return 0;
    }
    bss_cdr c;
    for (size_t calls = 0;; calls++) {
        if (calls > size + 1)
            abort(); /* no progress */
        const char *raw = NULL;
        size_t raw_len = 0;
        bss_err rc = bss_cdr_next(&r, &c, &raw, &raw_len, &ei);
        if (rc == BSS_E_DONE)
            break;
        if (raw && (raw < (const char *)data || raw + raw_len > (const char *)data + size))
            abort();
        if (rc == BSS_E_INVALID) {
            if (strncmp(ei.message, "line ", 5) != 0)
                abort();
            continue;
        }
        if (rc != BSS_OK || !c.record_id[0] || c.quantity < 0 || c.start_ms > lim.now_ms + lim.future_ms)
            abort();
        if ((c.service == BSS_CDR_VOICE) != (c.unit == BSS_CDR_SECONDS) || (c.service == BSS_CDR_DATA) != (c.unit == BSS_CDR_BYTES))
            abort();
        if (c.unit == BSS_CDR_SECONDS && c.quantity > lim.max_seconds)
            abort();
        for (const char *p = c.msisdn; *p; p++)
            if (*p < '0' || *p > '9')
                abort();
    }
    return 0;
}
