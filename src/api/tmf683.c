/*
 * tmf683.c: TMF683 Party Interaction v4 over HTTP: the binding of the
 * interaction kind (customer.h, rules in src/customer/interaction.c) at
 * /tmf-api/partyInteraction/v4/partyInteraction, read by every staff role,
 * written by admin and agent keys. Interactions are records: no DELETE.
 */
#include "api/routes.h"
#include "api/tmf.h"
#include "customer/customer.h"

static const bss_tmf_binding interaction = {
    .kind = &bss_interaction_kind,
    BSS_TMF_PATHS(BSS_TMF683_BASE, "partyInteraction"),
    .read_roles = BSS_ROLES_READERS,
    .write_roles = BSS_ROLE_ADMIN | BSS_ROLE_AGENT,
    BSS_TMF_NAMES("tmf683.partyInteraction"),
};

bss_err bss_tmf683_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    return bss_tmf_register(rt, &interaction);
}
