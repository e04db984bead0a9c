/*
 * zones.c: compiled zone tables, the structure behind "which zone is this
 * number in", asked by the rater for every call, message and roaming event.
 *
 * The table is a decimal trie (one level per digit, ten children per node)
 * flattened into one array of fixed-size nodes that refer to their children
 * by int32 index. Each node also carries `best`: the zone of the longest
 * prefix on the path from the root to it (or the defaultZone, or -1), worked
 * out once at build time. Index 0 is the root.
 *
 * There are no "missing" children. Leaves (about half of all nodes of a real
 * table) are not stored: a leaf is fully described by its zone, so a child
 * slot that would point to a leaf of zone z points instead to one shared node
 * for z, appended after the inner nodes; and a child slot with nothing below
 * it points to the shared node of its parent's `best` (or to a last shared
 * node standing for "no zone"). Every child of a shared node is that node
 * itself. A lookup therefore just takes one array load per digit, at most 15,
 * and returns the `best` of the node it ends on: once the number has left the
 * trie it spins in a shared node that is already in L1. No allocation, no
 * lock, no string comparison, and no data-dependent branch (only the loop's
 * own, plus the check for a non-digit); that branch-freedom measured about a
 * third faster than stopping at the first missing child.
 *
 * Inner nodes are laid out breadth first down to depth 4, the dense and hot
 * top of the trie (country and area codes) every lookup passes through, and
 * depth first below it, so the sparse chains a long number walks down lie
 * next to each other in memory (about 1.4 times faster than breadth first
 * throughout on the 50,000-prefix benchmark). 50,000 prefixes of 3 to 9
 * digits compile to under 4 MB in about 25 ms (bench/catalog_lookup.c).
 *
 * Building also checks the document (catalog.h: zone tables): a prefix listed twice, in one
 * zone or two, and a zone no number can reach are errors naming the field.
 * The built table is immutable and may be read by any number of threads.
 */
#include "catalog/catalog.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"

#define ZONE_MAX_DIGITS 15
#define ZONE_MAX_ZONES 65536
#define ZONE_MAX_PREFIXES 4000000

typedef struct zone_node {
    int32_t child[10]; /* every slot leads to a node, never back to the root */
    int32_t best;      /* zone of the longest prefix ending here or above; -1 if none */
} zone_node;

struct bss_zone_table {
    bss_zone_kind kind;
    int default_zone;
    size_t nzones;
    size_t nprefixes;
    size_t nnodes; /* inner nodes, then one shared node per zone, then the "no zone" sink */
    char **names;
    zone_node *nodes;
};

/* A node of the trie while it is built (before renumbering). */
typedef struct build_node {
    int32_t child[10];
    int32_t zone;   /* zone whose prefix ends here, -1 if none */
    int32_t prefix; /* that prefix's index in its zone's array (for duplicate messages) */
} build_node;

typedef struct builder {
    build_node *nodes;
    size_t len, cap;
} builder;

static int32_t builder_add(builder *b)
{
    if (b->len == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        build_node *n = bss_realloc(b->nodes, cap * sizeof(*n));
        if (n == NULL)
            return -1;
        b->nodes = n;
        b->cap = cap;
    }
    build_node *n = &b->nodes[b->len];
    memset(n->child, 0, sizeof(n->child));
    n->zone = -1;
    n->prefix = -1;
    return (int32_t)b->len++;
}

/* Checks one prefix's text: 1..15 digits, or 5..6 for a roaming table. */
static bss_err check_prefix(const json_t *v, bss_zone_kind kind, const char *path, bss_errinfo *ei)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v), i = 0;
    while (s != NULL && i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    bool ok = s != NULL && i == n &&
              (kind == BSS_ZONE_ROAMING ? (n == 5 || n == 6) : (n >= 1 && n <= ZONE_MAX_DIGITS));
    if (ok)
        return BSS_OK;
    const char *want = kind == BSS_ZONE_ROAMING ? "an MCC-MNC of 5 or 6 digits"
                                                : "1 to 15 decimal digits (E.164 without '+')";
    if (s == NULL)
        return bss_fail(ei, BSS_E_INVALID, path, "%s: a prefix must be a string of %s", path, want);
    return bss_fail(ei, BSS_E_INVALID, path, "%s: \"%.20s\" is not a prefix: use %s", path, s, want);
}

/* Adds prefixes[j] of zone z to the trie. */
static bss_err insert_prefix(builder *b, const json_t *doc_zones, int z, int j, const json_t *v,
                             bss_errinfo *ei)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    int32_t at = 0;
    for (size_t i = 0; i < n; i++) {
        int d = s[i] - '0';
        int32_t next = b->nodes[at].child[d];
        if (next == 0) {
            if ((next = builder_add(b)) < 0)
                return bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
            b->nodes[at].child[d] = next;
        }
        at = next;
    }
    build_node *node = &b->nodes[at];
    if (node->zone >= 0) {
        const char *first =
            json_string_value(json_object_get(json_array_get(doc_zones, (size_t)node->zone), "name"));
        const char *second = json_string_value(json_object_get(json_array_get(doc_zones, (size_t)z), "name"));
        char path[64];
        snprintf(path, sizeof(path), "zones[%d].prefixes[%d]", z, j);
        return bss_fail(
            ei, BSS_E_UNPROCESSABLE, path,
            "prefix \"%s\" is listed twice: zones[%d].prefixes[%d] (\"%.40s\") and %s (\"%.40s\")", s,
            (int)node->zone, (int)node->prefix, first, path, second);
    }
    node->zone = z;
    node->prefix = j;
    return BSS_OK;
}

/* Reads zones[i].name for every zone and rejects empty and repeated names. */
static bss_err read_names(const json_t *zones, bss_zone_table *t, bss_errinfo *ei)
{
    char path[64];
    for (size_t i = 0; i < t->nzones; i++) {
        const json_t *zone = json_array_get(zones, i);
        snprintf(path, sizeof(path), "zones[%zu]", i);
        if (!json_is_object(zone))
            return bss_fail(ei, BSS_E_INVALID, path, "%s: expected an object with \"name\" and \"prefixes\"",
                            path);
        snprintf(path, sizeof(path), "zones[%zu].name", i);
        const char *name = NULL;
        bss_err e = bss_json_get_str(zone, "name", path, true, &name, ei);
        if (e)
            return e;
        if (name[0] == '\0')
            return bss_fail(ei, BSS_E_INVALID, path, "%s: a zone name must not be empty", path);
        for (size_t k = 0; k < i; k++)
            if (strcmp(t->names[k], name) == 0)
                return bss_fail(ei, BSS_E_UNPROCESSABLE, path,
                                "zone \"%.60s\" is defined twice: zones[%zu] and zones[%zu]", name, k, i);
        if ((t->names[i] = bss_strdup(name)) == NULL)
            return bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
    }
    return BSS_OK;
}

/* Inserts every zone's prefixes and checks that every zone can be reached. */
static bss_err read_prefixes(const json_t *zones, bss_zone_table *t, builder *b, bss_errinfo *ei)
{
    char path[64];
    for (size_t i = 0; i < t->nzones; i++) {
        const json_t *prefixes = json_object_get(json_array_get(zones, i), "prefixes");
        snprintf(path, sizeof(path), "zones[%zu].prefixes", i);
        if (prefixes != NULL && !json_is_null(prefixes) && !json_is_array(prefixes))
            return bss_fail(ei, BSS_E_INVALID, path, "%s: expected an array of digit strings", path);
        size_t n = json_array_size(prefixes);
        if (t->nprefixes + n > ZONE_MAX_PREFIXES)
            return bss_fail(ei, BSS_E_TOO_BIG, path, "a zone table may hold at most %d prefixes",
                            ZONE_MAX_PREFIXES);
        for (size_t j = 0; j < n; j++) {
            const json_t *v = json_array_get(prefixes, j);
            char ppath[64];
            snprintf(ppath, sizeof(ppath), "zones[%zu].prefixes[%zu]", i, j);
            bss_err e = check_prefix(v, t->kind, ppath, ei);
            if (e == BSS_OK)
                e = insert_prefix(b, zones, (int)i, (int)j, v, ei);
            if (e)
                return e;
        }
        t->nprefixes += n;
        if (n == 0 && (int)i != t->default_zone)
            return bss_fail(
                ei, BSS_E_UNPROCESSABLE, path,
                "zone \"%.60s\" has no prefixes and is not the defaultZone: no number can reach it",
                t->names[i]);
    }
    return BSS_OK;
}

/*
 * The layout order of the inner nodes: breadth first down to depth
 * ZONE_TOP_DEPTH (the dense, hot top of the trie), then each subtree below it
 * depth first, so that the sparse chains a long number walks down lie next
 * to each other in memory. Fills order[] with old indexes and returns how
 * many inner nodes there are; best[] (by old index) is filled on the way.
 */
#define ZONE_TOP_DEPTH 4

static size_t layout(const builder *b, int default_zone, int32_t *order, int32_t *best, int32_t *stack,
                     int32_t *frontier)
{
    size_t head = 0, tail = 0, inner = 0;
    int depth = 0;
    best[0] = b->nodes[0].zone >= 0 ? b->nodes[0].zone : default_zone;
    order[tail++] = 0;
    while (head < tail && depth < ZONE_TOP_DEPTH) { /* breadth first, level by level */
        size_t level_end = tail;
        for (; head < level_end; head++) {
            int32_t at = order[head];
            for (int d = 0; d < 10; d++) {
                int32_t c = b->nodes[at].child[d];
                if (c == 0)
                    continue;
                best[c] = b->nodes[c].zone >= 0 ? b->nodes[c].zone : best[at];
                order[tail++] = c;
            }
        }
        depth++;
    }
    inner = head; /* the nodes above the frontier (a leaf among them is kept as is: harmless) */
    size_t nfrontier = tail - head;
    memcpy(frontier, order + head, nfrontier * sizeof(int32_t)); /* order[] is overwritten below */
    for (size_t f = 0; f < nfrontier; f++) {                     /* depth first below */
        size_t sp = 0;
        stack[sp++] = frontier[f];
        while (sp > 0) {
            int32_t at = stack[--sp];
            bool leaf = true;
            for (int d = 9; d >= 0; d--) { /* pushed in reverse: visited 0..9 */
                int32_t c = b->nodes[at].child[d];
                if (c == 0)
                    continue;
                leaf = false;
                best[c] = b->nodes[c].zone >= 0 ? b->nodes[c].zone : best[at];
                stack[sp++] = c;
            }
            if (!leaf)
                order[inner++] = at;
        }
    }
    return inner;
}

/*
 * Renumbers the built trie into t->nodes in layout() order, filling in
 * `best`, replacing leaves by the shared node of their zone and pointing
 * every absent child at the shared node of its parent's best (see the file
 * comment).
 */
static bss_err compact(const builder *b, bss_zone_table *t, bss_errinfo *ei)
{
    size_t n = b->len;
    int32_t *order = bss_malloc(n * sizeof(int32_t));
    int32_t *best = bss_malloc(n * sizeof(int32_t));      /* by old index */
    int32_t *new_index = bss_malloc(n * sizeof(int32_t)); /* by old index; first the DFS stack */
    int32_t *frontier = bss_malloc(n * sizeof(int32_t));
    bss_err e = BSS_OK;
    if (order == NULL || best == NULL || new_index == NULL || frontier == NULL) {
        e = bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
        goto out;
    }
    size_t inner = layout(b, t->default_zone, order, best, new_index, frontier);
    for (size_t i = 0; i < n; i++) /* leaves (never the root) go to the shared node of their zone */
        new_index[i] = i == 0 ? 0 : (int32_t)(inner + (size_t)best[i]);
    for (size_t k = 0; k < inner; k++)
        new_index[order[k]] = (int32_t)k;
    t->nnodes = inner + t->nzones + 1; /* + the sink of "no zone" */
    if ((t->nodes = bss_calloc(t->nnodes, sizeof(zone_node))) == NULL) {
        e = bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
        goto out;
    }
    for (size_t k = 0; k < inner; k++) {
        const build_node *from = &b->nodes[order[k]];
        t->nodes[k].best = best[order[k]];
        int32_t sink = (int32_t)(inner + (best[order[k]] >= 0 ? (size_t)best[order[k]] : t->nzones));
        for (int d = 0; d < 10; d++)
            t->nodes[k].child[d] = from->child[d] == 0 ? sink : new_index[from->child[d]];
    }
    for (size_t z = 0; z <= t->nzones; z++) { /* shared leaves and sinks lead to themselves */
        zone_node *node = &t->nodes[inner + z];
        node->best = z < t->nzones ? (int32_t)z : -1;
        for (int d = 0; d < 10; d++)
            node->child[d] = (int32_t)(inner + z);
    }
out:
    bss_free(order);
    bss_free(best);
    bss_free(new_index);
    bss_free(frontier);
    return e;
}

/* kind, zones (sizes t->names) and defaultZone: everything but the prefixes. */
static bss_err read_header(const json_t *doc, bss_zone_table *t, const json_t **zones_out, bss_errinfo *ei)
{
    if (!json_is_object(doc))
        return bss_fail(ei, BSS_E_INVALID, "", "a zone table must be a JSON object");
    const char *name = NULL, *kind = NULL, *def = NULL;
    bss_err e = bss_json_get_str(doc, "name", "name", false, &name, ei);
    if (e || (e = bss_json_get_str(doc, "kind", "kind", true, &kind, ei)) != BSS_OK)
        return e;
    if (strcmp(kind, "destination") == 0)
        t->kind = BSS_ZONE_DESTINATION;
    else if (strcmp(kind, "roaming") == 0)
        t->kind = BSS_ZONE_ROAMING;
    else
        return bss_fail(ei, BSS_E_INVALID, "kind",
                        "kind: must be \"destination\" or \"roaming\", not \"%.40s\"", kind);
    const json_t *zones = json_object_get(doc, "zones");
    if (!json_is_array(zones) || json_array_size(zones) == 0)
        return bss_fail(ei, BSS_E_INVALID, "zones", "zones: expected a non-empty array of zones");
    if (json_array_size(zones) > ZONE_MAX_ZONES)
        return bss_fail(ei, BSS_E_TOO_BIG, "zones", "a zone table may hold at most %d zones", ZONE_MAX_ZONES);
    t->nzones = json_array_size(zones);
    if ((t->names = bss_calloc(t->nzones, sizeof(char *))) == NULL)
        return bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
    if ((e = read_names(zones, t, ei)) != BSS_OK)
        return e;
    if ((e = bss_json_get_str(doc, "defaultZone", "defaultZone", false, &def, ei)) != BSS_OK)
        return e;
    if (def != NULL && (t->default_zone = bss_zone_index(t, def)) < 0)
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "defaultZone",
                        "defaultZone \"%.60s\" is not one of the zones", def);
    *zones_out = zones;
    return BSS_OK;
}

bss_err bss_zone_table_build(const json_t *doc, bss_zone_table **out, bss_errinfo *ei)
{
    bss_zone_table *t = bss_calloc(1, sizeof(*t));
    if (t == NULL)
        return bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
    t->default_zone = -1;
    builder b = {0};
    const json_t *zones = NULL;
    bss_err e = read_header(doc, t, &zones, ei);
    if (e == BSS_OK && builder_add(&b) < 0) /* the root */
        e = bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
    if (e == BSS_OK)
        e = read_prefixes(zones, t, &b, ei);
    if (e == BSS_OK)
        e = compact(&b, t, ei);
    bss_free(b.nodes);
    if (e != BSS_OK) {
        bss_zone_table_free(t);
        return e;
    }
    *out = t;
    return BSS_OK;
}

void bss_zone_table_free(bss_zone_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; t->names != NULL && i < t->nzones; i++)
        bss_free(t->names[i]);
    bss_free(t->names);
    bss_free(t->nodes);
    bss_free(t);
}

bss_zone_kind bss_zone_table_zone_kind(const bss_zone_table *t)
{
    return t->kind;
}

size_t bss_zone_count(const bss_zone_table *t)
{
    return t->nzones;
}

const char *bss_zone_name(const bss_zone_table *t, int zone)
{
    return zone >= 0 && (size_t)zone < t->nzones ? t->names[zone] : NULL;
}

int bss_zone_index(const bss_zone_table *t, const char *name)
{
    for (size_t i = 0; i < t->nzones; i++)
        if (t->names[i] != NULL && strcmp(t->names[i], name) == 0)
            return (int)i;
    return -1;
}

size_t bss_zone_prefix_count(const bss_zone_table *t)
{
    return t->nprefixes;
}

int bss_zone_lookup(const bss_zone_table *t, const char *digits, size_t len)
{
    const zone_node *nodes = t->nodes;
    int32_t at = 0;
    if (len > ZONE_MAX_DIGITS) /* deeper than any prefix, every walk is in a sink */
        len = ZONE_MAX_DIGITS;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(unsigned char)digits[i] - '0';
        if (d > 9)
            break;
        at = nodes[at].child[d];
    }
    return nodes[at].best;
}
