/*
 * qr.c: QR code PNGs (qr.h) through libqrencode and cairo.
 */
#include "core/qr.h"

#include <cairo.h>
#include <qrencode.h>
#include <stdbool.h>
#include <string.h>

#include "core/mem.h"

#define QUIET 4 /* modules of white around the code */

typedef struct png_buf {
    unsigned char *data;
    size_t len, cap;
    bool failed;
} png_buf;

static cairo_status_t png_write(void *closure, const unsigned char *data, unsigned int length)
{
    png_buf *b = closure;
    if (b->len + length > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + length)
            cap *= 2;
        unsigned char *d = bss_realloc(b->data, cap);
        if (!d) {
            b->failed = true;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, length);
    b->len += length;
    return CAIRO_STATUS_SUCCESS;
}

bss_err bss_qr_png(const char *text, int scale, unsigned char **png, size_t *len, bss_errinfo *ei)
{
    *png = NULL;
    *len = 0;
    size_t n = text ? strlen(text) : 0;
    if (n == 0 || n > BSS_QR_TEXT_MAX)
        return bss_fail(ei, BSS_E_INVALID, "text", "a QR code holds 1 to %d bytes", BSS_QR_TEXT_MAX);
    if (scale < 1 || scale > 32)
        return bss_fail(ei, BSS_E_INVALID, "scale", "scale must be 1..32 pixels per module");
    QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!qr)
        return bss_fail(ei, BSS_E_INTERNAL, NULL, "the QR encoder failed");
    int side = (qr->width + 2 * QUIET) * scale;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int y = 0; y < qr->width; y++)
        for (int x = 0; x < qr->width; x++)
            if (qr->data[y * qr->width + x] & 1)
                cairo_rectangle(cr, (x + QUIET) * scale, (y + QUIET) * scale, scale, scale);
    cairo_fill(cr);
    cairo_destroy(cr);
    QRcode_free(qr);
    png_buf b = {0};
    cairo_status_t st = cairo_surface_write_to_png_stream(s, png_write, &b);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS || b.failed) {
        bss_free(b.data);
        return b.failed ? bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory")
                        : bss_fail(ei, BSS_E_INTERNAL, NULL, "PNG encoding failed: %s", cairo_status_to_string(st));
    }
    *png = b.data;
    *len = b.len;
    return BSS_OK;
}
