/**
 * @file harness_sec.c
 * @brief See harness_sec.h.
 */
#include "harness_sec.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include "api/routes.h"
#include "domain/roles.h"

/* ---- requests ----------------------------------------------------------------------------- */

struct buf {
    char *data;
    size_t len;
};

static size_t collect(char *ptr, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;
    size_t add = size * n;
    char *p = realloc(b->data, b->len + add + 1);
    if (!p)
        return 0;
    b->data = p;
    memcpy(b->data + b->len, ptr, add);
    b->len += add;
    b->data[b->len] = '\0';
    return add;
}

static __thread CURL *thread_curl;

void hx_thread_done(void)
{
    curl_easy_cleanup(thread_curl);
    thread_curl = NULL;
}

struct h_resp *hx_req(struct hs *s, const char *method, const char *path, const char *token,
                      const char *body, size_t body_len, const char *content_type,
                      const char *const *headers)
{
    if (!thread_curl)
        thread_curl = curl_easy_init();
    else
        curl_easy_reset(thread_curl);
    CURL *c = thread_curl;
    struct buf bodybuf = {0}, headbuf = {0};
    struct curl_slist *hl = NULL;
    char line[1024];
    size_t urllen = strlen(s->base) + strlen(path) + 1;
    char *url = malloc(urllen);
    snprintf(url, urllen, "%s%s", s->base, path);
    if (token) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", token);
        hl = curl_slist_append(hl, line);
    }
    for (int i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    if (body) {
        snprintf(line, sizeof line, "Content-Type: %s",
                 content_type ? content_type : "application/json");
        hl = curl_slist_append(hl, line);
    }
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L); /* send "/.." as written */
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &bodybuf);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &headbuf);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    struct h_resp *r = calloc(1, sizeof *r);
    double t0 = h_now();
    CURLcode rc = curl_easy_perform(c);
    r->seconds = h_now() - t0;
    curl_slist_free_all(hl);
    free(url);
    if (rc != CURLE_OK)
        r->status = -1;
    else
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    r->body = bodybuf.data ? bodybuf.data : strdup("");
    r->body_len = bodybuf.len;
    r->headers = headbuf.data ? headbuf.data : strdup("");
    r->json = json_loads(r->body, JSON_DECODE_ANY, NULL);
    return r;
}

/* ---- database fingerprint ----------------------------------------------------------------- */

char *hx_db_fingerprint(void)
{
    PGconn *db = h_db();
    PGresult *res = PQexec(db, "SELECT quote_ident(table_name) FROM information_schema.tables "
                               "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' "
                               "ORDER BY table_name");
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("fingerprint: %s", PQresultErrorMessage(res));
    size_t cap = 256 + (size_t)PQntuples(res) * 300, len = 0;
    char *sql = malloc(cap);
    sql[0] = '\0';
    for (int i = 0; i < PQntuples(res); i++) {
        const char *t = PQgetvalue(res, i, 0);
        len += (size_t)snprintf(sql + len, cap - len,
                                "%sSELECT '%s' || ':' || count(*) || ':' || "
                                "md5(coalesce(string_agg(md5(x::text), '' ORDER BY md5(x::text)), "
                                "'')) AS f FROM %s x",
                                i ? " UNION ALL " : "", t, t);
    }
    PQclear(res);
    char *full = malloc(len + 128);
    snprintf(full, len + 128, "SELECT string_agg(f, ';' ORDER BY f) FROM (%s) s", sql);
    free(sql);
    res = PQexec(db, full);
    free(full);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("fingerprint: %s", PQresultErrorMessage(res));
    char *out = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return out;
}

void hx_fingerprint_diff(const char *a, const char *b, char *out, size_t n)
{
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    size_t start = i;
    while (start > 0 && a[start - 1] != ';')
        start--;
    snprintf(out, n, "before %.*s / after %.*s", (int)strcspn(a + start, ";"), a + start,
             (int)strcspn(b + start, ";"), b + start);
}

/* ---- roles and tokens ----------------------------------------------------------------------- */

const char *hx_role_name(unsigned bit)
{
    for (int i = 0; role_names[i]; i++)
        if (bit == 1u << i)
            return role_names[i];
    return "?";
}

const char *hx_role_token(unsigned bit)
{
    static const char *tokens[32];
    int i = 0;
    while (i < 32 && bit != 1u << i)
        i++;
    assert_true(i < ROLE_COUNT);
    if (!tokens[i]) {
        char name[64];
        snprintf(name, sizeof name, "sec-%s", role_names[i]);
        tokens[i] = h_token(role_names[i], name);
    }
    return tokens[i];
}

unsigned hx_route_role(const struct route *r)
{
    if (r->roles & ROLE_ADMIN)
        return ROLE_ADMIN;
    for (int i = 0; i < ROLE_COUNT; i++)
        if (r->roles & (1u << i))
            return 1u << i;
    return 0;
}

/* ---- paths ---------------------------------------------------------------------------------- */

static struct {
    char name[32];
    char value[128];
} params[16];
static int nparams;

void hx_param_set(const char *name, const char *value)
{
    for (int i = 0; i < nparams; i++)
        if (strcmp(params[i].name, name) == 0) {
            snprintf(params[i].value, sizeof params[i].value, "%s", value);
            return;
        }
    assert_true(nparams < 16);
    snprintf(params[nparams].name, sizeof params[0].name, "%s", name);
    snprintf(params[nparams].value, sizeof params[0].value, "%s", value);
    nparams++;
}

static const char *param_default(const char *name, size_t len)
{
    for (int i = 0; i < nparams; i++)
        if (strlen(params[i].name) == len && strncmp(params[i].name, name, len) == 0)
            return params[i].value;
    if (len >= 5 && strncmp(name, "phone", 5) == 0)
        return "13800138000";
    if (len >= 4 && strncmp(name, "date", 4) == 0)
        return "2026-11-26";
    return "1";
}

void hx_path(const char *pattern, const char *value, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = pattern; *p && o + 1 < n;) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            const char *v = value ? value : param_default(p + 1, (size_t)(close - p - 1));
            o += (size_t)snprintf(out + o, n - o, "%s", v);
            if (o >= n)
                o = n - 1;
            p = close + 1;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
}

/* ---- the contract's examples ---------------------------------------------------------------- */

json_t *hx_openapi_samples(void)
{
    const char *root = getenv("HOTLINE_TEST_ROOT");
    char cmd[1024];
    /* Debian's interpreter, where apt's python3-yaml is (a python3 earlier in PATH, e.g. from
     * pyenv, may lack it) */
    const char *py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
    snprintf(cmd, sizeof cmd, "%s '%s/tests/hostile/openapi-samples.py' '%s/openapi/openapi.yaml'",
             py, root ? root : ".", root ? root : ".");
    FILE *p = popen(cmd, "r");
    if (!p)
        return json_object();
    json_error_t err;
    json_t *j = json_loadf(p, 0, &err);
    int rc = pclose(p);
    if (!j || rc != 0 || !json_is_object(j)) {
        print_message("openapi samples unavailable (rc %d): %s\n", rc, err.text);
        json_decref(j);
        return json_object();
    }
    return j;
}

/* ---- problem checks --------------------------------------------------------------------------- */

const char *hx_problem_shape(const struct h_resp *r)
{
    static __thread char msg[600];
    const char *ct = h_header(r, "Content-Type");
    if (!ct || strncmp(ct, "application/problem+json", 24) != 0) {
        snprintf(msg, sizeof msg, "HTTP %ld without problem+json (%s): %.200s", r->status,
                 ct ? ct : "no Content-Type", r->body);
        return msg;
    }
    json_t *j = r->json;
    if (!json_is_object(j) || !json_is_string(json_object_get(j, "type")) ||
        !json_is_string(json_object_get(j, "title")) ||
        !json_is_string(json_object_get(j, "detail")) ||
        json_integer_value(json_object_get(j, "status")) != r->status) {
        snprintf(msg, sizeof msg, "HTTP %ld with a malformed problem: %.300s", r->status, r->body);
        return msg;
    }
    return NULL;
}

bool hx_errors_name(const struct h_resp *r, const char *field)
{
    json_t *errs = json_object_get(r->json, "errors");
    for (size_t i = 0; i < json_array_size(errs); i++) {
        const char *f = json_string_value(json_object_get(json_array_get(errs, i), "field"));
        if (f && strcmp(f, field) == 0)
            return true;
    }
    return false;
}
