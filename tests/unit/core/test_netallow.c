/*
 * test_netallow.c: the outbound address policy: the special-purpose ranges
 * (IPv4, IPv6, and IPv6 forms carrying an IPv4 address), list parsing and
 * its errors, CIDR and host-name entries, and the host-literal judgement
 * used when a callback is subscribed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/netallow.h"

static const char *special(const char *text)
{
    uint8_t a[16];
    if (inet_pton(AF_INET, text, a) == 1)
        return bss_netaddr_special(AF_INET, a);
    assert_int_equal(inet_pton(AF_INET6, text, a), 1);
    return bss_netaddr_special(AF_INET6, a);
}

static void is_special(const char *text, const char *want)
{
    const char *got = special(text);
    if (want == NULL && got != NULL)
        fail_msg("%s: expected public, got %s", text, got);
    if (want != NULL && (got == NULL || strcmp(got, want) != 0))
        fail_msg("%s: expected %s, got %s", text, want, got ? got : "public");
}

static void test_special_ranges(void **state)
{
    (void)state;
    is_special("0.0.0.0", "unspecified");
    is_special("0.1.2.3", "unspecified");
    is_special("10.0.0.1", "private");
    is_special("100.64.0.1", "carrier-grade NAT");
    is_special("100.127.255.255", "carrier-grade NAT");
    is_special("100.128.0.1", NULL);
    is_special("127.0.0.1", "loopback");
    is_special("127.255.255.254", "loopback");
    is_special("169.254.169.254", "link-local");
    is_special("172.15.255.255", NULL);
    is_special("172.16.0.1", "private");
    is_special("172.31.255.255", "private");
    is_special("172.32.0.1", NULL);
    is_special("192.0.2.7", "documentation");
    is_special("192.168.1.1", "private");
    is_special("198.18.0.1", "reserved");
    is_special("224.0.0.1", "multicast");
    is_special("255.255.255.255", "reserved");
    is_special("8.8.8.8", NULL);
    is_special("93.184.216.34", NULL);
    is_special("::", "unspecified");
    is_special("::1", "loopback");
    is_special("::ffff:127.0.0.1", "loopback");
    is_special("::ffff:8.8.8.8", NULL);
    is_special("::127.0.0.1", "reserved");
    is_special("64:ff9b::a9fe:a9fe", "link-local");
    is_special("64:ff9b::808:808", NULL);
    is_special("64:ff9b:1::1", "private");
    is_special("2002:7f00:1::", "loopback"); /* 6to4 of 127.0.0.1 */
    is_special("2001:db8::1", "documentation");
    is_special("2001::1", "reserved");
    is_special("fc00::1", "private");
    is_special("fd12:3456::1", "private");
    is_special("fe80::1", "link-local");
    is_special("fec0::1", "private");
    is_special("ff02::1", "multicast");
    is_special("2a00:1450:4001:80b::200e", NULL);
    uint8_t a[16] = {0};
    assert_string_equal(bss_netaddr_special(AF_UNIX, a), "unsupported");
}

static void parse_bad(const char *list, const char *want)
{
    bss_netallow p;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_netallow_parse(list, &p, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "webhook-allow");
    if (strstr(ei.message, want) == NULL)
        fail_msg("%s: message '%s' lacks '%s'", list, ei.message, want);
}

static struct sockaddr_storage sa_of(const char *text)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
    } else {
        assert_int_equal(inet_pton(AF_INET6, text, &in6->sin6_addr), 1);
        in6->sin6_family = AF_INET6;
    }
    return ss;
}

static const char *refuse(const bss_netallow *p, bool listed, const char *text, char *why)
{
    struct sockaddr_storage ss = sa_of(text);
    return bss_netallow_refuse(p, listed, (const struct sockaddr *)&ss, why, 160);
}

static void test_lists(void **state)
{
    (void)state;
    bss_netallow p;
    bss_errinfo ei;
    char why[160];
    assert_int_equal(bss_netallow_parse("", &p, &ei), BSS_OK);
    assert_int_equal(p.n, 0);
    assert_int_equal(bss_netallow_parse(NULL, &p, &ei), BSS_OK);
    /* nothing listed: public only */
    assert_null(refuse(&p, false, "8.8.8.8", why));
    assert_string_equal(refuse(&p, false, "127.0.0.1", why), "127.0.0.1 is a loopback address");
    assert_string_equal(refuse(&p, false, "::", why), ":: is an unspecified address");
    assert_string_equal(refuse(&p, false, "10.9.8.7", why), "10.9.8.7 is a private address");
    assert_null(refuse(&p, true, "10.9.8.7", why)); /* the host name was listed */

    assert_int_equal(bss_netallow_parse(" 10.20.0.0/16,127.0.0.1  ::1, [fd00::]/8,Hooks.Internal. *.svc.example.net,",
                                        &p, &ei),
                     BSS_OK);
    assert_int_equal(p.n, 6);
    assert_null(refuse(&p, false, "10.20.3.4", why));
    assert_non_null(refuse(&p, false, "10.21.0.1", why));
    assert_null(refuse(&p, false, "127.0.0.1", why));
    assert_non_null(refuse(&p, false, "127.0.0.2", why));
    assert_null(refuse(&p, false, "::ffff:127.0.0.1", why)); /* a mapped address is listed by its IPv4 entry */
    assert_null(refuse(&p, false, "::1", why));
    assert_null(refuse(&p, false, "fd00::5", why));
    assert_true(bss_netallow_has_host(&p, "hooks.internal"));
    assert_true(bss_netallow_has_host(&p, "HOOKS.internal."));
    assert_false(bss_netallow_has_host(&p, "xhooks.internal"));
    assert_true(bss_netallow_has_host(&p, "a.svc.example.net"));
    assert_true(bss_netallow_has_host(&p, "b.a.svc.example.net"));
    assert_false(bss_netallow_has_host(&p, "svc.example.net")); /* the wildcard is for names below it */
    assert_false(bss_netallow_has_host(&p, "evilsvc.example.net"));
    assert_false(bss_netallow_has_host(NULL, "x"));

    parse_bad("10.0.0.1/33", "the prefix must be 0..32");
    parse_bad("::1/129", "the prefix must be 0..128");
    parse_bad("10.0.0.1/8", "has bits set beyond the /8 prefix");
    parse_bad("10.0.0.0/x", "prefix");
    parse_bad("host/8", "is not an IP address or CIDR");
    parse_bad("bad_name", "is not a CIDR, an IP address or a host name");
    parse_bad("-x.example", "host name");
    parse_bad("a..b", "host name");
    char many[BSS_NETALLOW_MAX * 12 + 16];
    size_t n = 0;
    for (int i = 0; i <= BSS_NETALLOW_MAX; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, "h%d.net,", i);
    parse_bad(many, "more than 64 entries");
    /* 0.0.0.0/0 and ::/0 allow everything */
    assert_int_equal(bss_netallow_parse("0.0.0.0/0 ::/0", &p, &ei), BSS_OK);
    assert_null(refuse(&p, false, "169.254.169.254", why));
    assert_null(refuse(&p, false, "fe80::1", why));
}

static void test_hosts_as_written(void **state)
{
    (void)state;
    bss_netallow none, lo;
    bss_errinfo ei;
    char why[160];
    assert_int_equal(bss_netallow_parse("", &none, &ei), BSS_OK);
    assert_int_equal(bss_netallow_parse("127.0.0.1", &lo, &ei), BSS_OK);
    assert_string_equal(bss_netallow_refuse_host(&none, "127.0.0.1", why, sizeof why), "127.0.0.1 is a loopback address");
    assert_string_equal(bss_netallow_refuse_host(&none, "[::1]", why, sizeof why), "::1 is a loopback address");
    assert_string_equal(bss_netallow_refuse_host(&none, "::1", why, sizeof why), "::1 is a loopback address");
    assert_string_equal(bss_netallow_refuse_host(&none, "localhost", why, sizeof why), "localhost is a loopback address");
    assert_string_equal(bss_netallow_refuse_host(&none, "LocalHost.", why, sizeof why), "LocalHost is a loopback address");
    assert_non_null(bss_netallow_refuse_host(&none, "db.localhost", why, sizeof why));
    assert_null(bss_netallow_refuse_host(&none, "localhost.example.net", why, sizeof why));
    assert_null(bss_netallow_refuse_host(&none, "hooks.example.net", why, sizeof why)); /* judged after DNS */
    assert_null(bss_netallow_refuse_host(&lo, "localhost", why, sizeof why));
    assert_null(bss_netallow_refuse_host(&lo, "127.0.0.1", why, sizeof why));
    assert_non_null(bss_netallow_refuse_host(&lo, "127.0.0.2", why, sizeof why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_special_ranges),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_hosts_as_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
