/**
 * @file config.c
 * @brief One table describes every variable: its type, range, default and meaning.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/phone.h"
#include "log.h"

struct config cfg;

enum cfg_type { CFG_STR, CFG_INT, CFG_LONG, CFG_LISTEN, CFG_LEVEL, CFG_DIGITS };

struct cfg_var {
    const char *name;
    enum cfg_type type;
    size_t offset, size;
    long min, max;
    const char *def;
    const char *help;
};

#define STR(field) offsetof(struct config, field), sizeof(((struct config *)0)->field)
#define NUM(field) offsetof(struct config, field), 0

static const struct cfg_var vars[] = {
    {"HOTLINE_LISTEN", CFG_LISTEN, 0, 0, 0, 0, "127.0.0.1:8080",
     "address:port to listen on (port 0 picks a free port)"},
    {"HOTLINE_DATABASE_URL", CFG_STR, STR(database_url), 0, 0, "dbname=hotline",
     "libpq connection string or postgresql:// URL"},
    {"HOTLINE_THREADS", CFG_INT, NUM(threads), 1, 1024, "",
     "HTTP worker threads, one database connection each (default: number of cores)"},
    {"HOTLINE_TZ", CFG_STR, STR(tz), 0, 0, "Asia/Shanghai",
     "IANA time zone of the hotline's business rules and of times on the wire"},
    {"HOTLINE_LOG_LEVEL", CFG_LEVEL, STR(log_level), 0, 0, "info", "debug, info, warn or error"},
    {"HOTLINE_MAX_BODY", CFG_LONG, NUM(max_body), 1024, 64L << 20, "65536",
     "largest request body in bytes (larger: 413)"},
    {"HOTLINE_MAX_CONNECTIONS", CFG_INT, NUM(max_connections), 16, 1000000, "4096",
     "concurrent connections in all"},
    {"HOTLINE_MAX_CONNECTIONS_PER_IP", CFG_INT, NUM(max_connections_per_ip), 0, 1000000, "2048",
     "concurrent connections from one IP address (0: no limit)"},
    {"HOTLINE_CONNECTION_TIMEOUT", CFG_INT, NUM(connection_timeout), 1, 3600, "30",
     "seconds an idle or slow connection is kept"},
    {"HOTLINE_LISTEN_BACKLOG", CFG_INT, NUM(listen_backlog), 16, 65535, "1024",
     "listen(2) backlog, so bursts of calls are not refused"},
    {"HOTLINE_MAX_HEADERS", CFG_INT, NUM(max_headers), 8, 1000, "64",
     "most request headers accepted (more: 431)"},
    {"HOTLINE_MAX_QUERY_PARAMS", CFG_INT, NUM(max_query_params), 1, 1000, "32",
     "most query parameters accepted (more: 400)"},
    {"HOTLINE_MAX_HEADER_BYTES", CFG_INT, NUM(max_header_bytes), 1024, 1 << 20, "16384",
     "most bytes of request headers, names and values together (more: 431)"},
    {"HOTLINE_MAX_URI", CFG_INT, NUM(max_uri), 256, 1 << 20, "8192",
     "longest request target (path and query) in bytes (longer: 414)"},
    {"HOTLINE_DB_TIMEOUT_MS", CFG_INT, NUM(db_timeout_ms), 100, 600000, "5000",
     "longest wait for one database statement before the request gets 503"},
    {"HOTLINE_COUNTRY_CODE", CFG_DIGITS, STR(country_code), 1, 3, "86",
     "default country code for phone numbers given without one"},
    {"HOTLINE_CORS_ORIGINS", CFG_STR, STR(cors_origins), 0, 0, "",
     "comma-separated origins allowed to call from a browser (empty: none)"},
    {"HOTLINE_TLS_CERT", CFG_STR, STR(tls_cert), 0, 0, "", "PEM certificate file: serve HTTPS"},
    {"HOTLINE_TLS_KEY", CFG_STR, STR(tls_key), 0, 0, "", "PEM private key file for HTTPS"},
    {"HOTLINE_SWEEP_INTERVAL_MS", CFG_INT, NUM(sweep_interval_ms), 10, 3600000, "2000",
     "how often the background sweeper looks for due work"},
    {"HOTLINE_ZONEINFO", CFG_STR, STR(zoneinfo), 0, 0, "/usr/share/zoneinfo",
     "folder of the IANA time zone files (Debian package tzdata)"},
    {"HOTLINE_CALENDAR_TTL_MS", CFG_INT, NUM(calendar_ttl_ms), 0, 600000, "5000",
     "how long an instance keeps the calendar before reading it again (its own changes: at once)"},
    {"HOTLINE_OUTBOX_TIMEOUT_MS", CFG_INT, NUM(outbox_timeout_ms), 100, 120000, "5000",
     "longest wait for a webhook or relay recipient to answer"},
    {"HOTLINE_OUTBOX_BACKOFF_MS", CFG_INT, NUM(outbox_backoff_ms), 10, 3600000, "1000",
     "first retry delay of a failed delivery; doubles each time, with jitter"},
    {"HOTLINE_OUTBOX_MAX_BACKOFF_MS", CFG_INT, NUM(outbox_max_backoff_ms), 10, 86400000, "300000",
     "longest retry delay of a failed delivery"},
    {"HOTLINE_OUTBOX_MAX_ATTEMPTS", CFG_INT, NUM(outbox_max_attempts), 1, 1000, "50",
     "attempts before a delivery is given up as failed"},
    {"HOTLINE_PORT_FILE", CFG_STR, STR(port_file), 0, 0, "",
     "write the bound port to this file once listening (for scripts)"},
    {"HOTLINE_RING_THRESHOLD_S", CFG_INT, NUM(ring_threshold_s), 1, 600, "15",
     "answer-time target in seconds (three rings); calls answered within it meet the service level"},
    {"HOTLINE_METRICS_TOKEN", CFG_STR, STR(metrics_token), 0, 0, "",
     "a bearer token that may read only /metrics, checked without the database (16+ chars)"},
    {"HOTLINE_INCIDENT_ACK_MINUTES", CFG_INT, NUM(incident_ack_minutes), 1, 1440, "5",
     "minutes operations has to acknowledge an incident, around the clock (then supervisor, "
     "and manager one more such time later)"},
    {"HOTLINE_NOTIFY_RETRY_MINUTES", CFG_INT, NUM(notify_retry_minutes), 1, 1440, "10",
     "an incident notification that got no answer is called again after this many minutes"},
    {"HOTLINE_NOTIFY_MAX_ATTEMPTS", CFG_INT, NUM(notify_max_attempts), 1, 20, "3",
     "calls per incident notification before the customer counts as not reached"},
    {"HOTLINE_NOTIFY_CLAIM_MINUTES", CFG_INT, NUM(notify_claim_minutes), 1, 120, "5",
     "a claimed incident notification without a result returns to the pool after this long"},
    {"HOTLINE_IMPORT_MAX_BODY", CFG_LONG, NUM(import_max_body), 1024, 4L << 30, "268435456",
     "largest customer import body in bytes (streamed, never held in memory)"},
    {"HOTLINE_IMPORT_MAX_ROWS", CFG_INT, NUM(import_max_rows), 1, 1000000, "200000",
     "most rows in one customer import (more: 413, nothing imported)"},
#ifdef HOTLINE_TESTING
    {"HOTLINE_TEST_CLOCK_FILE", CFG_STR, STR(test_clock_file), 0, 0, "",
     "test builds only: a file holding the current time (RFC 3339)"},
#endif
};

static bool parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static bool set_listen(const char *s)
{
    const char *colon = strrchr(s, ':');
    long port;
    if (!colon || colon == s || (size_t)(colon - s) >= sizeof cfg.listen_host ||
        !parse_long(colon + 1, 0, 65535, &port))
        return false;
    memcpy(cfg.listen_host, s, (size_t)(colon - s));
    cfg.listen_host[colon - s] = '\0';
    cfg.listen_port = (int)port;
    return true;
}

static bool set_var(const struct cfg_var *v, const char *s, char *err, size_t errlen)
{
    char *base = (char *)&cfg;
    long n;
    bool ok = true;
    switch (v->type) {
    case CFG_LISTEN:
        ok = set_listen(s);
        if (!ok)
            snprintf(err, errlen, "%s must be host:port (port 0-65535), got \"%.80s\"", v->name, s);
        return ok;
    case CFG_LEVEL:
        ok = log_level_parse(s) >= 0;
        break;
    case CFG_DIGITS:
        ok = strlen(s) >= (size_t)v->min && strlen(s) <= (size_t)v->max &&
             strspn(s, "0123456789") == strlen(s) && s[0] != '0';
        break;
    case CFG_INT:
    case CFG_LONG:
        if (!parse_long(s, v->min, v->max, &n)) {
            snprintf(err, errlen, "%s must be an integer from %ld to %ld, got \"%.80s\"", v->name,
                     v->min, v->max, s);
            return false;
        }
        if (v->type == CFG_INT)
            *(int *)(base + v->offset) = (int)n;
        else
            *(long *)(base + v->offset) = n;
        return true;
    case CFG_STR:
        break;
    }
    if (ok && strlen(s) >= v->size) {
        snprintf(err, errlen, "%s is too long (at most %zu bytes)", v->name, v->size - 1);
        return false;
    }
    if (!ok) {
        snprintf(err, errlen, "%s has an invalid value \"%.80s\"", v->name, s);
        return false;
    }
    memcpy(base + v->offset, s, strlen(s) + 1);
    return true;
}

static bool check_metrics_token(char *err, size_t errlen)
{
    size_t n = strlen(cfg.metrics_token);
    if (n == 0 || (n >= 16 && strspn(cfg.metrics_token, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                        "abcdefghijklmnopqrstuvwxyz"
                                                        "0123456789-_.~+/=") == n))
        return true;
    snprintf(err, errlen, "HOTLINE_METRICS_TOKEN must be 16 to 128 characters of A-Z a-z 0-9 "
                          "- _ . ~ + / =");
    return false;
}

static bool check_files(char *err, size_t errlen)
{
    if (!cfg.tls_cert[0] != !cfg.tls_key[0]) {
        snprintf(err, errlen, "HOTLINE_TLS_CERT and HOTLINE_TLS_KEY must be set together");
        return false;
    }
    const char *files[] = {cfg.tls_cert, cfg.tls_key};
    for (int i = 0; i < 2; i++)
        if (files[i][0] && access(files[i], R_OK) != 0) {
            snprintf(err, errlen, "%s is not readable: %s",
                     i ? "HOTLINE_TLS_KEY" : "HOTLINE_TLS_CERT", strerror(errno));
            return false;
        }
    return true;
}

bool config_load(char *err, size_t errlen)
{
    memset(&cfg, 0, sizeof cfg);
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *s = getenv(vars[i].name);
        if (!s || !*s)
            s = vars[i].def;
        if (!*s && vars[i].type == CFG_INT)
            continue; /* computed default below */
        if (!set_var(&vars[i], s, err, errlen))
            return false;
    }
    if (cfg.threads == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        cfg.threads = cores > 0 ? (int)cores : 2;
    }
    log_set_level((enum log_level)log_level_parse(cfg.log_level));
    return check_files(err, errlen) && check_metrics_token(err, errlen);
}

void config_print_help(void)
{
    printf("Environment:\n");
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        printf("  %-32s %s%s%s%s\n", vars[i].name, vars[i].help, vars[i].def[0] ? " [" : "",
               vars[i].def, vars[i].def[0] ? "]" : "");
}
