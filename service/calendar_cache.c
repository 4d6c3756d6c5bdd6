/**
 * @file calendar_cache.c
 * @brief A reference-counted, immutable calendar snapshot swapped under a mutex.
 */
#include "calendar_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "domain/calendar_input.h"
#include "log.h"
#include "store/calendar.h"

struct snapshot {
    struct calendar cal; /* first: the public pointer is &snapshot->cal */
    int refs;
    int64_t loaded_us;
    int version;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct snapshot *current;

bool tzfile_load(const char *zone, struct tz *out)
{
    if (!zone_name_ok(zone))
        return false;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", cfg.zoneinfo, zone);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    unsigned char *buf = malloc(1 << 17);
    size_t n = buf ? fread(buf, 1, 1 << 17, f) : 0;
    fclose(f);
    bool ok = buf && n > 0 && n < (1 << 17) && tz_parse(buf, n, out);
    free(buf);
    return ok;
}

static void unref_locked(struct snapshot *s)
{
    if (s && --s->refs == 0)
        free(s);
}

static enum db_status load(struct db *db, struct snapshot **out)
{
    struct snapshot *s = calloc(1, sizeof *s);
    if (!s)
        return DB_ERROR;
    cal_defaults(&s->cal);
    char *settings = NULL;
    enum db_status st = store_calendar_load(db, &settings, &s->cal, &s->version);
    json_t *j = st == DB_OK ? json_loads(settings, 0, NULL) : NULL;
    struct calendar_settings cs;
    struct verrors errs = {0};
    if (st == DB_OK && !(j && calendar_settings_from_json(j, &cs, &errs))) {
        log_msg(LOG_ERROR, "the stored calendar settings are invalid: %s %s",
                errs.n ? errs.e[0].field : "", errs.n ? errs.e[0].message : "");
        st = DB_ERROR;
    }
    if (st == DB_OK) {
        calendar_apply_settings(&s->cal, &cs);
        if (!tzfile_load(cs.zone, &s->cal.tz)) {
            log_msg(LOG_ERROR, "cannot read time zone %s from %s", cs.zone, cfg.zoneinfo);
            st = DB_ERROR;
        }
    }
    json_decref(j);
    free(settings);
    if (st != DB_OK) {
        free(s);
        return st == DB_NOT_FOUND ? DB_ERROR : st;
    }
    s->loaded_us = clock_mono_us();
    s->refs = 1; /* the cache's own reference */
    *out = s;
    return DB_OK;
}

static bool fresh(const struct snapshot *s)
{
    return s && clock_mono_us() - s->loaded_us < (int64_t)cfg.calendar_ttl_ms * 1000;
}

enum db_status calendar_acquire(struct db *db, const struct calendar **out)
{
    pthread_mutex_lock(&mu);
    if (fresh(current)) {
        current->refs++;
        *out = &current->cal;
        pthread_mutex_unlock(&mu);
        return DB_OK;
    }
    pthread_mutex_unlock(&mu);
    struct snapshot *s;
    enum db_status st = load(db, &s);
    if (st != DB_OK)
        return st;
    pthread_mutex_lock(&mu);
    unref_locked(current);
    current = s;
    s->refs++;
    *out = &s->cal;
    pthread_mutex_unlock(&mu);
    return DB_OK;
}

void calendar_release(const struct calendar *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&mu);
    unref_locked((struct snapshot *)(void *)c);
    pthread_mutex_unlock(&mu);
}

void calendar_invalidate(void)
{
    pthread_mutex_lock(&mu);
    unref_locked(current);
    current = NULL;
    pthread_mutex_unlock(&mu);
}
