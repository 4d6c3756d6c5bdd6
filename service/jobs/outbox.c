/**
 * @file outbox.c
 * @brief Deliveries: POST {"event","delivery_id","created_at","data"} with
 *        X-Hotline-Event, X-Hotline-Delivery, X-Hotline-Timestamp and
 *        X-Hotline-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">.
 *        A 2xx answer delivers; anything else retries with backoff and jitter.
 */
#include "jobs/outbox.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/tickets.h"
#include "clock.h"
#include "config.h"
#include "domain/retry.h"
#include "log.h"
#include "store/outbox.h"
#include "util/crypto.h"
#include "util/strbuf.h"

#define BATCH 10
#define LEASE_MS 60000

void outbox_signature(const char *secret, long timestamp, const char *body, char *out)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_printf(&sb, "%ld.%s", timestamp, body);
    crypto_hmac_sha256_hex(secret, strlen(secret), sb.data ? sb.data : "", sb.len, out);
    strbuf_free(&sb);
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

static char *envelope(const struct outbox_item *it)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "{\"event\":");
    strbuf_json_string(&sb, it->event);
    strbuf_puts(&sb, ",\"delivery_id\":");
    strbuf_json_string(&sb, it->delivery_id);
    strbuf_puts(&sb, ",\"created_at\":");
    strbuf_json_string(&sb, it->created_at);
    strbuf_puts(&sb, ",\"data\":");
    strbuf_puts(&sb, it->payload);
    strbuf_puts(&sb, "}");
    return strbuf_steal(&sb, NULL);
}

static pthread_key_t curl_key;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_key_init(void)
{
    pthread_key_create(&curl_key, (void (*)(void *))curl_easy_cleanup);
}

/* The calling thread's handle (kept for connection reuse, cleaned up when the thread ends). */
static CURL *thread_curl(void)
{
    pthread_once(&curl_once, curl_key_init);
    CURL *curl = pthread_getspecific(curl_key);
    if (curl) {
        curl_easy_reset(curl);
        return curl;
    }
    curl = curl_easy_init();
    pthread_setspecific(curl_key, curl);
    return curl;
}

/* POST one delivery. @return the HTTP status, or 0 with err filled when there was no answer */
static long post(const struct outbox_item *it, const char *body, long ts, char *err, size_t n)
{
    CURL *curl = thread_curl();
    if (!curl) {
        snprintf(err, n, "libcurl unavailable");
        return 0;
    }
    char sig[SHA256_HEX_LEN], h[5][160];
    outbox_signature(it->secret, ts, body, sig);
    snprintf(h[0], sizeof h[0], "X-Hotline-Event: %s", it->event);
    snprintf(h[1], sizeof h[1], "X-Hotline-Delivery: %s", it->delivery_id);
    snprintf(h[2], sizeof h[2], "X-Hotline-Timestamp: %ld", ts);
    snprintf(h[3], sizeof h[3], "X-Hotline-Signature: sha256=%s", sig);
    snprintf(h[4], sizeof h[4], "Content-Type: application/json");
    struct curl_slist *hl = NULL;
    for (int i = 0; i < 5; i++)
        hl = curl_slist_append(hl, h[i]);
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, it->url);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)cfg.outbox_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg.outbox_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    else
        snprintf(err, n, "%s", curl_easy_strerror(rc));
    curl_slist_free_all(hl);
    return status;
}

struct record {
    const struct outbox_item *it;
    struct outbox_result r;
};

/* The outcome and what a delivery achieves, in one transaction. */
static enum db_status record_tx(struct db *db, void *arg)
{
    struct record *rec = arg;
    enum db_status s = store_outbox_result(db, &rec->r);
    if (s == DB_OK && rec->r.delivered && strcmp(rec->it->event, "government.relay") == 0)
        s = app_ticket_relay_acknowledged(db, rec->it->subject_id, rec->r.now);
    return s;
}

static enum db_status deliver(struct db *db, const struct outbox_item *it)
{
    char *body = envelope(it), err[256] = "";
    if (!body)
        return DB_ERROR;
    hl_time now = clock_now();
    int64_t t0 = clock_mono_us();
    long status = post(it, body, (long)(now / HL_USEC_PER_SEC), err, sizeof err);
    free(body);
    struct record rec = {.it = it};
    struct outbox_result *r = &rec.r;
    r->id = it->id;
    r->delivered = status >= 200 && status < 300;
    r->http_status = (int)status;
    r->error = err[0] ? err : NULL;
    r->duration_ms = (int)((clock_mono_us() - t0) / 1000);
    r->now = clock_now();
    uint32_t jitter = 0;
    crypto_random(&jitter, sizeof jitter);
    r->next_attempt_at = r->now + 1000 * retry_delay_ms(it->attempts + 1, cfg.outbox_backoff_ms,
                                                        cfg.outbox_max_backoff_ms, jitter);
    r->give_up = !r->delivered && it->attempts + 1 >= cfg.outbox_max_attempts;
    if (!r->delivered)
        log_json(LOG_WARN, "delivery failed",
                 json_pack("{s:s, s:s, s:i, s:s, s:i}", "event", it->event, "delivery_id",
                           it->delivery_id, "http_status", (int)status, "error", err,
                           "attempt", it->attempts + 1));
    return db_transaction(db, record_tx, &rec);
}

long jobs_outbox_deliver(struct db *db, hl_time now)
{
    struct outbox_item items[BATCH];
    memset(items, 0, sizeof items);
    int n = 0;
    if (store_outbox_claim(db, now, LEASE_MS, BATCH, items, &n) != DB_OK)
        return -1;
    long done = 0;
    for (int i = 0; i < n; i++) {
        /* a failure to record leaves the lease to run out: the delivery is made again */
        if (deliver(db, &items[i]) == DB_OK)
            done++;
        store_outbox_item_free(&items[i]);
    }
    return done == n ? done : -1;
}
