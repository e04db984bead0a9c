/*
 * tmf637.c: TMF637 Product Inventory v4 over HTTP: the binding of the
 * product kind (order.h, rules in src/order/product.c) at
 * /tmf-api/productInventory/v4/product, read by every staff role. Orders
 * create and change products; admin keys may write them directly (moving
 * a customer base in from a legacy system), under the same rules. No
 * DELETE: a product ends terminated, cancelled or aborted.
 *
 *   GET /api/v1/products/{id}/esim-qr.png   admin, agent, integration: the
 *       eSIM's activation code (characteristic activationCode) as a QR
 *       image to scan with the phone; 404 when the product has none.
 *       Cache-Control: no-store (the code installs the profile once).
 */
#include <stdio.h>
#include <string.h>

#include "api/routes.h"
#include "api/tmf.h"
#include "core/mem.h"
#include "core/qr.h"
#include "order/order.h"

static const bss_tmf_binding product = {
    .kind = &bss_product_kind,
    BSS_TMF_PATHS(BSS_TMF637_BASE, "product"),
    .read_roles = BSS_ROLES_READERS,
    .write_roles = BSS_ROLE_ADMIN,
    BSS_TMF_NAMES("tmf637.product"),
};

typedef struct qr_job {
    char id[BSS_ID_MAX + 1];
    unsigned char *png;
    size_t len;
} qr_job;

static bss_err qr_read(bss_db *db, void *arg, bss_errinfo *ei)
{
    qr_job *q = arg;
    json_t *p = NULL;
    bss_err rc = bss_doc_load(db, &bss_product_kind, q->id, &p, NULL, ei);
    if (rc != BSS_OK)
        return rc;
    const char *code = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(p, "productCharacteristic"), i, c)
    {
        const char *n = json_string_value(json_object_get(c, "name"));
        if (n && strcmp(n, "activationCode") == 0)
            code = json_string_value(json_object_get(c, "value"));
    }
    rc = code ? bss_qr_png(code, 8, &q->png, &q->len, ei)
              : bss_fail(ei, BSS_E_NOT_FOUND, "activationCode",
                         "product %.64s has no eSIM activation code (a physical SIM, or its order is not done)", q->id);
    json_decref(p);
    return rc;
}

static void qr_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    qr_job *q = arg;
    if (r && rc != BSS_OK)
        bss_http_send_error(r, rc, ei);
    else if (r) {
        bss_http_add_header(r, "Cache-Control", "no-store");
        bss_http_send_text(r, 200, "image/png", (const char *)q->png, q->len);
    }
    bss_free(q->png);
    bss_free(q);
}

static int h_qr(bss_req *r)
{
    const char *id = bss_tmf_path_id(r, "product");
    if (!id)
        return 0;
    qr_job *q = bss_calloc(1, sizeof *q);
    if (!q) {
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    snprintf(q->id, sizeof q->id, "%s", id);
    bss_http_read(r, qr_read, q, qr_done);
    return 0;
}

static const bss_route qr_route = {"GET", "/api/v1/products/{id}/esim-qr.png", h_qr,
                                   BSS_ROLE_ADMIN | BSS_ROLE_AGENT | BSS_ROLE_INTEGRATION, "product.esim_qr", NULL};

bss_err bss_tmf637_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    bss_err rc = bss_tmf_register(rt, &product);
    return rc == BSS_OK ? bss_router_add(rt, &qr_route) : rc;
}
