/**
 * @file request.c
 * @brief Request accessors and reply builders.
 */
#include "http/request.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/strbuf.h"

const char *http_param(const struct http_request *req, const char *name)
{
    for (int i = 0; i < req->nparams; i++)
        if (strcmp(req->params[i].name, name) == 0)
            return req->params[i].value;
    return NULL;
}

const char *http_query(const struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(const struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

struct db *http_db(struct http_request *req)
{
    (void)req;
    return db_thread();
}

static void set_reply(struct http_request *req, int status, char *body, size_t len,
                      const char *type)
{
    free(req->reply.body);
    req->reply.status = status;
    req->reply.body = body;
    req->reply.body_len = len;
    req->reply.content_type = type;
    req->replied = true;
}

void http_reply_json_text(struct http_request *req, int status, char *json)
{
    if (!json) {
        http_reply_problem(req, PROBLEM_INTERNAL, "out of memory");
        return;
    }
    set_reply(req, status, json, strlen(json), "application/json");
}

void http_reply_text(struct http_request *req, int status, char *body, size_t len,
                     const char *type)
{
    if (!body) {
        http_reply_problem(req, PROBLEM_INTERNAL, "out of memory");
        return;
    }
    set_reply(req, status, body, len, type);
}

void http_reply_json(struct http_request *req, int status, json_t *value)
{
    char *text = value ? json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(value);
    http_reply_json_text(req, status, text);
}

static void reply_problem_json(struct http_request *req, const struct problem_type *pt,
                               const char *detail, const struct verrors *errs)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_printf(&sb, "{\"type\":\"" PROBLEM_URN_PREFIX "%s\",\"title\":", pt->slug);
    strbuf_json_string(&sb, pt->title);
    strbuf_printf(&sb, ",\"status\":%d,\"detail\":", pt->status);
    strbuf_json_string(&sb, detail);
    if (req->request_id[0]) {
        strbuf_puts(&sb, ",\"request_id\":");
        strbuf_json_string(&sb, req->request_id);
    }
    if (errs) {
        strbuf_puts(&sb, ",\"errors\":[");
        for (int i = 0; i < errs->n; i++) {
            strbuf_puts(&sb, i ? ",{\"field\":" : "{\"field\":");
            strbuf_json_string(&sb, errs->e[i].field);
            strbuf_puts(&sb, ",\"message\":");
            strbuf_json_string(&sb, errs->e[i].message);
            strbuf_puts(&sb, "}");
        }
        strbuf_puts(&sb, "]");
    }
    strbuf_puts(&sb, "}");
    size_t len = 0;
    char *body = strbuf_steal(&sb, &len);
    req->reply.nheaders = 0; /* headers of a half-built success reply do not apply */
    if (!body) {
        body = strdup("{\"status\":500}");
        len = body ? strlen(body) : 0;
    }
    set_reply(req, pt->status, body, len, "application/problem+json");
}

void http_reply_problem(struct http_request *req, enum problem p, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    reply_problem_json(req, problem_get(p), detail, NULL);
    if (p == PROBLEM_UNAVAILABLE)
        http_add_header(req, "Retry-After", "1");
}

void http_reply_problem_with(struct http_request *req, enum problem p, json_t *extra,
                             const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    reply_problem_json(req, problem_get(p), detail, NULL);
    json_t *body = json_loadb(req->reply.body, req->reply.body_len, 0, NULL);
    if (body && extra) {
        json_object_update_missing(body, extra);
        free(req->reply.body);
        req->reply.body = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
        req->reply.body_len = req->reply.body ? strlen(req->reply.body) : 0;
    }
    json_decref(body);
    json_decref(extra);
}

void http_reply_invalid(struct http_request *req, const struct verrors *errs)
{
    char detail[256];
    if (errs->n == 1)
        snprintf(detail, sizeof detail, "%s%s%s", errs->e[0].field,
                 errs->e[0].field[0] ? ": " : "", errs->e[0].message);
    else
        snprintf(detail, sizeof detail, "%d fields are invalid; see errors", errs->n);
    reply_problem_json(req, problem_get(PROBLEM_VALIDATION), detail, errs);
}

void http_reply_invalid_field(struct http_request *req, const char *field, const char *message)
{
    struct verrors errs = {0};
    verr_add(&errs, field, "%s", message);
    http_reply_invalid(req, &errs);
}

void http_add_header(struct http_request *req, const char *name, const char *value)
{
    struct http_reply *r = &req->reply;
    for (int i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0) {
            snprintf(r->headers[i].value, sizeof r->headers[i].value, "%s", value);
            return;
        }
    if (r->nheaders >= (int)(sizeof r->headers / sizeof r->headers[0]))
        return;
    snprintf(r->headers[r->nheaders].name, sizeof r->headers[0].name, "%s", name);
    snprintf(r->headers[r->nheaders].value, sizeof r->headers[0].value, "%s", value);
    r->nheaders++;
}

void http_add_vary(struct http_request *req, const char *field)
{
    struct http_reply *r = &req->reply;
    for (int i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, "Vary") == 0) {
            size_t len = strlen(r->headers[i].value);
            snprintf(r->headers[i].value + len, sizeof r->headers[i].value - len, ", %s", field);
            return;
        }
    http_add_header(req, "Vary", field);
}
