/*
 * care.h: the customer-care part of customer management, as the server
 * sees it: one register call for its routes (interactions, trouble
 * tickets, the customer view, search) and the view builder the route and
 * the tests share (src/customer/view.c).
 */
#ifndef BSS_CUSTOMER_CARE_H
#define BSS_CUSTOMER_CARE_H

#include <jansson.h>

#include "api/router.h"
#include "core/err.h"
#include "db/db.h"

#define BSS_VIEW_INTERACTIONS 20 /* lastInteractions of the view */
#define BSS_VIEW_BILLS 3         /* lastBills of the view */

/*
 * Adds the routes of customer care:
 *   /tmf-api/partyInteraction/v4/partyInteraction[/{id}]  (TMF683; GET, POST, PATCH)
 *   /tmf-api/troubleTicket/v4/troubleTicket[/{id}]        (TMF621; GET, POST, PATCH)
 *   GET /api/v1/customers/{id}/view
 *   GET /api/v1/search?q=...&limit=20
 * The hubs ({base}/hub) of partyInteraction and troubleTicket come from
 * the tmf_apis table of src/api/routes.c.
 */
bss_err bss_care_register_routes(bss_router *rt);

/*
 * The customer view: {customer, party, accounts, subscriptions, balances,
 * lastBills, openOrders, openTickets, lastInteractions}. BSS_E_NOT_FOUND
 * (field "id") if there is no such customer; every other part is empty
 * when it has no data or its table does not exist yet.
 */
bss_err bss_care_view_build(bss_db *db, const char *customer_id, json_t **out, bss_errinfo *ei);

#endif
