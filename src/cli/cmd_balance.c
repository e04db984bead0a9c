/*
 * cmd_balance.c: `bss balance show|history|topup|adjust`, a client of the running
 * server's TMF654 API (docs/charging.md "Balances"): a line's buckets and
 * wallet as a care agent reads them, a top-up and an adjustment, each with
 * an Idempotency-Key (given, or made and printed so a retry can repeat it).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "core/config.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/parse.h"

typedef struct bal_opts {
    bss_cli_client client;
    const char *idem, *reason, *type, *action, *from, *to, *limit;
    bool json;
} bal_opts;

static const char *digits_of(const char *msisdn)
{
    return msisdn[0] == '+' ? msisdn + 1 : msisdn;
}

static void amount_text(const json_t *q, char *buf, size_t cap)
{
    const json_t *a = json_object_get(q, "amount");
    const char *u = json_string_value(json_object_get(q, "units"));
    int64_t m = 0;
    if (json_is_integer(a))
        snprintf(buf, cap, "%lld %s", (long long)json_integer_value(a), u ? u : "");
    else if (bss_money_from_json(a, "amount", &m, NULL) == BSS_OK) {
        char t[32];
        bss_money_format(m, t);
        snprintf(buf, cap, "%s %s", t, u ? u : "");
    } else
        snprintf(buf, cap, "-");
}

static int show(void *vo, char **args)
{
    bal_opts *o = vo;
    char path[256] = "/tmf-api/prepayBalanceManagement/v4/bucket";
    bss_cli_add_param(path, sizeof path, "logicalResource.id", digits_of(args[0]));
    bss_cli_add_param(path, sizeof path, "status", "active");
    json_t *list = NULL;
    int rc = bss_cli_get_json(&o->client, path, o->json, &list);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (json_array_size(list) == 0)
        printf("line %s has no active buckets\n", digits_of(args[0]));
    else
        printf("%-10s %-9s %-22s %-22s %-25s %s\n", "type", "source", "remaining", "reserved", "valid to", "id");
    size_t i;
    const json_t *b;
    json_array_foreach(list, i, b)
    {
        char rem[48], res[48];
        if (json_is_true(json_object_get(b, "isUnlimited")) || json_is_true(json_object_get(b, "unlimited")))
            snprintf(rem, sizeof rem, "unlimited");
        else
            amount_text(json_object_get(b, "remainedAmount"), rem, sizeof rem);
        amount_text(json_object_get(b, "reservedAmount"), res, sizeof res);
        const char *to = json_string_value(json_object_get(json_object_get(b, "validFor"), "endDateTime"));
        printf("%-10s %-9s %-22s %-22s %-25s %s\n", json_string_value(json_object_get(b, "usageType")),
               json_string_value(json_object_get(b, "bucketSource")) ?: "", rem, res, to ? to : "-",
               json_string_value(json_object_get(b, "id")));
    }
    json_decref(list);
    return 0;
}

/* The line's balance history, newest first: what changed each bucket, by how much, and why. */
static int history(void *vo, char **args)
{
    bal_opts *o = vo;
    char path[512] = "/tmf-api/prepayBalanceManagement/v4/balanceActionHistory";
    bss_cli_add_param(path, sizeof path, "logicalResource.id", digits_of(args[0]));
    if (o->type)
        bss_cli_add_param(path, sizeof path, "usageType", o->type);
    if (o->action)
        bss_cli_add_param(path, sizeof path, "action", o->action);
    if (o->from)
        bss_cli_add_param(path, sizeof path, "confirmationDate.gte", o->from);
    if (o->to)
        bss_cli_add_param(path, sizeof path, "confirmationDate.lt", o->to);
    bss_cli_add_param(path, sizeof path, "limit", o->limit ? o->limit : "50");
    json_t *list = NULL;
    int rc = bss_cli_get_json(&o->client, path, o->json, &list);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (json_array_size(list) == 0)
        printf("line %s has no balance history%s\n", digits_of(args[0]), o->action || o->type || o->from || o->to ? " that matches" : "");
    else
        printf("%-25s %-9s %-10s %-22s %-22s %s\n", "when", "action", "type", "amount", "after", "source");
    size_t i;
    const json_t *h;
    json_array_foreach(list, i, h)
    {
        char amt[48], after[48], src[160] = "-";
        amount_text(json_object_get(h, "amount"), amt, sizeof amt);
        amount_text(json_object_get(h, "remainedAmount"), after, sizeof after);
        const json_t *s = json_object_get(h, "source");
        if (s)
            snprintf(src, sizeof src, "%s %s", json_string_value(json_object_get(s, "@referredType")) ?: "",
                     json_string_value(json_object_get(s, "id")) ?: "");
        printf("%-25s %-9s %-10s %-22s %-22s %s\n", json_string_value(json_object_get(h, "confirmationDate")) ?: "",
               json_string_value(json_object_get(h, "action")) ?: "", json_string_value(json_object_get(h, "usageType")) ?: "",
               amt, after, src);
    }
    json_decref(list);
    return 0;
}

/* The line's bucket of usage type (monetary: its wallet): its id into id, else 1 with a message. */
static int bucket_of(bal_opts *o, const char *msisdn, const char *type, char *id, size_t cap)
{
    char path[256] = "/tmf-api/prepayBalanceManagement/v4/bucket";
    bss_cli_add_param(path, sizeof path, "logicalResource.id", digits_of(msisdn));
    bss_cli_add_param(path, sizeof path, "usageType", type);
    bss_cli_add_param(path, sizeof path, "status", "active");
    json_t *list = NULL;
    int rc = bss_cli_get_json(&o->client, path, false, &list);
    if (rc)
        return rc;
    const char *bid = json_string_value(json_object_get(json_array_get(list, 0), "id"));
    if (!bid) {
        fprintf(stderr, "bss balance: line %s has no active %s bucket\n", digits_of(msisdn), type);
        json_decref(list);
        return 1;
    }
    snprintf(id, cap, "%s", bid);
    json_decref(list);
    return 0;
}

static int act(bal_opts *o, const char *seg, const char *msisdn, const char *amount, bool adjust)
{
    const char *type = adjust && o->type ? o->type : "monetary";
    char bid[128];
    int rc = bucket_of(o, msisdn, type, bid, sizeof bid);
    if (rc)
        return rc;
    char idem[64];
    bss_cli_idempotency_key(o->idem, idem);
    o->client.idem_key = idem;
    /* the amount as the user wrote it: money in micro-exact decimal, units whole */
    json_t *amt = NULL;
    if (strcmp(type, "monetary") == 0) {
        int64_t m = 0;
        if (bss_money_parse(amount, strlen(amount), &m, NULL) != BSS_OK) {
            fprintf(stderr, "bss balance: %s is not an amount (10, 9.99, -2.50)\n", amount);
            return 2;
        }
        amt = bss_money_to_json(m);
    } else {
        int64_t n = 0;
        if (bss_parse_int64(amount, strlen(amount), BSS_NUM_SIGNED, -INT64_C(1000000000000000),
                            INT64_C(1000000000000000), &n) != BSS_OK) {
            fprintf(stderr, "bss balance: %s is not a whole number of units\n", amount);
            return 2;
        }
        amt = json_integer(n);
    }
    static const char *const unit_of[][2] = {{"voice", "second"}, {"sms", "message"}, {"data", "byte"}, {"event", "event"}};
    const char *units = "EUR";
    for (size_t i = 0; i < 4; i++)
        if (strcmp(type, unit_of[i][0]) == 0)
            units = unit_of[i][1];
    json_t *req = json_pack("{s:{s:o, s:s}, s:{s:s}}", "amount", "amount", amt, "units", units, "bucket", "id", bid);
    if (req && strcmp(type, "monetary") == 0) {
        /* the wallet's own currency */
        char path[256];
        snprintf(path, sizeof path, "/tmf-api/prepayBalanceManagement/v4/bucket/%s", bid);
        json_t *b = NULL;
        if (bss_cli_get_json(&o->client, path, false, &b) == 0) {
            const char *cur = json_string_value(json_object_get(json_object_get(b, "remainedAmount"), "units"));
            if (cur)
                json_object_set_new(json_object_get(req, "amount"), "units", json_string(cur));
        }
        json_decref(b);
    }
    if (req && adjust) {
        json_object_set_new(req, "usageType", json_string(type));
        if (o->reason)
            json_object_set_new(req, "reason", json_string(o->reason));
    }
    char *body = req ? json_dumps(req, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(req);
    if (!body)
        return 1;
    char path[128];
    snprintf(path, sizeof path, "/tmf-api/prepayBalanceManagement/v4/%s", seg);
    o->client.content_type = NULL;
    bss_cli_answer a = {0};
    long st = bss_cli_call(&o->client, "POST", path, body, strlen(body), &a);
    bss_free(body);
    json_t *ans = (st == 201 || st == 200) && a.data ? json_loads(a.data, 0, NULL) : NULL;
    if (ans) {
        char rem[48];
        amount_text(json_object_get(ans, "remainedAmount"), rem, sizeof rem);
        printf("%s %s: %s, %s now holds %s (Idempotency-Key %s%s)\n", seg, json_string_value(json_object_get(ans, "id")),
               json_string_value(json_object_get(ans, "status")), bid, rem, idem, st == 200 ? ", replayed" : "");
    } else
        rc = bss_cli_report_error(&o->client, st, &a);
    json_decref(ans);
    bss_cli_answer_free(&a);
    return rc;
}

static int topup(void *o, char **args)
{
    return act(o, "topupBalance", args[0], args[1], false);
}

static int adjust(void *vo, char **args)
{
    bal_opts *o = vo;
    if (!o->reason) {
        fprintf(stderr, "bss balance: an adjustment says why: --reason TEXT\n");
        return 2;
    }
    return act(o, "adjustBalance", args[0], args[1], true);
}

int bss_cmd_balance(int argc, char **argv)
{
    static bal_opts o;
    memset(&o, 0, sizeof o);
    o.client.cmd = "bss balance";
    o.client.timeout_s = 60;
    o.client.max_answer = 16 << 20;
    const char *url = NULL, *key = NULL;
    const bss_cli_flag flags[] = {
        {"--url", &url, NULL},
        {"--key", &key, NULL},
        {"--idempotency-key", &o.idem, NULL},
        {"--reason", &o.reason, NULL},
        {"--type", &o.type, NULL},
        {"--action", &o.action, NULL},
        {"--from", &o.from, NULL},
        {"--to", &o.to, NULL},
        {"--limit", &o.limit, NULL},
        {"--json", NULL, &o.json},
    };
    bss_config cfg;
    int rest = 0;
    char **rest_argv = NULL;
    if (bss_cli_args(o.client.cmd, argc, argv, flags, sizeof flags / sizeof flags[0], &cfg, &rest, &rest_argv) != 0)
        return 2;
    static const bss_cli_sub subs[] = {{"show", 1, show}, {"history", 1, history}, {"topup", 2, topup}, {"adjust", 2, adjust}};
    return bss_cli_dispatch(&o.client, &cfg, url, key, rest, rest_argv, subs, sizeof subs / sizeof subs[0], &o,
                            bss_cmd_balance_help);
}

void bss_cmd_balance_help(FILE *out)
{
    fprintf(out,
            "usage: bss balance show MSISDN [--json] [options]\n"
            "       bss balance history MSISDN [--type T] [--action A] [--from T1] [--to T2] [--limit N] [--json]\n"
            "       bss balance topup MSISDN AMOUNT [--idempotency-key KEY] [options]\n"
            "       bss balance adjust MSISDN AMOUNT --reason TEXT [--type TYPE] [--idempotency-key KEY] [options]\n\n"
            "A line's balances on the running server (docs/charging.md \"Balances\").\n\n"
            "show    the line's active buckets and wallet: type, source, remaining,\n"
            "        reserved, end of validity.\n"
            "history the line's balance ledger, newest first (at most --limit, 50):\n"
            "        when, action (create, topup, adjust, usage, refund, transfer,\n"
            "        expiry, renewal, rollover), usage type, amount, the bucket after\n"
            "        it, and its source; --type, --action and --from/--to (RFC 3339,\n"
            "        [from, to)) narrow it.\n"
            "topup   adds AMOUNT (10, 9.99) to the line's wallet, in its currency.\n"
            "adjust  changes the line's bucket of --type (monetary, the default; voice\n"
            "        in seconds, sms, data in bytes, event) by AMOUNT (negative takes),\n"
            "        saying why. A negative AMOUNT comes after \"--\":\n"
            "        bss balance adjust 31612345678 --type voice --reason \"double call\" -- -600\n\n"
            "  --idempotency-key KEY  the request's key (default: one made and printed;\n"
            "                         give it again to retry without charging twice)\n"
            "  --reason TEXT          adjust: why (required)\n"
            "  --type TYPE            adjust: the bucket's usage type; history: only it\n"
            "  --action A             history: only changes of this kind\n"
            "  --from T1, --to T2     history: only changes in [T1, T2)\n"
            "  --limit N              history: at most N rows (default 50)\n"
            "  --json                 show, history: print the server's JSON\n"
            "  --url URL              the server (default http://<listen> from the configuration)\n"
            "  --key KEY              an admin key (default: the contents of <data-dir>/admin.key)\n\n"
            "Exit status: 0 on success, 1 if the server refused or could not be reached, 2 on bad usage.\n");
}
