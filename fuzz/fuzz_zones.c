/*
 * fuzz_zones.c: libFuzzer target for the zone-table builder and the
 * longest-prefix lookup (src/catalog/zones.c). The input is split at its
 * first '\n': the part before is the zoneTable JSON document, the lines
 * after it are numbers to look up (any bytes: a non-digit stops the match).
 * A table that builds is checked against a brute-force longest-prefix match
 * over the document's own prefixes, for every fuzzer-chosen number and for
 * every prefix of the document itself, so a trie bug shows as a wrong zone,
 * not only as a crash. Build must succeed or fail with BSS_E_INVALID,
 * BSS_E_UNPROCESSABLE, BSS_E_TOO_BIG or BSS_E_NOMEM; never crash, hang or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/json.h"
#include "core/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The zone name the document gives number[0..len) by longest prefix, else its defaultZone, else NULL. */
static const char *brute_force(const json_t *doc, const char *number, size_t len)
{
    size_t digits = 0;
    while (digits < len && number[digits] >= '0' && number[digits] <= '9')
        digits++;
    const char *best = NULL;
    size_t best_len = 0;
    const json_t *zones = json_object_get(doc, "zones"), *zone, *prefix;
    size_t i, k;
    json_array_foreach(zones, i, zone)
    {
        json_array_foreach(json_object_get(zone, "prefixes"), k, prefix)
        {
            size_t plen = json_string_length(prefix);
            if (plen > best_len && plen <= digits && memcmp(json_string_value(prefix), number, plen) == 0) {
                best = json_string_value(json_object_get(zone, "name"));
                best_len = plen;
            }
        }
    }
    return best ? best : json_string_value(json_object_get(doc, "defaultZone"));
}

static void check(const bss_zone_table *t, const json_t *doc, const char *number, size_t len)
{
    int zone = bss_zone_lookup(t, number, len);
    if (zone < -1 || (zone >= 0 && (size_t)zone >= bss_zone_count(t)))
        abort();
    const char *got = zone >= 0 ? bss_zone_name(t, zone) : NULL;
    const char *want = brute_force(doc, number, len);
    if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0))
        abort();
}

static void exercise(const bss_zone_table *t, const json_t *doc, const char *lines, size_t len)
{
    if (bss_zone_table_zone_kind(t) != BSS_ZONE_DESTINATION &&
        bss_zone_table_zone_kind(t) != BSS_ZONE_ROAMING)
        abort();
    for (size_t z = 0; z < bss_zone_count(t); z++) {
        const char *name = bss_zone_name(t, (int)z);
        if (!name || bss_zone_index(t, name) < 0)
            abort();
    }
    if (bss_zone_name(t, -1) || bss_zone_name(t, (int)bss_zone_count(t)))
        abort();
    (void)bss_zone_prefix_count(t);
    const json_t *zone, *prefix;
    size_t i, k;
    json_array_foreach(json_object_get(doc, "zones"), i, zone)
    {
        json_array_foreach(json_object_get(zone, "prefixes"), k, prefix)
            check(t, doc, json_string_value(prefix), json_string_length(prefix));
    }
    check(t, doc, "", 0);
    while (len > 0) {
        const char *nl = memchr(lines, '\n', len);
        size_t n = nl ? (size_t)(nl - lines) : len;
        check(t, doc, lines, n);
        if (!nl)
            break;
        lines += n + 1;
        len -= n + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    if (!inited) {
        bss_mem_init();
        inited = 1;
    }
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t doc_len = nl ? (size_t)(nl - text) : size;
    json_t *doc = NULL;
    if (bss_json_parse(text, doc_len, &doc, NULL) != BSS_OK)
        return 0;
    bss_zone_table *t = NULL;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_zone_table_build(doc, &t, &ei);
    if (rc == BSS_OK) {
        /* copy the lookups: a lookup must not read past the length it is given */
        size_t rest = nl ? size - doc_len - 1 : 0;
        char *lines = bss_malloc(rest ? rest : 1);
        if (!lines)
            abort();
        if (rest)
            memcpy(lines, nl + 1, rest);
        exercise(t, doc, lines, rest);
        bss_free(lines);
        bss_zone_table_free(t);
    } else if (t != NULL || (rc != BSS_E_INVALID && rc != BSS_E_UNPROCESSABLE && rc != BSS_E_TOO_BIG &&
                             rc != BSS_E_NOMEM)) {
        abort();
    }
    json_decref(doc);
    return 0;
}
