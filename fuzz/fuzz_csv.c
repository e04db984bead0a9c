/*
 * fuzz_csv.c: libFuzzer target for the CSV reader (src/core/csv.c), the
 * first thing a SIM batch, number range or CDR file meets. Any input is
 * read to its end: every call gives a record within the limits or
 * BSS_E_INVALID naming its line, lines only grow, and the reader always
 * ends (BSS_E_DONE) within one call per byte: never a crash or a hang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bss_csv c;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bss_csv_init(&c, (const char *)data, size);
    int64_t last = 0;
    for (size_t calls = 0;; calls++) {
        if (calls > size + 1)
            abort(); /* no progress: a hang */
        int64_t line = 0;
        bss_errinfo ei;
        bss_errinfo_clear(&ei);
        bss_err rc = bss_csv_next(&c, &line, &ei);
        if (rc == BSS_E_DONE)
            break;
        if (line < last || line < 1)
            abort();
        last = line;
        if (rc == BSS_E_INVALID) {
            if (strncmp(ei.field, "line ", 5) != 0)
                abort();
            continue;
        }
        if (rc != BSS_OK || c.nfields == 0 || c.nfields > BSS_CSV_MAX_FIELDS)
            abort();
        for (size_t i = 0; i < c.nfields; i++)
            if (c.len[i] > BSS_CSV_MAX_FIELD || strlen(c.field[i]) != c.len[i])
                abort();
    }
    return 0;
}
