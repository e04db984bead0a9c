/*
 * outbox.c: the write side of events. bss_outbox_add builds the TMF v4
 * event envelope of one resource change and inserts it into the outbox
 * inside the caller's open transaction (a writer job), and in the same
 * transaction creates one event_delivery row per hub subscription of the
 * API whose query matches, so a change, its event and its fan-out commit or
 * roll back together. The dispatcher (dispatch.c) only ever reads committed
 * delivery rows. Also here: the hub query filter that hub.c applies to new
 * subscriptions, the listener URL rule, and the retry schedule, all pure
 * functions shared through events_int.h.
 */
#include <sodium.h>
#include <strings.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/id.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/time.h"
#include "events/events.h"
#include "events/events_int.h"

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/*
 * Walks "eventType=A,B": checks the syntax and, when event_type is given,
 * sets *matched if one of the names equals it.
 */
static bss_err query_scan(const char *query, const char *event_type, bool *matched, bss_errinfo *ei)
{
    static const char key[] = "eventType";
    const char *p = skip_spaces(query);
    *matched = false;
    if (*p == '\0') {
        *matched = true;
        return BSS_OK;
    }
    if (strncmp(p, key, sizeof key - 1) != 0)
        return bss_fail(ei, BSS_E_INVALID, "query", "query must be empty or eventType=<type>[,<type>...]");
    p = skip_spaces(p + sizeof key - 1);
    if (*p != '=')
        return bss_fail(ei, BSS_E_INVALID, "query", "query must be empty or eventType=<type>[,<type>...]");
    p++;
    for (;;) {
        p = skip_spaces(p);
        const char *name = p;
        while (is_name_char(*p))
            p++;
        size_t n = (size_t)(p - name);
        if (n == 0)
            return bss_fail(ei, BSS_E_INVALID, "query",
                            "query: an event type name (letters and digits) expected");
        if (event_type && strlen(event_type) == n && memcmp(event_type, name, n) == 0)
            *matched = true;
        p = skip_spaces(p);
        if (*p == '\0')
            return BSS_OK;
        if (*p != ',')
            return bss_fail(ei, BSS_E_INVALID, "query",
                            "query: unexpected '%c' (only eventType=A,B is supported)", *p);
        p++;
    }
}

bss_err bss__hub_query_check(const char *query, bss_errinfo *ei)
{
    bool matched;
    if (!query)
        return BSS_OK;
    if (strlen(query) > BSS_HUB_QUERY_MAX)
        return bss_fail(ei, BSS_E_INVALID, "query", "query is longer than %d bytes", BSS_HUB_QUERY_MAX);
    return query_scan(query, NULL, &matched, ei);
}

bool bss__hub_query_match(const char *query, const char *event_type)
{
    bool matched = false;
    if (!query)
        return true;
    if (query_scan(query, event_type, &matched, NULL) != BSS_OK)
        return false;
    return matched;
}

char *bss__events_listener_url(const char *callback, const char *event_type)
{
    static const char mid[] = "/listener/";
    size_t clen = strlen(callback);
    size_t elen = strlen(event_type);
    while (clen > 0 && callback[clen - 1] == '/')
        clen--;
    char *url = bss_malloc(clen + sizeof mid - 1 + elen + 1);
    if (!url)
        return NULL;
    memcpy(url, callback, clen);
    memcpy(url + clen, mid, sizeof mid - 1);
    memcpy(url + clen + sizeof mid - 1, event_type, elen + 1);
    char *first = url + clen + sizeof mid - 1;
    if (*first >= 'A' && *first <= 'Z')
        *first = (char)(*first - 'A' + 'a');
    return url;
}

int64_t bss__events_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t bss__events_backoff_ms(int64_t unit_ms, int64_t attempts)
{
    int64_t exp = attempts < 0 ? 0 : (attempts > 12 ? 12 : attempts);
    int64_t secs = INT64_C(1) << exp;
    if (secs > 3600)
        secs = 3600;
    int64_t delay = secs * unit_ms;
    int64_t jitter_max = delay / 4;
    if (jitter_max > 0 && jitter_max < INT64_C(0xffffffff))
        delay += (int64_t)randombytes_uniform((uint32_t)jitter_max + 1);
    return delay;
}

/* Builds {eventId, eventTime, eventType, title, description, timeOcurred, domain, event: {res_key:
 * resource}}. */
static json_t *envelope_new(const char *event_id, int64_t now_ms, const char *api, const char *event_type,
                            const char *res_key, const json_t *resource)
{
    char when[32], desc[256];
    bss_time_format(now_ms, when);
    const json_t *rid = json_is_object(resource) ? json_object_get(resource, "id") : NULL;
    if (json_is_string(rid))
        snprintf(desc, sizeof desc, "%s of %s %s", event_type, res_key, json_string_value(rid));
    else
        snprintf(desc, sizeof desc, "%s of a %s", event_type, res_key);
    json_t *inner = json_object();
    if (!inner || json_object_set_new(inner, res_key, json_deep_copy(resource)) != 0) {
        json_decref(inner);
        return NULL;
    }
    json_t *env = json_object();
    if (!env) {
        json_decref(inner);
        return NULL;
    }
    int bad = 0;
    bad |= json_object_set_new(env, "eventId", json_string(event_id));
    bad |= json_object_set_new(env, "eventTime", json_string(when));
    bad |= json_object_set_new(env, "eventType", json_string(event_type));
    bad |= json_object_set_new(env, "title", json_string(event_type));
    bad |= json_object_set_new(env, "description", json_string(desc));
    bad |= json_object_set_new(env, "timeOcurred", json_string(when));
    bad |= json_object_set_new(env, "domain", json_string(api));
    bad |= json_object_set_new(env, "event", inner);
    if (bad) {
        json_decref(env);
        return NULL;
    }
    return env;
}

/* The ids of the API's subscriptions whose query matches event_type (bss_malloc'd array). */
static bss_err matching_subscriptions(bss_db *db, const char *api, const char *event_type,
                                      char (**ids)[BSS_ID_LEN + 1], size_t *n, bss_errinfo *ei)
{
    bss_db_rows *rows;
    bss_err rc = bss_db_query(db, "SELECT id, query FROM hub_subscription WHERE api = ? ORDER BY id",
                              BSS_DB_ARGS(BSS_DB_STR(api)), &rows, ei);
    size_t cap = 0;
    *ids = NULL;
    *n = 0;
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        size_t idlen;
        const char *id = bss_db_col_text(rows, 0, &idlen);
        const char *query = bss_db_col_text(rows, 1, NULL);
        if (!id || idlen > BSS_ID_LEN || !bss__hub_query_match(query ? query : "", event_type))
            continue;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            void *grown = bss_realloc(*ids, ncap * sizeof **ids);
            if (!grown) {
                bss_db_rows_close(rows);
                return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory fanning out an event");
            }
            *ids = grown;
            cap = ncap;
        }
        memcpy((*ids)[*n], id, idlen);
        (*ids)[*n][idlen] = '\0';
        (*n)++;
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (rc != BSS_OK)
        return bss_fail(ei, rc, NULL, "reading hub subscriptions failed");
    return BSS_OK;
}

static bss_err check_args(bss_db *db, const char *api, const char *event_type, const char *res_key,
                          const json_t *resource, bss_errinfo *ei)
{
    if (!db || !bss_db_in_tx(db))
        return bss_fail(ei, BSS_E_STATE, NULL, "bss_outbox_add must run inside the caller's transaction");
    if (!api || !*api || !res_key || !*res_key || !resource)
        return bss_fail(ei, BSS_E_INVALID, NULL, "bss_outbox_add: api, res_key and resource are required");
    if (!event_type || !*event_type)
        return bss_fail(ei, BSS_E_INVALID, "eventType", "an event type is required");
    for (const char *p = event_type; *p; p++)
        if (!is_name_char(*p))
            return bss_fail(ei, BSS_E_INVALID, "eventType", "event type '%s' must be letters and digits",
                            event_type);
    return BSS_OK;
}

/* Set when this thread recorded an event that has deliveries to make (bss_outbox_take_recorded). */
static _Thread_local bool recorded;

bool bss_outbox_take_recorded(void)
{
    bool r = recorded;
    recorded = false;
    return r;
}

bss_err bss_outbox_add(bss_db *db, int64_t now_ms, const char *api, const char *event_type,
                       const char *res_key, const json_t *resource, bss_errinfo *ei)
{
    bss_err rc = check_args(db, api, event_type, res_key, resource, ei);
    if (rc != BSS_OK)
        return rc;
    char event_id[BSS_ID_LEN + 1];
    int64_t wall = bss__events_wall_ms();
    bss_id_new(wall, event_id);
    json_t *env = envelope_new(event_id, now_ms, api, event_type, res_key, resource);
    size_t len = 0;
    char *payload = env ? bss_json_dump(env, &len) : NULL;
    json_decref(env);
    if (!payload)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory building an event");
    rc = bss_db_exec(db,
                     "INSERT INTO outbox (id, api, event_type, created_ms, payload) VALUES (?, ?, ?, ?, ?)",
                     BSS_DB_ARGS(EV_TEXT(event_id), BSS_DB_STR(api), BSS_DB_STR(event_type),
                                 BSS_DB_I64(now_ms), BSS_DB_STRN(payload, len)),
                     NULL, ei);
    bss_free(payload);
    if (rc != BSS_OK)
        return rc;
    char(*ids)[BSS_ID_LEN + 1] = NULL;
    size_t n = 0;
    rc = matching_subscriptions(db, api, event_type, &ids, &n, ei);
    for (size_t i = 0; rc == BSS_OK && i < n; i++)
        rc = bss_db_exec(
            db,
            "INSERT INTO event_delivery (subscription_id, event_id, status, attempts, next_attempt_ms, "
            "updated_ms) VALUES (?, ?, 'pending', 0, 0, ?)",
            BSS_DB_ARGS(EV_TEXT(ids[i]), EV_TEXT(event_id), BSS_DB_I64(wall)), NULL, ei);
    bss_free(ids);
    if (rc == BSS_OK && n > 0)
        recorded = true; /* a subscriber waits for it: wake the dispatcher after the commit */
    for (const bss_outbox_consumer *c = bss_outbox_consumers; rc == BSS_OK && c->fn; c++)
        rc = c->fn(db, now_ms, api, event_type, res_key, resource, ei); /* src/modules.c */
    return rc;
}

/* ---- redaction (GDPR erasure) ---- */

/* The envelope of payload with its resource reduced to {id, href, @type}: a new text, NULL on failure. */
static char *redacted(const char *payload, size_t len)
{
    json_t *env = NULL;
    if (bss_json_parse(payload, len, &env, NULL) != BSS_OK)
        return NULL;
    json_t *event = json_object_get(env, "event");
    json_t *bare = json_object();
    const char *key;
    json_t *res;
    json_object_foreach(event, key, res)
    {
        json_t *ref = json_object();
        static const char *const keep[] = {"id", "href", "@type"};
        for (size_t i = 0; ref && i < 3; i++) {
            json_t *v = json_object_get(res, keep[i]);
            if (v)
                json_object_set(ref, keep[i], v);
        }
        if (ref)
            json_object_set_new(bare, key, ref);
    }
    char *text = NULL;
    if (bare && json_object_set_new(env, "event", bare) == 0) {
        bare = NULL;
        json_object_set_new(env, "description", json_string("redacted: the data was erased"));
        text = bss_json_dump(env, NULL);
    }
    json_decref(bare);
    json_decref(env);
    return text;
}

bss_err bss_outbox_redact(bss_db *db, const char *needle, int64_t *changed, bss_errinfo *ei)
{
    if (changed)
        *changed = 0;
    if (!needle || !*needle || strpbrk(needle, "%_\\"))
        return bss_fail(ei, BSS_E_INVALID, NULL, "bss_outbox_redact: an id without LIKE metacharacters");
    char pattern[BSS_ID_LEN * 2 + 8];
    snprintf(pattern, sizeof pattern, "%%\"%s\"%%", needle);
    bss_db_rows *rows;
    bss_err rc = bss_db_query(db, "SELECT id, payload FROM outbox WHERE payload LIKE ? ORDER BY id",
                              BSS_DB_ARGS(BSS_DB_STRN(pattern, strlen(pattern))), &rows, ei);
    if (rc)
        return rc;
    size_t n = 0, cap = 0;
    struct red {
        char id[BSS_ID_LEN + 1];
        char *payload;
    } *v = NULL;
    while (bss_db_next(rows)) {
        size_t idlen = 0, plen = 0;
        const char *id = bss_db_col_text(rows, 0, &idlen);
        const char *payload = bss_db_col_text(rows, 1, &plen);
        if (!id || idlen > BSS_ID_LEN || !payload)
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct red *g = bss_realloc(v, ncap * sizeof *g);
            if (!g) {
                rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
                break;
            }
            v = g;
            cap = ncap;
        }
        memcpy(v[n].id, id, idlen);
        v[n].id[idlen] = '\0';
        v[n].payload = redacted(payload, plen);
        if (!v[n].payload) {
            rc = bss_fail(ei, BSS_E_INTERNAL, NULL, "event %.64s cannot be redacted", v[n].id);
            break;
        }
        n++;
    }
    if (!rc)
        rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    for (size_t i = 0; !rc && i < n; i++)
        rc = bss_db_exec(db, "UPDATE outbox SET payload = ? WHERE id = ?",
                         BSS_DB_ARGS(BSS_DB_STR(v[i].payload), EV_TEXT(v[i].id)), NULL, ei);
    if (!rc && changed)
        *changed = (int64_t)n;
    for (size_t i = 0; i < n; i++)
        bss_free(v[i].payload);
    bss_free(v);
    return rc;
}
