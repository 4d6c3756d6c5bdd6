/**
 * @file followups.h
 * @brief The sweeper task that marks follow-ups overdue and escalates them.
 */
#ifndef HOTLINE_JOBS_FOLLOWUPS_H
#define HOTLINE_JOBS_FOLLOWUPS_H

#include "domain/timefmt.h"
#include "store/db.h"

/** Mark newly past-due follow-ups overdue (supervisor), and escalate those still pending after
 *  the escalation delay (manager). @return follow-ups handled, or -1 on failure */
long jobs_followups_overdue(struct db *db, hl_time now);

#endif
