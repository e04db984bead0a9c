/*
 * errmap.c: the single table mapping bss_err codes to HTTP statuses, reason
 * phrases and status-specific headers, and the renderer of the TMF error
 * body. The HTTP layer (src/api/http.c) and the router's own 401/403/404/405
 * answers all come through here, so an error looks the same everywhere.
 */
#include "api/errmap.h"

#include <stdio.h>

#include "api/http.h"

static const bss_errmap_entry rows[BSS_E__COUNT] = {
    [BSS_E_OK] = {200, "OK", NULL, NULL},
    [BSS_E_NOMEM] = {500, "Internal Server Error", NULL, NULL},
    [BSS_E_INVALID] = {400, "Bad Request", NULL, NULL},
    [BSS_E_PARSE] = {400, "Bad Request", NULL, NULL},
    [BSS_E_RANGE] = {400, "Bad Request", NULL, NULL},
    [BSS_E_NOT_FOUND] = {404, "Not Found", NULL, NULL},
    [BSS_E_CONFLICT] = {409, "Conflict", NULL, NULL},
    [BSS_E_EXISTS] = {409, "Conflict", NULL, NULL},
    [BSS_E_STATE] = {409, "Conflict", NULL, NULL},
    [BSS_E_UNPROCESSABLE] = {422, "Unprocessable Entity", NULL, NULL},
    [BSS_E_UNAUTHORIZED] = {401, "Unauthorized", "WWW-Authenticate", "Bearer realm=\"bss\""},
    [BSS_E_FORBIDDEN] = {403, "Forbidden", NULL, NULL},
    [BSS_E_TOO_BIG] = {413, "Payload Too Large", NULL, NULL},
    [BSS_E_METHOD] = {405, "Method Not Allowed", NULL, NULL},
    [BSS_E_UNSUPPORTED] = {415, "Unsupported Media Type", NULL, NULL},
    [BSS_E_BUSY] = {503, "Service Unavailable", "Retry-After", "1"},
    [BSS_E_TIMEOUT] = {504, "Gateway Timeout", NULL, NULL},
    [BSS_E_DB] = {500, "Internal Server Error", NULL, NULL},
    [BSS_E_IO] = {500, "Internal Server Error", NULL, NULL},
    [BSS_E_SCHEMA] = {500, "Internal Server Error", NULL, NULL},
    [BSS_E_LOCKED] = {503, "Service Unavailable", "Retry-After", "1"},
    [BSS_E_CONFIG] = {500, "Internal Server Error", NULL, NULL},
    [BSS_E_DONE] = {500, "Internal Server Error", NULL, NULL},
    [BSS_E_CANCELLED] = {503, "Service Unavailable", NULL, NULL}, /* never sent: its client is gone */
    [BSS_E_RATE] = {429, "Too Many Requests", "Retry-After", "1"},
    [BSS_E_INTERNAL] = {500, "Internal Server Error", NULL, NULL},
};

const bss_errmap_entry *bss_errmap_get(bss_err code)
{
    if ((unsigned)code >= BSS_E__COUNT || rows[code].status == 0)
        return &rows[BSS_E_INTERNAL];
    return &rows[code];
}

int bss_http_status_of(bss_err code)
{
    return bss_errmap_get(code)->status;
}

/* A JSON string, falling back when text is not valid UTF-8 (a message may quote raw input). */
static json_t *str_or(const char *text, const char *fallback)
{
    json_t *v = json_string(text);
    return v != NULL ? v : json_string(fallback);
}

json_t *bss_errmap_body(bss_err code, const bss_errinfo *ei, const char *base_url)
{
    if ((unsigned)code >= BSS_E__COUNT)
        code = BSS_E_INTERNAL;
    const bss_errmap_entry *e = bss_errmap_get(code);
    const char *name = bss_errname(code);
    const char *message = (ei != NULL && ei->message[0] != '\0') ? ei->message : bss_strerror(code);
    char status[8], ref[600];
    snprintf(status, sizeof(status), "%d", e->status);
    snprintf(ref, sizeof(ref), "%s/docs/errors#%s", base_url ? base_url : "", name);
    json_t *body = json_object();
    if (body == NULL)
        return NULL;
    int bad = json_object_set_new(body, "@type", json_string("Error"));
    bad |= json_object_set_new(body, "code", json_string(name));
    bad |= json_object_set_new(body, "reason", json_string(e->reason));
    bad |= json_object_set_new(body, "message", str_or(message, bss_strerror(code)));
    bad |= json_object_set_new(body, "status", json_string(status));
    bad |= json_object_set_new(body, "referenceError", str_or(ref, "/docs/errors"));
    if (ei != NULL && ei->field[0] != '\0')
        bad |= json_object_set_new(body, "field", str_or(ei->field, "?"));
    if (bad) {
        json_decref(body);
        return NULL;
    }
    return body;
}
