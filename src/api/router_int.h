/*
 * router_int.h: what the server and metrics need from the router beyond
 * router.h: the rows by index, so per-route counters can live in flat
 * arrays. Indexes are stable once registration is over (bss_router_add
 * appends).
 */
#ifndef BSS_API_ROUTER_INT_H
#define BSS_API_ROUTER_INT_H

#include "api/router.h"

size_t bss_router_count(const bss_router *rt);
const bss_route *bss_router_route_at(const bss_router *rt, size_t index);
/* The index of a row returned by bss_router_match. */
size_t bss_router_index_of(const bss_router *rt, const bss_route *route);

#endif
