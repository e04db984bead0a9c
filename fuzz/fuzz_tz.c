/*
 * fuzz_tz.c: libFuzzer target for the zoneinfo reader (src/catalog/tz.c):
 * the TZif parser and the POSIX TZ rule strings of its footer. tz.c reads
 * zones only from files by name, so this target includes tz.c to reach its
 * static parsers (tzif_parse, parse_posix) and, being then the only
 * definition of tz.c's symbols in the link, the library's tz.o is not
 * pulled in. The whole input is parsed as a TZif file; its first line (up
 * to 127 bytes) is also parsed as a POSIX rule. Whatever parses is asked for
 * its UTC offset at a few instants (before, between and after transitions,
 * and the extremes of int64), which must stay within RFC 8536's range.
 * Never crash, hang or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/tz.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int64_t instants_ms[] = {
    0,
    INT64_C(1767225600000),   /* 2026-01-01 */
    INT64_C(1774746000000),   /* 2026-03-29T01:00Z */
    INT64_C(1792890000000),   /* 2026-10-25T01:00Z */
    -INT64_C(2208988800000),  /* 1900-01-01 */
    INT64_C(7258118400000),   /* 2200-01-01 */
    INT64_C(253402300799999), /* 9999-12-31 */
    INT64_MAX,
    INT64_MIN,
};

static void ask(const bss_tz *z)
{
    for (size_t i = 0; i < sizeof instants_ms / sizeof instants_ms[0]; i++) {
        int32_t off = bss_tz_offset_s(z, instants_ms[i]);
        if (off < -TZ_MAX_UTOFF - 168 * 3600 || off > TZ_MAX_UTOFF + 168 * 3600)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *why = NULL;
    bss_tz *z = tzif_parse("Fuzz/Zone", data, size, &why);
    if (z != NULL) {
        if (z->ntrans < 0 || strcmp(z->name, "Fuzz/Zone") != 0)
            abort();
        for (int32_t i = 1; i < z->ntrans; i++)
            if (z->trans_s[i] <= z->trans_s[i - 1])
                abort();
        ask(z);
        free(z); /* one plain malloc block (tz.c) */
    } else if (why == NULL) {
        abort(); /* NULL without a reason means out of memory */
    }

    char rule_text[128];
    size_t n = 0;
    while (n < size && n < sizeof rule_text - 1 && data[n] != '\n' && data[n] != '\0')
        n++;
    memcpy(rule_text, data, n);
    rule_text[n] = '\0';
    tz_rule rule;
    if (parse_posix(rule_text, &rule)) {
        bss_tz one = {.name = "Fuzz/Rule", .rule = rule};
        ask(&one);
    }
    return 0;
}
