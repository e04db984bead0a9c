/*
 * fuzz_sim_batch.c: libFuzzer target for the SIM batch file
 * (src/inventory/sim.c): any bytes as a file, checked as a dry run
 * without a store. Whatever the input, the import ends with BSS_OK (a
 * report), BSS_E_UNPROCESSABLE (a report listing rejected rows, each with
 * a line number), or BSS_E_INVALID / BSS_E_TOO_BIG for the file as a
 * whole: never a crash, a leak or a hang; the report's counts add up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/mem.h"
#include "inventory/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bss_seal_key key = {.set = true, .k = {7}};
    static int inited;
    if (!inited) {
        bss_mem_init(); /* jansson allocates through bss_malloc, as in bss serve */
        inited = 1;
    }
    bss_inv_config cfg = {.seal = &key, .keys = (size & 1) ? BSS_SIM_KEYS_HSS : BSS_SIM_KEYS_STORE, .warn_left = 1};
    bss_inv_actor by = {.now_ms = 1777888000000LL};
    bss_inv_import in = {.data = (const char *)data, .len = size, .batch = "F", .partial = (size & 2) != 0,
                         .dry_run = true};
    json_t *rep = NULL;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_inv_sim_import(NULL, &cfg, &by, &in, &rep, &ei);
    if (rc == BSS_OK || rc == BSS_E_UNPROCESSABLE) {
        if (!rep)
            abort();
        json_int_t read = json_integer_value(json_object_get(rep, "read"));
        json_int_t imported = json_integer_value(json_object_get(rep, "imported"));
        json_int_t rejected = json_integer_value(json_object_get(rep, "rejected"));
        if (imported < 0 || rejected < 0 || imported > read || (rc == BSS_E_UNPROCESSABLE && rejected == 0))
            abort();
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(rep, "rejects"), i, r) if (json_integer_value(json_object_get(r, "line")) < 1)
            abort();
    } else if (rc != BSS_E_INVALID && rc != BSS_E_TOO_BIG && rc != BSS_E_NOMEM) {
        abort();
    } else if (rep) {
        abort();
    }
    json_decref(rep);
    return 0;
}
