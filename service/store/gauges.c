/**
 * @file gauges.c
 * @brief SQL for the hotline gauges.
 *
 * Each branch of the UNION returns (metric, labels, value): labels is a JSON object of label
 * name → value, so a branch chooses its own labels. Every label combination comes from the
 * domain's name tables (passed as arrays), so a combination with no rows reads 0 instead of
 * vanishing, which keeps Prometheus' series and alerts continuous.
 *
 * Cost: index-only scans of tickets_status_class (only the open statuses are visited), of
 * the partial indexes followups_pending_kind_due and tickets_overdue_class_level (migration
 * 0005) and of outbox_due (0008); closed history is never read. About 10 ms at 1,000,000 tickets. A
 * new branch should come with an index that lets it count from the index alone.
 *
 * hotline_calls_today counts the inbound legs offered since local midnight of the business
 * calendar's zone (the day the reports use), through the partial index calls_inbound_offered;
 * the caller passes that midnight as a value, so the planner sees how short the range is (as
 * an expression it planned a parallel scan whose workers cost 0.5 s on a busy machine);
 * hotline_outbox_failed counts deliveries given up, through the partial index outbox_failed
 * (both migration 0012).
 *
 * A new gauge is a branch below and its family in `families`.
 */
#include "store/gauges.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/deadline.h"
#include "domain/followup.h"
#include "domain/ticket.h"
#include "log.h"

static const struct {
    const char *name, *help;
} families[] = {
    {"hotline_calls_today",
     "Inbound calls offered since midnight in the calendar's zone: waiting (ringing now), "
     "answered (talking or ended), abandoned (the caller hung up before an answer)."},
    {"hotline_followups_overdue", "Pending follow-up calls whose due time has passed, by kind."},
    {"hotline_followups_pending", "Follow-up calls not yet made (due or not), by kind."},
    {"hotline_outbox_failed",
     "Outbox deliveries given up after HOTLINE_OUTBOX_MAX_ATTEMPTS (status failed)."},
    {"hotline_outbox_pending", "Outbox deliveries not yet made (the backlog), due or waiting."},
    {"hotline_tickets_open", "Tickets not resolved or closed, by class and status."},
    {"hotline_tickets_overdue",
     "Tickets past a running deadline, by class and escalation level (0 agent, 1 supervisor, "
     "2 manager)."},
};

DB_STMT(q_gauges, 6,
        "WITH open_tickets AS ("
        "  SELECT class, status, count(*) AS n FROM tickets"
        "   WHERE status = ANY ($3::text[]) GROUP BY class, status),"
        " pending_followups AS ("
        "  SELECT kind, count(*) AS n, count(*) FILTER (WHERE due_at < $1::timestamptz) AS overdue"
        "    FROM followups WHERE status = 'pending' GROUP BY kind),"
        " overdue_tickets AS ("
        "  SELECT class, escalation_level, count(*) AS n FROM tickets WHERE overdue"
        "   GROUP BY class, escalation_level),"
        " calls_today AS ("
        "  SELECT count(*) FILTER (WHERE state = 'ringing') AS waiting,"
        "         count(*) FILTER (WHERE outcome = 'answered' OR state = 'talking') AS answered,"
        "         count(*) FILTER (WHERE outcome = 'abandoned') AS abandoned"
        "    FROM calls WHERE direction = 'inbound' AND offered_at >= $6::timestamptz)"
        " SELECT 'hotline_tickets_open' AS metric,"
        "        jsonb_build_object('class', c.v, 'status', s.v)::text AS labels,"
        "        coalesce(o.n, 0)::float8 AS value"
        "   FROM unnest($2::text[]) AS c(v) CROSS JOIN unnest($3::text[]) AS s(v)"
        "   LEFT JOIN open_tickets o ON o.class = c.v AND o.status = s.v"
        " UNION ALL"
        " SELECT 'hotline_followups_pending', jsonb_build_object('kind', k.v)::text,"
        "        coalesce(p.n, 0)::float8"
        "   FROM unnest($4::text[]) AS k(v) LEFT JOIN pending_followups p ON p.kind = k.v"
        " UNION ALL"
        " SELECT 'hotline_followups_overdue', jsonb_build_object('kind', k.v)::text,"
        "        coalesce(p.overdue, 0)::float8"
        "   FROM unnest($4::text[]) AS k(v) LEFT JOIN pending_followups p ON p.kind = k.v"
        " UNION ALL"
        " SELECT 'hotline_tickets_overdue',"
        "        jsonb_build_object('class', c.v, 'escalation_level', l.v::text)::text,"
        "        coalesce(o.n, 0)::float8"
        "   FROM unnest($2::text[]) AS c(v) CROSS JOIN generate_series(0, $5::int) AS l(v)"
        "   LEFT JOIN overdue_tickets o ON o.class = c.v AND o.escalation_level = l.v"
        " UNION ALL"
        " SELECT 'hotline_outbox_pending', '{}', count(*)::float8 FROM outbox"
        "  WHERE status = 'pending'"
        " UNION ALL"
        " SELECT 'hotline_outbox_failed', '{}', count(*)::float8 FROM outbox"
        "  WHERE status = 'failed'"
        " UNION ALL"
        " SELECT 'hotline_calls_today', jsonb_build_object('state', s.v)::text,"
        "        CASE s.v WHEN 'waiting' THEN ct.waiting WHEN 'answered' THEN ct.answered"
        "        ELSE ct.abandoned END::float8"
        "   FROM unnest(ARRAY['waiting', 'answered', 'abandoned']) AS s(v), calls_today ct"
        " ORDER BY metric, labels");

/* "{a,b,c}" from a NULL-terminated name table, leaving out the entries skip marks. The names
 * are the domain's plain words, so they need no quoting inside the array literal. */
static void array_literal(const char *const *names, const bool *skip, char *out, size_t n)
{
    size_t len = 0;
    out[len++] = '{';
    for (size_t i = 0; names[i]; i++) {
        size_t w = strlen(names[i]);
        if ((skip && skip[i]) || len + w + 3 > n)
            continue;
        if (len > 1)
            out[len++] = ',';
        memcpy(out + len, names[i], w);
        len += w;
    }
    out[len++] = '}';
    out[len] = '\0';
}

static const char *help_of(const char *name)
{
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (strcmp(families[i].name, name) == 0)
            return families[i].help;
    return NULL;
}

static void emit(const PGresult *res, int row, store_gauge_fn fn, void *ctx)
{
    struct store_gauge g = {.name = db_get(res, row, "metric")};
    g.help = help_of(g.name);
    json_t *labels = json_loads(db_get(res, row, "labels"), 0, NULL);
    if (!g.help || !json_is_object(labels)) {
        log_msg(LOG_ERROR, "BUG: gauge %s has no help text or bad labels", g.name);
        json_decref(labels);
        return;
    }
    const char *key;
    json_t *value;
    json_object_foreach(labels, key, value)
    {
        if (g.nlabels == STORE_GAUGE_MAX_LABELS || !json_is_string(value))
            break;
        g.label_names[g.nlabels] = key;
        g.label_values[g.nlabels++] = json_string_value(value);
    }
    g.value = strtod(db_get(res, row, "value"), NULL);
    fn(ctx, &g);
    json_decref(labels);
}

enum db_status store_hotline_gauges(struct db *db, hl_time now, hl_time day_start,
                                    store_gauge_fn fn, void *ctx)
{
    /* Open = every status but the two end states. */
    bool closed[TICKET_STATUS_COUNT + 1] = {
        [TICKET_STATUS_RESOLVED] = true, [TICKET_STATUS_CLOSED] = true};
    char at[48], classes[256], open[256], kinds[512];
    tf_format_rfc3339(now, 0, at, sizeof at);
    array_literal(ticket_class_names, NULL, classes, sizeof classes);
    array_literal(ticket_status_names, closed, open, sizeof open);
    array_literal(followup_kind_names, NULL, kinds, sizeof kinds);
    char levels[8];
    snprintf(levels, sizeof levels, "%d", ESCALATION_MAX);
    char day[48];
    tf_format_rfc3339(day_start, 0, day, sizeof day);
    const char *params[] = {at, classes, open, kinds, levels, day};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_gauges, params, &res);
    if (s != DB_OK)
        return s;
    for (int row = 0; row < PQntuples(res); row++)
        emit(res, row, fn, ctx);
    PQclear(res);
    return DB_OK;
}
