/*
 * http.h: what a request handler sees of the HTTP server (src/api/server.c,
 * libh2o evloop, one loop per core). A handler reads top to bottom: check
 * input -> parse into typed values -> call the domain -> render, answering
 * with exactly one bss_http_send_* call, or handing a write to the
 * group-commit writer with bss_http_write and answering in its completion.
 *
 * Routes are table rows (bss_route); each API file registers its rows and
 * src/api/routes.c lists them. A route declares the roles it allows; the
 * router authenticates (Authorization: Bearer <key>) and checks the role
 * before the handler runs, answering 401/403 itself. Errors are rendered
 * from bss_err through the one table in src/api/errmap.c as the TMF error
 * body {code, reason, message, status, referenceError}.
 */
#ifndef BSS_API_HTTP_H
#define BSS_API_HTTP_H

#include <h2o.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "auth/auth.h"
#include "core/err.h"
#include "db/db.h"
#include "db/workers.h"
#include "db/writer.h"

typedef struct bss_loop bss_loop; /* one event loop thread: h2o context, its DB connection */
typedef struct bss_req bss_req;

typedef int (*bss_handler)(bss_req *r); /* returns 0; the answer is sent or deferred */

typedef struct bss_route {
    const char *method;  /* "GET", "POST", "PATCH", "PUT", "DELETE" */
    const char *pattern; /* "/tmf-api/productCatalogManagement/v4/category/{id}" ({x} = one segment) */
    bss_handler handler;
    unsigned roles;   /* BSS_ROLE_* bits allowed; BSS_ROLES_PUBLIC for none */
    const char *name; /* metrics label, e.g. "tmf620.category.get" */
    const void *data; /* handler data (a TMF resource descriptor, an API name) */
} bss_route;

#define BSS_MAX_PATH_PARAMS 4

struct bss_req {
    h2o_req_t *h2o;
    bss_loop *loop;
    bss_app *app;
    bss_db *db; /* the loop's connection: reads only; writes go through bss_http_write */
    const bss_route *route;
    size_t nparams;
    struct {
        const char *name; /* "id" */
        char *value;      /* URL-decoded, NUL-terminated */
    } params[BSS_MAX_PATH_PARAMS];
    const char *query; /* raw query string after '?', not decoded (NULL if none) */
    size_t query_len;
    const bss_principal *who; /* NULL on public routes */
    char request_id[40];
    int64_t start_ns;
    bool answered;
};

/* A path parameter by name, NULL if absent. */
const char *bss_http_param(const bss_req *r, const char *name);
/* The request body (already capped at --max-body). */
h2o_iovec_t bss_http_body(const bss_req *r);
/*
 * Whether a request body's Content-Type (may be NULL: none given, taken as
 * JSON) is JSON: application/json, or with merge_patch also
 * application/merge-patch+json (parameters such as charset ignored, case
 * insensitive). BSS_E_UNSUPPORTED (415) naming "Content-Type" otherwise.
 */
bss_err bss_http_check_body_type(const char *content_type, size_t len, bool merge_patch, bss_errinfo *ei);

/*
 * Parses the body as JSON (object required if want_object) after checking
 * its Content-Type (a PATCH may send a merge patch); answers 400/415 itself
 * and returns NULL on error.
 */
json_t *bss_http_json_body(bss_req *r, bool want_object);
/* A request header value (case-insensitive name), NULL if absent. */
const char *bss_http_header(bss_req *r, const char *name, size_t *len);

/* Adds a response header; name and value are copied. Call before send. */
void bss_http_add_header(bss_req *r, const char *name, const char *value);
/* Sends body (a new reference is NOT taken: the function steals `body`) as application/json. */
void bss_http_send_json(bss_req *r, int status, json_t *body);
void bss_http_send_text(bss_req *r, int status, const char *content_type, const char *body, size_t len);
void bss_http_send_empty(bss_req *r, int status);
/* The TMF error body for code (status from the errmap table), message and field from ei if given. */
void bss_http_send_error(bss_req *r, bss_err code, const bss_errinfo *ei);
/* The same with a message made here: bss_http_send_fail(r, BSS_E_INVALID, "limit", "limit must be ..."). */
void bss_http_send_fail(bss_req *r, bss_err code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The HTTP status for an error code (errmap table). */
int bss_http_status_of(bss_err code);

/*
 * The answer of a write's or a work's completion: nothing when the client
 * went away (r NULL), the error when rc is not BSS_OK, else *body as JSON
 * with status (stolen: *body becomes NULL); a 201 carries Location from
 * the body's href when it has one.
 */
void bss_http_reply(bss_req *r, bss_err rc, const bss_errinfo *ei, int status, json_t **body);

/*
 * Runs fn on the group-commit writer; when its batch has committed (or
 * failed) done runs back on this request's loop thread with the result.
 * If the client went away meanwhile, done is called with r == NULL (free
 * arg, do not answer).
 */
typedef void (*bss_http_write_done_fn)(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg);
void bss_http_write(bss_req *r, bss_write_fn fn, void *arg, bss_http_write_done_fn done);

/*
 * Runs fn on a background worker (app->workers: its own store connection,
 * reads there, changes through bss_writer_run) for work too long for an
 * event loop; done then runs back on this request's loop, as with
 * bss_http_write (r == NULL if the client went away).
 */
void bss_http_work(bss_req *r, bss_work_fn fn, void *arg, bss_http_write_done_fn done);

/*
 * The same for a read that may cost more than a few milliseconds (a list
 * filtered or sorted in memory, the customer view, search, an export):
 * every such read runs on a worker, never on a loop, so no request can
 * hold a loop by what it asks for. A read still queued when its client
 * goes away (a reset stream, a closed connection) is skipped: done gets
 * r == NULL and BSS_E_CANCELLED.
 */
void bss_http_read(bss_req *r, bss_work_fn fn, void *arg, bss_http_write_done_fn done);

/*
 * A read answered 200 with one JSON value: fn builds *out on a worker
 * (serialized there too); an error is the TMF error body. sent (may be
 * NULL) runs on the loop after a 200 with the value, for the access audit;
 * arg is freed with arg_free (may be NULL) in every case.
 */
typedef bss_err (*bss_read_json_fn)(bss_db *db, void *arg, json_t **out, bss_errinfo *ei);
typedef void (*bss_read_json_sent_fn)(bss_req *r, const json_t *out, void *arg);
void bss_http_read_json(bss_req *r, bss_read_json_fn fn, void *arg, void (*arg_free)(void *),
                        bss_read_json_sent_fn sent);

/* The absolute href prefix ("http://127.0.0.1:8080"). */
const char *bss_http_base_url(const bss_req *r);

#endif
