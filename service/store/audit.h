/**
 * @file audit.h
 * @brief The audit history of customer data (信息保密制度): who read, exported or changed the
 *        directory in bulk, when, and what (filters and counts, never the data itself).
 */
#ifndef HOTLINE_STORE_AUDIT_H
#define HOTLINE_STORE_AUDIT_H

#include "domain/timefmt.h"
#include "store/db.h"

struct audit_entry {
    const char *actor, *role;
    const char *action;  /* customers.list, customers.read, customers.import, incident.report, ... */
    const char *subject; /* "customers", "customer:12", "incident:3" */
    const char *detail;  /* a JSON object (text), or NULL */
    const char *request_id;
    hl_time at;
};

/** Append one entry (append-only table). */
enum db_status store_audit(struct db *db, const struct audit_entry *e);

#endif
