/*
 * charging.h: the charging module, as other modules see it (docs/charging.md,
 * being built). Today: the CDR file reader, the first of the three doors
 * usage comes in by. The rating core, balances, sessions and the journal
 * follow (issue 11).
 *
 * A CDR file is CSV with a header row; its columns come in any order and
 * any column the reader does not know is kept as a characteristic of the
 * usage:
 *
 *   record_id     1..128 printable bytes, unique per record (the idempotency key)
 *   start_time    RFC 3339; at most --cdr-future-tolerance ahead of now
 *   msisdn        E.164 digits without '+' (6..15)
 *   service       voice | sms | mms | data | content
 *   destination   digits (1..20): required for voice, sms and mms, empty for data
 *   quantity      an integer >= 0 in unit, at most the unit's maximum
 *   unit          s | msg | byte | event, the one of its service (voice: s,
 *                 sms and mms: msg, data: byte, content: event)
 *   rating_group  an integer 0..4294967295, data only (may be empty)
 *   visited_plmn  MCC-MNC ("234-15") when roaming, empty at home
 *
 * The reader allocates nothing per record and never stops at a bad row:
 * bss_cdr_next reports it (line, reason, the row's original text, for the
 * reject file) and goes on with the next.
 */
#ifndef BSS_CHARGING_CHARGING_H
#define BSS_CHARGING_CHARGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/csv.h"
#include "core/err.h"

#define BSS_CDR_RECORD_ID_MAX 128
#define BSS_CDR_EXTRA_MAX 16 /* extra columns kept per record */

typedef enum bss_cdr_service {
    BSS_CDR_VOICE = 1,
    BSS_CDR_SMS,
    BSS_CDR_MMS,
    BSS_CDR_DATA,
    BSS_CDR_CONTENT,
} bss_cdr_service;

typedef enum bss_cdr_unit { BSS_CDR_SECONDS = 1, BSS_CDR_MESSAGES, BSS_CDR_BYTES, BSS_CDR_EVENTS } bss_cdr_unit;

/* What a record may hold: the largest quantity per unit, and how far ahead a start time may be. */
typedef struct bss_cdr_limits {
    int64_t max_seconds;  /* 86400: a day-long call is the longest */
    int64_t max_messages; /* 1000 */
    int64_t max_bytes;    /* 10^12 */
    int64_t max_events;   /* 10^6 */
    int64_t now_ms;       /* from the injected clock */
    int64_t future_ms;    /* how far past now a start time may be: 300000 */
} bss_cdr_limits;

/* The defaults above, with now. */
bss_cdr_limits bss_cdr_limits_default(int64_t now_ms);

/* One record. Strings point into the reader and are valid until the next call. */
typedef struct bss_cdr {
    int64_t line;
    const char *record_id;
    int64_t start_ms;
    const char *msisdn;
    bss_cdr_service service;
    const char *destination; /* "" for data and content */
    int64_t quantity;
    bss_cdr_unit unit;
    int64_t rating_group; /* -1: none */
    const char *visited_plmn; /* "" at home */
    size_t nextra;
    struct {
        const char *name, *value;
    } extra[BSS_CDR_EXTRA_MAX];
} bss_cdr;

typedef struct bss_cdr_reader {
    bss_csv csv;
    bss_cdr_limits limits;
    int col[9]; /* the header index of each known column, -1 when absent */
    size_t ncols;
    char names[BSS_CSV_MAX_FIELDS][64]; /* the header, for extra columns */
    bool known[BSS_CSV_MAX_FIELDS];
} bss_cdr_reader;

/*
 * Starts reading data[0..len) (not copied) and checks the header: the file
 * must have one (BSS_E_INVALID "line 1: the file is empty; a header row is
 * expected" / "line 1: missing column quantity" / "line 1: column unit
 * appears twice", naming the header's line), with every column above but
 * rating_group and visited_plmn, which may be absent.
 */
bss_err bss_cdr_open(bss_cdr_reader *r, const char *data, size_t len, const bss_cdr_limits *limits, bss_errinfo *ei);

/*
 * The next record into *out: BSS_OK; BSS_E_DONE at the end; BSS_E_INVALID
 * for a row to reject (ei->field "line N" or the column's name, the
 * message "line N: <reason>"; out->line, *raw and *raw_len the row's line and
 * original text), after which the next call reads on.
 */
bss_err bss_cdr_next(bss_cdr_reader *r, bss_cdr *out, const char **raw, size_t *raw_len, bss_errinfo *ei);

const char *bss_cdr_service_name(bss_cdr_service s); /* "voice" ... */
const char *bss_cdr_unit_name(bss_cdr_unit u);       /* "s" ... */

#endif
