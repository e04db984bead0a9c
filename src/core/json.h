/*
 * json.h: helpers over jansson used by every interface: parsing with a
 * precise error (line and column), reading typed fields with the field's
 * path in the error, dotted-path lookup, and dumping with the flags that keep
 * money exact. jansson allocates through core/mem.h (bss_mem_init).
 */
#ifndef BSS_CORE_JSON_H
#define BSS_CORE_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

/* Compact, keys in insertion order, reals with 15 significant digits (exact money). */
#define BSS_JSON_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/*
 * Parses text into a new reference. On error returns BSS_E_PARSE with a
 * message like "malformed JSON at line 3, column 14: '}' expected".
 * Rejects duplicate object keys and nesting deeper than 64.
 */
bss_err bss_json_parse(const char *text, size_t len, json_t **out, bss_errinfo *ei);

/* Serialises with BSS_JSON_DUMP_FLAGS; returns bss_malloc'd text (NULL on OOM). */
char *bss_json_dump(const json_t *v, size_t *len);

/* Looks up "a.b.c" through nested objects; NULL if any step is missing or not an object. */
json_t *bss_json_path(const json_t *root, const char *dotted);

/*
 * Typed getters for an object member. A missing member (or JSON null) leaves
 * *out untouched and returns BSS_OK unless `required`; a member of the wrong
 * type is BSS_E_INVALID naming `path` (the member's full path for the message).
 */
bss_err bss_json_get_str(const json_t *obj, const char *key, const char *path, bool required,
                         const char **out, bss_errinfo *ei);
bss_err bss_json_get_int(const json_t *obj, const char *key, const char *path, bool required,
                         int64_t *out, bss_errinfo *ei);
bss_err bss_json_get_bool(const json_t *obj, const char *key, const char *path, bool required, bool *out,
                          bss_errinfo *ei);
/* An RFC 3339 string member as ms. */
bss_err bss_json_get_time(const json_t *obj, const char *key, const char *path, bool required,
                          int64_t *out_ms, bss_errinfo *ei);

/* Sets obj[key] to an RFC 3339 string for ms. */
int bss_json_set_time(json_t *obj, const char *key, int64_t ms);

/*
 * RFC 7396 JSON merge patch: applies patch to target in place (target must
 * be an object). Members set to null are removed.
 */
bss_err bss_json_merge_patch(json_t *target, const json_t *patch);

#endif
