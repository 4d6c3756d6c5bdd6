/**
 * @file test_fault_slowloris.c
 * @brief Slow clients do not starve others: one address opens many connections that trickle a
 *        request head a byte at a time, another opens many that send nothing; a third address
 *        keeps getting quick answers. Idle connections are closed after
 *        HOTLINE_CONNECTION_TIMEOUT; one address never holds more than
 *        HOTLINE_MAX_CONNECTIONS_PER_IP connections.
 */
#include "fault.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#define PER_IP 32
#define IDLE_TIMEOUT_S 2

static struct hs srv;
static const char *token;

static int setup(void **state)
{
    (void)state;
    char per_ip[64], timeout[64];
    snprintf(per_ip, sizeof per_ip, "HOTLINE_MAX_CONNECTIONS_PER_IP=%d", PER_IP);
    snprintf(timeout, sizeof timeout, "HOTLINE_CONNECTION_TIMEOUT=%d", IDLE_TIMEOUT_S);
    const char *env[] = {per_ip, timeout, "HOTLINE_MAX_CONNECTIONS=1024", NULL};
    hs_start(&srv, "fault-slowloris", env);
    token = h_token("agent", "fault-slowloris");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(hs_stop(&srv), 0);
    return 0;
}

/* A TCP connection to the server from the loopback address src (127.0.0.0/8). */
static int dial_from(const char *src)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = 0};
    inet_pton(AF_INET, src, &me.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof me), 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* True when the server has closed (or reset) the connection. */
static bool closed_by_server(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0)
        return false;
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

struct trickle {
    int *fds;
    int n;
    atomic_bool stop;
};

static void *trickler(void *arg)
{
    struct trickle *t = arg;
    while (!atomic_load(&t->stop)) {
        for (int i = 0; i < t->n; i++)
            if (t->fds[i] >= 0)
                send(t->fds[i], "a", 1, MSG_NOSIGNAL);
        h_sleep_ms(500);
    }
    return NULL;
}

/* One request from src over a fresh connection; the seconds it took, or -1 on no 200. */
static double request_from(const char *src, const char *path, const char *tok)
{
    double t0 = h_now();
    int fd = dial_from(src);
    if (fd < 0)
        return -1;
    char req[512];
    int len = snprintf(req, sizeof req,
                       "GET %s HTTP/1.1\r\nHost: x\r\n%s%s%sConnection: close\r\n\r\n", path,
                       tok ? "Authorization: Bearer " : "", tok ? tok : "", tok ? "\r\n" : "");
    send(fd, req, (size_t)len, MSG_NOSIGNAL);
    char answer[2048];
    size_t got = 0;
    while (got + 1 < sizeof answer) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 3000) <= 0)
            break;
        ssize_t n = recv(fd, answer + got, sizeof answer - got - 1, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    answer[got] = '\0';
    close(fd);
    return h_raw_status(answer) == 200 ? h_now() - t0 : -1;
}

static void test_slow_clients_do_not_starve_others(void **state)
{
    (void)state;
    bool lng = fault_long();
    int n_trickle = lng ? 300 : 80, n_idle = lng ? 300 : 80, n_legit = lng ? 300 : 40;
    int *trickle_fds = calloc((size_t)n_trickle, sizeof(int));
    int *idle_fds = calloc((size_t)n_idle, sizeof(int));
    const char *head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    for (int i = 0; i < n_trickle; i++) {
        trickle_fds[i] = dial_from("127.0.0.1");
        if (trickle_fds[i] >= 0)
            send(trickle_fds[i], head, strlen(head), MSG_NOSIGNAL);
    }
    for (int i = 0; i < n_idle; i++)
        idle_fds[i] = dial_from("127.0.0.3");
    struct trickle t = {.fds = trickle_fds, .n = n_trickle};
    pthread_t th;
    pthread_create(&th, NULL, trickler, &t);

    double worst = 0, t_end = h_now() + IDLE_TIMEOUT_S + 1.5;
    int answered = 0;
    for (int i = 0; i < n_legit || h_now() < t_end; i++) {
        double d = request_from("127.0.0.2", i % 2 ? "/healthz" : "/tickets?limit=1",
                                i % 2 ? NULL : token);
        if (d < 0)
            fail_msg("request %d from another address was not answered", i);
        answered++;
        if (d > worst)
            worst = d;
        h_sleep_ms(20);
    }

    int trickle_open = 0, idle_open = 0;
    for (int i = 0; i < n_trickle; i++)
        trickle_open += trickle_fds[i] >= 0 && !closed_by_server(trickle_fds[i]);
    for (int i = 0; i < n_idle; i++)
        idle_open += idle_fds[i] >= 0 && !closed_by_server(idle_fds[i]);
    atomic_store(&t.stop, true);
    pthread_join(th, NULL);
    for (int i = 0; i < n_trickle; i++)
        if (trickle_fds[i] >= 0)
            close(trickle_fds[i]);
    for (int i = 0; i < n_idle; i++)
        if (idle_fds[i] >= 0)
            close(idle_fds[i]);
    free(trickle_fds);
    free(idle_fds);
    print_message("FAULT slowloris: %d trickling + %d idle connections; %d requests from a "
                  "third address all answered, slowest %.3f s; after %d s: %d trickling still "
                  "open (limit %d per address), %d idle still open\n",
                  n_trickle, n_idle, answered, worst, IDLE_TIMEOUT_S, trickle_open, PER_IP,
                  idle_open);
    if (worst > 1.0)
        fail_msg("a request from another address took %.2f s", worst);
    if (trickle_open > PER_IP)
        fail_msg("%d trickling connections from one address are open (limit %d)",
                 trickle_open, PER_IP);
    if (idle_open > 0)
        fail_msg("%d idle connections outlived HOTLINE_CONNECTION_TIMEOUT", idle_open);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slow_clients_do_not_starve_others),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
