/*
 * tmf621.c: TMF621 Trouble Ticket v4 over HTTP: the binding of the ticket
 * kind (customer.h, rules in src/customer/ticket.c) at
 * /tmf-api/troubleTicket/v4/troubleTicket, read by every staff role,
 * written by admin, agent and billing keys. Tickets are records: no DELETE.
 */
#include "api/routes.h"
#include "api/tmf.h"
#include "customer/customer.h"

static const bss_tmf_binding ticket = {
    .kind = &bss_ticket_kind,
    BSS_TMF_PATHS(BSS_TMF621_BASE, "troubleTicket"),
    .read_roles = BSS_ROLES_READERS,
    .write_roles = BSS_ROLE_ADMIN | BSS_ROLE_AGENT | BSS_ROLE_BILLING,
    BSS_TMF_NAMES("tmf621.troubleTicket"),
};

bss_err bss_tmf621_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    return bss_tmf_register(rt, &ticket);
}
