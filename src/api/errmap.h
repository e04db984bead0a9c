/*
 * errmap.h: the one table from bss_err to HTTP (src/api/errmap.c). Every
 * error the API answers goes through it: the status, the short reason, the
 * extra headers a status needs (WWW-Authenticate on 401, Retry-After on 503)
 * and the TMF error body {code, reason, message, status, referenceError}.
 * Handlers never pick a status for an error themselves.
 */
#ifndef BSS_API_ERRMAP_H
#define BSS_API_ERRMAP_H

#include <jansson.h>

#include "core/err.h"

typedef struct bss_errmap_entry {
    int status;            /* 404 */
    const char *reason;    /* "Not Found": the TMF `reason` and the HTTP reason phrase */
    const char *hdr_name;  /* extra response header for this status, or NULL */
    const char *hdr_value; /* its value */
} bss_errmap_entry;

/* The row for code (unknown codes get the INTERNAL row). Never NULL. */
const bss_errmap_entry *bss_errmap_get(bss_err code);

/*
 * The TMF error body as a new reference (NULL on OOM):
 *   {"@type":"Error","code":"NOT_FOUND","reason":"Not Found","message":"...",
 *    "status":"404","referenceError":"<base_url>/docs/errors#NOT_FOUND"[,"field":"..."]}
 * message is ei->message when ei carries one, else the code's default text.
 */
json_t *bss_errmap_body(bss_err code, const bss_errinfo *ei, const char *base_url);

/*
 * The page referenceError points at (GET /docs/errors, public): every code
 * the API answers with its status, what it means and what to do, one
 * anchor per code (#INVALID ...), as HTML. bss_malloc'd; NULL on OOM.
 */
char *bss_errmap_page(size_t *len);

#endif
