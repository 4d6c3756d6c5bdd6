/**
 * @file log.c
 * @brief JSON logging.
 */
#include "log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "domain/phone.h"

static enum log_level min_level = LOG_INFO;
static const char *const names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
    min_level = level;
}

int log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

int log_enabled(enum log_level level)
{
    return level >= min_level;
}

static void timestamp(char *out, size_t n)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    size_t len = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + len, n - len, ".%03dZ", (int)(tv.tv_usec / 1000));
}

static void write_line(char *text)
{
    size_t len = strlen(text);
    text[len] = '\n';
    ssize_t off = 0;
    while ((size_t)off < len + 1) {
        ssize_t w = write(STDOUT_FILENO, text + off, len + 1 - (size_t)off);
        if (w <= 0)
            break;
        off += w;
    }
    text[len] = '\0';
}

void log_json(enum log_level level, const char *msg, json_t *fields)
{
    if (!log_enabled(level)) {
        json_decref(fields);
        return;
    }
    char ts[40];
    timestamp(ts, sizeof ts);
    json_t *line = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", names[level], "msg", msg);
    if (line && fields)
        json_object_update(line, fields);
    json_decref(fields);
    char *text = line ? json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
    if (text) {
        char *grown = realloc(text, strlen(text) + 2);
        if (grown)
            write_line(grown);
        free(grown ? grown : text);
    }
    json_decref(line);
}

void log_json_members(enum log_level level, const char *msg, const char *members)
{
    if (!log_enabled(level))
        return;
    char ts[40], line[1024];
    timestamp(ts, sizeof ts);
    int n = snprintf(line, sizeof line, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\",%s}", ts,
                     names[level], msg, members);
    if (n < 0 || (size_t)n >= sizeof line - 1)
        n = snprintf(line, sizeof line, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\","
                     "\"truncated\":true}", ts, names[level], msg);
    write_line(line);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    log_json(level, buf, NULL);
}

void log_mask_digits(char *s)
{
    for (char *p = s; *p;) {
        size_t run = strspn(p, "0123456789");
        if (run >= 5) {
            char saved = p[run];
            p[run] = '\0';
            char masked[64];
            if (run < sizeof masked) {
                phone_mask(p, masked, sizeof masked);
                memcpy(p, masked, run);
            } else {
                memset(p, '*', run);
            }
            p[run] = saved;
        }
        p += run ? run : 1;
    }
}
