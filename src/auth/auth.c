/*
 * auth.c: API keys, roles and the per-loop verifier (auth.h); the api_key
 * table is read and written in auth_store.c.
 *
 * Why BLAKE2b and not argon2id: argon2id exists to make guessing a
 * low-entropy secret (a password, a PIN) expensive, and it costs tens of
 * milliseconds and megabytes per check by design. Our keys are 256 random
 * bits, so no amount of guessing helps and a fast hash is just as safe;
 * running argon2id on every request would cap the API at a few hundred
 * requests per second per core. A stolen api_key table therefore reveals
 * nothing usable. argon2id stays the tool for PINs and passwords.
 *
 * Lookups go by hash through the table's unique index; any timing the index
 * leaks is about a hash whose preimage the attacker does not know. Cached
 * entries are compared with sodium_memcmp (constant time).
 */
#include "auth/auth.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/id.h"
#include "core/mem.h"
#include "core/pan.h"

#define CACHE_SLOTS 64 /* power of two; direct-mapped by the first hash byte */

typedef struct cache_entry {
    unsigned char hash[crypto_generichash_BYTES];
    int64_t expires_ms; /* 0 = empty */
    bss_principal who;
} cache_entry;

struct bss_auth {
    int64_t ttl_ms;
    int64_t hits, misses;
    cache_entry slots[CACHE_SLOTS];
};

static const struct {
    const char *name;
    unsigned role;
} roles[] = {
    {"admin", BSS_ROLE_ADMIN},       {"agent", BSS_ROLE_AGENT},     {"billing", BSS_ROLE_BILLING},
    {"readonly", BSS_ROLE_READONLY}, {"network", BSS_ROLE_NETWORK}, {"integration", BSS_ROLE_INTEGRATION},
    {"catalog", BSS_ROLE_CATALOG},   {"privacy", BSS_ROLE_PRIVACY},
};
#define NROLES (sizeof(roles) / sizeof(roles[0]))

/* ---- keys and roles ---- */

void bss_auth_key_generate(char key[BSS_AUTH_KEY_LEN + 1])
{
    unsigned char raw[32];
    char b64[64];
    if (sodium_init() < 0)
        abort(); /* no CSPRNG: nothing safe to do */
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    memcpy(key, BSS_AUTH_KEY_PREFIX, 4);
    memcpy(key + 4, b64, 43);
    key[BSS_AUTH_KEY_LEN] = '\0';
    sodium_memzero(b64, sizeof(b64));
}

static bool is_b64url(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool bss_auth_key_wellformed(const char *key, size_t len)
{
    if (key == NULL || len != BSS_AUTH_KEY_LEN || memcmp(key, BSS_AUTH_KEY_PREFIX, 4) != 0)
        return false;
    for (size_t i = 4; i < len; i++)
        if (!is_b64url((unsigned char)key[i]))
            return false;
    return true;
}

static void hash_raw(const char *key, size_t len, unsigned char out[crypto_generichash_BYTES])
{
    crypto_generichash(out, crypto_generichash_BYTES, (const unsigned char *)key, len, NULL, 0);
}

void bss_auth_key_hash(const char *key, size_t len, char hex[BSS_AUTH_HASH_HEX_LEN + 1])
{
    unsigned char h[crypto_generichash_BYTES];
    hash_raw(key, len, h);
    sodium_bin2hex(hex, BSS_AUTH_HASH_HEX_LEN + 1, h, sizeof(h));
}

bss_err bss_auth_role_parse(const char *name, unsigned *out_role, bss_errinfo *ei)
{
    for (size_t i = 0; name != NULL && i < NROLES; i++) {
        if (strcmp(roles[i].name, name) == 0) {
            *out_role = roles[i].role;
            return BSS_OK;
        }
    }
    return bss_fail(ei, BSS_E_INVALID, "role",
                    "unknown role '%s': use admin, agent, billing, readonly or network", name ? name : "");
}

const char *bss_auth_role_name(unsigned role)
{
    for (size_t i = 0; i < NROLES; i++)
        if (roles[i].role == role)
            return roles[i].name;
    return "?";
}

size_t bss_auth_roles_text(unsigned route_roles, char *buf, size_t cap)
{
    size_t used = 0;
    if (cap)
        buf[0] = '\0';
    route_roles |= BSS_ROLE_ADMIN;
    for (size_t i = 0; i < NROLES && cap; i++) {
        if (!(route_roles & roles[i].role))
            continue;
        int n = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", roles[i].name);
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
    return used;
}

bool bss_auth_allows(unsigned route_roles, unsigned role)
{
    if (route_roles == BSS_ROLES_PUBLIC || role == BSS_ROLE_ADMIN)
        return true;
    return (route_roles & role) != 0;
}

bss_err bss_auth_parse_bearer(const char *value, size_t len, const char **key, size_t *key_len,
                              bss_errinfo *ei)
{
    if (value == NULL)
        return bss_fail(ei, BSS_E_UNAUTHORIZED, NULL, "missing API key: send Authorization: Bearer <key>");
    if (len < 7 || strncasecmp(value, "bearer ", 7) != 0)
        return bss_fail(ei, BSS_E_UNAUTHORIZED, NULL, "the Authorization header must be 'Bearer <key>'");
    size_t i = 7;
    while (i < len && value[i] == ' ')
        i++;
    size_t end = len;
    while (end > i && (value[end - 1] == ' ' || value[end - 1] == '\t'))
        end--;
    if (!bss_auth_key_wellformed(value + i, end - i))
        return bss_fail(ei, BSS_E_UNAUTHORIZED, NULL,
                        "malformed API key: expected bss_ followed by 43 characters");
    *key = value + i;
    *key_len = end - i;
    return BSS_OK;
}

/* ---- the api_key table ---- */

bss_err bss_auth_key_new(int64_t now_ms, const char *name, unsigned role, bss_api_key *row,
                         char key[BSS_AUTH_KEY_LEN + 1], char hash_hex[BSS_AUTH_HASH_HEX_LEN + 1],
                         bss_errinfo *ei)
{
    size_t nlen = name ? strlen(name) : 0;
    if (nlen == 0 || nlen >= sizeof(row->name))
        return bss_fail(ei, BSS_E_INVALID, "name", "name must be 1 to %zu characters", sizeof(row->name) - 1);
    if (bss_auth_role_name(role)[0] == '?')
        return bss_fail(ei, BSS_E_INVALID, "role", "unknown role");
    bss_err rc = bss_pan_reject_text(name, nlen, "name", ei); /* card numbers are never stored */
    if (rc != BSS_OK)
        return rc;
    memset(row, 0, sizeof(*row));
    bss_id_new(now_ms, row->id);
    memcpy(row->name, name, nlen + 1);
    row->role = role;
    row->created_ms = now_ms;
    bss_auth_key_generate(key);
    memcpy(row->prefix, key, BSS_AUTH_SHOWN_PREFIX);
    row->prefix[BSS_AUTH_SHOWN_PREFIX] = '\0';
    bss_auth_key_hash(key, BSS_AUTH_KEY_LEN, hash_hex);
    return BSS_OK;
}

/* ---- the per-loop verifier ---- */

bss_auth *bss_auth_create(int64_t ttl_ms)
{
    if (sodium_init() < 0)
        return NULL;
    bss_auth *a = bss_calloc(1, sizeof(*a));
    if (a != NULL)
        a->ttl_ms = ttl_ms;
    return a;
}

void bss_auth_destroy(bss_auth *a)
{
    if (a == NULL)
        return;
    sodium_memzero(a, sizeof(*a));
    bss_free(a);
}

bss_err bss_auth_check(bss_auth *a, bss_db *db, const char *authz, size_t len, int64_t now_ms,
                       bss_principal *out, bss_errinfo *ei)
{
    const char *key;
    size_t key_len;
    bss_err rc = bss_auth_parse_bearer(authz, len, &key, &key_len, ei);
    if (rc != BSS_OK)
        return rc;
    unsigned char h[crypto_generichash_BYTES];
    hash_raw(key, key_len, h);
    cache_entry *e = &a->slots[h[0] & (CACHE_SLOTS - 1)];
    if (e->expires_ms > now_ms && sodium_memcmp(e->hash, h, sizeof(h)) == 0) {
        a->hits++;
        *out = e->who;
        out->looked_up = false;
        return BSS_OK;
    }
    a->misses++;
    char hex[BSS_AUTH_HASH_HEX_LEN + 1];
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    rc = bss_auth_key_lookup(db, hex, out, ei);
    if (rc != BSS_OK)
        return rc;
    out->looked_up = true;
    memcpy(e->hash, h, sizeof(h));
    e->who = *out;
    e->expires_ms = now_ms + a->ttl_ms;
    return BSS_OK;
}

void bss_auth_stats(const bss_auth *a, int64_t *hits, int64_t *misses)
{
    *hits = a->hits;
    *misses = a->misses;
}
