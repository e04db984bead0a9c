/*
 * test_hub.c: the TMF688 hub routes of src/api/hub.c: the rows one API
 * gets ({base}/hub create, get, delete with their roles and names), a bad
 * registration, and a second router (another server start) reusing the
 * interned pattern strings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/router.h"
#include "api/routes.h"
#include "core/mem.h"

#define API "productCatalogManagement"

static void test_hub_routes(void **state)
{
    (void)state;
    bss_router *rt = bss_router_create();
    assert_non_null(rt);
    const char *base = "/tmf-api/productCatalogManagement/v4";
    assert_int_equal(bss_hub_routes(rt, API, base), BSS_OK);
    assert_int_equal(bss_hub_routes(rt, "partyManagement", "/tmf-api/party/v4"), BSS_OK);
    assert_int_equal(bss_hub_routes(rt, NULL, base), BSS_E_INVALID);

    bss_route_match m;
    const char *p = "/tmf-api/productCatalogManagement/v4/hub";
    assert_int_equal(bss_router_match(rt, "POST", 4, p, strlen(p), &m), BSS_OK);
    assert_string_equal(m.route->name, "hub.create");
    assert_int_equal(m.route->roles, BSS_ROLES_HUB);
    p = "/tmf-api/productCatalogManagement/v4/hub/abc";
    assert_int_equal(bss_router_match(rt, "GET", 3, p, strlen(p), &m), BSS_OK);
    assert_string_equal(m.route->name, "hub.get");
    assert_int_equal(m.route->roles, BSS_ROLES_HUB);
    assert_int_equal(m.nparams, 1);
    assert_int_equal(m.params[0].len, 3);
    assert_int_equal(bss_router_match(rt, "DELETE", 6, p, strlen(p), &m), BSS_OK);
    assert_string_equal(m.route->name, "hub.delete");
    assert_int_equal(m.route->roles, BSS_ROLES_HUB);
    assert_int_equal(bss_router_match(rt, "PUT", 3, p, strlen(p), &m), BSS_E_METHOD);
    p = "/tmf-api/party/v4/hub";
    assert_int_equal(bss_router_match(rt, "POST", 4, p, strlen(p), &m), BSS_OK);
    bss_router_destroy(rt);

    /* a second router (another server start) reuses the same pattern strings */
    rt = bss_router_create();
    assert_int_equal(bss_hub_routes(rt, API, base), BSS_OK);
    bss_router_destroy(rt);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_hub_routes)};
    return cmocka_run_group_tests_name("hub", tests, NULL, NULL);
}
