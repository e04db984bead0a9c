/*
 * test_router.c: the route table: literal segments beat {param}, params
 * are captured (not decoded), backtracking when a literal branch dead-ends,
 * 404 vs 405 with the Allow list, the root path, trailing slashes and empty
 * segments, and the rows refused at registration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/router.h"
#include "api/router_int.h"
#include "core/mem.h"

static int h(bss_req *r)
{
    return 0;
}

static bss_router *make(void)
{
    static const bss_route rows[] = {
        {"GET", "/health", h, 0, "health", NULL},
        {"GET", "/", h, 0, "root", NULL},
        {"GET", "/api/category", h, 1, "cat.list", NULL},
        {"POST", "/api/category", h, 1, "cat.create", NULL},
        {"GET", "/api/category/{id}", h, 1, "cat.get", NULL},
        {"PATCH", "/api/category/{id}", h, 1, "cat.patch", NULL},
        {"GET", "/api/category/new", h, 1, "cat.new", NULL},
        {"GET", "/api/a/{x}/c", h, 1, "axc", NULL},
        {"GET", "/api/a/b/d", h, 1, "abd", NULL},
        {"DELETE", "/api/{api}/hub/{id}", h, 1, "hub.delete", NULL},
    };
    bss_router *rt = bss_router_create();
    assert_non_null(rt);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        assert_int_equal(bss_router_add(rt, &rows[i]), BSS_OK);
    return rt;
}

static bss_err match(bss_router *rt, const char *method, const char *path, bss_route_match *m)
{
    return bss_router_match(rt, method, strlen(method), path, strlen(path), m);
}

static void test_literal_beats_param(void **state)
{
    bss_router *rt = make();
    bss_route_match m;
    assert_int_equal(match(rt, "GET", "/api/category/new", &m), BSS_OK);
    assert_string_equal(m.route->name, "cat.new");
    assert_int_equal(m.nparams, 0);
    assert_int_equal(match(rt, "GET", "/api/category/abc%20d", &m), BSS_OK);
    assert_string_equal(m.route->name, "cat.get");
    assert_int_equal(m.nparams, 1);
    assert_string_equal(m.params[0].name, "id");
    assert_int_equal(m.params[0].len, 7);
    assert_memory_equal(m.params[0].value, "abc%20d", 7);
    bss_router_destroy(rt);
}

static void test_backtracking(void **state)
{
    bss_router *rt = make();
    bss_route_match m;
    /* the literal "b" branch has only /d: /c must come from {x} */
    assert_int_equal(match(rt, "GET", "/api/a/b/c", &m), BSS_OK);
    assert_string_equal(m.route->name, "axc");
    assert_int_equal(m.nparams, 1);
    assert_memory_equal(m.params[0].value, "b", 1);
    assert_int_equal(match(rt, "GET", "/api/a/b/d", &m), BSS_OK);
    assert_string_equal(m.route->name, "abd");
    assert_int_equal(m.nparams, 0);
    /* two params */
    assert_int_equal(match(rt, "DELETE", "/api/x/hub/42", &m), BSS_OK);
    assert_int_equal(m.nparams, 2);
    assert_string_equal(m.params[0].name, "api");
    assert_string_equal(m.params[1].name, "id");
    assert_memory_equal(m.params[1].value, "42", 2);
    bss_router_destroy(rt);
}

static void test_not_found_and_method(void **state)
{
    bss_router *rt = make();
    bss_route_match m;
    assert_int_equal(match(rt, "GET", "/nope", &m), BSS_E_NOT_FOUND);
    assert_int_equal(match(rt, "GET", "/health/", &m), BSS_E_NOT_FOUND); /* trailing slash */
    assert_int_equal(match(rt, "GET", "/api//category", &m), BSS_E_NOT_FOUND);
    assert_int_equal(match(rt, "GET", "/api/category/", &m), BSS_E_NOT_FOUND); /* empty id */
    assert_int_equal(match(rt, "GET", "", &m), BSS_E_NOT_FOUND);
    assert_int_equal(match(rt, "GET", "health", &m), BSS_E_NOT_FOUND);
    assert_int_equal(match(rt, "GET", "/api/a/b", &m), BSS_E_NOT_FOUND); /* a prefix, not a route */
    assert_int_equal(match(rt, "DELETE", "/api/category", &m), BSS_E_METHOD);
    assert_string_equal(m.allow, "GET, POST");
    assert_null(m.route);
    assert_int_equal(match(rt, "PUT", "/api/category/7", &m), BSS_E_METHOD);
    assert_string_equal(m.allow, "GET, PATCH");
    assert_int_equal(match(rt, "POST", "/health", &m), BSS_E_METHOD);
    assert_string_equal(m.allow, "GET");
    /* methods are case-sensitive */
    assert_int_equal(match(rt, "get", "/health", &m), BSS_E_METHOD);
    assert_int_equal(match(rt, "GET", "/", &m), BSS_OK);
    assert_string_equal(m.route->name, "root");
    bss_router_destroy(rt);
}

static void test_bad_rows(void **state)
{
    bss_router *rt = bss_router_create();
    bss_route r = {"GET", "/a/{id}", h, 0, "a", NULL};
    assert_int_equal(bss_router_add(rt, &r), BSS_OK);
    assert_int_equal(bss_router_add(rt, &r), BSS_E_EXISTS); /* same method twice */
    bss_route other = {"GET", "/a/{other}/x", h, 0, "b", NULL};
    assert_int_equal(bss_router_add(rt, &other), BSS_E_INVALID); /* param names must agree */
    bss_route norel = {"GET", "a", h, 0, "c", NULL};
    assert_int_equal(bss_router_add(rt, &norel), BSS_E_INVALID);
    bss_route trailing = {"GET", "/a/", h, 0, "d", NULL};
    assert_int_equal(bss_router_add(rt, &trailing), BSS_E_INVALID);
    bss_route dbl = {"GET", "//a", h, 0, "e", NULL};
    assert_int_equal(bss_router_add(rt, &dbl), BSS_E_INVALID);
    bss_route many = {"GET", "/{a}/{b}/{c}/{d}/{e}", h, 0, "f", NULL};
    assert_int_equal(bss_router_add(rt, &many), BSS_E_INVALID);
    bss_route nohandler = {"GET", "/z", NULL, 0, "g", NULL};
    assert_int_equal(bss_router_add(rt, &nohandler), BSS_E_INVALID);
    assert_int_equal(bss_router_count(rt), 1);
    bss_router_destroy(rt);
    bss_router_destroy(NULL);
}

static void test_indexes(void **state)
{
    bss_router *rt = make();
    bss_route_match m;
    assert_int_equal(bss_router_count(rt), 10);
    assert_int_equal(match(rt, "POST", "/api/category", &m), BSS_OK);
    size_t i = bss_router_index_of(rt, m.route);
    assert_int_equal(i, 3);
    assert_ptr_equal(bss_router_route_at(rt, i), m.route);
    assert_null(bss_router_route_at(rt, 10));
    bss_router_destroy(rt);
}

static void test_no_leak(void **state)
{
    int64_t before = bss_mem_used();
    bss_router_destroy(make());
    assert_int_equal(bss_mem_used(), before);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_beats_param),
        cmocka_unit_test(test_backtracking),
        cmocka_unit_test(test_not_found_and_method),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_indexes),
        cmocka_unit_test(test_no_leak),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
