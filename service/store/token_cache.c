/**
 * @file token_cache.c
 * @brief See token_cache.h. A small direct-mapped table under one mutex; a flush is one
 *        increment of the generation, which every entry carries.
 */
#include "store/token_cache.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "util/crypto.h"

#define SLOTS 512
#define PING_EVERY_US (5 * 1000000LL)
#define STATEMENT_MS 2000
#define RECONNECT_PAUSE_MS 250

struct slot {
    uint64_t gen; /* valid only while equal to the table's generation */
    int64_t expires_us;
    char hash[SHA256_HEX_LEN];
    char role[TOKEN_ROLE_MAX];
    char name[TOKEN_NAME_MAX];
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct slot slots[SLOTS];
static uint64_t generation = 1;
static bool on;
static atomic_uint_fast64_t st_hits, st_misses, st_flushes;

static pthread_t thread;
static bool running;
static atomic_bool stopping;
static int wake_fd = -1;

static unsigned slot_of(const char *hash)
{
    unsigned v = 0;
    for (int i = 0; i < 6 && hash[i]; i++)
        v = v * 16 + (unsigned)(hash[i] <= '9' ? hash[i] - '0' : (hash[i] | 0x20) - 'a' + 10);
    return v % SLOTS;
}

/* Empty the cache and switch it on or off (the listener's view of the database changed). */
static void flush(bool now_on)
{
    pthread_mutex_lock(&mu);
    generation++;
    on = now_on;
    pthread_mutex_unlock(&mu);
    atomic_fetch_add(&st_flushes, 1);
}

enum db_status store_token_find_cached(struct db *db, const char *hash_hex,
                                       char role[TOKEN_ROLE_MAX], char name[TOKEN_NAME_MAX])
{
    unsigned i = slot_of(hash_hex);
    int64_t now = clock_mono_us();
    pthread_mutex_lock(&mu);
    struct slot *s = &slots[i];
    bool hit = on && s->gen == generation && now < s->expires_us && strcmp(s->hash, hash_hex) == 0;
    if (hit) {
        memcpy(role, s->role, TOKEN_ROLE_MAX);
        memcpy(name, s->name, TOKEN_NAME_MAX);
    }
    uint64_t gen = generation;
    bool was_on = on;
    pthread_mutex_unlock(&mu);
    if (hit) {
        atomic_fetch_add(&st_hits, 1);
        return DB_OK;
    }
    atomic_fetch_add(&st_misses, 1);
    enum db_status st = store_token_find(db, hash_hex, role, name);
    if (st != DB_OK || !was_on)
        return st;
    /* Remember the answer only if no change was announced while we asked: a revocation that
     * committed after our read bumped the generation, and its answer must not be kept. */
    pthread_mutex_lock(&mu);
    if (on && generation == gen) {
        s->gen = gen;
        s->expires_us = now + TOKEN_CACHE_TTL_S * 1000000LL;
        snprintf(s->hash, sizeof s->hash, "%s", hash_hex);
        memcpy(s->role, role, TOKEN_ROLE_MAX);
        memcpy(s->name, name, TOKEN_NAME_MAX);
    }
    pthread_mutex_unlock(&mu);
    return st;
}

void token_cache_stats_get(struct token_cache_stats *out)
{
    out->hits = atomic_load(&st_hits);
    out->misses = atomic_load(&st_misses);
    out->flushes = atomic_load(&st_flushes);
    pthread_mutex_lock(&mu);
    out->on = on;
    pthread_mutex_unlock(&mu);
}

/* ---- the listener --------------------------------------------------------------------------- */

/* Wait up to ms for the socket (or the stop signal). @return -1 stop, 0 timeout, 1 readable */
static int wait_readable(PGconn *c, int ms)
{
    struct pollfd p[2] = {{.fd = PQsocket(c), .events = POLLIN}, {.fd = wake_fd, .events = POLLIN}};
    int r = poll(p, 2, ms);
    if (atomic_load(&stopping) || (r > 0 && (p[1].revents & POLLIN)))
        return -1;
    return r > 0 ? 1 : r;
}

/* One statement with a deadline; notifications that arrive meanwhile stay queued in libpq. */
static bool run(PGconn *c, const char *sql, int nparams, const char *const *params)
{
    if (!PQsendQueryParams(c, sql, nparams, NULL, params, NULL, NULL, 0))
        return false;
    int64_t deadline = clock_mono_us() + STATEMENT_MS * 1000LL;
    bool ok = true;
    for (;;) {
        while (PQisBusy(c)) {
            int64_t left = deadline - clock_mono_us();
            if (left <= 0 || wait_readable(c, (int)(left / 1000) + 1) <= 0 || !PQconsumeInput(c))
                return false; /* the caller drops the connection */
        }
        PGresult *res = PQgetResult(c);
        if (!res)
            break;
        ExecStatusType s = PQresultStatus(res);
        ok &= s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
        PQclear(res);
    }
    return ok && PQstatus(c) == CONNECTION_OK;
}

/* Handle queued notifications: flush on each, acknowledge those a revoker waits for. */
static bool drain(PGconn *c)
{
    PGnotify *n;
    while ((n = PQnotifies(c)) != NULL) {
        bool ours = strcmp(n->relname, TOKEN_CACHE_CHANNEL) == 0;
        char payload[128];
        snprintf(payload, sizeof payload, "%s", n->extra ? n->extra : "");
        PQfreemem(n);
        if (!ours)
            continue;
        flush(true);
        if (payload[0]) {
            const char *params[] = {payload};
            if (!run(c, "SELECT pg_notify('" TOKEN_CACHE_ACK_CHANNEL "', $1)", 1, params))
                return false;
        }
    }
    return true;
}

static void pause_ms(int ms)
{
    struct pollfd p = {.fd = wake_fd, .events = POLLIN};
    poll(&p, 1, ms);
}

/* One connection's life: LISTEN, go live, serve notifications until it breaks or we stop. */
static void listen_once(void)
{
    char err[256];
    PGconn *c = db_connect_as("hotlined", err, sizeof err);
    if (!c) {
        log_mask_digits(err);
        log_msg(LOG_WARN, "token cache: cannot connect, tokens are looked up per request: %s",
                err);
        return;
    }
    if (!run(c, "LISTEN " TOKEN_CACHE_CHANNEL, 0, NULL) ||
        !run(c, "SET application_name = '" TOKEN_CACHE_LISTENER_APP "'", 0, NULL)) {
        PQfinish(c);
        return;
    }
    /* Listening now: whatever changed before is forgotten, whatever changes next is heard. */
    flush(true);
    log_msg(LOG_INFO, "token cache on (listening for token changes)");
    int64_t last_ping = clock_mono_us();
    for (;;) {
        int r = wait_readable(c, 1000);
        if (r < 0)
            break;
        if ((r > 0 && !PQconsumeInput(c)) || PQstatus(c) != CONNECTION_OK || !drain(c))
            break;
        if (clock_mono_us() - last_ping >= PING_EVERY_US) {
            if (!run(c, "SELECT 1", 0, NULL) || !drain(c))
                break;
            last_ping = clock_mono_us();
        }
    }
    flush(false);
    if (!atomic_load(&stopping))
        log_msg(LOG_WARN, "token cache off until the database connection is back");
    PQfinish(c);
}

static void *loop(void *arg)
{
    (void)arg;
    while (!atomic_load(&stopping)) {
        listen_once();
        if (!atomic_load(&stopping))
            pause_ms(RECONNECT_PAUSE_MS);
    }
    return NULL;
}

bool token_cache_start(void)
{
    atomic_store(&stopping, false);
    wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd < 0)
        return false;
    if (pthread_create(&thread, NULL, loop, NULL) != 0) {
        close(wake_fd);
        wake_fd = -1;
        return false;
    }
    running = true;
    return true;
}

void token_cache_stop(void)
{
    if (!running)
        return;
    atomic_store(&stopping, true);
    uint64_t one = 1;
    if (write(wake_fd, &one, sizeof one) < 0)
        log_msg(LOG_WARN, "token cache: cannot wake the listener");
    pthread_join(thread, NULL);
    close(wake_fd);
    wake_fd = -1;
    running = false;
    flush(false);
}
