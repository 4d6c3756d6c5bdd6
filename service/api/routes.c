/**
 * @file routes.c
 * @brief The one router table.
 */
#include "api/routes.h"

#include "api/calendar.h"
#include "api/followups.h"
#include "api/calls.h"
#include "api/customers.h"
#include "api/complaints.h"
#include "api/health.h"
#include "api/metrics.h"
#include "api/reports.h"
#include "api/incidents.h"
#include "api/notifications.h"
#include "api/tickets.h"
#include "api/webhooks.h"
#include "domain/roles.h"

static const char *const q_ticket_list[] = {"status", "class", "kind", "owner", "phone",
                                            "created_from", "created_to", "overdue",
                                            "due_before", "escalation_level", "stage", "limit",
                                            "cursor", NULL};
static const char *const q_days[] = {"from", "to", NULL};
static const char *const q_followups[] = {"status", "kind", "agent", "ticket_id", "due_before",
                                          "limit", "cursor", NULL};
static const char *const q_page[] = {"limit", "cursor", NULL};
static const char *const q_call_list[] = {"offered_from", "offered_to", "direction", "outcome",
                                          "agent", "number", "limit", "cursor", NULL};
static const char *const q_token[] = {"token", NULL};
static const char *const q_report_daily[] = {"date", NULL};
static const char *const q_report_summary[] = {"from", "to", "group_by", NULL};

#define READERS ROLES_STAFF
#define WRITERS (ROLES_STAFF | ROLE_CTI)
#define CTI_SENDERS (ROLE_CTI | ROLE_ADMIN)
#define EVENT_FLAGS (ROUTE_JSON_BODY | ROUTE_QUERY_TOKEN)
#define ZAMMAD_FLAGS (ROUTE_JSON_BODY | ROUTE_FORM_BODY | ROUTE_QUERY_TOKEN)
static const char *const q_customer_list[] = {"area", "street", "q", "phone", "tag", "limit",
                                              "cursor", NULL};
static const char *const q_incident_list[] = {"status", "limit", "cursor", NULL};
static const char *const q_notification_list[] = {"round", "status", "limit", "cursor", NULL};
static const char *const q_round[] = {"round", NULL};

/* Customer data is for the roles that need it (信息保密): never cti or operations. */
#define DIRECTORY ROLES_STAFF
#define INCIDENT_READERS (ROLES_STAFF | ROLE_OPERATIONS)
/* Complaints: staff only (never cti); departments with an operations token may answer their
 * dispatches; supervisors escalate, hand over, rule and decide; the manager reviews. */
#define DEPARTMENTS (ROLES_STAFF | ROLE_OPERATIONS)
#define REVIEWERS ROLE_MANAGER

static const struct route routes[] = {
    {"GET", "/healthz", api_health_live, ROLE_OPEN, NULL, 0},
    {"GET", "/readyz", api_health_ready, ROLE_OPEN, NULL, 0},
    {"POST", "/tickets", api_tickets_create, WRITERS, NULL, ROUTE_JSON_BODY},
    {"GET", "/tickets", api_tickets_list, READERS, q_ticket_list, 0},
    {"GET", "/tickets/{id}", api_tickets_get, READERS, NULL, 0},
    {"PATCH", "/tickets/{id}", api_tickets_patch, READERS, NULL, ROUTE_JSON_BODY},
    {"GET", "/tickets/{id}/events", api_tickets_events, READERS, q_page, 0},
    {"POST", "/tickets/{id}/transitions", api_tickets_transition, READERS, NULL, ROUTE_JSON_BODY},
    {"GET", "/tickets/{id}/relays", api_tickets_relays, READERS, NULL, 0},
    {"POST", "/tickets/{id}/followups", api_followups_create, READERS, NULL, ROUTE_JSON_BODY},
    {"GET", "/followups", api_followups_list, READERS, q_followups, 0},
    {"GET", "/followups/{id}", api_followups_get, READERS, NULL, 0},
    {"POST", "/followups/{id}/attempts", api_followups_attempt, READERS, NULL, ROUTE_JSON_BODY},
    {"POST", "/webhooks", api_webhooks_create, ROLE_ADMIN, NULL, ROUTE_JSON_BODY},
    {"GET", "/webhooks", api_webhooks_list, ROLE_ADMIN, NULL, 0},
    {"DELETE", "/webhooks/{id}", api_webhooks_delete, ROLE_ADMIN, NULL, 0},
    {"GET", "/calendar", api_calendar_get, READERS, NULL, 0},
    {"PUT", "/calendar", api_calendar_put, ROLE_ADMIN, NULL, ROUTE_JSON_BODY},
    {"GET", "/calendar/days", api_calendar_days_list, READERS, q_days, 0},
    {"GET", "/calendar/days/{date}", api_calendar_day_get, READERS, NULL, 0},
    {"PUT", "/calendar/days/{date}", api_calendar_day_put, ROLE_ADMIN, NULL, ROUTE_JSON_BODY},
    {"DELETE", "/calendar/days/{date}", api_calendar_day_delete, ROLE_ADMIN, NULL, 0},
    {"POST", "/calls/events", api_calls_events, CTI_SENDERS, q_token, EVENT_FLAGS},
    {"POST", "/cti/zammad", api_calls_zammad, CTI_SENDERS, q_token, ZAMMAD_FLAGS},
    {"GET", "/calls", api_calls_list, READERS, q_call_list, 0},
    {"GET", "/calls/{call_id}", api_calls_get, READERS, NULL, 0},
    {"POST", "/calls/{call_id}/tickets", api_calls_link_ticket, WRITERS, NULL, ROUTE_JSON_BODY},
    {"GET", "/callers/{phone}", api_callers_get, READERS, NULL, 0},
    {"GET", "/metrics", api_metrics_get, ROLE_ADMIN, NULL, ROUTE_SCRAPE_TOKEN},
    {"GET", "/reports/daily", api_reports_daily, ROLES_SUPERVISING, q_report_daily, 0},
    {"GET", "/reports/summary", api_reports_summary, ROLES_SUPERVISING, q_report_summary, 0},
    {"POST", "/incidents", api_incidents_create, ROLES_STAFF, NULL, ROUTE_JSON_BODY},
    {"GET", "/incidents", api_incidents_list, INCIDENT_READERS, q_incident_list, 0},
    {"GET", "/incidents/{id}", api_incidents_get, INCIDENT_READERS, NULL, 0},
    {"GET", "/incidents/{id}/events", api_incidents_events, INCIDENT_READERS, q_page, 0},
    {"POST", "/incidents/{id}/transitions", api_incidents_transition, INCIDENT_READERS, NULL,
     ROUTE_JSON_BODY},
    {"POST", "/incidents/{id}/ack", api_incidents_ack, ROLE_OPERATIONS, NULL, 0},
    {"POST", "/tickets/{id}/incident", api_incidents_from_ticket, ROLES_STAFF, NULL,
     ROUTE_JSON_BODY},
    {"POST", "/incidents/{id}/notifications", api_notifications_build, ROLES_STAFF, NULL,
     ROUTE_JSON_BODY},
    {"GET", "/incidents/{id}/notifications", api_notifications_list, DIRECTORY,
     q_notification_list, 0},
    {"POST", "/incidents/{id}/notifications/claim", api_notifications_claim, DIRECTORY, q_round,
     0},
    {"POST", "/incidents/{id}/notifications/{nid}/result", api_notifications_result, DIRECTORY,
     NULL, ROUTE_JSON_BODY},
    {"GET", "/incidents/{id}/report", api_incidents_report, DIRECTORY, NULL, 0},
    {"POST", "/customers", api_customers_create, DIRECTORY, NULL, ROUTE_JSON_BODY},
    {"GET", "/customers", api_customers_list, DIRECTORY, q_customer_list, 0},
    {"GET", "/customers/{id}", api_customers_get, DIRECTORY, NULL, 0},
    {"PATCH", "/customers/{id}", api_customers_patch, DIRECTORY, NULL, ROUTE_JSON_BODY},
    {"POST", "/customers/import", api_customers_import, ROLES_SUPERVISING, NULL,
     ROUTE_STREAM_BODY, &api_customers_import_stream},
    {"POST", "/tickets/{id}/dispatches", api_dispatches_create, READERS, NULL, ROUTE_JSON_BODY},
    {"GET", "/tickets/{id}/dispatches", api_dispatches_list, READERS, NULL, 0},
    {"GET", "/dispatches/{id}", api_dispatches_get, DEPARTMENTS, NULL, 0},
    {"POST", "/dispatches/{id}/accept", api_dispatches_accept, DEPARTMENTS, NULL, ROUTE_JSON_BODY},
    {"POST", "/dispatches/{id}/return", api_dispatches_return, DEPARTMENTS, NULL, ROUTE_JSON_BODY},
    {"POST", "/dispatches/{id}/reply", api_dispatches_reply, DEPARTMENTS, NULL, ROUTE_JSON_BODY},
    {"POST", "/dispatches/{id}/redispatch", api_dispatches_redispatch, READERS, NULL,
     ROUTE_JSON_BODY},
    {"POST", "/dispatches/{id}/ruling", api_dispatches_ruling, ROLES_SUPERVISING, NULL,
     ROUTE_JSON_BODY},
    {"POST", "/tickets/{id}/escalations", api_escalations_create, ROLES_SUPERVISING, NULL,
     ROUTE_JSON_BODY},
    {"GET", "/tickets/{id}/escalations", api_escalations_list, READERS, NULL, 0},
    {"POST", "/tickets/{id}/handover", api_tickets_handover, ROLES_SUPERVISING, NULL,
     ROUTE_JSON_BODY},
    {"POST", "/tickets/{id}/extensions", api_extensions_create, READERS, NULL, ROUTE_JSON_BODY},
    {"GET", "/tickets/{id}/extensions", api_extensions_list, READERS, NULL, 0},
    {"POST", "/extensions/{id}/decision", api_extensions_decide, ROLES_SUPERVISING, NULL,
     ROUTE_JSON_BODY},
    {"POST", "/tickets/{id}/review", api_tickets_review, REVIEWERS, NULL, ROUTE_JSON_BODY},
};

const struct route *api_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
