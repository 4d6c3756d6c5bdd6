/**
 * @file outbox.h
 * @brief The outbox worker: leases due deliveries, POSTs them signed, records the outcome.
 */
#ifndef HOTLINE_JOBS_OUTBOX_H
#define HOTLINE_JOBS_OUTBOX_H

#include "domain/timefmt.h"
#include "store/db.h"

/** Deliver what is due at now. @return deliveries attempted, or -1 on a database failure */
long jobs_outbox_deliver(struct db *db, hl_time now);

/** Sign a body: hex HMAC-SHA256 of "<timestamp>.<body>" under secret. out: 65 bytes. */
void outbox_signature(const char *secret, long timestamp, const char *body, char *out);

#endif
