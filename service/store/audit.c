/**
 * @file audit.c
 * @brief SQL for the audit history.
 */
#include "store/audit.h"

DB_STMT(q_audit, 7,
        "INSERT INTO audit_log (at, actor, role, action, subject, detail, request_id) VALUES "
        "($1::timestamptz, $2, $3, $4, $5, coalesce($6::jsonb, '{}'), $7)");

enum db_status store_audit(struct db *db, const struct audit_entry *e)
{
    char at[48];
    tf_format_rfc3339(e->at, 0, at, sizeof at);
    const char *params[] = {at, e->actor, e->role, e->action, e->subject, e->detail,
                            e->request_id};
    return db_run(db, &q_audit, params);
}
