/**
 * @file incidents.h
 * @brief Incidents, their history, their relay through the outbox and the acknowledgement
 *        sweeper's claims. Representations come back as JSON text built by the database.
 */
#ifndef HOTLINE_STORE_INCIDENTS_H
#define HOTLINE_STORE_INCIDENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/incident.h"
#include "domain/incident_state.h"
#include "domain/timefmt.h"
#include "store/db.h"
#include "store/tickets.h"

/** A new incident: the validated report plus what the service decided. */
struct incident_new {
    const struct incident_input *in;
    int64_t ticket_id; /* 0: none; otherwise description, reporter and call come from it */
    const char *actor;
    hl_time now, ack_due_at;
};

/**
 * Insert an incident and its "reported" event, and queue the relay to operations
 * ("incident.relay") in the outbox, all in one transaction (db_atomically).
 * @param[out] json the incident (caller frees); @param[out] id
 * @return DB_DUPLICATE when the ticket already has an incident
 */
enum db_status store_incident_create(struct db *db, const struct incident_new *n, char **json,
                                     int64_t *id);

/** What starting an incident needs to know of a ticket. */
struct incident_ticket {
    bool emergency;    /* kind = emergency */
    int64_t incident;  /* its incident, 0 when none */
};

/** Read a ticket for POST /tickets/{id}/incident. @return DB_NOT_FOUND */
enum db_status store_incident_ticket(struct db *db, int64_t ticket_id, struct incident_ticket *out);

/** Append a ticket event saying an incident was started from it. */
enum db_status store_incident_ticket_event(struct db *db, int64_t ticket_id, int64_t incident_id,
                                           const char *actor, hl_time now);

/**
 * The incident with its relay state and notification progress at now.
 * @return DB_NOT_FOUND when there is none
 */
enum db_status store_incident_get(struct db *db, int64_t id, hl_time now, char **json,
                                  int *version);

/** What the rules need of an incident. */
struct incident_state {
    int64_t id;
    int version;
    struct incident_clock clock;
};

/** Read (with a row lock when lock, inside a transaction). @return DB_NOT_FOUND */
enum db_status store_incident_state(struct db *db, int64_t id, bool lock,
                                    struct incident_state *out);

struct incident_change {
    int64_t id;
    enum incident_status from, to;
    bool has_next_due;
    hl_time next_due;
    const char *actor, *note;
    hl_time now;
};

/** Write a status change and its history event; version + 1. */
enum db_status store_incident_transition(struct db *db, const struct incident_change *c);

struct incident_filter {
    const char *status;
    bool has_cursor;
    int64_t before_id;
    int limit;
};

/** Incidents, newest first (without progress). */
enum db_status store_incident_list(struct db *db, const struct incident_filter *f,
                                   struct page *out);

/** An incident's history in order, after event id after_id. @return DB_NOT_FOUND */
enum db_status store_incident_events(struct db *db, int64_t id, int64_t after_id, int limit,
                                     struct page *out);

/**
 * Claim up to limit incidents whose acknowledgement clock is due at now (FOR UPDATE SKIP
 * LOCKED through incidents_next_due), locked until the caller's transaction ends.
 */
enum db_status store_incidents_claim_due(struct db *db, hl_time now, int limit,
                                         struct incident_state *rows, int *n);

/** Write the sweeper's decision: escalation, its event and "incident.escalated" outbox rows. */
enum db_status store_incident_apply_sweep(struct db *db, int64_t id,
                                          const struct incident_sweep *d, hl_time now);

/**
 * Incidents still "reported" whose relay the outbox has delivered become "relayed" (at the
 * delivery time), up to limit per call, each exactly once.
 * @param[out] n how many
 */
enum db_status store_incidents_confirm_relays(struct db *db, hl_time now, int limit, long *n);

#endif
