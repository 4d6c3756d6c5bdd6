/**
 * @file harness_receiver.c
 * @brief See harness_receiver.h.
 */
#include "harness_receiver.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RX_MAX 512

struct receiver {
    struct MHD_Daemon *d;
    int port;
    char url[64];
    int status;
    int n;
    struct rx_msg msgs[RX_MAX];
    pthread_mutex_t mu;
};

struct upload {
    char *data;
    size_t len;
};

static void copy_header(struct MHD_Connection *c, const char *name, char *out, size_t n)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    snprintf(out, n, "%s", v ? v : "");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **ctx)
{
    (void)url;
    (void)method;
    (void)version;
    struct receiver *rx = cls;
    struct upload *u = *ctx;
    if (!u) {
        *ctx = calloc(1, sizeof *u);
        return MHD_YES;
    }
    if (*size) {
        u->data = realloc(u->data, u->len + *size + 1);
        memcpy(u->data + u->len, data, *size);
        u->len += *size;
        u->data[u->len] = '\0';
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&rx->mu);
    int status = rx->status;
    if (rx->n < RX_MAX) {
        struct rx_msg *m = &rx->msgs[rx->n++];
        copy_header(c, "X-Hotline-Delivery", m->delivery, sizeof m->delivery);
        copy_header(c, "X-Hotline-Event", m->event, sizeof m->event);
        copy_header(c, "X-Hotline-Timestamp", m->timestamp, sizeof m->timestamp);
        copy_header(c, "X-Hotline-Signature", m->signature, sizeof m->signature);
        m->body = u->data ? u->data : strdup("");
        u->data = NULL;
        m->answered = status;
    }
    pthread_mutex_unlock(&rx->mu);
    struct MHD_Response *r = MHD_create_response_from_buffer(2, (void *)"{}", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

static void on_done(void *cls, struct MHD_Connection *c, void **ctx,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct upload *u = *ctx;
    if (u) {
        free(u->data);
        free(u);
    }
    *ctx = NULL;
}

static bool listen_on(struct receiver *rx, int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    rx->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)port,
                             NULL, NULL, on_request, rx, MHD_OPTION_SOCK_ADDR, &a,
                             MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                             MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
    if (!rx->d)
        return false;
    rx->port = MHD_get_daemon_info(rx->d, MHD_DAEMON_INFO_BIND_PORT)->port;
    return true;
}

struct receiver *rx_start(void)
{
    struct receiver *rx = calloc(1, sizeof *rx);
    pthread_mutex_init(&rx->mu, NULL);
    rx->status = 200;
    if (!listen_on(rx, 0)) {
        free(rx);
        return NULL;
    }
    snprintf(rx->url, sizeof rx->url, "http://127.0.0.1:%d/hook", rx->port);
    return rx;
}

int rx_port(const struct receiver *rx)
{
    return rx->port;
}

const char *rx_url(const struct receiver *rx)
{
    return rx->url;
}

void rx_set_status(struct receiver *rx, int status)
{
    pthread_mutex_lock(&rx->mu);
    rx->status = status;
    pthread_mutex_unlock(&rx->mu);
}

int rx_count(struct receiver *rx)
{
    pthread_mutex_lock(&rx->mu);
    int n = rx->n;
    pthread_mutex_unlock(&rx->mu);
    return n;
}

bool rx_get(struct receiver *rx, int i, struct rx_msg *out)
{
    pthread_mutex_lock(&rx->mu);
    bool ok = i >= 0 && i < rx->n;
    if (ok)
        *out = rx->msgs[i];
    pthread_mutex_unlock(&rx->mu);
    return ok;
}

bool rx_wait(struct receiver *rx, int n, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        if (rx_count(rx) >= n)
            return true;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return false;
}

void rx_pause(struct receiver *rx)
{
    if (rx->d) {
        MHD_stop_daemon(rx->d);
        rx->d = NULL;
    }
}

void rx_resume(struct receiver *rx)
{
    if (!rx->d)
        listen_on(rx, rx->port);
}

void rx_stop(struct receiver *rx)
{
    if (!rx)
        return;
    rx_pause(rx);
    for (int i = 0; i < rx->n; i++)
        free(rx->msgs[i].body);
    pthread_mutex_destroy(&rx->mu);
    free(rx);
}

bool rx_signature_ok(const struct rx_msg *m, const char *secret)
{
    char signed_text[70000];
    int len = snprintf(signed_text, sizeof signed_text, "%s.%s", m->timestamp, m->body);
    if (len < 0 || (size_t)len >= sizeof signed_text)
        return false;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (unsigned char *)signed_text, (size_t)len, mac,
         &maclen);
    char hex[2 * EVP_MAX_MD_SIZE + 8] = "sha256=";
    for (unsigned i = 0; i < maclen; i++)
        sprintf(hex + 7 + 2 * i, "%02x", mac[i]);
    return strcmp(hex, m->signature) == 0;
}
