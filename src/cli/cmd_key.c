/*
 * cmd_key.c: `bss key create|list|revoke`, a client of the running
 * server's admin API (POST/GET /admin/v1/keys, DELETE /admin/v1/keys/{id})
 * over libcurl: the server owns the store while it runs. The server's
 * address comes from --url or from the configuration (--listen, file,
 * environment); the admin key from --key or <data-dir>/admin.key.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "core/config.h"
#include "core/mem.h"

typedef struct key_opts {
    bss_cli_client client;
    const char *role, *name;
} key_opts;

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
    bss_cli_answer a = {0};
    long st = bss_cli_call(&o->client, "POST", "/admin/v1/keys", body, strlen(body), &a);
    bss_free(body);
    int rc = 0;
    json_t *v = (st == 201 && a.data) ? json_loads(a.data, 0, NULL) : NULL;
    if (v != NULL) {
        printf("id:   %s\nname: %s\nrole: %s\nkey:  %s\n\nThe key is shown only this once: store it now.\n",
               json_string_value(json_object_get(v, "id")), json_string_value(json_object_get(v, "name")),
               json_string_value(json_object_get(v, "role")), json_string_value(json_object_get(v, "key")));
    } else {
        rc = bss_cli_report_error(&o->client, st, &a);
    }
    json_decref(v);
    bss_cli_answer_free(&a);
    return rc;
}

static int do_list(const key_opts *o)
{
    bss_cli_answer a = {0};
    long st = bss_cli_call(&o->client, "GET", "/admin/v1/keys", NULL, 0, &a);
    json_t *v = (st == 200 && a.data) ? json_loads(a.data, 0, NULL) : NULL;
    int rc = 0;
    if (json_is_array(v)) {
        printf("%-36s  %-11s  %-9s  %-8s  %-24s  %-24s  %s\n", "ID", "ROLE", "PREFIX", "STATE", "CREATED",
               "LAST USED", "NAME");
        size_t i;
        json_t *k;
        json_array_foreach(v, i, k)
        {
            const char *used = json_string_value(json_object_get(k, "lastUsedAt"));
            printf("%-36s  %-11s  %-9s  %-8s  %-24s  %-24s  %s\n", json_string_value(json_object_get(k, "id")),
                   json_string_value(json_object_get(k, "role")),
                   json_string_value(json_object_get(k, "prefix")),
                   json_is_true(json_object_get(k, "active")) ? "active" : "revoked",
                   json_string_value(json_object_get(k, "createdAt")), used ? used : "never",
                   json_string_value(json_object_get(k, "name")));
        }
    } else {
        rc = bss_cli_report_error(&o->client, st, &a);
    }
    json_decref(v);
    bss_cli_answer_free(&a);
    return rc;
}

static int do_revoke(const key_opts *o, const char *id)
{
    char path[200];
    snprintf(path, sizeof(path), "/admin/v1/keys/%.100s", id);
    bss_cli_answer a = {0};
    long st = bss_cli_call(&o->client, "DELETE", path, NULL, 0, &a);
    int rc = 0;
    if (st == 204)
        printf("revoked %s\n", id);
    else
        rc = bss_cli_report_error(&o->client, st, &a);
    bss_cli_answer_free(&a);
    return rc;
}

int bss_cmd_key(int argc, char **argv)
{
    static key_opts o;
    memset(&o, 0, sizeof o);
    o.client.cmd = "bss key";
    const char *url = NULL, *key = NULL;
    const bss_cli_flag flags[] = {
        {"--url", &url, NULL}, {"--key", &key, NULL}, {"--role", &o.role, NULL}, {"--name", &o.name, NULL}};
    bss_config cfg;
    int rest = 0;
    char **rest_argv = NULL;
    if (bss_cli_args(o.client.cmd, argc, argv, flags, sizeof flags / sizeof flags[0], &cfg, &rest, &rest_argv) != 0)
        return 2;
    if (rest < 1) {
        bss_cmd_key_help(stderr);
        return 2;
    }
    if (bss_cli_connect(&o.client, &cfg, url, key) != 0)
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
            "  --role ROLE   admin, agent, billing, readonly, network or integration\n"
            "  --name NAME   who or what the key is for\n"
            "  --url URL     the server (default http://<listen> from the configuration)\n"
            "  --key KEY     an admin key (default: the contents of <data-dir>/admin.key)\n"
            "  --data-dir, --listen, --config and the other configuration flags of\n"
            "  `bss help serve` are read too, to find the server and admin.key.\n\n"
            "Exit status: 0 on success, 1 if the server refused or could not be reached, 2 on bad usage.\n");
}
