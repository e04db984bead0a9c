/*
 * client.c: the HTTP client side of the CLI commands that drive a running
 * server (client.h). libcurl easy handles, one per request; answers are
 * capped (c->max_answer) so a confused server cannot exhaust memory.
 */
#include "cli/client.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

typedef struct sink {
    bss_cli_answer *a;
    size_t max;
} sink;

static size_t on_data(char *ptr, size_t size, size_t n, void *arg)
{
    sink *s = arg;
    bss_cli_answer *a = s->a;
    size_t add = size * n;
    if (a->len + add > s->max)
        return 0;
    char *d = bss_realloc(a->data, a->len + add + 1);
    if (d == NULL)
        return 0;
    memcpy(d + a->len, ptr, add);
    a->data = d;
    a->len += add;
    a->data[a->len] = '\0';
    return add;
}

/* Whether argv[*i] is flag f; on success stores its value (moving *i past it). 1 taken, 0 not, -1 error. */
static int take_one(const char *cmd, int argc, char **argv, int *i, const bss_cli_flag *f)
{
    size_t nl = strlen(f->name);
    if (f->boolean != NULL) {
        if (strcmp(argv[*i], f->name) != 0)
            return 0;
        *f->boolean = true;
        return 1;
    }
    if (strcmp(argv[*i], f->name) == 0) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "%s: %s needs a value\n", cmd, f->name);
            return -1;
        }
        *f->value = argv[++*i];
        return 1;
    }
    if (strncmp(argv[*i], f->name, nl) == 0 && argv[*i][nl] == '=') {
        *f->value = argv[*i] + nl + 1;
        return 1;
    }
    return 0;
}

int bss_cli_take_flags(const char *cmd, int *argc, char **argv, const bss_cli_flag *flags, size_t nflags)
{
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        int taken = 0;
        for (size_t f = 0; f < nflags && taken == 0; f++)
            taken = take_one(cmd, *argc, argv, &i, &flags[f]);
        if (taken < 0)
            return -1;
        if (taken == 0)
            argv[out++] = argv[i];
    }
    *argc = out;
    return 0;
}

static int read_admin_key(bss_cli_client *c, const bss_config *cfg)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/admin.key", cfg->data_dir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "%s: no --key given and cannot read %s: %s\n", c->cmd, path, strerror(errno));
        return -1;
    }
    bool ok = fgets(c->key, sizeof(c->key), f) != NULL;
    fclose(f);
    c->key[strcspn(c->key, "\r\n")] = '\0';
    if (!ok || c->key[0] == '\0') {
        fprintf(stderr, "%s: %s is empty\n", c->cmd, path);
        return -1;
    }
    return 0;
}

int bss_cli_connect(bss_cli_client *c, const bss_config *cfg, const char *url_flag, const char *key_flag)
{
    if (url_flag != NULL) {
        snprintf(c->url, sizeof(c->url), "%s", url_flag);
    } else {
        const char *host = strcmp(cfg->listen_host, "0.0.0.0") == 0 || cfg->listen_host[0] == '\0'
                               ? "127.0.0.1"
                               : cfg->listen_host;
        snprintf(c->url, sizeof(c->url), strchr(host, ':') ? "http://[%s]:%d" : "http://%s:%d", host,
                 cfg->listen_port);
    }
    if (key_flag != NULL) {
        snprintf(c->key, sizeof(c->key), "%s", key_flag);
        return 0;
    }
    return read_admin_key(c, cfg);
}

long bss_cli_call(const bss_cli_client *c, const char *method, const char *path, const char *body,
                  size_t body_len, bss_cli_answer *a)
{
    char url[800], auth[200];
    snprintf(url, sizeof(url), "%s%s", c->url, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->key);
    CURL *h = curl_easy_init();
    if (h == NULL)
        return 0;
    sink s = {.a = a, .max = c->max_answer ? c->max_answer : (1u << 20)};
    struct curl_slist *hd = curl_slist_append(NULL, auth);
    char ct[160];
    snprintf(ct, sizeof ct, "Content-Type: %s", c->content_type ? c->content_type : "application/json");
    hd = curl_slist_append(hd, ct);
    char idem[200];
    if (c->idem_key && c->idem_key[0]) {
        snprintf(idem, sizeof idem, "Idempotency-Key: %.128s", c->idem_key);
        hd = curl_slist_append(hd, idem);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s > 0 ? c->timeout_s : 30L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (body != NULL) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    else if (rc == CURLE_COULDNT_CONNECT)
        fprintf(stderr,
                "%s: cannot reach the server at %s: is `bss serve` running? (use --url to point elsewhere)\n",
                c->cmd, c->url);
    else
        fprintf(stderr, "%s: request to %s failed: %s\n", c->cmd, url, curl_easy_strerror(rc));
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);
    return status;
}

int bss_cli_dispatch(bss_cli_client *c, const bss_config *cfg, const char *url, const char *key, int rest,
                     char **rest_argv, const bss_cli_sub *subs, size_t nsubs, void *opts, void (*help)(FILE *))
{
    const char *sub = rest >= 1 ? rest_argv[0] : NULL;
    const bss_cli_sub *pick = NULL;
    for (size_t i = 0; sub && i < nsubs && !pick; i++)
        if (strcmp(sub, subs[i].name) == 0 && (subs[i].nargs < 0 ? rest >= 2 : rest == 1 + subs[i].nargs))
            pick = &subs[i];
    if (!pick) {
        if (sub)
            fprintf(stderr, "%s: unknown or incomplete subcommand '%s'\n\n", c->cmd, sub);
        help(stderr);
        return 2;
    }
    if (bss_cli_connect(c, cfg, url, key) != 0)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int status = pick->run(opts, rest_argv + 1);
    curl_global_cleanup();
    return status;
}

int bss_cli_get_json(const bss_cli_client *c, const char *path, bool raw, json_t **out)
{
    *out = NULL;
    bss_cli_answer a = {0};
    long st = bss_cli_call(c, "GET", path, NULL, 0, &a);
    json_t *v = st == 200 && a.data ? json_loads(a.data, 0, NULL) : NULL;
    int rc = 0;
    if (st != 200 || !v)
        rc = st == 200 ? (fprintf(stderr, "%s: the server's answer is not JSON\n", c->cmd), 1)
                       : bss_cli_report_error(c, st, &a);
    else if (raw) {
        printf("%s\n", a.data);
        rc = -1;
    }
    if (rc == 0)
        *out = v;
    else
        json_decref(v);
    bss_cli_answer_free(&a);
    return rc;
}

char *bss_cli_read_file(const bss_cli_client *c, const char *path, size_t max, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot read %s: %s\n", c->cmd, path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = bss_malloc(cap + 1);
    while (buf != NULL) {
        if (n == cap) {
            char *b = cap < max ? bss_realloc(buf, cap * 2 + 1) : NULL;
            if (b == NULL) {
                fprintf(stderr, "%s: %s is too large\n", c->cmd, path);
                bss_free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (f != stdin)
        fclose(f);
    if (buf != NULL)
        buf[n] = '\0';
    *len = n;
    return buf;
}

void bss_cli_answer_free(bss_cli_answer *a)
{
    bss_free(a->data);
    a->data = NULL;
    a->len = 0;
}

int bss_cli_report_error(const bss_cli_client *c, long status, const bss_cli_answer *a)
{
    if (status == 0)
        return 1;
    json_t *v = a->data ? json_loads(a->data, 0, NULL) : NULL;
    const char *msg = v ? json_string_value(json_object_get(v, "message")) : NULL;
    const char *field = v ? json_string_value(json_object_get(v, "field")) : NULL;
    fprintf(stderr, "%s: the server answered %ld: %s\n", c->cmd, status,
            msg ? msg : (a->data ? a->data : ""));
    if (field && *field)
        fprintf(stderr, "%s: at %s\n", c->cmd, field);
    if (status == 401)
        fprintf(stderr,
                "%s: the key was refused; pass an admin key with --key or check <data-dir>/admin.key\n",
                c->cmd);
    if (status == 413)
        fprintf(stderr, "%s: the request is larger than the server's --max-body; raise it\n", c->cmd);
    json_decref(v);
    return 1;
}

int bss_cli_args(const char *cmd, int argc, char **argv, const bss_cli_flag *flags, size_t nflags, bss_config *cfg,
                 int *rest, char ***rest_argv)
{
    int n = argc - 1;
    char **args = argv + 1;
    if (bss_cli_take_flags(cmd, &n, args, flags, nflags) != 0)
        return 2;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_config_defaults(cfg);
    if (bss_config_load(cfg, n, args, rest, rest_argv, &ei) != BSS_OK) {
        fprintf(stderr, "%s: %s\n", cmd, ei.message);
        return 2;
    }
    return 0;
}

void bss_cli_idempotency_key(const char *given, char out[64])
{
    if (given) {
        snprintf(out, 64, "%.63s", given);
        return;
    }
    unsigned char r[12];
    randombytes_buf(r, sizeof r);
    char hex[25];
    sodium_bin2hex(hex, sizeof hex, r, sizeof r);
    snprintf(out, 64, "cli-%s", hex);
}

void bss_cli_add_param(char *buf, size_t cap, const char *name, const char *value)
{
    size_t n = strlen(buf);
    n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s%s=", strchr(buf, '?') ? "&" : "?", name);
    for (const unsigned char *p = (const unsigned char *)value; *p && n + 4 < cap; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p))
            buf[n++] = (char)*p;
        else
            n += (size_t)snprintf(buf + n, cap - n, "%%%02X", *p);
    }
    buf[n < cap ? n : cap - 1] = '\0';
}
