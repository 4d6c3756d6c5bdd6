/**
 * @file harness.c
 * @brief See harness.h.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *env_or_die(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "harness: %s is not set (run through tests/run.sh)\n", name);
        exit(2);
    }
    return v;
}

void h_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

double h_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *h_tmp_path(const char *name)
{
    static __thread char buf[4][512];
    static __thread int slot;
    char *p = buf[slot++ % 4];
    snprintf(p, 512, "%s/%s", env_or_die("HOTLINE_TEST_TMP"), name);
    return p;
}

char *h_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

/* ---- processes ---------------------------------------------------------------------------- */

static void child_exec(struct hs *s, const char *port_file, const char *const *env)
{
    int fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    setenv("HOTLINE_LISTEN", "127.0.0.1:0", 1);
    setenv("HOTLINE_DATABASE_URL", env_or_die("HOTLINE_TEST_DB"), 1);
    setenv("HOTLINE_PORT_FILE", port_file, 1);
    setenv("HOTLINE_TEST_CLOCK_FILE", s->clock_path, 1);
    if (!getenv("HOTLINE_SWEEP_INTERVAL_MS"))
        setenv("HOTLINE_SWEEP_INTERVAL_MS", "200", 1);
    if (!getenv("HOTLINE_THREADS"))
        setenv("HOTLINE_THREADS", "4", 1);
    for (int i = 0; env && env[i]; i++)
        putenv(strdup(env[i]));
    const char *bin = getenv("HOTLINE_BIN_OVERRIDE") ? getenv("HOTLINE_BIN_OVERRIDE")
                                                     : env_or_die("HOTLINE_TEST_BIN");
    execl(bin, bin, "serve", (char *)NULL);
    _exit(127);
}

void hs_start(struct hs *s, const char *name, const char *const *env)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    snprintf(s->log_path, sizeof s->log_path, "%s", h_tmp_path(name));
    strncat(s->log_path, ".log", sizeof s->log_path - strlen(s->log_path) - 1);
    snprintf(s->clock_path, sizeof s->clock_path, "%s.clock", h_tmp_path(name));
    char port_file[512];
    snprintf(port_file, sizeof port_file, "%s.port", h_tmp_path(name));
    unlink(port_file);
    fflush(NULL);
    s->pid = fork();
    if (s->pid == 0)
        child_exec(s, port_file, env);
    int start_ms = getenv("HOTLINE_TEST_START_MS") ? atoi(getenv("HOTLINE_TEST_START_MS")) : 5000;
    for (int i = 0; i < start_ms / 25 && !s->port; i++) {
        char *p = h_read_file(port_file);
        if (p) {
            s->port = atoi(p);
            free(p);
        }
        int status;
        if (!s->port && waitpid(s->pid, &status, WNOHANG) == s->pid) {
            char *log = h_read_file(s->log_path);
            fail_msg("hotlined %s exited at start: %s", name, log ? log : "");
        }
        if (!s->port)
            h_sleep_ms(25);
    }
    if (!s->port)
        fail_msg("hotlined %s did not report its port", name);
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
}

/* A sanitizer report in a server's log fails the test that ran it. */
static void check_log_clean(const struct hs *s)
{
    char *log = h_read_file(s->log_path);
    if (!log)
        return;
    const char *marks[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        const char *hit = strstr(log, marks[i]);
        if (hit) {
            char excerpt[1200];
            snprintf(excerpt, sizeof excerpt, "%s", hit);
            free(log);
            fail_msg("hotlined %s reported: %s", s->name, excerpt);
        }
    }
    free(log);
}

int hs_stop(struct hs *s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    int status = 0;
    int stop_ms = getenv("HOTLINE_TEST_STOP_MS") ? atoi(getenv("HOTLINE_TEST_STOP_MS")) : 10000;
    for (int i = 0; i < stop_ms / 10; i++) {
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            check_log_clean(s);
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        h_sleep_ms(10);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    s->pid = 0;
    return -1;
}

void hs_kill(struct hs *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

static void write_clock(const char *path, const char *rfc3339)
{
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fprintf(f, "%s\n", rfc3339);
    fclose(f);
    assert_int_equal(rename(tmp, path), 0);
}

void hs_clock(struct hs *s, const char *rfc3339)
{
    if (!rfc3339)
        unlink(s->clock_path);
    else
        write_clock(s->clock_path, rfc3339);
}

void hs_start_at(struct hs *s, const char *name, const char *const *env, const char *rfc3339)
{
    char path[sizeof s->clock_path];
    snprintf(path, sizeof path, "%s.clock", h_tmp_path(name));
    write_clock(path, rfc3339);
    hs_start(s, name, env);
}

const char *h_token(const char *role, const char *name)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "HOTLINE_DATABASE_URL='%s' HOTLINE_LOG_LEVEL=warn '%s' token create "
                              "--role %s --name %s",
             env_or_die("HOTLINE_TEST_DB"), env_or_die("HOTLINE_TEST_BIN"), role, name);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char buf[256] = {0};
    char *got = fgets(buf, sizeof buf, p);
    int rc = pclose(p);
    if (!got || rc != 0)
        fail_msg("token create --role %s --name %s failed (rc %d)", role, name, rc);
    buf[strcspn(buf, "\n")] = '\0';
    static char pool[64][256];
    static int used;
    assert_true(used < 64);
    snprintf(pool[used], sizeof pool[used], "%s", buf);
    return pool[used++];
}

/* ---- HTTP --------------------------------------------------------------------------------- */

struct growbuf {
    char *data;
    size_t len;
};

static size_t on_data(char *ptr, size_t size, size_t n, void *arg)
{
    struct growbuf *b = arg;
    size_t add = size * n;
    b->data = realloc(b->data, b->len + add + 1);
    memcpy(b->data + b->len, ptr, add);
    b->len += add;
    b->data[b->len] = '\0';
    return add;
}

static __thread CURL *thread_handle;

static CURL *thread_curl(void)
{
    if (!thread_handle)
        thread_handle = curl_easy_init();
    else
        curl_easy_reset(thread_handle);
    return thread_handle;
}

void h_thread_done(void)
{
    curl_easy_cleanup(thread_handle);
    thread_handle = NULL;
}

struct h_resp *h_req(struct hs *s, const char *method, const char *path, const char *token,
                     const char *body, const char *const *headers)
{
    CURL *c = thread_curl();
    struct growbuf bodybuf = {0}, headbuf = {0};
    struct curl_slist *hl = NULL;
    char line[1024], url[2048];
    bool has_ct = false;
    snprintf(url, sizeof url, "%s%s", s->base, path);
    if (token) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", token);
        hl = curl_slist_append(hl, line);
    }
    for (int i = 0; headers && headers[i]; i++) {
        has_ct |= strncasecmp(headers[i], "Content-Type:", 13) == 0;
        hl = curl_slist_append(hl, headers[i]);
    }
    if (body && !has_ct)
        hl = curl_slist_append(hl, "Content-Type: application/json");
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &bodybuf);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &headbuf);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    struct h_resp *r = calloc(1, sizeof *r);
    double t0 = h_now();
    CURLcode rc = curl_easy_perform(c);
    r->seconds = h_now() - t0;
    curl_slist_free_all(hl);
    if (rc != CURLE_OK) {
        r->status = -1;
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    }
    r->body = bodybuf.data ? bodybuf.data : strdup("");
    r->body_len = bodybuf.len;
    r->headers = headbuf.data ? headbuf.data : strdup("");
    r->json = json_loads(r->body, JSON_DECODE_ANY, NULL);
    return r;
}

struct h_resp *h_get(struct hs *s, const char *token, const char *fmt, ...)
{
    char path[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    return h_req(s, "GET", path, token, NULL, NULL);
}

const char *h_header(const struct h_resp *r, const char *name)
{
    static __thread char value[1024];
    size_t n = strlen(name);
    for (const char *p = r->headers; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        if (!eol)
            eol = p + strlen(p);
        if ((size_t)(eol - p) > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            snprintf(value, sizeof value, "%.*s", (int)(eol - v), v);
            return value;
        }
        p = *eol ? eol + 2 : eol;
    }
    return NULL;
}

void h_free(struct h_resp *r)
{
    if (!r)
        return;
    json_decref(r->json);
    free(r->body);
    free(r->headers);
    free(r);
}

void h_expect(const struct h_resp *r, long status)
{
    if (r->status != status)
        fail_msg("expected HTTP %ld, got %ld; body: %.800s", status, r->status, r->body);
}

void h_expect_problem(const struct h_resp *r, long status)
{
    h_expect(r, status);
    const char *ct = h_header(r, "Content-Type");
    if (!ct || strncmp(ct, "application/problem+json", 24) != 0)
        fail_msg("HTTP %ld without problem+json (Content-Type %s): %.400s", status,
                 ct ? ct : "none", r->body);
    if (!json_is_object(r->json))
        fail_msg("problem body is not a JSON object: %.400s", r->body);
    assert_non_null(json_string_value(json_object_get(r->json, "type")));
    assert_non_null(json_string_value(json_object_get(r->json, "title")));
    assert_non_null(json_string_value(json_object_get(r->json, "detail")));
    assert_int_equal(json_integer_value(json_object_get(r->json, "status")), status);
}

long long h_int(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        fail_msg("member %s is not an integer", key);
    return json_integer_value(v);
}

const char *h_str(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        fail_msg("member %s is not a string", key);
    return json_string_value(v);
}

size_t h_raw(struct hs *s, const char *data, size_t len, char *out, size_t outlen, int timeout_ms)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(fd, data + off, len - off, MSG_NOSIGNAL);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    size_t got = 0;
    double deadline = h_now() + timeout_ms / 1000.0;
    while (got + 1 < outlen) {
        int left = (int)((deadline - h_now()) * 1000);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        ssize_t n = recv(fd, out + got, outlen - got - 1, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    out[got] = '\0';
    close(fd);
    return got;
}

int h_raw_status(const char *answer)
{
    int status;
    if (sscanf(answer, "HTTP/1.%*d %d", &status) == 1)
        return status;
    return -1;
}

/* ---- database ----------------------------------------------------------------------------- */

PGconn *h_db(void)
{
    static PGconn *c;
    if (c && PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        c = NULL;
    }
    if (!c) {
        c = PQconnectdb(env_or_die("HOTLINE_TEST_DB"));
        if (PQstatus(c) != CONNECTION_OK)
            fail_msg("test database: %s", PQerrorMessage(c));
    }
    return c;
}

long long h_db_long(const char *sql)
{
    PGresult *res = PQexec(h_db(), sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) < 1) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(res));
        PQclear(res);
        fail_msg("SQL failed: %s: %s", sql, msg);
    }
    long long v = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

void h_db_exec(const char *sql)
{
    PGresult *res = PQexec(h_db(), sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(res));
        PQclear(res);
        fail_msg("SQL failed: %s: %s", sql, msg);
    }
    PQclear(res);
}

static void pg_ctl(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, ". '%s' && '%s/deploy/local/pg.sh' %s >/dev/null 2>&1",
             env_or_die("HOTLINE_TEST_PGENV"), env_or_die("HOTLINE_TEST_ROOT"), args);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("pg.sh %s failed (%d)", args, rc);
}

void h_pg_stop(const char *mode)
{
    char args[1024], dir[512];
    snprintf(dir, sizeof dir, "%s", env_or_die("HOTLINE_TEST_PGENV"));
    *strrchr(dir, '/') = '\0';
    snprintf(args, sizeof args, "stop '%s' %s", dir, mode);
    pg_ctl(args);
}

void h_pg_start(void)
{
    char args[1024], dir[512];
    snprintf(dir, sizeof dir, "%s", env_or_die("HOTLINE_TEST_PGENV"));
    *strrchr(dir, '/') = '\0';
    snprintf(args, sizeof args, "start '%s'", dir);
    pg_ctl(args);
}
