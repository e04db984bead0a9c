/*
 * search_int.h: private to search.c and its tests and fuzz target. The
 * term extraction of bss_search_index_doc without the store: what terms a
 * document would put into search_index, handed to a callback, and the
 * query form bss_search_run looks up (lower-cased, trimmed, cut at a
 * character boundary). Not a contract for other modules.
 */
#ifndef BSS_CUSTOMER_SEARCH_INT_H
#define BSS_CUSTOMER_SEARCH_INT_H

#include <jansson.h>
#include <stddef.h>

#include "customer/search.h"

typedef void (*bss__search_term_fn)(void *arg, const char *term, const char *field);

/*
 * The terms of doc (id: the entity id) as bss_search_index_doc writes them,
 * deduplicated, each at most BSS_SEARCH_TERM_MAX - 1 bytes; display (at
 * least BSS_SEARCH_TERM_MAX bytes) receives the display name. BSS_E_NOMEM only.
 */
bss_err bss__search_doc_terms(const json_t *doc, const char *id, char *display, bss__search_term_fn fn,
                              void *arg);

/* The exact-match form of a query or value: ASCII lower-cased, spaces and tabs trimmed, cut to cap - 1 bytes.
 */
size_t bss__search_lower(const char *s, char *out, size_t cap);

#endif
