/*
 * seal.c: secrets at rest (seal.h).
 */
#include "core/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"

#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define PREFIX "v1."
#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

static bss_err write_key(const char *path, bss_seal_key *key, bss_errinfo *ei)
{
    char hex[BSS_SEAL_KEY_BYTES * 2 + 2];
    randombytes_buf(key->k, sizeof key->k);
    sodium_bin2hex(hex, sizeof hex - 1, key->k, sizeof key->k);
    size_t n = strlen(hex);
    hex[n++] = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return bss_fail(ei, BSS_E_IO, "secrets-key", "cannot create %s: %s", path, strerror(errno));
    bool ok = write(fd, hex, n) == (ssize_t)n && fsync(fd) == 0;
    int e = errno;
    close(fd);
    sodium_memzero(hex, sizeof hex);
    if (!ok) {
        unlink(path);
        return bss_fail(ei, BSS_E_IO, "secrets-key", "cannot write %s: %s", path, strerror(e));
    }
    key->set = true;
    return BSS_OK;
}

bss_err bss_seal_key_load(const char *path, bool create, bss_seal_key *key, bool *created, bss_errinfo *ei)
{
    memset(key, 0, sizeof *key);
    if (created)
        *created = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        bss_err rc = write_key(path, key, ei);
        if (rc == BSS_OK && created)
            *created = true;
        return rc;
    }
    if (fd < 0)
        return bss_fail(ei, BSS_E_IO, "secrets-key", "cannot open %s: %s", path, strerror(errno));
    char buf[160];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0)
        return bss_fail(ei, BSS_E_IO, "secrets-key", "cannot read %s", path);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    size_t got = 0;
    const char *end = NULL;
    bool ok = n == BSS_SEAL_KEY_BYTES * 2 &&
              sodium_hex2bin(key->k, sizeof key->k, buf, (size_t)n, NULL, &got, &end) == 0 &&
              got == sizeof key->k && end == buf + n;
    sodium_memzero(buf, sizeof buf);
    if (!ok) {
        memset(key, 0, sizeof *key);
        return bss_fail(ei, BSS_E_CONFIG, "secrets-key", "%s must hold %d hex digits (a 32-byte key)", path,
                        BSS_SEAL_KEY_BYTES * 2);
    }
    key->set = true;
    return BSS_OK;
}

char *bss_seal(const bss_seal_key *key, const char *ad, const void *plain, size_t len)
{
    if (!key || !key->set || len > BSS_SEAL_PLAIN_MAX)
        return NULL;
    size_t raw_len = NONCE + len + TAG;
    unsigned char *raw = bss_malloc(raw_len);
    if (!raw)
        return NULL;
    randombytes_buf(raw, NONCE);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(raw + NONCE, &clen, plain, len, (const unsigned char *)ad,
                                               ad ? strlen(ad) : 0, NULL, raw, key->k);
    size_t b64 = sodium_base64_ENCODED_LEN(raw_len, B64);
    char *out = bss_malloc(sizeof PREFIX - 1 + b64);
    if (out) {
        memcpy(out, PREFIX, sizeof PREFIX - 1);
        sodium_bin2base64(out + sizeof PREFIX - 1, b64, raw, raw_len, B64);
    }
    bss_free(raw);
    return out;
}

bss_err bss_unseal(const bss_seal_key *key, const char *ad, const char *sealed, char **plain, size_t *len,
                   bss_errinfo *ei)
{
    *plain = NULL;
    if (len)
        *len = 0;
    if (!key || !key->set)
        return bss_fail(ei, BSS_E_STATE, NULL, "no secrets key is loaded");
    size_t slen = sealed ? strlen(sealed) : 0;
    if (slen < sizeof PREFIX - 1 || memcmp(sealed, PREFIX, sizeof PREFIX - 1) != 0)
        return bss_fail(ei, BSS_E_INVALID, NULL, "not a sealed secret");
    size_t cap = slen; /* base64 decodes to fewer bytes */
    unsigned char *raw = bss_malloc(cap + 1);
    if (!raw)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    size_t raw_len = 0;
    const char *b64 = sealed + sizeof PREFIX - 1;
    if (sodium_base642bin(raw, cap, b64, slen - (sizeof PREFIX - 1), NULL, &raw_len, NULL, B64) != 0 ||
        raw_len < NONCE + TAG) {
        bss_free(raw);
        return bss_fail(ei, BSS_E_INVALID, NULL, "not a sealed secret");
    }
    char *out = bss_malloc(raw_len - NONCE - TAG + 1);
    unsigned long long mlen = 0;
    if (!out) {
        bss_free(raw);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    int bad = crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)out, &mlen, NULL, raw + NONCE,
                                                         raw_len - NONCE, (const unsigned char *)ad,
                                                         ad ? strlen(ad) : 0, raw, key->k);
    bss_free(raw);
    if (bad) {
        bss_free(out);
        return bss_fail(ei, BSS_E_INVALID, NULL,
                        "the sealed secret does not open with this secrets key (was the key file replaced?)");
    }
    out[mlen] = '\0';
    *plain = out;
    if (len)
        *len = (size_t)mlen;
    return BSS_OK;
}
