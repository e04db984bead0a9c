/*
 * errmap.c: the single table mapping bss_err codes to HTTP statuses, reason
 * phrases and status-specific headers, and the renderer of the TMF error
 * body. The HTTP layer (src/api/http.c) and the router's own 401/403/404/405
 * answers all come through here, so an error looks the same everywhere.
 */
#include "api/errmap.h"

#include <stdio.h>

#include "api/http.h"
#include "core/mem.h"

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
    if (ei != NULL && ei->details[0] != '\0') { /* every problem of the input, the first included */
        json_t *list = json_array();
        for (const char *p = ei->details; list && *p;) {
            const char *f = strchr(p, '\x1f'), *m = f ? strchr(f + 1, '\x1f') : NULL;
            const char *end = m ? strchr(m + 1, '\x1e') : NULL;
            if (!end)
                break;
            json_t *d = json_pack("{s:s%, s:s%, s:s%}", "code", p, (size_t)(f - p), "field", f + 1,
                                  (size_t)(m - f - 1), "message", m + 1, (size_t)(end - m - 1));
            if (!d || json_array_append_new(list, d))
                bad = 1;
            p = end + 1;
        }
        bad |= !list || json_object_set_new(body, "details", list);
    }
    if (bad) {
        json_decref(body);
        return NULL;
    }
    return body;
}

/* ---- the page referenceError points at ---- */

static const struct {
    const char *code;
    int status;
    const char *when, *todo;
} page_rows[] = {
    {"INVALID", 400, "A member or query parameter has the wrong type, format or value.",
     "Fix the member named in field (a JSON path) as the message says, and send again."},
    {"PARSE", 400, "The body is not JSON (the message gives line and column), or the request is not HTTP.",
     "Send well-formed JSON with Content-Type: application/json."},
    {"RANGE", 400, "A number is outside what the member accepts.", "Send a value in the range the message gives."},
    {"UNAUTHORIZED", 401, "No API key, a malformed one, or one that is unknown or revoked.",
     "Send Authorization: Bearer &lt;key&gt;; ask an admin for a key (bss key create)."},
    {"FORBIDDEN", 403, "The key's role may not call this route; the message names the roles that may.",
     "Use a key of one of those roles, or ask an admin."},
    {"NOT_FOUND", 404, "No route at this path, or no resource with this id.", "Check the path and the id."},
    {"METHOD", 405, "The path exists, the method does not (Allow lists the methods).", "Use a listed method."},
    {"CONFLICT", 409, "The request contradicts the stored state: deleting what is still named, a duplicate.",
     "Read the message: it names what is in the way (the referrers, the existing document)."},
    {"EXISTS", 409, "A resource with this identity exists already.", "Use the existing one, or another id."},
    {"STATE", 409, "A status change the resource's life cycle does not allow; the message lists the states it may go to.",
     "Move through the allowed states."},
    {"EXPECTATION", 417, "An Expect header other than 100-continue.", "Send no Expect header, or Expect: 100-continue."},
    {"TOO_BIG", 413, "The body is larger than --max-body, or the document larger than --doc-max-bytes.",
     "Send less; split large imports."},
    {"UNSUPPORTED", 415, "The body's Content-Type is not JSON (for PATCH: JSON merge patch).",
     "Send Content-Type: application/json (or application/merge-patch+json for PATCH)."},
    {"UNPROCESSABLE", 422, "Well-formed input that breaks a rule between members or documents.",
     "Read the message and field: they name the rule and where it is broken."},
    {"RATE", 429, "The key sent more requests than its role's rate, or has too many in progress.",
     "Wait for Retry-After seconds; spread the requests out."},
    {"BUSY", 503, "The store stayed busy after the retries.", "Send again after Retry-After."},
    {"LOCKED", 503, "The store is held by another process.", "Send again after Retry-After."},
    {"CANCELLED", 503, "The server is stopping and dropped the request before it ran.", "Send again."},
    {"TIMEOUT", 504, "The request took longer than allowed.", "Send again; narrow the request."},
    {"HTTP", 0, "An error the HTTP layer answers itself, with its own status.", "Read the message."},
    {"INTERNAL", 500, "A bug, or a store the server cannot reach; the log has the detail (by X-Request-Id).",
     "Tell the operator the X-Request-Id."},
    {"NOMEM", 500, "The server ran out of memory.", "Send again later; tell the operator."},
    {"DB", 500, "A store error.", "Tell the operator the X-Request-Id."},
    {"IO", 500, "An input/output error on the server.", "Tell the operator the X-Request-Id."},
    {"SCHEMA", 500, "The store's schema is newer than this binary.", "The operator runs a newer bss."},
    {"CONFIG", 500, "The server is misconfigured for this request.", "Tell the operator."},
};

char *bss_errmap_page(size_t *len)
{
    size_t cap = 16384, used = 0;
    char *out = bss_malloc(cap);
    if (!out)
        return NULL;
    int n = snprintf(out, cap,
                     "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bss error codes</title>"
                     "</head>\n<body>\n<h1>bss error codes</h1>\n<p>Every error has the TMF error body "
                     "{code, reason, message, status, referenceError, field}. message says what is wrong and "
                     "what to do; field names the member or parameter.</p>\n<table>\n"
                     "<tr><th>code</th><th>status</th><th>when</th><th>what to do</th></tr>\n");
    used = n > 0 ? (size_t)n : 0;
    for (size_t i = 0; i < sizeof page_rows / sizeof page_rows[0]; i++) {
        char st[8];
        snprintf(st, sizeof st, "%d", page_rows[i].status);
        n = snprintf(out + used, cap - used, "<tr id=\"%s\"><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
                     page_rows[i].code, page_rows[i].code, page_rows[i].status ? st : "as sent",
                     page_rows[i].when, page_rows[i].todo);
        if (n < 0 || (size_t)n >= cap - used) {
            bss_free(out);
            return NULL;
        }
        used += (size_t)n;
    }
    n = snprintf(out + used, cap - used, "</table>\n</body></html>\n");
    if (n < 0 || (size_t)n >= cap - used) {
        bss_free(out);
        return NULL;
    }
    *len = used + (size_t)n;
    return out;
}
