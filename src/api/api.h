/*
 * api.h: the REST interface, as the rest of bss sees it: the HTTP server
 * of `bss serve` (src/api/server.c): one h2o event loop per thread, each
 * with its own SO_REUSEPORT listener on --listen, its own read connection
 * to the store and its own key cache; HTTP/1.1 and HTTP/2 with prior
 * knowledge (h2c) on the same port. This is the one header of src/api
 * that other folders include (src/cli); http.h, router.h, routes.h,
 * tmf.h, query.h, errmap.h, metrics.h and the *_int.h headers are the
 * interface's own, shared by its files and their tests.
 */
#ifndef BSS_API_API_H
#define BSS_API_API_H

#include <stdbool.h>
#include <stdio.h>

#include "app.h"
#include "core/err.h"

/*
 * Blocks SIGINT and SIGTERM in the calling thread (and so in every thread
 * it starts afterwards) and ignores SIGPIPE. Call first thing in
 * `bss serve`, before any thread exists: bss_server_run then takes the
 * signals with sigtimedwait and stops gracefully.
 */
void bss_server_block_signals(void);

/*
 * Binds, serves until SIGINT/SIGTERM (or app->stopping is set), then stops
 * gracefully: listeners close, in-flight requests and writes finish (open
 * connections get up to --request-timeout), threads are joined. Logs
 * "event=http.listen addr=HOST:PORT threads=N" once every loop listens.
 * With port 0 the kernel picks the port and app->base_url follows it.
 * Needs app->writer (writes) and may have app->events (metrics).
 */
bss_err bss_server_run(bss_app *app, bss_errinfo *ei);

/*
 * Whether host:port can be listened on (nothing holds it), checked before
 * bss serve creates anything, so a port in use leaves no new store or key
 * behind. BSS_E_IO "the port is in use"; port 0 always passes.
 */
bss_err bss_server_check_listen(const char *host, int port, bss_errinfo *ei);

/*
 * Prints the routes bss serve registers for app's configuration: one line
 * per route (method, pattern, roles), or with matrix the role matrix of
 * docs/api.md (a Markdown table: resource x role, r / w / rw / - / public).
 */
bss_err bss_api_print_routes(const bss_app *app, bool matrix, FILE *out, bss_errinfo *ei);

#endif
