/*
 * query.h: the TMF630 query string of a list request, parsed once into
 * typed values, and the matcher that evaluates its attribute filters against
 * a JSON document. src/api/tmf.c uses it for every GET on a collection; it
 * does no I/O and knows nothing about SQL (tmf.c decides which filters the
 * store can run on typed columns and applies the rest here, in memory).
 *
 * Accepted syntax (names and values are URL-decoded: %XX and '+' = space):
 *   offset=N           N >= 0 (default 0), at most 1e9
 *   limit=N            1..1000 (default 100)
 *   fields=a,b,c       top-level members to return; id and href always come
 *                      back. A dotted name ("validFor.startDateTime") selects
 *                      its top-level member ("validFor") whole.
 *   sort=a,-b          attributes to order by; '-' descending, '+'/' ' ascending
 *   attr=v             equality; attr is a dotted path (validFor.startDateTime)
 *   attr=v1,v2         OR within one attribute (lifecycleStatus=Active,Retired)
 *   attr.gt=v          comparison suffixes: .eq .gt .gte .lt .lte; the TMF
 *   attr[gte]=v        bracket form attr[op] and the TMF630 forms attr>=v,
 *   attr>v, attr<v     attr<=v, attr>v and attr<v are accepted too.
 * Several filters are ANDed. A path segment is [A-Za-z0-9_@$-]+; a last
 * segment named eq/gt/gte/lt/lte is read as an operator, so such member
 * names cannot be filtered on. Empty parameters ("a=1&&b=2") are skipped.
 * Errors are BSS_E_INVALID with ei->field naming the parameter.
 *
 * Matching (bss_query_match): a filter holds when, for any of its values,
 * the member at its path compares true. Arrays on the path are searched: a
 * filter "category.id=5" holds if any element of the category array has id
 * 5 (TMF semantics). Strings compare as RFC 3339 instants when both sides
 * parse as times (so lastUpdate=2026-01-01T00:00:00Z matches
 * "2026-01-01T00:00:00.000Z"; a ' ' that came from an unencoded '+' in an
 * offset is read back as '+'), otherwise byte-wise; numbers numerically;
 * booleans as true/false; null as "null". Objects never match. Numbers with
 * at most 6 decimals compare exactly as int64 micro-units (as money is read);
 * others as JSON numbers.
 */
#ifndef BSS_API_QUERY_H
#define BSS_API_QUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/mem.h"

#define BSS_QUERY_DEFAULT_LIMIT 100
#define BSS_QUERY_MAX_LIMIT 1000
#define BSS_QUERY_MAX_OFFSET INT64_C(1000000000)
#define BSS_QUERY_MAX_PARAMS 64  /* parameters in one query string */
#define BSS_QUERY_MAX_VALUES 100 /* comma-separated values of one filter or fields= */
#define BSS_QUERY_MAX_DEPTH 8    /* segments of a dotted path */

typedef enum bss_query_op { BSS_QOP_EQ = 0, BSS_QOP_GT, BSS_QOP_GTE, BSS_QOP_LT, BSS_QOP_LTE } bss_query_op;

typedef struct bss_query_filter {
    const char *attr;  /* dotted path, decoded: "validFor.startDateTime" */
    const char *param; /* the parameter as written (decoded), for messages: "validFor.startDateTime.gt" */
    bss_query_op op;
    size_t nvalues; /* >= 1; the filter holds if any value matches */
    const char **values;
    size_t nsegs; /* attr split at '.' */
    const char **segs;
} bss_query_filter;

typedef struct bss_query_sort {
    const char *attr;
    bool desc;
} bss_query_sort;

typedef struct bss_query {
    int64_t offset;
    int64_t limit;
    bool has_fields; /* fields= given: project with bss_query_project */
    size_t nfields;
    const char **fields; /* top-level member names, id and href not repeated */
    size_t nfilters;
    bss_query_filter *filters;
    size_t nsort;
    bss_query_sort *sort;
    bss_arena *arena; /* owns every string and array above */
} bss_query;

/*
 * Parses raw[0..len) (the text after '?', not decoded; NULL/0 for none).
 * On success *out must be released with bss_query_free; on error nothing
 * needs freeing (out is left empty) and ei names the parameter.
 */
bss_err bss_query_parse(const char *raw, size_t len, bss_query *out, bss_errinfo *ei);
void bss_query_free(bss_query *q); /* NULL or an empty query is a no-op */

/*
 * URL-decodes src[0..len) into dst (room for len + 1 bytes), '+' as space.
 * BSS_E_INVALID on a bad %XX escape or a decoded NUL. *out_len excludes the NUL.
 */
bss_err bss_query_decode(const char *src, size_t len, char *dst, size_t *out_len);

/*
 * One single-valued parameter of a raw query string (len bytes, not
 * decoded; NULL is an empty query) for the routes that are not TMF lists:
 * *present says whether name was given, buf (cap bytes) receives its
 * URL-decoded value. BSS_E_INVALID naming the parameter when it is given
 * more than once ("dryRun is given more than once"), when its decoded value
 * is longer than cap - 1 bytes, or when it holds a bad escape.
 */
bss_err bss_query_param(const char *query, size_t len, const char *name, char *buf, size_t cap, bool *present,
                        bss_errinfo *ei);

/* True if every filter of q holds for doc. */
bool bss_query_match(const bss_query *q, const json_t *doc);
bool bss_query_filter_match(const bss_query_filter *f, const json_t *doc);

/* Compares one JSON leaf with a filter value under op (the matcher's rule above). */
bool bss_query_value_match(const json_t *leaf, bss_query_op op, const char *value);

/*
 * The fields= projection of doc as a new object: id, href and the listed
 * top-level members that exist, in doc's order. Returns a new reference to
 * doc itself when q has no fields=. NULL on OOM.
 */
json_t *bss_query_project(const bss_query *q, json_t *doc);
/* Projects every element of page in place (fields= of a list); nothing without fields=. */
void bss_query_project_page(const bss_query *q, json_t *page);

/*
 * Equality filters of a typed list: each filter of q must be one of
 * names[0..n) (NULL-terminated), with one value of at most cap - 1 bytes,
 * copied into vals[k] (has[k] set). skip (may be NULL) names filters the
 * caller reads itself. Errors (400 naming the parameter): "<what> are
 * filtered by a, b and c; not by x", "a takes one value to equal", "a is
 * too long".
 */
bss_err bss_query_eq_filters(const bss_query *q, const char *what, const char *const *names, const char *skip,
                             char *vals, size_t cap, bool *has, bss_errinfo *ei);

/*
 * The window [*from_ms, *to_ms) that q's filters on attr set (attr.gt,
 * .gte, .lt, .lte, each with one RFC 3339 time); the bounds not given are
 * left as they are. 400 naming the parameter for an equality or a bad time.
 */
bss_err bss_query_time_window(const bss_query *q, const char *attr, int64_t *from_ms, int64_t *to_ms, bss_errinfo *ei);

/*
 * Orders by q's sort keys: <0, 0, >0 like strcmp. Missing members sort
 * first; mixed kinds by kind (null < bool < number < string). Ties are 0.
 */
int bss_query_compare(const bss_query *q, const json_t *a, const json_t *b);

/* "eq", "gt", ... */
const char *bss_query_op_name(bss_query_op op);

#endif
