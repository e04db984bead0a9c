/*
 * seal.h: secrets bss must keep but never show (a hub callback's password,
 * later a provisioning adapter's credentials), encrypted at rest with a key
 * that lives outside the store (<data-dir>/secrets.key, or --secrets-key),
 * so a dump of the database holds no usable secret. libsodium's
 * XChaCha20-Poly1305 AEAD with a random nonce per value; the associated
 * data binds a sealed value to its owner (the subscription id), so a value
 * copied to another row does not open there.
 *
 * Sealed text: "v1." + URL-safe base64 (no padding) of nonce || ciphertext.
 */
#ifndef BSS_CORE_SEAL_H
#define BSS_CORE_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define BSS_SEAL_KEY_BYTES 32
#define BSS_SEAL_PLAIN_MAX 4096 /* the longest secret sealed */

typedef struct bss_seal_key {
    bool set;
    uint8_t k[BSS_SEAL_KEY_BYTES];
} bss_seal_key;

/*
 * Reads the key file (64 hex digits, optional newline); when it does not
 * exist and create is true, makes a new random key and writes it with mode
 * 0600 (*created = true). BSS_E_IO / BSS_E_CONFIG naming "secrets-key".
 */
bss_err bss_seal_key_load(const char *path, bool create, bss_seal_key *key, bool *created, bss_errinfo *ei);

/* Seals plain[0..len) for owner ad; a bss_malloc'd NUL-terminated text, NULL on OOM or len too long. */
char *bss_seal(const bss_seal_key *key, const char *ad, const void *plain, size_t len);

/*
 * Opens a sealed text for owner ad into a bss_malloc'd NUL-terminated
 * *plain (length *len). BSS_E_INVALID when it is not sealed text or does
 * not open with this key and owner (a changed key file, a copied value).
 */
bss_err bss_unseal(const bss_seal_key *key, const char *ad, const char *sealed, char **plain, size_t *len,
                   bss_errinfo *ei);

#endif
