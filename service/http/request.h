/**
 * @file request.h
 * @brief One HTTP request's context: what handlers read (path parameters, query, body, actor)
 *        and the reply they leave behind. Freed by the server when the request completes.
 */
#ifndef HOTLINE_HTTP_REQUEST_H
#define HOTLINE_HTTP_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/timefmt.h"
#include "domain/validate.h"
#include "http/problem.h"

struct MHD_Connection;
struct http_request;
struct db;

typedef void (*http_handler)(struct http_request *req);

#define ROUTE_MAX_PARAMS 4
#define ROUTE_JSON_BODY 1u /* the route takes a JSON body */
#define ROUTE_FORM_BODY 2u /* ... or a form (application/x-www-form-urlencoded), as req->json */
#define ROUTE_QUERY_TOKEN 4u /* the token may come as ?token= (PBX webhooks without headers) */
#define ROUTE_SCRAPE_TOKEN 8u /* HOTLINE_METRICS_TOKEN is accepted too (monitoring reads) */
#define ROUTE_STREAM_BODY 16u /* the body goes to route->stream piece by piece, never buffered */

/**
 * A route whose body is too large to hold (bulk imports): it is authenticated from the request
 * head, then handed over as it arrives; the handler runs after the last byte and replies.
 */
struct route_stream {
    const long *max_body;            /* this route's limit in bytes (larger: 413) */
    const char *const *media_types;  /* accepted Content-Types, NULL-terminated (else 415) */
    /** After routing and auth, before any body byte: set up req->stream_ctx, or reply to
     *  refuse the request (the body is then not read). */
    void (*open)(struct http_request *req);
    /** Each piece of the body, in order. It must not reply: it keeps what went wrong in
     *  req->stream_ctx for the handler, which replies after the last piece. */
    void (*chunk)(struct http_request *req, const char *data, size_t len);
    /** Always called once when the request ends, also when the client went away: free
     *  req->stream_ctx and undo what was not finished. */
    void (*close)(struct http_request *req);
};

/** A row of the router table. */
struct route {
    const char *method;
    const char *pattern;           /* "/tickets/{id}" */
    http_handler handler;
    unsigned roles;                /* allowed role bits; ROLE_OPEN for none */
    const char *const *query;      /* accepted query parameters, NULL-terminated; NULL: none */
    unsigned flags;
    const struct route_stream *stream; /* with ROUTE_STREAM_BODY */
};

struct http_reply {
    int status;
    char *body; /* owned */
    size_t body_len;
    const char *content_type;
    int nheaders;
    struct {
        char name[32];
        char value[256];
    } headers[8];
};

struct http_auth {
    unsigned role; /* one bit of enum role; 0 when unauthenticated */
    char role_name[16];
    char name[65]; /* token name: the actor recorded in history */
};

struct http_request {
    struct MHD_Connection *conn;
    const struct route *route;
    char method[16];
    char *path;    /* decoded path, owned */
    char *raw_uri; /* as received, owned */
    int nparams;
    struct {
        char name[32];
        char value[256];
    } params[ROUTE_MAX_PARAMS];
    char *body;
    size_t body_len, body_cap;
    bool body_too_large;
    long long received; /* body bytes received so far */
    json_t *json; /* the parsed body, owned */
    void *stream_ctx;  /* a streamed body's state (route->stream) */
    bool stream_open;  /* route->stream->open ran: close must run */
    long stream_len;   /* bytes of a streamed body so far */
    struct http_auth auth;
    char request_id[72];
    int64_t start_us;
    hl_time now; /* the clock, read once when the request is dispatched */
    int phase;
    bool replied;
    struct http_reply reply;
};

/** A path parameter by name ("id"), or NULL. */
const char *http_param(const struct http_request *req, const char *name);

/** A query parameter, or NULL when absent. */
const char *http_query(const struct http_request *req, const char *name);

/** A request header, or NULL. */
const char *http_header(const struct http_request *req, const char *name);

/** The request's database handle (the worker thread's). */
struct db *http_db(struct http_request *req);

/* Replies. Each sets req->reply; the server sends it when the handler returns. */

/** Send JSON text the caller hands over (freed by the server). NULL text: 500. */
void http_reply_json_text(struct http_request *req, int status, char *json);

/**
 * Send a body of another media type (text/plain for /metrics, text/csv for reports).
 * @param body taken (freed by the server); NULL: 500
 * @param type a static string, e.g. "text/csv; charset=utf-8"
 */
void http_reply_text(struct http_request *req, int status, char *body, size_t len,
                     const char *type);

/** Send a jansson value (stolen). */
void http_reply_json(struct http_request *req, int status, json_t *value);

/** Send problem+json of a registered type with a human detail (no customer data, no SQL). */
void http_reply_problem(struct http_request *req, enum problem p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Like http_reply_problem, with extra members merged into the problem object (stolen). */
void http_reply_problem_with(struct http_request *req, enum problem p, json_t *extra,
                             const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** Send a validation problem listing every error. */
void http_reply_invalid(struct http_request *req, const struct verrors *errs);

/** Send 400 naming one field. */
void http_reply_invalid_field(struct http_request *req, const char *field, const char *message);

/** Add a field name to the Vary response header, keeping the names already there. */
void http_add_vary(struct http_request *req, const char *field);

/** Add a response header (silently ignored beyond the limit). */
void http_add_header(struct http_request *req, const char *name, const char *value);

#endif
