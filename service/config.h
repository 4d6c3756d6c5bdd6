/**
 * @file config.h
 * @brief Configuration from HOTLINE_* environment variables, validated once at start.
 */
#ifndef HOTLINE_CONFIG_H
#define HOTLINE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct config {
    char listen_host[64];
    int listen_port;
    char database_url[1024];
    int threads;
    char tz[64];
    char log_level[16];
    long max_body;
    int max_connections;
    int max_connections_per_ip;
    int connection_timeout;
    int listen_backlog;
    int max_headers;
    int max_query_params;
    int max_header_bytes;
    int max_uri;
    int db_timeout_ms;
    char country_code[8];
    char cors_origins[1024];
    char tls_cert[512];
    char tls_key[512];
    int sweep_interval_ms;
    char port_file[512];
    char zoneinfo[256];
    int outbox_timeout_ms, outbox_backoff_ms, outbox_max_backoff_ms, outbox_max_attempts;
    int calendar_ttl_ms;
    char metrics_token[129];
    char test_clock_file[512];
    int ring_threshold_s;
    int incident_ack_minutes;
    int notify_retry_minutes;
    int notify_max_attempts;
    int notify_claim_minutes;
    long import_max_body;
    int import_max_rows;
};

/** The process-wide configuration, filled by config_load. */
extern struct config cfg;

/**
 * Fill cfg from the environment (defaults for what is unset).
 * @param[out] err a message naming the variable and the bad value
 * @return true when every value is valid.
 */
bool config_load(char *err, size_t errlen);

/** Print the variables, their defaults and meaning (for --help). */
void config_print_help(void);

#endif
