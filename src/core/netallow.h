/*
 * netallow.h: which network addresses an outbound connection of bss may
 * reach (today: event deliveries to hub callbacks; later: any adapter that
 * calls out). Pure functions, no I/O, no DNS.
 *
 * The rule: a public address is allowed; an address of a special-purpose
 * range (loopback, private, link-local, carrier-grade NAT, multicast,
 * documentation, reserved, unspecified; IPv4-mapped, NAT64 and 6to4 IPv6
 * addresses are judged by the IPv4 address they carry) is allowed only when
 * the allow list names it: by CIDR ("10.20.0.0/16", "127.0.0.1", "::1",
 * "fd00::/8"), or by the host name the connection was made for
 * ("hooks.internal", "*.example.net" for every name below example.net).
 * The caller resolves names and asks about every address it is about to
 * connect to, so a name that resolves (or re-resolves) to a private address
 * is refused as the literal would be.
 */
#ifndef BSS_CORE_NETALLOW_H
#define BSS_CORE_NETALLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/err.h"

#define BSS_NETALLOW_MAX 64    /* entries in one list */
#define BSS_NETALLOW_NAME 254 /* a host name, NUL included */

typedef struct bss_netallow_entry {
    bool is_name;
    bool wildcard;  /* "*.example.net": names below example.net, not example.net itself */
    char name[BSS_NETALLOW_NAME]; /* lower case, no trailing dot */
    int family;     /* AF_INET | AF_INET6 for a CIDR */
    uint8_t addr[16];
    int prefix;     /* bits */
} bss_netallow_entry;

typedef struct bss_netallow {
    size_t n;
    bss_netallow_entry e[BSS_NETALLOW_MAX];
} bss_netallow;

/*
 * Parses a list of entries separated by commas and/or spaces ("" = none:
 * public addresses only). BSS_E_INVALID naming the bad entry: a CIDR with
 * host bits set or a prefix too long, a name that is not a DNS name, more
 * than BSS_NETALLOW_MAX entries.
 */
bss_err bss_netallow_parse(const char *list, bss_netallow *out, bss_errinfo *ei);

/*
 * The special-purpose range an address belongs to ("loopback", "private",
 * "link-local", ...), or NULL for a public address. addr is 4 bytes for
 * AF_INET, 16 for AF_INET6; any other family is "unsupported".
 */
const char *bss_netaddr_special(int family, const uint8_t *addr);

/* Whether host (a name, any case, trailing dot allowed) is named by the list. */
bool bss_netallow_has_host(const bss_netallow *allow, const char *host);

/*
 * NULL when a connection to sa (AF_INET or AF_INET6) is allowed: a public
 * address, an address inside a listed CIDR, or any address when host_listed
 * (the connection is for a host name the list names). Otherwise the reason,
 * e.g. "127.0.0.1 is a loopback address", written into why.
 */
const char *bss_netallow_refuse(const bss_netallow *allow, bool host_listed, const struct sockaddr *sa,
                                char *why, size_t why_size);

/*
 * The same for a host as written in a URL: an IP literal ("10.0.0.1",
 * "[::1]", "::1") is judged like its address; "localhost" and names below
 * ".localhost" are loopback by definition (RFC 6761) and judged like
 * 127.0.0.1 and ::1; any other name is allowed here (its addresses are
 * judged when it is resolved).
 */
const char *bss_netallow_refuse_host(const bss_netallow *allow, const char *host, char *why, size_t why_size);

#endif
