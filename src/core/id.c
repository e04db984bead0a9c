/*
 * id.c: UUIDv7 resource ids (RFC 9562, section 5.7 with the "fixed bit-length
 * dedicated counter" of section 6.2, method 1). Layout:
 *   48 bits unix_ts_ms | 4 bits version 7 | 12 bits rand_a = counter |
 *   2 bits variant 10  | 62 bits random (libsodium CSPRNG)
 * Each thread keeps the last timestamp and counter it used. A new
 * millisecond seeds the counter with 11 random bits (the top bit clear leaves
 * at least 2048 ids of room); the same millisecond increments it; when it
 * would pass 4095 the timestamp moves on by 1 ms. A clock that steps back by
 * up to BACKSTEP_MS keeps following the thread's last timestamp, so ids of
 * one thread always sort in creation order; a bigger step back (a test clock
 * set to the past) starts again from the given time.
 */
#include "core/id.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TS_MAX ((INT64_C(1) << 48) - 1)
#define COUNTER_MAX 0xFFF
#define BACKSTEP_MS 10000

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;

static void sodium_setup(void)
{
    if (sodium_init() < 0) {
        fputs("bss: libsodium failed to initialise\n", stderr);
        abort();
    }
}

static _Thread_local int64_t last_ms = -1;
static _Thread_local unsigned counter;

/* Picks the timestamp and counter for the next id of this thread. */
static int64_t next_stamp(int64_t now_ms, const unsigned char seed[2])
{
    unsigned fresh = (((unsigned)seed[0] << 8) | seed[1]) & 0x7FF;
    if (now_ms < 0)
        now_ms = 0;
    if (now_ms > TS_MAX)
        now_ms = TS_MAX;
    if (last_ms >= 0 && now_ms <= last_ms && last_ms - now_ms <= BACKSTEP_MS) {
        now_ms = last_ms;
        if (++counter > COUNTER_MAX) {
            counter = fresh;
            if (now_ms < TS_MAX)
                now_ms++;
        }
    } else {
        counter = fresh;
    }
    last_ms = now_ms;
    return now_ms;
}

void bss_id_new(int64_t now_ms, char out[BSS_ID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    pthread_once(&sodium_once, sodium_setup);
    unsigned char rnd[10], b[16];
    randombytes_buf(rnd, sizeof(rnd));
    int64_t ts = next_stamp(now_ms, rnd);
    for (int i = 0; i < 6; i++)
        b[i] = (unsigned char)(ts >> (40 - 8 * i));
    b[6] = (unsigned char)(0x70 | (counter >> 8));
    b[7] = (unsigned char)(counter & 0xFF);
    b[8] = (unsigned char)(0x80 | (rnd[2] & 0x3F));
    for (int i = 9; i < 16; i++)
        b[i] = rnd[i - 6];
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0xF];
    }
    out[o] = '\0';
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

bool bss_id_valid(const char *s, size_t len)
{
    if (s == NULL || len != BSS_ID_LEN)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (hex_value(s[i]) < 0) {
            return false;
        }
    }
    return true;
}

int64_t bss_id_time_ms(const char *id)
{
    if (id == NULL || !bss_id_valid(id, strnlen(id, BSS_ID_LEN + 1)) || id[14] != '7')
        return 0;
    int64_t ms = 0;
    for (int i = 0; i < 13; i++)
        if (i != 8)
            ms = ms * 16 + hex_value(id[i]);
    return ms;
}
