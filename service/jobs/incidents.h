/**
 * @file incidents.h
 * @brief Sweeper tasks of emergencies: the acknowledgement clock (escalation, each exactly
 *        once across instances) and the confirmation of relays the outbox delivered.
 */
#ifndef HOTLINE_JOBS_INCIDENTS_H
#define HOTLINE_JOBS_INCIDENTS_H

#include "domain/timefmt.h"
#include "store/db.h"

/** Escalate incidents operations has not acknowledged in time. @return rows, or -1 */
long jobs_incident_acks(struct db *db, hl_time now);

/** Reported incidents whose relay was delivered become relayed. @return rows, or -1 */
long jobs_incident_relays(struct db *db, hl_time now);

#endif
