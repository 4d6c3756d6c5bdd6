/**
 * @file deadlines.h
 * @brief The sweeper task that marks tickets overdue and escalates them.
 */
#ifndef HOTLINE_JOBS_DEADLINES_H
#define HOTLINE_JOBS_DEADLINES_H

#include "domain/timefmt.h"
#include "store/db.h"

/**
 * Handle every ticket with something due at now, in batches of one transaction each.
 * @return tickets handled, or -1 when a batch failed (it is retried on the next pass)
 */
long jobs_ticket_deadlines(struct db *db, hl_time now);

#endif
