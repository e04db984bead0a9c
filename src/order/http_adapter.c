/*
 * http_adapter.c: the southbound adapter for an operator's MVNE/OSS over
 * HTTP (order.h bss_prov_http_adapter; the contract is in
 * docs/provisioning.md). Each step is one
 *
 *   POST <provision-url>/tasks
 *   Authorization: Bearer <the token of --provision-token-file>
 *   Idempotency-Key: <order id>-<seq>
 *   {"id": "<order id>-<seq>", "type", "attempt", "input", "callback"}
 *
 * answered 200/201 {"status": "done", "result"?} (done), {"status":
 * "failed", "error"} (a failed try), or 202 {"status": "accepted"}: the
 * outcome comes later, by the MVNE's call to the callback URL
 * (POST /api/v1/provisioning/tasks/{order}/{seq}, with an API key of
 * bss) or, when none came within --provision-wait, by polling
 * GET <provision-url>/tasks/<id>, which answers the same shapes. Any
 * other answer, a timeout or a refused address is a failed try. The
 * connection may only reach a public address or one --provision-allow
 * names (core/netallow.h, checked on every address libcurl connects to).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/json.h"
#include "core/mem.h"
#include "order/order.h"
#include "order/order_int.h"

#define ANSWER_MAX (1 << 20)

typedef struct answer {
    char *data;
    size_t len;
    bool too_big;
} answer;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    answer *a = userdata;
    size_t n = size * nmemb;
    if (a->len + n > ANSWER_MAX) {
        a->too_big = true;
        return 0;
    }
    char *d = bss_realloc(a->data, a->len + n + 1);
    if (!d)
        return 0;
    memcpy(d + a->len, ptr, n);
    a->data = d;
    a->len += n;
    a->data[a->len] = '\0';
    return n;
}

typedef struct conn {
    const bss_prov_http *cfg;
    bool host_listed;
    char refused[200];
} conn;

static curl_socket_t open_checked(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    conn *c = clientp;
    char why[160];
    if (purpose != CURLSOCKTYPE_IPCXN)
        return CURL_SOCKET_BAD;
    if (bss_netallow_refuse(&c->cfg->allow, c->host_listed, &a->addr, why, sizeof why)) {
        snprintf(c->refused, sizeof c->refused, "%s, not allowed by provision-allow", why);
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* The host of an http(s) URL into host. */
static void url_host(const char *url, char *host, size_t cap)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = 0;
    if (*p == '[') {
        p++;
        while (p[n] && p[n] != ']' && n + 1 < cap)
            n++;
    } else {
        while (p[n] && p[n] != ':' && p[n] != '/' && p[n] != '?' && n + 1 < cap)
            n++;
    }
    snprintf(host, cap, "%.*s", (int)n, p);
}

/* One call; *status the HTTP status (0: no answer); *body the parsed answer (NULL if none or not JSON). */
static bss_err call(const bss_prov_http *cfg, const char *method, const char *url, const char *idem, const char *payload,
                    long *status, json_t **body, bss_errinfo *ei)
{
    *status = 0;
    *body = NULL;
    conn c = {.cfg = cfg};
    char host[256];
    url_host(url, host, sizeof host);
    c.host_listed = bss_netallow_has_host(&cfg->allow, host);
    char why[160];
    if (bss_netallow_refuse_host(&cfg->allow, host, why, sizeof why))
        return bss_fail(ei, BSS_E_FORBIDDEN, "provision-url", "%s, not allowed by provision-allow", why);
    CURL *e = curl_easy_init();
    if (!e)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    char auth[600], key[200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", cfg->token);
    snprintf(key, sizeof key, "Idempotency-Key: %s", idem);
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    hd = curl_slist_append(hd, key);
    if (cfg->token[0])
        hd = curl_slist_append(hd, auth);
    answer a = {0};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    if (payload) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, payload);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(payload));
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)cfg->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "bss-provisioning/1");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_checked);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &c);
    CURLcode cc = curl_easy_perform(e);
    bss_err rc = BSS_OK;
    if (cc == CURLE_OK) {
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
        json_error_t jerr;
        *body = a.data ? json_loads(a.data, 0, &jerr) : NULL;
    } else if (c.refused[0]) {
        rc = bss_fail(ei, BSS_E_FORBIDDEN, "provision-url", "%s", c.refused);
    } else if (a.too_big) {
        rc = bss_fail(ei, BSS_E_TOO_BIG, NULL, "the MVNE's answer is larger than %d bytes", ANSWER_MAX);
    } else {
        rc = bss_fail(ei, cc == CURLE_OPERATION_TIMEDOUT ? BSS_E_TIMEOUT : BSS_E_IO, NULL, "%s %s: %s", method, url,
                      errbuf[0] ? errbuf : curl_easy_strerror(cc));
    }
    curl_slist_free_all(hd);
    curl_easy_cleanup(e);
    bss_free(a.data);
    return rc;
}

/* What an answer means: done (*result), accepted, or a failed try (ei). */
static bss_err judge(long status, json_t *body, const char *what, json_t **result, bss_errinfo *ei)
{
    const char *st = json_string_value(json_object_get(body, "status"));
    if ((status == 200 || status == 201) && st && strcmp(st, "done") == 0) {
        json_t *r = json_object_get(body, "result");
        *result = json_is_object(r) ? json_incref(r) : NULL;
        return BSS_OK;
    }
    if ((status == 200 || status == 201 || status == 202) && st && strcmp(st, "accepted") == 0)
        return BSS_PROV_ACCEPTED;
    if ((status == 200 || status == 201) && st && strcmp(st, "failed") == 0)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, NULL, "%s: the MVNE refused it: %.180s", what,
                        json_string_value(json_object_get(body, "error")) ?: "no reason given");
    return bss_fail(ei, BSS_E_UNPROCESSABLE, NULL, "%s: the MVNE answered HTTP %ld%s", what, status,
                    st ? "" : " without a JSON status");
}

static bss_err http_run(void *ctx, const bss_prov_task *t, json_t **result, bss_errinfo *ei)
{
    const bss_prov_http *cfg = ctx;
    *result = NULL;
    char id[160], url[900], callback[900];
    snprintf(id, sizeof id, "%s-%lld", t->order_id, (long long)t->seq);
    long status = 0;
    json_t *body = NULL;
    bss_err rc;
    if (t->poll) {
        snprintf(url, sizeof url, "%s/tasks/%s", cfg->url, id);
        rc = call(cfg, "GET", url, id, NULL, &status, &body, ei);
    } else {
        snprintf(url, sizeof url, "%s/tasks", cfg->url);
        snprintf(callback, sizeof callback, "%s/api/v1/provisioning/tasks/%s/%lld", cfg->callback_base, t->order_id,
                 (long long)t->seq);
        json_t *req = json_pack("{s:s, s:s, s:I, s:O, s:s}", "id", id, "type", t->type, "attempt",
                                (json_int_t)t->attempt, "input", t->input, "callback", callback);
        char *payload = req ? json_dumps(req, JSON_COMPACT) : NULL;
        json_decref(req);
        if (!payload)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        rc = call(cfg, "POST", url, id, payload, &status, &body, ei);
        bss_free(payload);
    }
    if (rc == BSS_OK)
        rc = judge(status, body, t->type, result, ei);
    json_decref(body);
    return rc;
}

bss_prov_adapter bss_prov_http_adapter(bss_prov_http *cfg)
{
    return (bss_prov_adapter){.name = "http", .run = http_run, .ctx = cfg};
}
