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

void bss_errinfo_clear(bss_errinfo *ei)
{
    if (ei == NULL)
        return;
    ei->code = BSS_OK;
    ei->message[0] = '\0';
    ei->field[0] = '\0';
}
