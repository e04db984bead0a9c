/*
 * qr.h: QR codes as PNG images, for what a customer scans: an eSIM's
 * activation code (GSMA SGP.22 "LPA:1$<SM-DP+>$<matching id>"). The code is
 * made by libqrencode (error correction M, 8-bit mode), the image drawn and
 * PNG-encoded by cairo: black modules on white, scale pixels per module, a
 * quiet zone of 4 modules as ISO/IEC 18004 asks.
 */
#ifndef BSS_CORE_QR_H
#define BSS_CORE_QR_H

#include <stddef.h>

#include "core/err.h"

#define BSS_QR_TEXT_MAX 512 /* the longest text encoded */

/*
 * Encodes text (1..BSS_QR_TEXT_MAX bytes) as a PNG into *png (bss_malloc'd,
 * *len bytes); scale 1..32 pixels per module. BSS_E_INVALID for an empty or
 * too long text or a bad scale, BSS_E_NOMEM, BSS_E_INTERNAL when the
 * encoder fails.
 */
bss_err bss_qr_png(const char *text, int scale, unsigned char **png, size_t *len, bss_errinfo *ei);

#endif
