/**
 * @file main.c
 * @brief hotlined: start-up, sub-commands (serve, migrate, token, routes), signals, shutdown.
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/routes.h"
#include "clock.h"
#include "config.h"
#include "domain/roles.h"
#include "http/metrics.h"
#include "http/server.h"
#include "jobs/jobs.h"
#include "log.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/token_cache.h"
#include "store/tokens.h"
#include "util/crypto.h"

static void usage(FILE *out)
{
    fprintf(out,
            "hotlined %s — ticketing service for customer-service hotlines\n\n"
            "Usage:\n"
            "  hotlined [serve]                         run the HTTP service (default)\n"
            "  hotlined migrate                         apply database migrations\n"
            "  hotlined token create --role ROLE --name NAME\n"
            "                                           issue an API token (printed once)\n"
            "  hotlined token revoke NAME               revoke a token at once\n"
            "  hotlined routes                          print the route table\n"
            "  hotlined --help | --version\n\n"
            "Roles: agent, supervisor, manager, cti, admin, operations\n\n",
            HOTLINE_VERSION);
    if (out == stdout)
        config_print_help();
}

static int fail(const char *fmt, const char *arg)
{
    fprintf(stderr, "hotlined: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 1;
}

static int cmd_migrate(void)
{
    char err[1024];
    int applied = 0;
    if (!store_migrate(&applied, err, sizeof err))
        return fail("migrate: %s", err);
    printf("hotlined: schema at %s (%d migration%s applied now)\n",
           hotline_migrations[hotline_migrations_count - 1].name, applied, applied == 1 ? "" : "s");
    return 0;
}

static int token_status(enum db_status s, const char *what)
{
    if (s == DB_DUPLICATE)
        return fail("an active token named %s exists; revoke it first", what);
    if (s == DB_NOT_FOUND)
        return fail("no active token named %s", what);
    if (s == DB_INVALID)
        return fail("invalid token name %s (letters, digits, . _ @ -; at most 64)", what);
    if (s != DB_OK)
        return fail("cannot reach the database (%s)", cfg.database_url[0] ? "see logs" : "");
    return 0;
}

static int cmd_token_create(int argc, char **argv)
{
    const char *role = NULL, *name = NULL;
    for (int i = 0; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--role") == 0)
            role = argv[i + 1];
        else if (strcmp(argv[i], "--name") == 0)
            name = argv[i + 1];
        else
            return fail("token create: unknown option %s", argv[i]);
    }
    if (argc % 2 || !role || !name)
        return fail("%s", "usage: hotlined token create --role ROLE --name NAME");
    if (!role_parse(role))
        return fail("unknown role %s (agent, supervisor, manager, cti, admin, operations)", role);
    char token[TOKEN_TEXT_LEN], hash[SHA256_HEX_LEN];
    if (!crypto_new_token(token))
        return fail("%s", "no randomness available");
    crypto_sha256_hex(token, strlen(token), hash);
    struct db *db = db_new();
    enum db_status s = store_token_insert(db, name, role, hash, clock_now());
    db_free(db);
    if (token_status(s, name))
        return 1;
    printf("%s\n", token);
    return 0;
}

static int cmd_token(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "create") == 0)
        return cmd_token_create(argc - 1, argv + 1);
    if (argc == 2 && strcmp(argv[0], "revoke") == 0) {
        struct db *db = db_new();
        enum db_status s = store_token_revoke(db, argv[1], clock_now());
        db_free(db);
        if (token_status(s, argv[1]))
            return 1;
        printf("hotlined: token %s revoked\n", argv[1]);
        return 0;
    }
    return fail("%s", "usage: hotlined token create --role R --name N | token revoke NAME");
}

static int cmd_routes(void)
{
    size_t n;
    const struct route *r = api_routes(&n);
    for (size_t i = 0; i < n; i++) {
        printf("%s %s", r[i].method, r[i].pattern);
        if (!r[i].roles)
            printf(" open");
        for (int b = 0; b < ROLE_COUNT; b++)
            if (r[i].roles & (1u << b))
                printf(" %s", role_names[b]);
        printf("\n");
    }
    return 0;
}

static void write_port_file(int port)
{
    if (!cfg.port_file[0])
        return;
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", cfg.port_file);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return;
    fprintf(f, "%d\n", port);
    if (fclose(f) == 0)
        rename(tmp, cfg.port_file);
}

static int cmd_serve(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* every thread inherits this */
    size_t n;
    const struct route *routes = api_routes(&n);
    char err[512];
    curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread uses libcurl */
    if (!http_metrics_init(routes, n))
        return fail("%s", "out of memory");
    if (!http_server_start(routes, n, http_metrics_observe, err, sizeof err))
        return fail("%s", err);
    if (!jobs_start(err, sizeof err)) {
        http_server_stop(0);
        return fail("%s", err);
    }
    if (!token_cache_start()) /* without it every request looks its token up: slower, correct */
        log_msg(LOG_WARN, "token cache not started; tokens are looked up per request");
    int port = http_server_port();
    write_port_file(port);
    log_json(LOG_INFO, "listening",
             json_pack("{s:s, s:i, s:i, s:s, s:s}", "host", cfg.listen_host, "port", port,
                       "threads", cfg.threads, "tz", cfg.tz, "version", HOTLINE_VERSION));
    sigdelset(&set, SIGPIPE);
    int sig = 0;
    sigwait(&set, &sig);
    log_json(LOG_INFO, "shutting down", json_pack("{s:i, s:i}", "signal", sig, "in_flight",
                                                  (int)http_server_in_flight()));
    jobs_stop();
    http_server_stop(10000);
    token_cache_stop();
    db_thread_release();
    curl_global_cleanup();
    log_msg(LOG_INFO, "stopped");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("hotlined %s\n", HOTLINE_VERSION);
        return 0;
    }
    char err[512];
    if (!config_load(err, sizeof err))
        return fail("configuration: %s", err);
    const char *cmd = argc > 1 ? argv[1] : "serve";
    if (strcmp(cmd, "serve") == 0 && argc <= 2)
        return cmd_serve();
    if (strcmp(cmd, "migrate") == 0 && argc == 2)
        return cmd_migrate();
    if (strcmp(cmd, "token") == 0)
        return cmd_token(argc - 2, argv + 2);
    if (strcmp(cmd, "routes") == 0)
        return cmd_routes();
    usage(stderr);
    return 2;
}
