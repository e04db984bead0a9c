/*
 * netallow.c: the outbound address policy (netallow.h). The special-purpose
 * ranges are the IANA IPv4 and IPv6 special-purpose address registries
 * (RFC 6890 and its updates), reduced to what matters for "may bss connect
 * there on a client's say-so": anything that is not globally routable
 * unicast is special.
 */
#include "core/netallow.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/parse.h"

typedef struct range {
    uint8_t addr[16];
    int prefix;
    const char *what;
} range;

/* IPv4 special-purpose ranges (first match wins). */
static const range v4_special[] = {
    {{0}, 8, "unspecified"},
    {{10}, 8, "private"},
    {{100, 64}, 10, "carrier-grade NAT"},
    {{127}, 8, "loopback"},
    {{169, 254}, 16, "link-local"},
    {{172, 16}, 12, "private"},
    {{192, 0, 0}, 24, "reserved"},
    {{192, 0, 2}, 24, "documentation"},
    {{192, 88, 99}, 24, "reserved"},
    {{192, 168}, 16, "private"},
    {{198, 18}, 15, "reserved"},
    {{198, 51, 100}, 24, "documentation"},
    {{203, 0, 113}, 24, "documentation"},
    {{224}, 4, "multicast"},
    {{240}, 4, "reserved"},
};

/* IPv6 special-purpose ranges, after the ones that carry an IPv4 address. */
static const range v6_special[] = {
    {{0}, 128, "unspecified"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback"},
    {{0}, 8, "reserved"},
    {{0x01}, 64, "reserved"}, /* 100::/64 discard */
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "documentation"},
    {{0x20, 0x01}, 23, "reserved"},
    {{0xfc}, 7, "private"},
    {{0xfe, 0x80}, 10, "link-local"},
    {{0xfe, 0xc0}, 10, "private"}, /* deprecated site-local */
    {{0xff}, 8, "multicast"},
};

static bool in_prefix(const uint8_t *a, const uint8_t *net, int prefix)
{
    int full = prefix / 8, rest = prefix % 8;
    if (memcmp(a, net, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a[full] & mask) == (net[full] & mask);
}

static const char *v4_class(const uint8_t *a)
{
    for (size_t i = 0; i < sizeof v4_special / sizeof v4_special[0]; i++)
        if (in_prefix(a, v4_special[i].addr, v4_special[i].prefix))
            return v4_special[i].what;
    return NULL;
}

/* The IPv4 address an IPv6 address carries (mapped, NAT64 well-known prefix, 6to4), or NULL. */
static const uint8_t *embedded_v4(const uint8_t *a)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b};
    if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
        return a + 12;
    if (a[0] == 0x20 && a[1] == 0x02)
        return a + 2;
    return NULL;
}

const char *bss_netaddr_special(int family, const uint8_t *addr)
{
    if (family == AF_INET)
        return v4_class(addr);
    if (family != AF_INET6)
        return "unsupported";
    const uint8_t *v4 = embedded_v4(addr);
    if (v4)
        return v4_class(v4);
    static const uint8_t nat64_local[6] = {0, 0x64, 0xff, 0x9b, 0, 0x01}; /* 64:ff9b:1::/48 */
    if (memcmp(addr, nat64_local, 6) == 0)
        return "private";
    for (size_t i = 0; i < sizeof v6_special / sizeof v6_special[0]; i++)
        if (in_prefix(addr, v6_special[i].addr, v6_special[i].prefix))
            return v6_special[i].what;
    return NULL;
}

/* ---- parsing ---- */

/* Parses an IP literal (IPv6 optionally in brackets) of n bytes; the family, or 0. */
static int parse_ip(const char *s, size_t n, uint8_t out[16])
{
    char buf[64];
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']')
        s++, n -= 2;
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET, buf, out) == 1)
        return AF_INET;
    if (inet_pton(AF_INET6, buf, out) == 1)
        return AF_INET6;
    return 0;
}

/* A DNS name: labels of letters, digits and '-' (not at either end), 1..63 bytes each, 253 in all. */
static bool dns_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > 253)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && !(c == '-' && label > 0))
            return false;
        if (++label > 63)
            return false;
    }
    return s[n - 1] != '-';
}

static bss_err parse_entry(const char *s, size_t n, bss_netallow_entry *e, bss_errinfo *ei)
{
    memset(e, 0, sizeof *e);
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    int family = parse_ip(s, alen, e->addr);
    if (family) {
        int max = family == AF_INET ? 32 : 128;
        int64_t prefix = max;
        if (slash && bss_parse_int64(slash + 1, n - alen - 1, BSS_NUM_DIGITS, 0, max, &prefix) != BSS_OK)
            return bss_fail(ei, BSS_E_INVALID, "webhook-allow", "webhook-allow: '%.*s': the prefix must be 0..%d",
                            (int)n, s, max);
        e->family = family;
        e->prefix = (int)prefix;
        uint8_t net[16];
        memcpy(net, e->addr, sizeof net);
        for (int bit = (int)prefix; bit < max; bit++)
            net[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
        if (memcmp(net, e->addr, (size_t)max / 8) != 0)
            return bss_fail(ei, BSS_E_INVALID, "webhook-allow",
                            "webhook-allow: '%.*s' has bits set beyond the /%d prefix", (int)n, s, (int)prefix);
        return BSS_OK;
    }
    if (slash)
        return bss_fail(ei, BSS_E_INVALID, "webhook-allow", "webhook-allow: '%.*s' is not an IP address or CIDR",
                        (int)n, s);
    if (n >= 2 && s[0] == '*' && s[1] == '.')
        e->wildcard = true, s += 2, n -= 2;
    if (n > 1 && s[n - 1] == '.')
        n--;
    if (!dns_name_ok(s, n))
        return bss_fail(ei, BSS_E_INVALID, "webhook-allow",
                        "webhook-allow: '%.*s' is not a CIDR, an IP address or a host name", (int)n, s);
    e->is_name = true;
    for (size_t i = 0; i < n; i++)
        e->name[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
    e->name[n] = '\0';
    return BSS_OK;
}

bss_err bss_netallow_parse(const char *list, bss_netallow *out, bss_errinfo *ei)
{
    out->n = 0;
    const char *p = list ? list : "";
    for (;;) {
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            return BSS_OK;
        const char *s = p;
        while (*p && *p != ',' && *p != ' ' && *p != '\t')
            p++;
        if (out->n == BSS_NETALLOW_MAX)
            return bss_fail(ei, BSS_E_INVALID, "webhook-allow", "webhook-allow: more than %d entries",
                            BSS_NETALLOW_MAX);
        bss_err rc = parse_entry(s, (size_t)(p - s), &out->e[out->n], ei);
        if (rc != BSS_OK)
            return rc;
        out->n++;
    }
}

/* ---- decisions ---- */

bool bss_netallow_has_host(const bss_netallow *allow, const char *host)
{
    if (!allow || !host)
        return false;
    size_t n = strlen(host);
    if (n > 1 && host[n - 1] == '.')
        n--;
    for (size_t i = 0; i < allow->n; i++) {
        const bss_netallow_entry *e = &allow->e[i];
        if (!e->is_name)
            continue;
        size_t m = strlen(e->name);
        if (!e->wildcard) {
            if (n == m && strncasecmp(host, e->name, n) == 0)
                return true;
        } else if (n > m + 1 && host[n - m - 1] == '.' && strncasecmp(host + n - m, e->name, m) == 0) {
            return true;
        }
    }
    return false;
}

static bool listed_addr(const bss_netallow *allow, int family, const uint8_t *a)
{
    for (size_t i = 0; allow && i < allow->n; i++) {
        const bss_netallow_entry *e = &allow->e[i];
        if (!e->is_name && e->family == family && in_prefix(a, e->addr, e->prefix))
            return true;
    }
    return false;
}

static const char *judge(const bss_netallow *allow, bool host_listed, int family, const uint8_t *a, char *why,
                         size_t why_size)
{
    const char *what = bss_netaddr_special(family, a);
    if (what == NULL || host_listed || listed_addr(allow, family, a))
        return NULL;
    /* an IPv4-mapped address is listed by its IPv4 CIDR too */
    if (family == AF_INET6) {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(a, mapped, 12) == 0 && listed_addr(allow, AF_INET, a + 12))
            return NULL;
    }
    char text[INET6_ADDRSTRLEN] = "?";
    if (family == AF_INET || family == AF_INET6)
        inet_ntop(family, a, text, sizeof text);
    snprintf(why, why_size, "%s is %s %s address", text, (what[0] == 'u' || what[0] == 'a') ? "an" : "a", what);
    return why;
}

const char *bss_netallow_refuse(const bss_netallow *allow, bool host_listed, const struct sockaddr *sa,
                                char *why, size_t why_size)
{
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        return judge(allow, host_listed, AF_INET, (const uint8_t *)&in->sin_addr, why, why_size);
    }
    if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        return judge(allow, host_listed, AF_INET6, in6->sin6_addr.s6_addr, why, why_size);
    }
    snprintf(why, why_size, "only IPv4 and IPv6 addresses are allowed");
    return why;
}

const char *bss_netallow_refuse_host(const bss_netallow *allow, const char *host, char *why, size_t why_size)
{
    uint8_t a[16];
    size_t n = strlen(host);
    int family = parse_ip(host, n, a);
    if (family)
        return judge(allow, false, family, a, why, why_size);
    if (bss_netallow_has_host(allow, host))
        return NULL;
    if (n > 1 && host[n - 1] == '.')
        n--;
    bool localhost = (n == 9 && strncasecmp(host, "localhost", 9) == 0) ||
                     (n > 10 && strncasecmp(host + n - 10, ".localhost", 10) == 0);
    if (!localhost)
        return NULL;
    static const uint8_t lo4[4] = {127, 0, 0, 1}, lo6[16] = {[15] = 1};
    if (judge(allow, false, AF_INET, lo4, why, why_size) && judge(allow, false, AF_INET6, lo6, why, why_size)) {
        snprintf(why, why_size, "%.*s is a loopback address", (int)(n > 200 ? 200 : n), host);
        return why;
    }
    return NULL;
}
