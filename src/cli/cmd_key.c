/*
 * cmd_key.c: `bss key create|list|revoke`, a client of the running
 * server's admin API (POST/GET /admin/v1/keys, DELETE /admin/v1/keys/{id})
 * over libcurl: the server owns the store while it runs. The server's
 * address comes from --url or from the configuration (--listen, file,
 * environment); the admin key from --key or <data-dir>/admin.key.
 */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/config.h"
#include "core/mem.h"

#define MAX_ANSWER (1 << 20)

typedef struct key_opts {
    const char *url, *key, *role, *name;
    char url_buf[600];
    char key_buf[128];
} key_opts;

typedef struct answer {
    char *data;
    size_t len;
} answer;

static size_t on_data(char *ptr, size_t size, size_t n, void *arg)
{
    answer *a = arg;
    size_t add = size * n;
    if (a->len + add > MAX_ANSWER)
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

/* Pulls our own flags out of argv (compacting it) so the rest can go to bss_config_load. */
static int take_flags(int *argc, char **argv, key_opts *o)
{
    static const char *const names[] = {"--url", "--key", "--role", "--name"};
    const char **slots[] = {&o->url, &o->key, &o->role, &o->name};
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        bool taken = false;
        for (size_t f = 0; f < 4 && !taken; f++) {
            size_t nl = strlen(names[f]);
            if (strcmp(argv[i], names[f]) == 0) {
                if (i + 1 >= *argc) {
                    fprintf(stderr, "bss key: %s needs a value\n", names[f]);
                    return -1;
                }
                *slots[f] = argv[++i];
                taken = true;
            } else if (strncmp(argv[i], names[f], nl) == 0 && argv[i][nl] == '=') {
                *slots[f] = argv[i] + nl + 1;
                taken = true;
            }
        }
        if (!taken)
            argv[out++] = argv[i];
    }
    *argc = out;
    return 0;
}

static int read_admin_key(const bss_config *cfg, key_opts *o)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/admin.key", cfg->data_dir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "bss key: no --key given and cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    bool ok = fgets(o->key_buf, sizeof(o->key_buf), f) != NULL;
    fclose(f);
    o->key_buf[strcspn(o->key_buf, "\r\n")] = '\0';
    if (!ok || o->key_buf[0] == '\0') {
        fprintf(stderr, "bss key: %s is empty\n", path);
        return -1;
    }
    o->key = o->key_buf;
    return 0;
}

/* One request; returns the HTTP status (0 when the server could not be reached). */
static long call(const key_opts *o, const char *method, const char *path, const char *body, answer *a)
{
    char url[800], auth[200];
    snprintf(url, sizeof(url), "%s%s", o->url, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", o->key);
    CURL *c = curl_easy_init();
    if (c == NULL)
        return 0;
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body != NULL)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else if (rc == CURLE_COULDNT_CONNECT)
        fprintf(stderr,
                "bss key: cannot reach the server at %s: is `bss serve` running? (use --url to point "
                "elsewhere)\n",
                o->url);
    else
        fprintf(stderr, "bss key: request to %s failed: %s\n", url, curl_easy_strerror(rc));
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

/* Prints the TMF error of a failed call; returns the exit status. */
static int report_error(long status, const answer *a)
{
    if (status == 0)
        return 1;
    json_t *v = a->data ? json_loads(a->data, 0, NULL) : NULL;
    const char *msg = v ? json_string_value(json_object_get(v, "message")) : NULL;
    fprintf(stderr, "bss key: the server answered %ld: %s\n", status, msg ? msg : (a->data ? a->data : ""));
    if (status == 401)
        fprintf(stderr,
                "bss key: the key was refused; pass an admin key with --key or check <data-dir>/admin.key\n");
    json_decref(v);
    return 1;
}

static int do_create(const key_opts *o)
{
    if (o->role == NULL || o->name == NULL) {
        fprintf(stderr, "bss key create: --role and --name are required\n");
        return 2;
    }
    json_t *req = json_pack("{s:s, s:s}", "name", o->name, "role", o->role);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (body == NULL)
        return 1;
    answer a = {0};
    long st = call(o, "POST", "/admin/v1/keys", body, &a);
    bss_free(body);
    int rc = 0;
    json_t *v = (st == 201 && a.data) ? json_loads(a.data, 0, NULL) : NULL;
    if (v != NULL) {
        printf("id:   %s\nname: %s\nrole: %s\nkey:  %s\n\nThe key is shown only this once: store it now.\n",
               json_string_value(json_object_get(v, "id")), json_string_value(json_object_get(v, "name")),
               json_string_value(json_object_get(v, "role")), json_string_value(json_object_get(v, "key")));
    } else {
        rc = report_error(st, &a);
    }
    json_decref(v);
    bss_free(a.data);
    return rc;
}

static int do_list(const key_opts *o)
{
    answer a = {0};
    long st = call(o, "GET", "/admin/v1/keys", NULL, &a);
    json_t *v = (st == 200 && a.data) ? json_loads(a.data, 0, NULL) : NULL;
    int rc = 0;
    if (json_is_array(v)) {
        printf("%-36s  %-8s  %-9s  %-8s  %-24s  %s\n", "ID", "ROLE", "PREFIX", "STATE", "CREATED", "NAME");
        size_t i;
        json_t *k;
        json_array_foreach(v, i, k)
        {
            printf("%-36s  %-8s  %-9s  %-8s  %-24s  %s\n", json_string_value(json_object_get(k, "id")),
                   json_string_value(json_object_get(k, "role")),
                   json_string_value(json_object_get(k, "prefix")),
                   json_is_true(json_object_get(k, "active")) ? "active" : "revoked",
                   json_string_value(json_object_get(k, "createdAt")),
                   json_string_value(json_object_get(k, "name")));
        }
    } else {
        rc = report_error(st, &a);
    }
    json_decref(v);
    bss_free(a.data);
    return rc;
}

static int do_revoke(const key_opts *o, const char *id)
{
    char path[200];
    snprintf(path, sizeof(path), "/admin/v1/keys/%.100s", id);
    answer a = {0};
    long st = call(o, "DELETE", path, NULL, &a);
    int rc = 0;
    if (st == 204)
        printf("revoked %s\n", id);
    else
        rc = report_error(st, &a);
    bss_free(a.data);
    return rc;
}

int bss_cmd_key(int argc, char **argv)
{
    static key_opts o;
    int n = argc - 1;
    char **args = argv + 1;
    if (take_flags(&n, args, &o) != 0)
        return 2;
    bss_config cfg;
    bss_errinfo ei;
    int rest = 0;
    char **rest_argv = NULL;
    bss_config_defaults(&cfg);
    if (bss_config_load(&cfg, n, args, &rest, &rest_argv, &ei) != BSS_OK) {
        fprintf(stderr, "bss key: %s\n", ei.message);
        return 2;
    }
    if (rest < 1) {
        bss_cmd_key_help(stderr);
        return 2;
    }
    if (o.url == NULL) {
        const char *host = strcmp(cfg.listen_host, "0.0.0.0") == 0 || cfg.listen_host[0] == '\0'
                               ? "127.0.0.1"
                               : cfg.listen_host;
        snprintf(o.url_buf, sizeof(o.url_buf), strchr(host, ':') ? "http://[%s]:%d" : "http://%s:%d", host,
                 cfg.listen_port);
        o.url = o.url_buf;
    }
    if (o.key == NULL && read_admin_key(&cfg, &o) != 0)
        return 1;
    const char *sub = rest_argv[0];
    int status;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (strcmp(sub, "create") == 0 && rest == 1)
        status = do_create(&o);
    else if (strcmp(sub, "list") == 0 && rest == 1)
        status = do_list(&o);
    else if (strcmp(sub, "revoke") == 0 && rest == 2)
        status = do_revoke(&o, rest_argv[1]);
    else {
        fprintf(stderr, "bss key: unknown or incomplete subcommand '%s'\n\n", sub);
        bss_cmd_key_help(stderr);
        status = 2;
    }
    curl_global_cleanup();
    return status;
}

void bss_cmd_key_help(FILE *out)
{
    fprintf(out,
            "usage: bss key create --role ROLE --name NAME [options]\n"
            "       bss key list [options]\n"
            "       bss key revoke ID [options]\n\n"
            "Manages API keys through the running server's admin API (the server owns the\n"
            "store while it runs). A new key is printed once; the store keeps only its hash.\n"
            "Revocation takes effect within a second.\n\n"
            "  --role ROLE   admin, agent, billing, readonly or network\n"
            "  --name NAME   who or what the key is for\n"
            "  --url URL     the server (default http://<listen> from the configuration)\n"
            "  --key KEY     an admin key (default: the contents of <data-dir>/admin.key)\n"
            "  --data-dir, --listen, --config and the other configuration flags of\n"
            "  `bss help serve` are read too, to find the server and admin.key.\n\n"
            "Exit status: 0 on success, 1 if the server refused or could not be reached, 2 on bad usage.\n");
}
