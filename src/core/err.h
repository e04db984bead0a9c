/*
 * err.h: the one error enum of bss. Every fallible function returns a
 * bss_err; results travel through out-parameters. The table below is the
 * single source of truth: bss_strerror() and bss_errname() are generated from
 * it, the HTTP layer maps codes to statuses in src/api/errmap.c and the
 * Diameter layer maps them to Result-Codes in its own table.
 *
 * A bss_errinfo carries the human detail of one failure (a message a user
 * can act on and, for bad input, the path of the offending field). Functions
 * that can fail on input take an optional `bss_errinfo *ei` (NULL allowed).
 */
#ifndef BSS_CORE_ERR_H
#define BSS_CORE_ERR_H

#include <stddef.h>

/* X(NAME, "default message") */
#define BSS_ERR_MAP(X)                                                                                       \
    X(OK, "ok")                                                                                              \
    X(NOMEM, "out of memory")                                                                                \
    X(INVALID, "invalid input")                                                                              \
    X(PARSE, "malformed input")                                                                              \
    X(RANGE, "value out of range")                                                                           \
    X(NOT_FOUND, "not found")                                                                                \
    X(CONFLICT, "conflict with the current state")                                                           \
    X(EXISTS, "already exists")                                                                              \
    X(STATE, "transition not allowed")                                                                       \
    X(UNPROCESSABLE, "semantically invalid")                                                                 \
    X(UNAUTHORIZED, "missing or invalid credentials")                                                        \
    X(FORBIDDEN, "not allowed for this role")                                                                \
    X(TOO_BIG, "too large")                                                                                  \
    X(METHOD, "method not allowed")                                                                          \
    X(UNSUPPORTED, "not supported")                                                                          \
    X(BUSY, "store busy, try again")                                                                         \
    X(TIMEOUT, "timed out")                                                                                  \
    X(DB, "store error")                                                                                     \
    X(IO, "input/output error")                                                                              \
    X(SCHEMA, "store schema is newer than this binary")                                                      \
    X(LOCKED, "held by another process")                                                                     \
    X(CONFIG, "bad configuration")                                                                           \
    X(DONE, "no more rows")                                                                                  \
    X(CANCELLED, "cancelled: the client went away")                                                          \
    X(RATE, "too many requests")                                                                             \
    X(INTERNAL, "internal error")

typedef enum bss_err {
#define BSS__ERR_ENUM(name, msg) BSS_E_##name,
    BSS_ERR_MAP(BSS__ERR_ENUM)
#undef BSS__ERR_ENUM
        BSS_E__COUNT
} bss_err;

#define BSS_OK BSS_E_OK

#define BSS_ERR_DETAILS_MAX 2048
typedef struct bss_errinfo {
    bss_err code;
    char message[256]; /* for people: what is wrong and what to do */
    char field[128];   /* JSON path or option name of the offending input, "" if none */
    /*
     * When one input has several problems: every one of them (the first is
     * code/field/message too), as records "NAME\x1ffield\x1fmessage\x1e";
     * "" when there is only the one. bss_fail clears it. The API shows it as
     * the error body's details array.
     */
    char details[BSS_ERR_DETAILS_MAX];
} bss_errinfo;

/* Appends one problem to ei->details (dropped when it does not fit). */
void bss_errinfo_add_detail(bss_errinfo *ei, bss_err code, const char *field, const char *message);

/* The default message of a code ("not found"). Never NULL. */
const char *bss_strerror(bss_err code);
/* The symbolic name of a code ("NOT_FOUND"). Never NULL. */
const char *bss_errname(bss_err code);

/*
 * Records a failure in ei (if not NULL) and returns code, so callers write
 *     return bss_fail(ei, BSS_E_INVALID, "validFor.startDateTime", "not an RFC 3339 time: %s", s);
 * field may be NULL. A later bss_fail on the same ei overwrites it.
 */
bss_err bss_fail(bss_errinfo *ei, bss_err code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Clears ei to BSS_OK with empty message and field. */
void bss_errinfo_clear(bss_errinfo *ei);

/*
 * Puts where a failure happened in front of what ei says, for errors of
 * one element of a larger input (a document of a file): the field becomes
 * "<member>[<index>].<field>" ("<member>[<index>]" when it had none), the
 * message "<what> <id>: <message>" (id NULL: "(no id)"), the code rc.
 * Returns rc; ei NULL is a no-op. Texts are cut to fit, never overflow.
 */
bss_err bss_errinfo_at(bss_errinfo *ei, bss_err rc, const char *member, size_t index, const char *what,
                       const char *id);

/* Prefixes the field of ei with prefix: "content" + "x.y" -> "content.x.y" ("content" when empty). */
void bss_errinfo_prefix_field(bss_errinfo *ei, const char *prefix);

#endif
