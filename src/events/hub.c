/*
 * hub.c: TMF688-style hub subscriptions, the store side (events.h): one
 * row of hub_subscription per subscription of one API. A subscription
 * receives the events committed after it (outbox.c fans each new event out
 * to the subscriptions existing at that moment); removing one drops its
 * pending deliveries. The routes ({base}/hub) are src/api/hub.c's.
 *
 * A callback is hostile input twice: at subscription time (what it names)
 * and at every delivery (where its name resolves to). Here it is parsed
 * with libcurl's URL parser, the one the delivery uses, so the two never
 * disagree about the host; literal addresses and "localhost" are judged
 * against the outbound policy at once; its userinfo is split off, the user
 * kept, the password sealed (core/seal.h) and never returned or logged.
 */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/id.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/pan.h"
#include "core/time.h"
#include "events/events.h"
#include "events/events_int.h"

void bss_hub_callback_wipe(bss_hub_callback *cb)
{
    if (cb)
        sodium_memzero(cb, sizeof *cb);
}

static bss_err bad(bss_errinfo *ei, const char *message)
{
    return bss_fail(ei, BSS_E_INVALID, "callback", "%s", message);
}

/* Copies a curl_url part (or "") into out; false when it does not fit. */
static bool part(CURLU *u, CURLUPart what, unsigned flags, char *out, size_t cap)
{
    char *v = NULL;
    out[0] = '\0';
    CURLUcode rc = curl_url_get(u, what, &v, flags);
    if (rc != CURLUE_OK || v == NULL)
        return true; /* absent */
    size_t n = strlen(v);
    bool fits = n < cap;
    if (fits)
        memcpy(out, v, n + 1);
    sodium_memzero(v, n);
    curl_free(v);
    return fits;
}

static bool url_has(CURLU *u, CURLUPart what)
{
    char *v = NULL;
    bool has = curl_url_get(u, what, &v, 0) == CURLUE_OK && v != NULL;
    curl_free(v);
    return has;
}

static bss_err split(const bss_netallow *allow, const char *callback, CURLU *u, bss_hub_callback *out,
                     bss_errinfo *ei)
{
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, callback, 0);
    if (uc == CURLUE_BAD_PORT_NUMBER)
        return bad(ei, "callback: the port must be 1..65535");
    if (uc != CURLUE_OK)
        return bss_fail(ei, BSS_E_INVALID, "callback", "callback is not a valid URL: %s", curl_url_strerror(uc));
    char scheme[16];
    if (!part(u, CURLUPART_SCHEME, 0, scheme, sizeof scheme) ||
        (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0))
        return bad(ei, "callback must be an absolute http:// or https:// URL");
    if (url_has(u, CURLUPART_QUERY) || url_has(u, CURLUPART_FRAGMENT))
        return bad(ei, "callback must not have a query or fragment (/listener/<eventType> is appended)");
    if (url_has(u, CURLUPART_ZONEID))
        return bad(ei, "callback must not name an IPv6 zone");
    if (url_has(u, CURLUPART_OPTIONS))
        return bad(ei, "callback must not carry login options (';' in the user part)");
    char port[16];
    if (!part(u, CURLUPART_PORT, 0, port, sizeof port) || strcmp(port, "0") == 0)
        return bad(ei, "callback: the port must be 1..65535");
    char host[300];
    if (!part(u, CURLUPART_HOST, 0, host, sizeof host) || host[0] == '\0')
        return bad(ei, "callback must name a host");
    size_t hl = strlen(host);
    if (host[0] == '[' && hl >= 2 && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    if (strlen(host) >= sizeof out->host)
        return bad(ei, "callback: the host name is too long");
    memcpy(out->host, host, strlen(host) + 1);
    char why[160];
    if (bss_netallow_refuse_host(allow, out->host, why, sizeof why))
        return bss_fail(ei, BSS_E_INVALID, "callback",
                        "callback: %s; events are delivered only to public addresses and to those listed in "
                        "webhook-allow",
                        why);
    if (!part(u, CURLUPART_USER, CURLU_URLDECODE, out->user, sizeof out->user) ||
        !part(u, CURLUPART_PASSWORD, CURLU_URLDECODE, out->password, sizeof out->password))
        return bad(ei, "callback: the user name and password are limited to 256 bytes each");
    if (memchr(out->user, ':', strlen(out->user)) || strpbrk(out->user, "\r\n") ||
        strpbrk(out->password, "\r\n"))
        return bad(ei, "callback: the user name must not hold ':' or line breaks");
    curl_url_set(u, CURLUPART_USER, NULL, 0);
    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
    if (!part(u, CURLUPART_URL, 0, out->url, sizeof out->url))
        return bss_fail(ei, BSS_E_INVALID, "callback", "callback is longer than %d bytes", BSS_HUB_CALLBACK_MAX);
    return BSS_OK;
}

bss_err bss_hub_callback_parse(const bss_netallow *allow, const char *callback, bss_hub_callback *out,
                               bss_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(callback);
    if (len > BSS_HUB_CALLBACK_MAX)
        return bss_fail(ei, BSS_E_INVALID, "callback", "callback is longer than %d bytes", BSS_HUB_CALLBACK_MAX);
    if (!(len >= 7 && strncasecmp(callback, "http://", 7) == 0) &&
        !(len >= 8 && strncasecmp(callback, "https://", 8) == 0))
        return bad(ei, "callback must be an absolute http:// or https:// URL");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)callback[i];
        if (c <= 0x20 || c == 0x7f)
            return bad(ei, "callback must not contain spaces or control characters");
        if (c == '?' || c == '#')
            return bad(ei, "callback must not have a query or fragment (/listener/<eventType> is appended)");
    }
    const char *authority = strstr(callback, "://") + 3;
    if (*authority == '\0' || *authority == '/' || *authority == ':' || *authority == '@')
        return bad(ei, "callback must name a host");
    bss_err rc = bss_pan_reject_text(callback, len, "callback", ei);
    if (rc != BSS_OK)
        return rc; /* card numbers are never stored, not even in a URL */
    CURLU *u = curl_url();
    if (!u)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    rc = split(allow, callback, u, out, ei);
    curl_url_cleanup(u);
    if (rc != BSS_OK)
        bss_hub_callback_wipe(out);
    return rc;
}

bss_err bss_hub_parse(const bss_netallow *allow, const json_t *body, bss_hub_callback *cb, const char **query,
                      bss_errinfo *ei)
{
    bss_err rc;
    const char *callback = NULL;
    *query = "";
    memset(cb, 0, sizeof *cb);
    if ((rc = bss_json_get_str(body, "callback", "callback", true, &callback, ei)) != BSS_OK)
        return rc;
    if ((rc = bss_json_get_str(body, "query", "query", false, query, ei)) != BSS_OK)
        return rc;
    if ((rc = bss__hub_query_check(*query, ei)) != BSS_OK)
        return rc;
    return bss_hub_callback_parse(allow, callback, cb, ei);
}

json_t *bss_hub_subscription_json(const char *id, const char *url, const char *user, const char *query)
{
    char shown[BSS_HUB_CALLBACK_MAX + 3 * BSS_HUB_CRED_MAX + 16];
    const char *sep = strstr(url, "://");
    if (user && *user && sep) {
        /* the user name percent-encoded again, so the URL stays a URL; the password never */
        char *enc = curl_easy_escape(NULL, user, 0);
        snprintf(shown, sizeof shown, "%.*s%s:***@%s", (int)(sep + 3 - url), url, enc ? enc : "", sep + 3);
        curl_free(enc);
    } else {
        snprintf(shown, sizeof shown, "%s", url);
    }
    return json_pack("{s:s, s:s, s:s}", "id", id, "callback", shown, "query", query ? query : "");
}

bss_err bss_hub_subscribe(bss_db *db, const char *api, const char *id, const bss_hub_callback *cb,
                          const char *sealed_password, const char *query, int64_t now_ms, bss_errinfo *ei)
{
    return bss_db_exec(db,
                       "INSERT INTO hub_subscription (id, api, callback, query, created_ms, callback_user, "
                       "callback_secret) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_STR(api), EV_TEXT(cb->url), BSS_DB_STR(query),
                                   BSS_DB_I64(now_ms), cb->user[0] ? EV_TEXT(cb->user) : BSS_DB_NIL,
                                   sealed_password ? BSS_DB_STR(sealed_password) : BSS_DB_NIL),
                       NULL, ei);
}

/* The delivery summary of one subscription: counts by status and the latest failure. */
static bss_err delivery_summary(bss_db *db, const char *id, json_t *out, bss_errinfo *ei)
{
    bss_db_rows *rows;
    bss_err rc = bss_db_query(db,
                              "SELECT status, COUNT(*) FROM event_delivery WHERE subscription_id = ? "
                              "GROUP BY status",
                              BSS_DB_ARGS(BSS_DB_STR(id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    json_int_t pending = 0, delivered = 0, dead = 0;
    while (bss_db_next(rows)) {
        const char *st = bss_db_col_text(rows, 0, NULL);
        int64_t n = bss_db_col_int64(rows, 1);
        if (st && strcmp(st, "pending") == 0)
            pending = n;
        else if (st && strcmp(st, "delivered") == 0)
            delivered = n;
        else if (st && strcmp(st, "dead") == 0)
            dead = n;
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (rc != BSS_OK)
        return rc;
    json_t *d = json_pack("{s:I, s:I, s:I}", "pending", pending, "delivered", delivered, "dead", dead);
    if (!d)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    rc = bss_db_query(db,
                      "SELECT last_error, last_status, updated_ms FROM event_delivery WHERE subscription_id = ? "
                      "AND last_error IS NOT NULL ORDER BY updated_ms DESC LIMIT 1",
                      BSS_DB_ARGS(BSS_DB_STR(id)), &rows, ei);
    if (rc == BSS_OK) {
        if (bss_db_next(rows)) {
            const char *err = bss_db_col_text(rows, 0, NULL);
            if (err)
                json_object_set_new(d, "lastError", json_string(err));
            if (!bss_db_col_null(rows, 1))
                json_object_set_new(d, "lastStatus", json_integer(bss_db_col_int64(rows, 1)));
            char when[32];
            if (bss_time_format(bss_db_col_int64(rows, 2), when) > 0)
                json_object_set_new(d, "lastErrorTime", json_string(when));
        }
        rc = bss_db_rows_error(rows);
        bss_db_rows_close(rows);
    }
    if (rc == BSS_OK && json_object_set_new(out, "delivery", d) != 0)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    else if (rc != BSS_OK)
        json_decref(d);
    return rc;
}

bss_err bss_hub_get(bss_db *db, const char *api, const char *id, json_t **out, bss_errinfo *ei)
{
    bss_db_rows *rows;
    *out = NULL;
    bss_err rc = bss_db_query(db,
                              "SELECT callback, query, callback_user FROM hub_subscription WHERE id = ? AND api = ?",
                              BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_STR(api)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows)) {
        const char *callback = bss_db_col_text(rows, 0, NULL);
        const char *query = bss_db_col_text(rows, 1, NULL);
        const char *user = bss_db_col_text(rows, 2, NULL);
        *out = bss_hub_subscription_json(id, callback ? callback : "", user, query ? query : "");
        if (!*out)
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    } else {
        rc = bss_db_rows_error(rows);
        if (rc == BSS_OK)
            rc = bss_fail(ei, BSS_E_NOT_FOUND, "id", "hub subscription %s not found", id);
    }
    bss_db_rows_close(rows);
    if (rc == BSS_OK)
        rc = delivery_summary(db, id, *out, ei);
    if (rc != BSS_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

bss_err bss_hub_list(bss_db *db, const char *api, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    bss_db_rows *rows;
    bss_err rc = bss_db_query(db, "SELECT id FROM hub_subscription WHERE api = ? ORDER BY id LIMIT 1000",
                              BSS_DB_ARGS(BSS_DB_STR(api)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    json_t *ids = json_array();
    while (ids && bss_db_next(rows)) {
        const char *id = bss_db_col_text(rows, 0, NULL);
        if (json_array_append_new(ids, json_string(id ? id : ""))) {
            json_decref(ids);
            ids = NULL;
        }
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (!rc && !ids)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    json_t *list = rc ? NULL : json_array();
    size_t i;
    json_t *idv;
    json_array_foreach(ids, i, idv)
    {
        json_t *one = NULL;
        if (rc || (rc = bss_hub_get(db, api, json_string_value(idv), &one, ei)))
            break;
        if (json_array_append_new(list, one))
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    json_decref(ids);
    if (rc || !list) {
        json_decref(list);
        return rc ? rc : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    *out = list;
    return BSS_OK;
}

bss_err bss_hub_unsubscribe(bss_db *db, const char *api, const char *id, bss_errinfo *ei)
{
    int64_t changes = 0;
    bss_err rc = bss_db_exec(db, "DELETE FROM hub_subscription WHERE id = ? AND api = ?",
                             BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_STR(api)), &changes, ei);
    if (rc != BSS_OK)
        return rc;
    if (changes == 0)
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "hub subscription %s not found", id);
    return bss_db_exec(db, "DELETE FROM event_delivery WHERE subscription_id = ?",
                       BSS_DB_ARGS(BSS_DB_STR(id)), NULL, ei);
}

/* ---- subscriptions stored before 0010_hub_credentials ---- */

typedef struct legacy_ctx {
    const bss_seal_key *key;
    int fixed;
} legacy_ctx;

static bss_err legacy_tx(bss_db *db, void *arg, bss_errinfo *ei)
{
    legacy_ctx *lc = arg;
    lc->fixed = 0;
    bss_db_rows *rows;
    bss_err rc = bss_db_query(db,
                              "SELECT id, callback FROM hub_subscription WHERE callback_user IS NULL AND "
                              "callback_secret IS NULL AND callback LIKE '%@%'",
                              BSS_DB_NOARGS, &rows, ei);
    if (rc != BSS_OK)
        return rc;
    /* collect first: no statement runs while the cursor is open */
    size_t n = 0, cap = 0;
    struct item {
        char id[BSS_ID_LEN + 1];
        char *callback;
    } *items = NULL;
    while (rc == BSS_OK && bss_db_next(rows)) {
        size_t idlen;
        const char *id = bss_db_col_text(rows, 0, &idlen);
        const char *cb = bss_db_col_text(rows, 1, NULL);
        if (!id || idlen > BSS_ID_LEN || !cb)
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            struct item *g = bss_realloc(items, ncap * sizeof *g);
            if (!g) {
                rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
                break;
            }
            items = g;
            cap = ncap;
        }
        memcpy(items[n].id, id, idlen);
        items[n].id[idlen] = '\0';
        items[n].callback = bss_strdup(cb);
        if (!items[n].callback)
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        else
            n++;
    }
    if (rc == BSS_OK)
        rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    /* the policy is not applied here: an old subscription is judged when it is delivered */
    static const bss_netallow everything = {
        .n = 2, .e = {{.family = AF_INET, .prefix = 0}, {.family = AF_INET6, .prefix = 0}}};
    for (size_t i = 0; rc == BSS_OK && i < n; i++) {
        bss_hub_callback *cb = bss_malloc(sizeof *cb);
        bss_errinfo pei;
        if (!cb) {
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
            break;
        }
        if (bss_hub_callback_parse(&everything, items[i].callback, cb, &pei) == BSS_OK && cb->user[0]) {
            char *sealed = cb->password[0] ? bss_seal(lc->key, items[i].id, cb->password, strlen(cb->password)) : NULL;
            if (cb->password[0] && !sealed)
                rc = bss_fail(ei, BSS_E_NOMEM, NULL, "cannot seal a callback password");
            else
                rc = bss_db_exec(db,
                                 "UPDATE hub_subscription SET callback = ?, callback_user = ?, callback_secret = ? "
                                 "WHERE id = ?",
                                 BSS_DB_ARGS(EV_TEXT(cb->url), EV_TEXT(cb->user),
                                             sealed ? BSS_DB_STR(sealed) : BSS_DB_NIL, EV_TEXT(items[i].id)),
                                 NULL, ei);
            bss_free(sealed);
            if (rc == BSS_OK)
                lc->fixed++;
        }
        bss_hub_callback_wipe(cb);
        bss_free(cb);
    }
    for (size_t i = 0; i < n; i++) {
        sodium_memzero(items[i].callback, strlen(items[i].callback));
        bss_free(items[i].callback);
    }
    bss_free(items);
    return rc;
}

bss_err bss_hub_seal_legacy(bss_db *db, const bss_seal_key *key, int *fixed, bss_errinfo *ei)
{
    legacy_ctx lc = {.key = key};
    bss_err rc = bss_db_tx(db, legacy_tx, &lc, ei);
    if (fixed)
        *fixed = rc == BSS_OK ? lc.fixed : 0;
    return rc;
}
