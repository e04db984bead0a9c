/*
 * ticket.h: TMF621 Trouble Ticket v4 (src/customer/ticket.c) at
 * /tmf-api/troubleTicket/v4/troubleTicket. The rules are pure functions
 * here so tests reach them without a store:
 *
 *   severity -> SLA: critical 4 h, major 24 h, minor 72 h, low 7 days from
 *   creationDate (the one table sla_table in ticket.c), stored as
 *   expectedResolutionDate and recomputed when the severity changes.
 *
 *   status: acknowledged -> inProgress; inProgress <-> pending;
 *   inProgress | pending -> resolved; resolved -> inProgress (reopen) |
 *   closed; closed is final. Anything else is BSS_E_STATE (409).
 */
#ifndef BSS_CUSTOMER_TICKET_H
#define BSS_CUSTOMER_TICKET_H

#include <stdbool.h>
#include <stdint.h>

#include "api/router.h"
#include "api/tmf.h"
#include "db/resource.h"

extern bss_res_table bss_ticket_table; /* "tmf621_trouble_ticket" */
extern const bss_tmf_resource bss_ticket_resource;

/* The SLA of a severity (case-insensitive) in ms; -1 for an unknown severity. */
int64_t bss_ticket_sla_ms(const char *severity);

/* Whether status may change from -> to (equal is allowed); false for unknown names. */
bool bss_ticket_transition_ok(const char *from, const char *to);

/* Routes of the trouble ticket resource. */
bss_err bss_ticket_register_routes(bss_router *rt);

#endif
