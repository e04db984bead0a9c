/*
 * auth.h: who is asking. The auth module owns API keys (Authorization:
 * Bearer <key>), the roles a key has, and the principal (key id, name,
 * role) every other module receives as "who" when it records who did
 * something (a note's author, an interaction's agent, the access audit).
 * It has no HTTP in it: the router (src/api/http.c) hands it the header
 * value and answers 401/403 itself.
 *
 * A key is "bss_" + 43 characters of URL-safe base64 (32 random bytes from
 * libsodium); the store keeps only its BLAKE2b-256 hash (table api_key,
 * migration 0002_api_keys.sql, auth_store.c) and a short prefix to
 * recognise it by.
 *
 * Each event loop owns one bss_auth: a small cache of recently verified
 * keys with a 1 s lifetime, so a request costs one hash and no store read,
 * and a revoked key stops working within a second. The router calls
 * bss_auth_check before a non-public handler runs; 401 for a missing,
 * malformed, unknown or revoked key, 403 (bss_auth_allows) for a role the
 * route does not allow. admin passes every route.
 */
#ifndef BSS_AUTH_AUTH_H
#define BSS_AUTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "db/db.h"

#define BSS_AUTH_KEY_PREFIX "bss_"
#define BSS_AUTH_KEY_LEN 47      /* "bss_" + 43 */
#define BSS_AUTH_HASH_HEX_LEN 64 /* BLAKE2b-256 as hex */
#define BSS_AUTH_SHOWN_PREFIX 8  /* "bss_AbCd": kept in the store to recognise a key */
#define BSS_AUTH_CACHE_TTL_MS 1000

/* Roles of API keys: a route allows a set of them; admin is always allowed. */
enum {
    BSS_ROLE_ADMIN = 1u << 0,
    BSS_ROLE_AGENT = 1u << 1,
    BSS_ROLE_BILLING = 1u << 2,
    BSS_ROLE_READONLY = 1u << 3,
    BSS_ROLE_NETWORK = 1u << 4,
    BSS_ROLE_INTEGRATION = 1u << 5,
    BSS_ROLE_CATALOG = 1u << 6, /* product managers: write the catalog, import and export it */
    BSS_ROLE_PRIVACY = 1u << 7, /* the privacy officer: GDPR exports and erasures */
};
#define BSS_ROLES_PUBLIC 0u /* no key needed */
#define BSS_ROLES_ANY                                                                                        \
    (BSS_ROLE_ADMIN | BSS_ROLE_AGENT | BSS_ROLE_BILLING | BSS_ROLE_READONLY | BSS_ROLE_NETWORK |                \
     BSS_ROLE_INTEGRATION | BSS_ROLE_CATALOG | BSS_ROLE_PRIVACY)
#define BSS_ROLES_STAFF_WRITE (BSS_ROLE_ADMIN | BSS_ROLE_AGENT | BSS_ROLE_BILLING)
/* Who reads customer, account and care data: staff, auditors and integrations (never the network). */
#define BSS_ROLES_READERS                                                                                    \
    (BSS_ROLE_ADMIN | BSS_ROLE_AGENT | BSS_ROLE_BILLING | BSS_ROLE_READONLY | BSS_ROLE_INTEGRATION |              \
     BSS_ROLE_PRIVACY)
/* Who writes the catalog (offerings, prices, promotions ...) and runs its imports: product managers. */
#define BSS_ROLES_CATALOG_WRITE (BSS_ROLE_ADMIN | BSS_ROLE_CATALOG)
/* Event subscriptions send data to an address the client names: admin and integration keys only. */
#define BSS_ROLES_HUB (BSS_ROLE_ADMIN | BSS_ROLE_INTEGRATION)
#define BSS_ROLES_HISTORY BSS_ROLE_ADMIN /* who changed a document (GET {item}/history) */

typedef struct bss_principal {
    char key_id[40];
    char name[128];
    unsigned role;  /* exactly one BSS_ROLE_* bit */
    bool looked_up; /* verified against the store on this request, not from the loop's cache */
} bss_principal;

/* ---- keys and roles (pure) ---- */

/* A fresh random key, NUL-terminated. */
void bss_auth_key_generate(char key[BSS_AUTH_KEY_LEN + 1]);
/* True if key[0..len) has the shape of a key ("bss_" + 43 base64url characters). */
bool bss_auth_key_wellformed(const char *key, size_t len);
/* The stored hash of a key: BLAKE2b-256 as lower-case hex, NUL-terminated. */
void bss_auth_key_hash(const char *key, size_t len, char hex[BSS_AUTH_HASH_HEX_LEN + 1]);

/* "admin" | "agent" | "billing" | "readonly" | "network" | "integration" | "catalog" | "privacy" -> BSS_ROLE_*; BSS_E_INVALID (field "role")
 * otherwise. */
bss_err bss_auth_role_parse(const char *name, unsigned *out_role, bss_errinfo *ei);
/* The name of exactly one role bit; "?" otherwise. */
const char *bss_auth_role_name(unsigned role);
/* The names of the roles a route allows, admin included, ", "-separated into buf; the length. */
size_t bss_auth_roles_text(unsigned route_roles, char *buf, size_t cap);
/* May a key of `role` call a route allowing `route_roles`? Public routes and admin always may. */
bool bss_auth_allows(unsigned route_roles, unsigned role);

/*
 * Extracts the key from an Authorization header value ("Bearer <key>",
 * scheme case-insensitive). BSS_E_UNAUTHORIZED with a message when the
 * header is absent (value NULL), not Bearer, or the key is malformed.
 */
bss_err bss_auth_parse_bearer(const char *value, size_t len, const char **key, size_t *key_len,
                              bss_errinfo *ei);

/* ---- the api_key table (auth_store.c) ---- */

typedef struct bss_api_key {
    char id[BSS_ID_LEN + 1];
    char name[128];
    unsigned role;
    char prefix[BSS_AUTH_SHOWN_PREFIX + 1];
    int64_t created_ms;
    int64_t revoked_ms;   /* 0 while active */
    int64_t last_used_ms; /* 0 if never used; accurate to about a second (bss_auth_touch) */
} bss_api_key;

/*
 * Makes a new key in memory: row (id, name, role, prefix, created_ms), the
 * secret (shown once) and its hash. BSS_E_INVALID for an empty or too long
 * name (field "name").
 */
bss_err bss_auth_key_new(int64_t now_ms, const char *name, unsigned role, bss_api_key *row,
                         char key[BSS_AUTH_KEY_LEN + 1], char hash_hex[BSS_AUTH_HASH_HEX_LEN + 1],
                         bss_errinfo *ei);
/* Inserts a row made by bss_auth_key_new (a writer job, or the offline first start). */
bss_err bss_auth_key_insert(bss_db *db, const bss_api_key *row, const char *hash_hex, bss_errinfo *ei);
/* Marks a key revoked; BSS_E_NOT_FOUND if there is no active key with that id. */
bss_err bss_auth_key_revoke(bss_db *db, const char *id, int64_t now_ms, bss_errinfo *ei);
/* How many keys (active or not) the store holds. */
bss_err bss_auth_key_count(bss_db *db, int64_t *out, bss_errinfo *ei);
/* Every key (no secrets), oldest first; fn is called once per row. */
typedef void (*bss_auth_key_fn)(const bss_api_key *key, void *arg);
/*
 * Records that the key was used at now_ms (only moves forward). Called
 * through the writer, without waiting, when a loop verifies a key against
 * the store (at most once per key per loop per cache lifetime).
 */
bss_err bss_auth_touch(bss_db *db, const char *key_id, int64_t now_ms, bss_errinfo *ei);

bss_err bss_auth_key_list(bss_db *db, bss_auth_key_fn fn, void *arg, bss_errinfo *ei);
/* The active key with this hash; BSS_E_UNAUTHORIZED if unknown or revoked. */
bss_err bss_auth_key_lookup(bss_db *db, const char *hash_hex, bss_principal *out, bss_errinfo *ei);

/* ---- the per-loop verifier ---- */

typedef struct bss_auth bss_auth;

bss_auth *bss_auth_create(int64_t ttl_ms); /* NULL on OOM */
void bss_auth_destroy(bss_auth *a);        /* NULL is a no-op */

/*
 * Authenticates an Authorization header value (NULL if absent) at monotonic
 * time now_ms: from the cache when a fresh entry matches, else from the
 * store (and cached). BSS_E_UNAUTHORIZED with a message, or the store's
 * error (BSS_E_BUSY, BSS_E_DB) if the lookup itself failed.
 */
bss_err bss_auth_check(bss_auth *a, bss_db *db, const char *authz, size_t len, int64_t now_ms,
                       bss_principal *out, bss_errinfo *ei);

/* Cache statistics (for tests): lookups answered from the cache and from the store. */
void bss_auth_stats(const bss_auth *a, int64_t *hits, int64_t *misses);

#endif
