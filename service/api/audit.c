/**
 * @file audit.c
 * @brief See audit.h.
 */
#include "api/audit.h"

#include <stdlib.h>

#include "api/common.h"
#include "store/audit.h"

bool api_audit_or_reply(struct http_request *req, const char *action, const char *subject,
                        json_t *detail)
{
    char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(detail);
    struct audit_entry e = {.actor = req->auth.name, .role = req->auth.role_name,
                            .action = action, .subject = subject, .detail = text,
                            .request_id = req->request_id, .at = req->now};
    enum db_status s = store_audit(http_db(req), &e);
    free(text);
    if (s != DB_OK) {
        api_reply_db(req, s, "audit entry");
        return false;
    }
    return true;
}
