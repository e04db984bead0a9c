/*
 * tz.c: IANA time zones from the system's compiled zoneinfo (TZif, RFC 8536),
 * so time bands can be evaluated "in the account's time zone" without ever
 * touching TZ, localtime() or any other process-global state.
 *
 * A zone file holds the UTC instants at which the zone's offset changed (its
 * transitions) and, since version 2, a footer with a POSIX TZ rule string
 * ("CET-1CEST,M3.5.0,M10.5.0/3") that describes every instant after the
 * last transition. We read the 64-bit (version 2+) section, or the 32-bit one
 * of a version 1 file, and keep only what a lookup needs: the sorted
 * transition instants in seconds and, next to each, the UTC offset in force
 * from it on (resolved from the file's local time types), the offset before
 * the first transition, and the parsed footer rule. A lookup is a binary
 * search over the transitions (about 8 steps for a European zone) or, past
 * them, a little calendar arithmetic on the rule: no allocation, no lock, no
 * floating point.
 *
 * Loaded zones are immutable and live until the process exits: they sit in a
 * singly linked list whose head is an atomic pointer, so bss_tz_get finds a
 * zone already loaded without taking a lock; a mutex only serialises the
 * loading of a new one. Because they are never freed, each zone is one block
 * from plain malloc() rather than bss_malloc(): a process-lifetime cache must
 * not show up in the live-byte balance that every test checks at its end
 * (bss_mem_used() == 0), whichever test happened to load a zone first. The
 * file is read into a transient bss_malloc buffer as usual.
 *
 * "UTC" is built in, so it works even where tzdata is not installed. Names
 * are checked before any file is opened: [A-Za-z0-9_+-/] only, no "..", no
 * leading '/', at most 128 characters.
 */
#include "catalog/catalog.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/time.h"

#define TZ_DIR "/usr/share/zoneinfo/"
#define TZ_NAME_MAX 128
#define TZ_FILE_MAX (1 << 20)
#define TZ_MAX_TIMES 65536
#define TZ_MAX_TYPES 256
#define TZ_MAX_UTOFF (26 * 3600) /* RFC 8536: -89999 .. 93599 seconds */
#define TZ_EXPAND_YEAR 2200      /* footer rules are written out as transitions until then */

/* One POSIX rule date: Jn (1..365, no Feb 29), n (0..365), or Mm.w.d. */
typedef struct tz_rule_date {
    char kind;      /* 'J', 'D' or 'M' */
    int n;          /* J and D: the day; M: month 1..12 */
    int week;       /* M: 1..5 (5 = last) */
    int wday;       /* M: 0 = Sunday .. 6 */
    int32_t time_s; /* local time of the change, seconds (-167h .. 167h) */
} tz_rule_date;

typedef struct tz_rule {
    bool present;
    bool has_dst;
    int32_t std_off; /* seconds east of UTC */
    int32_t dst_off;
    tz_rule_date start, end; /* DST starts at start (standard time), ends at end (DST time) */
} tz_rule;

struct bss_tz {
    struct bss_tz *next; /* the cache list */
    const char *name;
    int32_t ntrans;
    int32_t before_off;       /* offset before the first transition (time type 0) */
    const int64_t *trans_s;   /* ascending UTC seconds */
    const int32_t *trans_off; /* offset in force from trans_s[i] on */
    tz_rule rule;             /* after the last transition */
};

static bss_tz tz_utc = {.name = "UTC"};
static _Atomic(bss_tz *) cache_head;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* ---- POSIX TZ rule strings (the TZif footer) ---- */

static const char *parse_num(const char *p, int max, int *out)
{
    if (*p < '0' || *p > '9')
        return NULL;
    int v = 0;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (*p - '0');
        if (v > max)
            return NULL;
        p++;
    }
    *out = v;
    return p;
}

/* [+-]hh[:mm[:ss]] with hh <= max_h; the sign is kept as written. */
static const char *parse_hms(const char *p, int max_h, int32_t *out)
{
    int sign = 1, h = 0, m = 0, s = 0;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if ((p = parse_num(p, max_h, &h)) == NULL)
        return NULL;
    if (*p == ':') {
        if ((p = parse_num(p + 1, 59, &m)) == NULL)
            return NULL;
        if (*p == ':' && (p = parse_num(p + 1, 59, &s)) == NULL)
            return NULL;
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return p;
}

static const char *parse_abbr(const char *p)
{
    const char *start = p;
    if (*p == '<') {
        for (p++; *p != '>'; p++)
            if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                  *p == '+' || *p == '-'))
                return NULL;
        return p - start >= 2 ? p + 1 : NULL;
    }
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
        p++;
    return p - start >= 3 ? p : NULL;
}

static const char *parse_rule_date(const char *p, tz_rule_date *d)
{
    d->time_s = 2 * 3600;
    if (*p == 'J') {
        d->kind = 'J';
        if ((p = parse_num(p + 1, 365, &d->n)) == NULL || d->n < 1)
            return NULL;
    } else if (*p == 'M') {
        d->kind = 'M';
        if ((p = parse_num(p + 1, 12, &d->n)) == NULL || d->n < 1 || *p != '.')
            return NULL;
        if ((p = parse_num(p + 1, 5, &d->week)) == NULL || d->week < 1 || *p != '.')
            return NULL;
        if ((p = parse_num(p + 1, 6, &d->wday)) == NULL)
            return NULL;
    } else {
        d->kind = 'D';
        if ((p = parse_num(p, 365, &d->n)) == NULL)
            return NULL;
    }
    if (*p == '/')
        p = parse_hms(p + 1, 167, &d->time_s);
    return p;
}

/* Parses "STDoff[DST[off][,start[/time],end[/time]]]". Returns false on anything else. */
static bool parse_posix(const char *p, tz_rule *r)
{
    int32_t off;
    memset(r, 0, sizeof(*r));
    if ((p = parse_abbr(p)) == NULL || (p = parse_hms(p, 24, &off)) == NULL)
        return false;
    r->std_off = -off; /* POSIX offsets count west of Greenwich */
    r->present = true;
    if (*p == '\0')
        return true;
    if ((p = parse_abbr(p)) == NULL)
        return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (*p != ',' && *p != '\0') {
        if ((p = parse_hms(p, 24, &off)) == NULL)
            return false;
        r->dst_off = -off;
    }
    if (*p == '\0') /* no rule given: the US rule, as glibc and tzcode assume */
        p = ",M3.2.0,M11.1.0";
    if (*p != ',' || (p = parse_rule_date(p + 1, &r->start)) == NULL)
        return false;
    if (*p != ',' || (p = parse_rule_date(p + 1, &r->end)) == NULL)
        return false;
    return *p == '\0';
}

/* The local day (days since 1970-01-01) a rule date falls on in year. */
static int64_t rule_day(const tz_rule_date *d, int year)
{
    int64_t jan1 = bss_days_from_civil(year, 1, 1);
    if (d->kind == 'J')
        return jan1 + d->n - 1 + (bss_is_leap_year(year) && d->n >= 60 ? 1 : 0);
    if (d->kind == 'D')
        return jan1 + d->n;
    int64_t first = bss_days_from_civil(year, d->n, 1);
    int64_t first_wday = (first % 7 + 7 + 4) % 7; /* 1970-01-01 was a Thursday; 0 = Sunday */
    int64_t day = first + (d->wday - first_wday + 7) % 7 + 7 * (d->week - 1);
    int64_t next_month = first + bss_days_in_month(year, d->n);
    while (day >= next_month)
        day -= 7;
    return day;
}

static int32_t rule_offset(const tz_rule *r, int64_t s)
{
    if (!r->has_dst)
        return r->std_off;
    int year, month, mday;
    bss_civil_from_days(floor_div(s + r->std_off, 86400), &year, &month, &mday);
    int64_t start = rule_day(&r->start, year) * 86400 + r->start.time_s - r->std_off;
    int64_t end = rule_day(&r->end, year) * 86400 + r->end.time_s - r->dst_off;
    if (start < end) /* northern: DST inside the year */
        return s >= start && s < end ? r->dst_off : r->std_off;
    return s >= end && s < start ? r->std_off : r->dst_off; /* southern: DST across new year */
}

/* ---- TZif files ---- */

typedef struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chars;
} tzif_counts;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Reads a 44-byte header at buf[pos]; returns the size of the data block that follows, or 0. */
static size_t tzif_header(const uint8_t *buf, size_t len, size_t pos, int tsize, tzif_counts *c,
                          char *version)
{
    if (len - pos < 44 || memcmp(buf + pos, "TZif", 4) != 0)
        return 0;
    *version = (char)buf[pos + 4];
    const uint8_t *p = buf + pos + 20;
    c->isut = be32(p), c->isstd = be32(p + 4), c->leap = be32(p + 8);
    c->time = be32(p + 12), c->type = be32(p + 16), c->chars = be32(p + 20);
    if (c->type < 1 || c->type > TZ_MAX_TYPES || c->time > TZ_MAX_TIMES || c->chars < 1 ||
        c->leap > TZ_MAX_TIMES || (c->isstd != 0 && c->isstd != c->type) ||
        (c->isut != 0 && c->isut != c->type))
        return 0;
    size_t need = (size_t)c->time * (size_t)(tsize + 1) + (size_t)c->type * 6 + c->chars +
                  (size_t)c->leap * (size_t)(tsize + 4) + c->isstd + c->isut;
    return len - pos - 44 >= need ? need : 0;
}

static int64_t tzif_time(const uint8_t *times, int tsize, uint32_t i)
{
    return tsize == 8 ? be64(times + 8 * i) : (int64_t)(int32_t)be32(times + 4 * i);
}

static int year_of(int64_t s)
{
    int year, month, mday;
    bss_civil_from_days(floor_div(s, 86400), &year, &month, &mday);
    return year;
}

/*
 * Appends the footer rule's transitions after the file's last one, up to the
 * end of TZ_EXPAND_YEAR, so that a lookup in the coming decades is the same
 * binary search whether the zone file is "fat" (transitions written out to
 * 2037) or "slim" (written out only until the rule took over, e.g. 2007).
 * Each added instant gets exactly the offset rule_offset() gives there, so
 * answers do not change; the rule itself still answers after TZ_EXPAND_YEAR.
 */
static int32_t expand_rule(const tz_rule *r, int64_t *ts, int32_t *to, int32_t n)
{
    if (n == 0 || !r->has_dst)
        return n;
    for (int y = year_of(ts[n - 1]); y <= TZ_EXPAND_YEAR; y++) {
        int64_t a = rule_day(&r->start, y) * 86400 + r->start.time_s - r->std_off;
        int64_t b = rule_day(&r->end, y) * 86400 + r->end.time_s - r->dst_off;
        int64_t at[2] = {a < b ? a : b, a < b ? b : a};
        for (int k = 0; k < 2; k++) {
            int32_t off = rule_offset(r, at[k]);
            if (at[k] > ts[n - 1] && off != to[n - 1]) {
                ts[n] = at[k];
                to[n++] = off;
            }
        }
    }
    return n;
}

/* Builds the zone (one malloc block) from a data block; NULL with *why set on bad data, NULL *why on OOM. */
static bss_tz *tzif_zone(const char *name, const uint8_t *data, const tzif_counts *c, int tsize,
                         const tz_rule *rule, const char **why)
{
    const uint8_t *times = data, *idx = data + (size_t)c->time * tsize, *types = idx + c->time;
    int32_t offs[TZ_MAX_TYPES];
    for (uint32_t i = 0; i < c->type; i++) {
        offs[i] = (int32_t)be32(types + 6 * i);
        if (offs[i] < -TZ_MAX_UTOFF || offs[i] > TZ_MAX_UTOFF || types[6 * i + 4] > 1) {
            *why = "bad local time type";
            return NULL;
        }
    }
    size_t cap = c->time; /* + room for expand_rule() */
    int y0 = c->time > 0 ? year_of(tzif_time(times, tsize, c->time - 1)) : 0;
    if (rule->has_dst && y0 >= 1800 && y0 <= TZ_EXPAND_YEAR)
        cap += 2 * (size_t)(TZ_EXPAND_YEAR - y0 + 1);
    size_t name_len = strlen(name);
    size_t head = (sizeof(bss_tz) + 7) & ~(size_t)7;
    bss_tz *z = malloc(head + cap * 12 + name_len + 1);
    if (z == NULL) {
        *why = NULL;
        return NULL;
    }
    int64_t *ts = (int64_t *)(void *)((char *)z + head);
    int32_t *to = (int32_t *)(void *)(ts + cap);
    char *zname = (char *)(to + cap);
    for (uint32_t i = 0; i < c->time; i++) {
        ts[i] = tzif_time(times, tsize, i);
        if (idx[i] >= c->type || (i > 0 && ts[i] <= ts[i - 1])) {
            /* the reason reads ts, which lives in z: before the free (fuzz/fuzz_tz.c found this) */
            *why = i > 0 && ts[i] <= ts[i - 1] ? "transitions out of order" : "bad type index";
            free(z);
            return NULL;
        }
        to[i] = offs[idx[i]];
    }
    int32_t n = cap > c->time ? expand_rule(rule, ts, to, (int32_t)c->time) : (int32_t)c->time;
    memcpy(zname, name, name_len + 1);
    *z = (bss_tz){
        .name = zname, .ntrans = n, .before_off = offs[0], .trans_s = ts, .trans_off = to, .rule = *rule};
    return z;
}

static bss_tz *tzif_parse(const char *name, const uint8_t *buf, size_t len, const char **why)
{
    tzif_counts c;
    char version;
    size_t block = tzif_header(buf, len, 0, 4, &c, &version);
    tz_rule rule = {0};
    *why = "bad header";
    if (block == 0)
        return NULL;
    if (version == '\0')
        return tzif_zone(name, buf + 44, &c, 4, &rule, why);
    size_t pos = 44 + block;
    char version2;
    block = tzif_header(buf, len, pos, 8, &c, &version2);
    if (block == 0)
        return NULL;
    const uint8_t *data = buf + pos + 44;
    pos += 44 + block;
    /* footer: "\n" rule "\n"; an empty rule means none */
    const uint8_t *nl = pos < len ? memchr(buf + pos + 1, '\n', len - pos - 1) : NULL;
    if (pos >= len || buf[pos] != '\n' || nl == NULL || nl - (buf + pos + 1) >= 128) {
        *why = "bad footer";
        return NULL;
    }
    char footer[128];
    size_t flen = (size_t)(nl - (buf + pos + 1));
    memcpy(footer, buf + pos + 1, flen);
    footer[flen] = '\0';
    if (flen > 0 && (memchr(footer, '\0', flen) != NULL || !parse_posix(footer, &rule))) {
        *why = "unsupported POSIX TZ rule in footer";
        return NULL;
    }
    return tzif_zone(name, data, &c, 8, &rule, why);
}

/* Reads the whole regular file into a bss_malloc buffer. */
static bss_err read_file(const char *path, uint8_t **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return BSS_E_NOT_FOUND;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > TZ_FILE_MAX) {
        close(fd);
        return BSS_E_NOT_FOUND;
    }
    uint8_t *buf = bss_malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        close(fd);
        return BSS_E_NOMEM;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    *out = buf;
    *len = got;
    return BSS_OK;
}

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || strstr(name, "..") != NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
              ch == '+' || ch == '-' || ch == '/'))
            return false;
    }
    return true;
}

static bss_tz *cache_find(const char *name)
{
    for (bss_tz *z = atomic_load_explicit(&cache_head, memory_order_acquire); z != NULL; z = z->next)
        if (strcmp(z->name, name) == 0)
            return z;
    return NULL;
}

static bss_err load_zone(const char *name, bss_tz **out, bss_errinfo *ei)
{
    char path[sizeof(TZ_DIR) + TZ_NAME_MAX];
    snprintf(path, sizeof(path), "%s%s", TZ_DIR, name);
    uint8_t *buf = NULL;
    size_t len = 0;
    bss_err e = read_file(path, &buf, &len);
    if (e == BSS_E_NOMEM)
        return bss_fail(ei, e, NULL, "out of memory reading time zone \"%s\"", name);
    if (e != BSS_OK)
        return bss_fail(ei, BSS_E_INVALID, NULL, "unknown time zone \"%s\"", name);
    const char *why = NULL;
    bss_tz *z = tzif_parse(name, buf, len, &why);
    bss_free(buf);
    if (z == NULL && why == NULL)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory loading time zone \"%s\"", name);
    if (z == NULL)
        return bss_fail(ei, BSS_E_INVALID, NULL, "time zone \"%s\" is not a valid zoneinfo file (%s)", name,
                        why);
    *out = z;
    return BSS_OK;
}

bss_err bss_tz_get(const char *name, const bss_tz **out, bss_errinfo *ei)
{
    if (name == NULL || name[0] == '\0')
        return bss_fail(ei, BSS_E_INVALID, NULL, "a time zone name is required, e.g. \"Europe/Amsterdam\"");
    if (!name_ok(name))
        return bss_fail(ei, BSS_E_INVALID, NULL,
                        "\"%.64s\" is not a valid time zone name: use an IANA name like \"Europe/Amsterdam\"",
                        name);
    if (strcmp(name, "UTC") == 0) {
        *out = &tz_utc;
        return BSS_OK;
    }
    bss_tz *z = cache_find(name);
    if (z != NULL) {
        *out = z;
        return BSS_OK;
    }
    pthread_mutex_lock(&cache_lock);
    z = cache_find(name); /* another thread may have loaded it meanwhile */
    bss_err e = BSS_OK;
    if (z == NULL) {
        e = load_zone(name, &z, ei);
        if (e == BSS_OK) {
            z->next = atomic_load_explicit(&cache_head, memory_order_relaxed);
            atomic_store_explicit(&cache_head, z, memory_order_release);
        }
    }
    pthread_mutex_unlock(&cache_lock);
    if (e == BSS_OK)
        *out = z;
    return e;
}

const char *bss_tz_name(const bss_tz *tz)
{
    return tz->name;
}

int32_t bss_tz_offset_s(const bss_tz *tz, int64_t utc_ms)
{
    int64_t s = floor_div(utc_ms, 1000);
    int32_t n = tz->ntrans;
    if (n == 0 || s >= tz->trans_s[n - 1]) {
        if (tz->rule.present)
            return rule_offset(&tz->rule, s);
        return n == 0 ? tz->before_off : tz->trans_off[n - 1];
    }
    if (s < tz->trans_s[0])
        return tz->before_off;
    int32_t lo = 0, hi = n - 1; /* trans_s[lo] <= s < trans_s[hi] */
    while (hi - lo > 1) {
        int32_t mid = lo + (hi - lo) / 2;
        if (tz->trans_s[mid] <= s)
            lo = mid;
        else
            hi = mid;
    }
    return tz->trans_off[lo];
}
