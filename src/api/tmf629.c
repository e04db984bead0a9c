/*
 * tmf629.c: TMF629 Customer Management v4 over HTTP: the binding of the
 * customer kind (customer.h, rules in src/customer/customer_res.c) at
 * /tmf-api/customerManagement/v4/customer, read by every staff role (not
 * "network", which is for the charging peers), written by admin and agent
 * keys, never deleted (a customer is closed).
 */
#include "api/routes.h"
#include "api/tmf.h"
#include "customer/customer.h"

static const bss_tmf_binding customer = {
    .kind = &bss_customer_kind,
    BSS_TMF_PATHS(BSS_TMF629_BASE, "customer"),
    .read_roles = BSS_ROLES_READERS,
    .write_roles = BSS_ROLE_ADMIN | BSS_ROLE_AGENT,
    BSS_TMF_NAMES("tmf629.customer"),
};

bss_err bss_tmf629_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    return bss_tmf_register(rt, &customer);
}
