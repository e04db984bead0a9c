/*
 * err.c: string tables generated from BSS_ERR_MAP, and bss_fail(), the one
 * way a function records the detail of a failure for the interface layer.
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const messages[] = {
#define BSS__ERR_MSG(name, msg) msg,
    BSS_ERR_MAP(BSS__ERR_MSG)
#undef BSS__ERR_MSG
};

static const char *const names[] = {
#define BSS__ERR_NAME(name, msg) #name,
    BSS_ERR_MAP(BSS__ERR_NAME)
#undef BSS__ERR_NAME
};

const char *bss_strerror(bss_err code)
{
    if ((unsigned)code >= BSS_E__COUNT)
        return "unknown error";
    return messages[code];
}

const char *bss_errname(bss_err code)
{
    if ((unsigned)code >= BSS_E__COUNT)
        return "UNKNOWN";
    return names[code];
}

bss_err bss_fail(bss_errinfo *ei, bss_err code, const char *field, const char *fmt, ...)
{
    if (ei == NULL)
        return code;
    ei->code = code;
    ei->details[0] = '\0';
    snprintf(ei->field, sizeof(ei->field), "%s", field ? field : "");
    if (fmt == NULL) {
        snprintf(ei->message, sizeof(ei->message), "%s", bss_strerror(code));
    } else {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ei->message, sizeof(ei->message), fmt, ap);
        va_end(ap);
    }
    return code;
}

void bss_errinfo_add_detail(bss_errinfo *ei, bss_err code, const char *field, const char *message)
{
    if (ei == NULL)
        return;
    size_t used = strlen(ei->details);
    int n = snprintf(ei->details + used, sizeof ei->details - used, "%s\x1f%s\x1f%s\x1e", bss_errname(code),
                     field ? field : "", message ? message : "");
    if (n < 0 || (size_t)n >= sizeof ei->details - used)
        ei->details[used] = '\0'; /* does not fit: the ones before stay whole */
}

void bss_errinfo_clear(bss_errinfo *ei)
{
    if (ei == NULL)
        return;
    ei->details[0] = '\0';
    ei->code = BSS_OK;
    ei->message[0] = '\0';
    ei->field[0] = '\0';
}

/* Copies text into dst[cap], cut at cap - 1. */
static void set_text(char *dst, size_t cap, const char *text)
{
    size_t n = strlen(text);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, text, n);
    dst[n] = '\0';
}

bss_err bss_errinfo_at(bss_errinfo *ei, bss_err rc, const char *member, size_t index, const char *what,
                       const char *id)
{
    if (ei == NULL)
        return rc;
    char field[sizeof ei->field + 64], message[sizeof ei->message + 128];
    if (ei->field[0])
        snprintf(field, sizeof field, "%s[%zu].%s", member, index, ei->field);
    else
        snprintf(field, sizeof field, "%s[%zu]", member, index);
    snprintf(message, sizeof message, "%s %.64s: %s", what, id ? id : "(no id)", ei->message);
    set_text(ei->field, sizeof ei->field, field);
    set_text(ei->message, sizeof ei->message, message);
    ei->code = rc;
    return rc;
}

void bss_errinfo_prefix_field(bss_errinfo *ei, const char *prefix)
{
    if (ei == NULL)
        return;
    char field[sizeof ei->field + 64];
    snprintf(field, sizeof field, "%s%s%s", prefix, ei->field[0] ? "." : "", ei->field);
    set_text(ei->field, sizeof ei->field, field);
}
