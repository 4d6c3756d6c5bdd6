/**
 * @file dispatches.h
 * @brief The sweeper task that marks dispatches not signed for in time overdue.
 */
#ifndef HOTLINE_JOBS_DISPATCHES_H
#define HOTLINE_JOBS_DISPATCHES_H

#include "domain/timefmt.h"
#include "store/db.h"

/**
 * Mark every dispatch still unsigned at its accept_due_at overdue (a `dispatch_overdue` event on
 * its ticket and a `dispatch.overdue` webhook), exactly once however many instances run.
 * @return dispatches marked, or -1 when a batch failed (it is retried on the next pass)
 */
long jobs_dispatches_overdue(struct db *db, hl_time now);

#endif
