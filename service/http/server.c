/**
 * @file server.c
 * @brief libmicrohttpd glue. A request goes: URI callback (context, raw URI) → first call
 *        (edge checks, routing, query declaration, media type) → body chunks (bounded) → final
 *        call (auth, JSON parse, handler) → reply → completion (access log, free).
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "domain/roles.h"
#include "domain/validate.h"
#include "http/auth.h"
#include "http/router.h"
#include "log.h"
#include "util/crypto.h"
#include "util/form.h"

enum phase { PHASE_NEW, PHASE_BODY };

/* An oversized body up to this size is read and dropped, so the client finishes sending and
 * reads the 413 instead of a connection reset; beyond it the answer comes at once and the
 * connection closes. */
#define DRAIN_MAX (8LL << 20)

static struct MHD_Daemon *daemon_handle;
static const struct route *route_table;
static size_t route_count;
static http_observer observer;
static atomic_long in_flight;
static atomic_ulong completed;
static atomic_ulong request_seq;
static char id_prefix[17];
static char *tls_cert_pem, *tls_key_pem;
static int listen_fd = -1, accept_wake = -1;
static pthread_t accept_tid;
static bool accepting;

/* ---- edge checks (first call) ---------------------------------------------------------- */

/* Some streamed route accepts n bytes (its own limit is checked once it is matched). */
static bool streams_beyond(unsigned long long n)
{
    for (size_t i = 0; i < route_count; i++) {
        const struct route *r = &route_table[i];
        if ((r->flags & ROUTE_STREAM_BODY) && r->stream &&
            n <= (unsigned long long)*r->stream->max_body)
            return true;
    }
    return false;
}

static bool has_nul_escape(const char *raw)
{
    for (const char *p = raw; (p = strchr(p, '%')) != NULL; p++)
        if (p[1] == '0' && p[2] == '0')
            return true;
    return false;
}

static int count_values(struct MHD_Connection *c, enum MHD_ValueKind kind)
{
    return MHD_get_connection_values(c, kind, NULL, NULL);
}

/* Decoded path text: UTF-8 without any control character (path parameters reach handlers). */
static bool path_is_clean(const char *path)
{
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return utf8_is_valid(path, strlen(path));
}

static enum MHD_Result add_header_bytes(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    (void)kind;
    size_t *total = cls;
    *total += strlen(key) + (value ? strlen(value) : 0) + 4; /* ": " and CRLF */
    return MHD_YES;
}

/* Headers that mean one thing: sent twice, which copy counts would depend on who reads them
 * (a proxy may take the last, we the first), so neither does. */
static const char *const singletons[] = {
    MHD_HTTP_HEADER_AUTHORIZATION, MHD_HTTP_HEADER_CONTENT_LENGTH, MHD_HTTP_HEADER_CONTENT_TYPE,
    MHD_HTTP_HEADER_TRANSFER_ENCODING, MHD_HTTP_HEADER_HOST, MHD_HTTP_HEADER_IF_MATCH,
    "Idempotency-Key", "X-Request-Id", MHD_HTTP_HEADER_ORIGIN, NULL};

struct singleton_check {
    int seen[16];
    const char *twice;
};

static enum MHD_Result check_singleton(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value)
{
    (void)kind;
    (void)value;
    struct singleton_check *sc = cls;
    for (int i = 0; singletons[i]; i++)
        if (strcasecmp(key, singletons[i]) == 0 && ++sc->seen[i] > 1) {
            sc->twice = singletons[i];
            return MHD_NO;
        }
    return MHD_YES;
}

/* Limits of the request head. They sit below libmicrohttpd's per-connection memory pool (see
 * pool_size()), so a client that crosses them gets problem+json from us, not the library's own
 * HTML answer. */
static bool head_size_ok(struct http_request *req)
{
    size_t uri_len = req->raw_uri ? strlen(req->raw_uri) : 0;
    if (uri_len > (size_t)cfg.max_uri) {
        http_reply_problem(req, PROBLEM_URI_TOO_LONG, "the request target may be at most %d bytes",
                           cfg.max_uri);
        return false;
    }
    if (count_values(req->conn, MHD_HEADER_KIND) > cfg.max_headers) {
        http_reply_problem(req, PROBLEM_HEADERS_TOO_LARGE, "at most %d headers are accepted",
                           cfg.max_headers);
        return false;
    }
    size_t total = 0;
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, add_header_bytes, &total);
    if (total > (size_t)cfg.max_header_bytes) {
        http_reply_problem(req, PROBLEM_HEADERS_TOO_LARGE,
                           "the request headers may be at most %d bytes together",
                           cfg.max_header_bytes);
        return false;
    }
    struct singleton_check sc = {{0}, NULL};
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, check_singleton, &sc);
    if (sc.twice) {
        http_reply_problem(req, PROBLEM_BAD_REQUEST, "the %s header must be sent once", sc.twice);
        return false;
    }
    return true;
}

static bool framing_ok(struct http_request *req, const char *version)
{
    const char *te = http_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    const char *cl = http_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *host = http_header(req, MHD_HTTP_HEADER_HOST);
    if (strcmp(version, MHD_HTTP_VERSION_1_1) == 0 && !host) {
        http_reply_problem(req, PROBLEM_BAD_REQUEST, "HTTP/1.1 requests must carry a Host header");
        return false;
    }
    if (te && cl) {
        http_reply_problem(req, PROBLEM_BAD_REQUEST,
                           "Content-Length and Transfer-Encoding must not both be sent");
        return false;
    }
    if (te && strcasecmp(te, "chunked") != 0) {
        http_reply_problem(req, PROBLEM_NOT_IMPLEMENTED,
                           "only the chunked transfer coding is supported");
        return false;
    }
    if (cl) {
        char *end;
        unsigned long long n = strtoull(cl, &end, 10);
        if (*end || end == cl) {
            http_reply_problem(req, PROBLEM_BAD_REQUEST, "Content-Length is not a number");
            return false;
        }
        if (n > (unsigned long long)cfg.max_body && !streams_beyond(n)) {
            if (n <= DRAIN_MAX) {
                req->body_too_large = true; /* read and dropped; 413 once it is in */
                return true;
            }
            http_reply_problem(req, PROBLEM_TOO_LARGE, "the body may be at most %ld bytes",
                               cfg.max_body);
            return false;
        }
    }
    return true;
}

/* The body limit of the matched route: its own for a streamed body, else HOTLINE_MAX_BODY. */
static long body_limit(const struct http_request *req)
{
    const struct route *r = req->route;
    return r && (r->flags & ROUTE_STREAM_BODY) && r->stream ? *r->stream->max_body : cfg.max_body;
}

/* A declared length checked against the matched route's own limit. */
static bool length_ok(struct http_request *req)
{
    const char *cl = http_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > (unsigned long long)body_limit(req)) {
        http_reply_problem(req, PROBLEM_TOO_LARGE, "the body may be at most %ld bytes",
                           body_limit(req));
        return false;
    }
    return true;
}

struct query_check {
    const char *const *allowed;
    char bad[64];
    const char *why;
    const char *seen[64];
    int nseen;
};

static enum MHD_Result check_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value)
{
    (void)kind;
    (void)value;
    struct query_check *qc = cls;
    bool known = false;
    for (int i = 0; qc->allowed && qc->allowed[i]; i++)
        known |= strcmp(qc->allowed[i], key) == 0;
    for (int i = 0; i < qc->nseen; i++)
        if (strcmp(qc->seen[i], key) == 0) {
            qc->why = "is given more than once";
            known = false;
        }
    if (known && value && (!utf8_is_valid(value, strlen(value)) || !text_is_clean(value))) {
        qc->why = "must be UTF-8 text without control characters";
        known = false;
    }
    if (!known) {
        if (!qc->why)
            qc->why = "is not a parameter of this route";
        snprintf(qc->bad, sizeof qc->bad, "%s", text_is_clean(key) ? key : "?");
        return MHD_NO;
    }
    if (qc->nseen < 64)
        qc->seen[qc->nseen++] = key;
    return MHD_YES;
}

static bool query_ok(struct http_request *req)
{
    int n = count_values(req->conn, MHD_GET_ARGUMENT_KIND);
    if (n > cfg.max_query_params) {
        http_reply_problem(req, PROBLEM_BAD_REQUEST, "at most %d query parameters are accepted",
                           cfg.max_query_params);
        return false;
    }
    struct query_check qc = {.allowed = req->route->query};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, check_query_arg, &qc);
    if (qc.why) {
        http_reply_invalid_field(req, qc.bad, qc.why);
        return false;
    }
    return true;
}

static bool is_form(const struct http_request *req)
{
    const char *ct = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    size_t len = ct ? strcspn(ct, "; \t") : 0;
    return (req->route->flags & ROUTE_FORM_BODY) && len == 33 &&
           strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

static bool stream_media_type_ok(struct http_request *req)
{
    const char *ct = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    size_t len = ct ? strcspn(ct, "; \t") : 0;
    const char *const *types = req->route->stream->media_types;
    for (int i = 0; ct && types[i]; i++)
        if (strlen(types[i]) == len && strncasecmp(ct, types[i], len) == 0)
            return true;
    char list[160] = "";
    for (int i = 0; types[i]; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? " or " : "", types[i]);
    }
    http_reply_problem(req, PROBLEM_MEDIA_TYPE, "send the body as Content-Type: %s", list);
    return false;
}

static bool media_type_ok(struct http_request *req)
{
    if (req->route->flags & ROUTE_STREAM_BODY)
        return true; /* checked after the token (stream_open) */
    if (!(req->route->flags & ROUTE_JSON_BODY))
        return true;
    const char *ct = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    const char *cl = http_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te = http_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (!te && (!cl || strcmp(cl, "0") == 0) && !ct)
        return true; /* no body: the final call says it is required */
    size_t len = ct ? strcspn(ct, "; \t") : 0;
    if (is_form(req))
        return true;
    if (ct && ((len == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
               (len == 28 && strncasecmp(ct, "application/merge-patch+json", 28) == 0)))
        return true;
    http_reply_problem(req, PROBLEM_MEDIA_TYPE, "send the body as Content-Type: application/json%s",
                       req->route->flags & ROUTE_FORM_BODY
                           ? " or application/x-www-form-urlencoded" : "");
    return false;
}

/* ---- CORS -------------------------------------------------------------------------------- */

static bool origin_allowed(const char *origin)
{
    if (!origin || !cfg.cors_origins[0])
        return false;
    size_t n = strlen(origin);
    for (const char *p = cfg.cors_origins; *p;) {
        p += strspn(p, " ,");
        size_t len = strcspn(p, " ,");
        if (len && ((len == n && strncmp(p, origin, n) == 0) || (len == 1 && *p == '*')))
            return true;
        p += len;
    }
    return false;
}

static void add_cors(struct http_request *req)
{
    const char *origin = http_header(req, "Origin");
    if (!origin_allowed(origin))
        return;
    http_add_header(req, "Access-Control-Allow-Origin", origin);
    http_add_vary(req, "Origin");
    http_add_header(req, "Access-Control-Expose-Headers",
                    "ETag, Location, Retry-After, X-Request-Id");
}

static void reply_preflight(struct http_request *req, const char *allow)
{
    const char *origin = http_header(req, "Origin");
    if (origin && !origin_allowed(origin)) {
        http_reply_problem(req, PROBLEM_FORBIDDEN, "this origin may not call the API");
        return;
    }
    req->reply.status = 204;
    req->replied = true;
    http_add_header(req, "Allow", allow);
    if (origin) {
        http_add_header(req, "Access-Control-Allow-Methods", allow);
        http_add_header(req, "Access-Control-Allow-Headers",
                        "Authorization, Content-Type, If-Match, Idempotency-Key, X-Request-Id");
        http_add_header(req, "Access-Control-Max-Age", "600");
    }
}

/* ---- first call: everything decidable from the request head --------------------------------- */

static void route_or_reply(struct http_request *req, const char *url)
{
    char allow[128];
    enum route_match m =
        router_match(route_table, route_count, req->method, url, req, allow, sizeof allow);
    if (strcmp(req->method, "OPTIONS") == 0 && m != ROUTE_NO_PATH) {
        reply_preflight(req, allow);
        return;
    }
    if (m == ROUTE_NO_PATH) {
        http_reply_problem(req, PROBLEM_NOT_FOUND, "no such resource");
        return;
    }
    if (m == ROUTE_NO_METHOD) {
        http_reply_problem(req, PROBLEM_METHOD, "this resource accepts %s", allow);
        http_add_header(req, "Allow", allow);
        return;
    }
    if (query_ok(req) && media_type_ok(req))
        length_ok(req);
}

static void first_call(struct http_request *req, const char *url, const char *version)
{
    if (has_nul_escape(req->raw_uri ? req->raw_uri : "")) {
        http_reply_problem(req, PROBLEM_BAD_REQUEST, "the URI must not contain %%00");
        return;
    }
    if (!head_size_ok(req) || !framing_ok(req, version))
        return;
    if (!path_is_clean(url ? url : "")) {
        http_reply_problem(req, PROBLEM_BAD_REQUEST,
                           "the path must be UTF-8 text without control characters");
        return;
    }
    route_or_reply(req, url);
}

/* ---- final call: auth, body, handler ------------------------------------------------------ */

static bool parse_body(struct http_request *req)
{
    if (!(req->route->flags & ROUTE_JSON_BODY))
        return true;
    if (req->body_len == 0) {
        http_reply_problem(req, PROBLEM_BAD_REQUEST, "this request needs a JSON body");
        return false;
    }
    if (is_form(req)) {
        char err[120];
        req->json = form_decode(req->body, req->body_len, err, sizeof err);
        if (!req->json)
            http_reply_problem(req, PROBLEM_BAD_REQUEST, "the form body is malformed: %s", err);
        return req->json != NULL;
    }
    json_error_t jerr;
    req->json = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!req->json) {
        char text[160];
        snprintf(text, sizeof text, "%s", jerr.text);
        if (!text_is_clean(text))
            snprintf(text, sizeof text, "invalid JSON");
        http_reply_problem(req, PROBLEM_MALFORMED_JSON, "line %d, column %d: %s", jerr.line,
                           jerr.column, text);
        return false;
    }
    return true;
}

/* A streamed body is authorised from the head, before any of it is read. */
static void stream_open(struct http_request *req)
{
    if (!auth_or_reply(req) || !stream_media_type_ok(req) || !length_ok(req))
        return;
    req->now = clock_now();
    req->stream_open = true;
    req->route->stream->open(req);
}

static void stream_chunk(struct http_request *req, const char *data, size_t len)
{
    if (req->body_too_large)
        return;
    req->stream_len += (long)len;
    if (req->stream_len > body_limit(req)) {
        req->body_too_large = true;
        return;
    }
    req->route->stream->chunk(req, data, len);
}

static bool is_stream(const struct http_request *req)
{
    return req->route && (req->route->flags & ROUTE_STREAM_BODY) && req->route->stream;
}

static void final_call(struct http_request *req)
{
    if (req->body_too_large) {
        http_reply_problem(req, PROBLEM_TOO_LARGE, "the body may be at most %ld bytes",
                           body_limit(req));
        return;
    }
    if (!is_stream(req)) {
        if (!auth_or_reply(req) || !parse_body(req))
            return;
        req->now = clock_now();
    }
    req->route->handler(req);
    if (!req->replied) {
        log_msg(LOG_ERROR, "BUG: handler for %s %s sent no reply", req->route->method,
                req->route->pattern);
        http_reply_problem(req, PROBLEM_INTERNAL, "the handler sent no reply");
    }
}

static void append_body(struct http_request *req, const char *data, size_t len)
{
    if (req->body_too_large || !(req->route && (req->route->flags & ROUTE_JSON_BODY)))
        return;
    if (req->body_len + len > (size_t)cfg.max_body) {
        req->body_too_large = true;
        return;
    }
    if (req->body_len + len + 1 > req->body_cap) {
        size_t cap = req->body_cap ? req->body_cap : 1024;
        while (cap < req->body_len + len + 1)
            cap *= 2;
        char *p = realloc(req->body, cap);
        if (!p) {
            req->body_too_large = true;
            return;
        }
        req->body = p;
        req->body_cap = cap;
    }
    memcpy(req->body + req->body_len, data, len);
    req->body_len += len;
    req->body[req->body_len] = '\0';
}

static enum MHD_Result send_reply(struct http_request *req)
{
    struct http_reply *r = &req->reply;
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        r->body_len, r->body, r->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    r->body = NULL; /* MHD owns it now */
    if (r->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    MHD_add_response_header(resp, "X-Request-Id", req->request_id);
    add_cors(req);
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
    enum MHD_Result ok = MHD_queue_response(req->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static void set_request_id(struct http_request *req)
{
    const char *given = http_header(req, "X-Request-Id");
    size_t len = given ? strlen(given) : 0;
    if (len > 0 && len <= 64 &&
        strspn(given, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") == len) {
        memcpy(req->request_id, given, len + 1);
        return;
    }
    snprintf(req->request_id, sizeof req->request_id, "%s-%lu", id_prefix,
             (unsigned long)atomic_fetch_add(&request_seq, 1));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls;
    struct http_request *req = *con_cls;
    if (!req)
        return MHD_NO;
    if (req->phase == PHASE_NEW) {
        req->phase = PHASE_BODY;
        req->conn = conn;
        snprintf(req->method, sizeof req->method, "%s", method);
        req->path = strdup(url ? url : "");
        set_request_id(req);
        first_call(req, url, version);
        if (!req->replied && is_stream(req))
            stream_open(req);
        return req->replied ? send_reply(req) : MHD_YES;
    }
    if (*upload_data_size) {
        req->received += *upload_data_size;
        if (!req->replied && req->body_too_large && req->received > DRAIN_MAX) {
            /* too much to drain: answer now, and the connection closes under the upload */
            *upload_data_size = 0;
            http_reply_problem(req, PROBLEM_TOO_LARGE, "the body may be at most %ld bytes",
                               body_limit(req));
            return send_reply(req);
        }
        if (!req->replied && is_stream(req))
            stream_chunk(req, upload_data, *upload_data_size);
        else if (!req->replied)
            append_body(req, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->replied)
        return MHD_YES;
    final_call(req);
    return send_reply(req);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    struct http_request *req = calloc(1, sizeof *req);
    if (!req)
        return NULL;
    req->raw_uri = strdup(uri ? uri : "");
    req->start_us = clock_mono_us();
    atomic_fetch_add(&in_flight, 1);
    return req;
}

/* Copy an HTTP token (method) keeping only token characters, so it needs no JSON escaping. */
static void token_text(char *out, size_t n, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++)
        out[i] = strchr("!#$%&'*+-.^_`|~", s[i]) || (s[i] >= '0' && s[i] <= '9') ||
                         ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')
                     ? s[i]
                     : '?';
    out[i] = '\0';
}

/* One access line per request. Formatted by hand: every value is ours (route pattern), checked
 * (request id, token name: [A-Za-z0-9._@-]) or reduced to token characters (method), so nothing
 * needs escaping, and the jansson object this used to build cost more than the request did. */
static void log_request(const struct http_request *req)
{
    if (!log_enabled(LOG_INFO))
        return;
    int64_t us = clock_mono_us() - req->start_us;
    char method[16], members[512];
    token_text(method, sizeof method, req->method);
    snprintf(members, sizeof members,
             "\"method\":\"%s\",\"route\":\"%s\",\"status\":%d,\"duration_ms\":%" PRId64 ".%03d,"
             "\"request_id\":\"%s\",\"actor\":\"%s\"",
             method, req->route ? req->route->pattern : "-", req->reply.status, us / 1000,
             (int)(us % 1000), req->request_id, req->auth.name[0] ? req->auth.name : "-");
    log_json_members(LOG_INFO, "request", members);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct http_request *req = *con_cls;
    if (!req)
        return;
    if (req->phase != PHASE_NEW)
        log_request(req);
    if (observer && req->phase != PHASE_NEW)
        observer(req->route, req->reply.status, clock_mono_us() - req->start_us);
    if (req->stream_open)
        req->route->stream->close(req);
    json_decref(req->json);
    free(req->body);
    free(req->reply.body);
    free(req->raw_uri);
    free(req->path);
    free(req);
    *con_cls = NULL;
    atomic_fetch_sub(&in_flight, 1);
    atomic_fetch_add(&completed, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    buf[strcspn(buf, "\n")] = '\0';
    log_mask_digits(buf);
    log_json(LOG_DEBUG, "libmicrohttpd", json_pack("{s:s}", "detail", buf));
}

/* ---- daemon ------------------------------------------------------------------------------- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *p = realloc(buf, cap);
            if (!p)
                break;
            buf = p;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

static bool make_addr(struct sockaddr_storage *ss, unsigned *flags, char *err, size_t errlen)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    const char *host = cfg.listen_host;
    char v6[64];
    if (host[0] == '[') {
        snprintf(v6, sizeof v6, "%.*s", (int)strcspn(host + 1, "]"), host + 1);
        host = v6;
    }
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)cfg.listen_port);
        return true;
    }
    if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)cfg.listen_port);
        *flags |= MHD_USE_IPv6;
        return true;
    }
    snprintf(err, errlen, "HOTLINE_LISTEN: \"%s\" is not a numeric IPv4 or IPv6 address",
             cfg.listen_host);
    return false;
}

static bool load_tls(unsigned *flags, char *err, size_t errlen)
{
    if (!cfg.tls_cert[0])
        return true;
    tls_cert_pem = read_file(cfg.tls_cert);
    tls_key_pem = read_file(cfg.tls_key);
    if (!tls_cert_pem || !tls_key_pem) {
        snprintf(err, errlen, "cannot read HOTLINE_TLS_CERT or HOTLINE_TLS_KEY");
        return false;
    }
    *flags |= MHD_USE_TLS;
    return true;
}

/* libmicrohttpd keeps a connection's request head and reply headers in one pool; a head that
 * does not fit gets the library's own text/html 414/431, which no option replaces in 0.9.75.
 * The pool is sized so that every head up to our own limits plus a margin fits, and our
 * checks answer problem+json first. The margin is kept small because 0.9.75 zeroes the whole
 * pool after every request on a keep-alive connection: its size is paid in every request
 * (memset) and, since that touches every page, in every open connection's resident memory
 * (64 KiB pools: 77 MB RSS with 1,000 idle keep-alive connections; 36 KiB: about 48 MB). */
static size_t pool_size(void)
{
    size_t want = (size_t)cfg.max_uri + (size_t)cfg.max_header_bytes +
                  (size_t)cfg.max_headers * 64 + 8 * 1024;
    return want < 32 * 1024 ? 32 * 1024 : want;
}

/* ---- accepting --------------------------------------------------------------------------
 * We accept connections ourselves and hand each to MHD_add_connection, which gives it to a
 * worker thread by its descriptor number (round robin for a burst of new connections). MHD's
 * own accept lets whichever worker wakes first take up to ten connections in a row, so a
 * client opening 16 connections at once could leave most workers, and their database
 * connections, idle while a few serve several connections each, one request at a time. */

static bool open_listener(const struct sockaddr_storage *addr, char *err, size_t errlen)
{
    socklen_t len = addr->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                 : sizeof(struct sockaddr_in);
    int one = 1;
    listen_fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (listen_fd >= 0 && addr->ss_family == AF_INET6)
        setsockopt(listen_fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (listen_fd < 0 || setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(listen_fd, (const struct sockaddr *)addr, len) != 0 ||
        listen(listen_fd, cfg.listen_backlog) != 0) {
        snprintf(err, errlen, "cannot listen on %s:%d (%s)", cfg.listen_host, cfg.listen_port,
                 strerror(errno));
        if (listen_fd >= 0)
            close(listen_fd);
        listen_fd = -1;
        return false;
    }
    accept_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return accept_wake >= 0;
}

/* After a burst, glibc keeps the memory the worker threads freed (connection pools, request
 * contexts) in their arenas; once the server has been quiet for a second, give it back, so an
 * idle hotlined returns to its idle size. Called every second from the accept thread. */
static void trim_when_quiet(void)
{
    static unsigned long last_tick = 0, trimmed_at = 0;
    unsigned long c = atomic_load(&completed);
    if (c == last_tick && c != trimmed_at && atomic_load(&in_flight) == 0) {
        malloc_trim(0);
        trimmed_at = c;
    }
    last_tick = c;
}

static void *accept_loop(void *arg)
{
    (void)arg;
    struct pollfd p[2] = {{.fd = listen_fd, .events = POLLIN}, {.fd = accept_wake, .events = POLLIN}};
    for (;;) {
        int r = poll(p, 2, 1000);
        if (r < 0 && errno != EINTR)
            break;
        if (r == 0) {
            trim_when_quiet();
            continue;
        }
        if (p[1].revents)
            break;
        for (;;) {
            struct sockaddr_storage peer;
            socklen_t plen = sizeof peer;
            int fd = accept4(listen_fd, (struct sockaddr *)&peer, &plen,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    log_msg(LOG_WARN, "accept: %s; pausing 10 ms", strerror(errno));
                    struct timespec ts = {0, 10 * 1000 * 1000};
                    nanosleep(&ts, NULL);
                }
                break; /* EAGAIN and the rest: back to poll */
            }
            /* On refusal (connection limits) MHD closes the socket itself. */
            MHD_add_connection(daemon_handle, fd, (struct sockaddr *)&peer, plen);
        }
    }
    return NULL;
}

static void stop_accepting(void)
{
    if (accepting) {
        uint64_t one = 1;
        if (write(accept_wake, &one, sizeof one) < 0)
            log_msg(LOG_ERROR, "cannot wake the accept thread");
        pthread_join(accept_tid, NULL);
        accepting = false;
    }
    if (listen_fd >= 0)
        close(listen_fd);
    if (accept_wake >= 0)
        close(accept_wake);
    listen_fd = accept_wake = -1;
}

bool http_server_start(const struct route *routes, size_t n, http_observer observe, char *err,
                       size_t errlen)
{
    route_table = routes;
    route_count = n;
    observer = observe;
    if (!crypto_random_hex(id_prefix, 8))
        snprintf(id_prefix, sizeof id_prefix, "%08lx", (unsigned long)time(NULL));
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                     MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET;
    struct sockaddr_storage addr;
    if (!make_addr(&addr, &flags, err, errlen) || !load_tls(&flags, err, errlen) ||
        !open_listener(&addr, err, errlen))
        return false;
    struct MHD_OptionItem opts[16];
    int n_opts = 0;
#define OPT(o, v, p) (opts[n_opts++] = (struct MHD_OptionItem){(o), (intptr_t)(v), (p)})
    OPT(MHD_OPTION_CONNECTION_LIMIT, cfg.max_connections, NULL);
    OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg.max_connections_per_ip, NULL);
    OPT(MHD_OPTION_CONNECTION_TIMEOUT, cfg.connection_timeout, NULL);
    OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool_size(), NULL);
    OPT(MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL);
    OPT(MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL);
    OPT(MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL);
    if (cfg.threads > 1)
        OPT(MHD_OPTION_THREAD_POOL_SIZE, cfg.threads, NULL);
    if (tls_cert_pem) {
        OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, tls_cert_pem);
        OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, tls_key_pem);
        /* GnuTLS's NORMAL still offers TLS 1.0 and 1.1 (RFC 8996 retired them) */
        OPT(MHD_OPTION_HTTPS_PRIORITIES, 0, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
    }
    OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
    daemon_handle = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_ARRAY,
                                     opts, MHD_OPTION_END);
    if (!daemon_handle) {
        snprintf(err, errlen, "cannot start the HTTP server on %s:%d", cfg.listen_host,
                 cfg.listen_port);
        stop_accepting();
        return false;
    }
    if (pthread_create(&accept_tid, NULL, accept_loop, NULL) != 0) {
        snprintf(err, errlen, "cannot start the accept thread");
        MHD_stop_daemon(daemon_handle);
        daemon_handle = NULL;
        stop_accepting();
        return false;
    }
    accepting = true;
    return true;
}

int http_server_port(void)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (listen_fd < 0 || getsockname(listen_fd, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                          : ((struct sockaddr_in *)&ss)->sin_port);
}

long http_server_in_flight(void)
{
    return atomic_load(&in_flight);
}

long http_server_connections(void)
{
    const union MHD_DaemonInfo *info =
        daemon_handle ? MHD_get_daemon_info(daemon_handle, MHD_DAEMON_INFO_CURRENT_CONNECTIONS)
                      : NULL;
    return info ? (long)info->num_connections : 0;
}

void http_server_stop(int grace_ms)
{
    if (!daemon_handle)
        return;
    stop_accepting(); /* no new connections; queued ones are refused by the kernel */
    for (int waited = 0; atomic_load(&in_flight) > 0 && waited < grace_ms; waited += 10) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(daemon_handle);
    daemon_handle = NULL;
    free(tls_cert_pem);
    free(tls_key_pem);
}
