/**
 * @file holdconns.c
 * @brief Bench helper: open N keep-alive connections to 127.0.0.1:PORT, send one request on
 *        each (so the server has set each one up fully), read the answers, then hold them all
 *        open and idle for S seconds while run.sh reads the server's RSS.
 *
 *   holdconns PORT N SECONDS PATH TOKEN
 * Prints "open=N answered=M" once all answers are in (or after 10 s).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: holdconns PORT N SECONDS PATH TOKEN\n");
        return 2;
    }
    int port = atoi(argv[1]), n = atoi(argv[2]), secs = atoi(argv[3]);
    char req[1024];
    int len = snprintf(req, sizeof req,
                       "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                       "Connection: keep-alive\r\n\r\n",
                       argv[4], argv[5]);
    struct pollfd *fds = calloc((size_t)n, sizeof *fds);
    int open_n = 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    for (int i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
            perror("connect");
            if (fd >= 0)
                close(fd);
            break;
        }
        if (write(fd, req, (size_t)len) != len) {
            close(fd);
            break;
        }
        fds[open_n].fd = fd;
        fds[open_n].events = POLLIN;
        open_n++;
    }
    int answered = 0;
    char buf[16384];
    time_t until = time(NULL) + 10;
    char *done = calloc((size_t)n, 1);
    while (answered < open_n && time(NULL) < until) {
        if (poll(fds, (nfds_t)open_n, 200) <= 0)
            continue;
        for (int i = 0; i < open_n; i++) {
            if (!(fds[i].revents & POLLIN) || done[i])
                continue;
            ssize_t r = read(fds[i].fd, buf, sizeof buf - 1);
            if (r > 0)
                buf[r] = '\0';
            if (r > 0 && strstr(buf, "HTTP/1.1 ")) {
                done[i] = 1;
                answered++;
                fds[i].events = 0; /* idle from now on */
            }
        }
    }
    printf("open=%d answered=%d\n", open_n, answered);
    fflush(stdout);
    sleep((unsigned)secs);
    for (int i = 0; i < open_n; i++)
        close(fds[i].fd);
    free(fds);
    free(done);
    return 0;
}
