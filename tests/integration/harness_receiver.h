/**
 * @file harness_receiver.h
 * @brief A webhook receiver inside the test process (libmicrohttpd on 127.0.0.1, a free port):
 *        records every delivery and answers with a status the test chooses.
 */
#ifndef HOTLINE_TEST_HARNESS_RECEIVER_H
#define HOTLINE_TEST_HARNESS_RECEIVER_H

#include <stdbool.h>

struct rx_msg {
    char delivery[80], event[64], timestamp[32], signature[96];
    char *body; /* owned by the receiver */
    int answered; /* the status it was answered with */
};

struct receiver;

/** Start listening; every request is answered with 200 until rx_set_status. */
struct receiver *rx_start(void);
int rx_port(const struct receiver *rx);
/** The URL to subscribe: http://127.0.0.1:PORT/hook */
const char *rx_url(const struct receiver *rx);
void rx_set_status(struct receiver *rx, int status);
int rx_count(struct receiver *rx);
/** Copy message i (body pointer stays the receiver's). */
bool rx_get(struct receiver *rx, int i, struct rx_msg *out);
/** Wait until at least n messages arrived. */
bool rx_wait(struct receiver *rx, int n, int timeout_ms);
/** Stop listening (connections are refused until rx_restart). */
void rx_pause(struct receiver *rx);
void rx_resume(struct receiver *rx);
void rx_stop(struct receiver *rx);

/** Verify X-Hotline-Signature with OpenSSL directly (not the service's code). */
bool rx_signature_ok(const struct rx_msg *m, const char *secret);

#endif
