/*
 * h2guard.h: the HTTP/2 flood defence. Debian's libh2o is 2.2.5, older
 * than upstream's mitigations for the frame floods of 2019 and the Rapid
 * Reset attack of 2023 (CVE-2023-44487: HEADERS then RST_STREAM, again
 * and again, so a reset stream's work is done while the concurrent-stream
 * limit never bites). Each HTTP/2 connection gets, on its first request,
 * a frame meter in front of h2o's frame reader (h2o_http2_conn_t's
 * _read_expect, laid out as h2o's own http2_internal.h has it): a token bucket for
 * stream resets and one for the control frames that cost nothing to send
 * (PING, SETTINGS, PRIORITY, WINDOW_UPDATE, empty DATA). A connection that
 * empties one gets GOAWAY(ENHANCE_YOUR_CALM) and is closed, and the event
 * is logged. The work of a reset stream is skipped anyway
 * (bss_http_read), so the meter bounds what is left: parsing.
 *
 * One guard per event loop; its table is touched only by the loop's thread.
 */
#ifndef BSS_API_H2GUARD_H
#define BSS_API_H2GUARD_H

#include <h2o.h>
#include <stdint.h>

typedef struct bss_h2guard bss_h2guard;

#define BSS_H2_RESETS_BURST 200      /* resets a connection may send at once */
#define BSS_H2_RESETS_PER_S 20       /* and then per second */
#define BSS_H2_CONTROL_BURST 1000    /* cheap control frames at once */
#define BSS_H2_CONTROL_PER_S 200     /* and then per second */

bss_h2guard *bss_h2guard_new(void);
void bss_h2guard_free(bss_h2guard *g); /* once the loop's thread has ended */

/* Puts the meter on req's connection when it is HTTP/2 and has none yet. */
void bss_h2guard_watch(bss_h2guard *g, h2o_req_t *req);

/* Connections closed for a flood since start (for /metrics and tests). */
uint64_t bss_h2guard_closed(const bss_h2guard *g);

#endif
