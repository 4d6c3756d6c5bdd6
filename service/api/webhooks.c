/**
 * @file webhooks.c
 * @brief /webhooks.
 */
#include "api/webhooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "store/webhooks.h"

void api_webhooks_create(struct http_request *req)
{
    struct webhook_input in;
    struct verrors errs = {0};
    if (!webhook_input_from_json(req->json, &in, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    char *json = NULL;
    enum db_status s = store_webhook_create(http_db(req), &in, req->auth.name, req->now, &json);
    if (s != DB_OK) {
        api_reply_db(req, s, "webhook");
        return;
    }
    json_t *w = json_loads(json, 0, NULL);
    char loc[48];
    snprintf(loc, sizeof loc, "/webhooks/%" JSON_INTEGER_FORMAT,
             json_integer_value(json_object_get(w, "id")));
    json_decref(w);
    http_add_header(req, "Location", loc);
    http_reply_json_text(req, 201, json);
}

void api_webhooks_list(struct http_request *req)
{
    char *json = NULL;
    enum db_status s = store_webhooks_json(http_db(req), &json);
    if (s != DB_OK) {
        api_reply_db(req, s, "webhook");
        return;
    }
    size_t len = strlen(json) + 16;
    char *body = malloc(len);
    if (body)
        snprintf(body, len, "{\"items\":%s}", json);
    free(json);
    http_reply_json_text(req, 200, body);
}

void api_webhooks_delete(struct http_request *req)
{
    int64_t id;
    if (!api_id_or_reply(req, "id", "webhook", &id))
        return;
    enum db_status s = store_webhook_deactivate(http_db(req), id, req->now);
    if (s != DB_OK) {
        api_reply_db(req, s, "webhook");
        return;
    }
    req->reply.status = 204;
    req->replied = true;
}
