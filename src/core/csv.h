/*
 * csv.h: CSV records (RFC 4180) from a buffer, for the files operators
 * hand bss: SIM batches, number ranges, CDRs. One record at a time, with
 * the line it starts on for reject reports. Accepted: CRLF or LF line
 * ends, a UTF-8 byte-order mark at the start, quoted fields with commas,
 * line breaks and doubled quotes inside. Refused with the line number: a
 * quote that is never closed, text after a closing quote, a NUL byte, more
 * than BSS_CSV_MAX_FIELDS fields, a field longer than BSS_CSV_MAX_FIELD
 * bytes. Blank lines are skipped. The reader never allocates per record:
 * fields point into its own buffer, valid until the next call.
 */
#ifndef BSS_CORE_CSV_H
#define BSS_CORE_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

#define BSS_CSV_MAX_FIELDS 64
#define BSS_CSV_MAX_FIELD 4096

typedef struct bss_csv {
    const char *p, *end;
    int64_t line;                 /* the line the next record starts on (1-based) */
    char buf[BSS_CSV_MAX_FIELDS * 64 + BSS_CSV_MAX_FIELD]; /* the unquoted fields of the current record */
    const char *field[BSS_CSV_MAX_FIELDS];
    size_t len[BSS_CSV_MAX_FIELDS];
    size_t nfields;
    const char *raw; /* the record's text as in the input (quotes included, line end not), for reject files */
    size_t raw_len;
} bss_csv;

/* Starts reading data[0..len) (not copied: it must outlive the reader). */
void bss_csv_init(bss_csv *c, const char *data, size_t len);

/*
 * The next record into c->field/len/nfields; *line = the line it starts
 * on. BSS_OK, BSS_E_DONE at the end, or BSS_E_INVALID with a message
 * naming the line (ei->field "line N"); after an error the reader goes on
 * at the next line, so a caller can reject one record and read the rest (a
 * quote never closed is the error of the line it opens on, not of the rest
 * of the file). c->raw/raw_len hold the record's text as it was in the
 * input (also for a rejected one), for reject files.
 */
bss_err bss_csv_next(bss_csv *c, int64_t *line, bss_errinfo *ei);

/* Writes s (NULL: empty) as one CSV field, quoted when it holds a comma, a quote or a line break. */
void bss_csv_write_field(FILE *f, const char *s);

/* The index of the header column named name (exact, after trimming spaces), or -1. */
int bss_csv_column(const bss_csv *header, const char *name);

#endif
