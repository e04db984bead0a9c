/*
 * tmf637.c: TMF637 Product Inventory v4 over HTTP: the binding of the
 * product kind (order.h, rules in src/order/product.c) at
 * /tmf-api/productInventory/v4/product, read by every staff role. Orders
 * create and change products; admin keys may write them directly (moving
 * a customer base in from a legacy system), under the same rules. No
 * DELETE: a product ends terminated, cancelled or aborted.
 */
#include "api/routes.h"
#include "api/tmf.h"
#include "order/order.h"

static const bss_tmf_binding product = {
    .kind = &bss_product_kind,
    BSS_TMF_PATHS(BSS_TMF637_BASE, "product"),
    .read_roles = BSS_ROLES_READERS,
    .write_roles = BSS_ROLE_ADMIN,
    BSS_TMF_NAMES("tmf637.product"),
};

bss_err bss_tmf637_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    return bss_tmf_register(rt, &product);
}
