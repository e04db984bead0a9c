/*
 * id.h: resource ids are UUIDv7 strings (RFC 9562): 48-bit Unix ms
 * timestamp from the injected clock, then random bits from libsodium, with a
 * per-thread counter in rand_a so ids made in the same millisecond by the
 * same thread still sort in creation order.
 */
#ifndef BSS_CORE_ID_H
#define BSS_CORE_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BSS_ID_LEN 36 /* "0190f2c4-8d4e-7abc-9def-0123456789ab" */

/*
 * The longest id any document may have: the server's are BSS_ID_LEN, an
 * imported catalog document may bring its own ("po-postpaid-m"). A longer
 * id in a path is 404, in a reference or an import 400: ids are never cut.
 */
#define BSS_ID_MAX 64

/* Writes a new UUIDv7 for time now_ms, NUL-terminated, into out. */
void bss_id_new(int64_t now_ms, char out[BSS_ID_LEN + 1]);

/* True if s[0..len) is a canonical lower- or upper-case UUID string (any version). */
bool bss_id_valid(const char *s, size_t len);

/* The millisecond timestamp of a UUIDv7 (0 if not v7). */
int64_t bss_id_time_ms(const char *id);

#endif
