/**
 * @file test_csv_reader.c
 * @brief The incremental CSV reader: every input is fed whole and one byte at a time, and both
 *        must give the same records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "domain/csv.h"

/* Records rendered as "line:cell|cell;" or "line:!error;". */
struct out {
    char text[512];
    int stop_after; /* stop reading after this many records (0: never) */
    int n;
};

static bool collect(void *ctx, struct csv_record *rec)
{
    struct out *o = ctx;
    size_t len = strlen(o->text);
    if (rec->error) {
        snprintf(o->text + len, sizeof o->text - len, "%ld:!%s;", rec->line, rec->error);
    } else {
        snprintf(o->text + len, sizeof o->text - len, "%ld:", rec->line);
        for (int i = 0; i < rec->nfields; i++) {
            len = strlen(o->text);
            assert_int_equal(strlen(rec->fields[i]), rec->lens[i]);
            snprintf(o->text + len, sizeof o->text - len, "%s%s", i ? "|" : "", rec->fields[i]);
        }
        len = strlen(o->text);
        snprintf(o->text + len, sizeof o->text - len, ";");
    }
    return !o->stop_after || ++o->n < o->stop_after;
}

static void read_all(const char *in, size_t len, size_t step, size_t max, char *result)
{
    struct csv_reader r;
    struct out o = {{0}, 0, 0};
    csv_init(&r, max);
    for (size_t off = 0; off < len; off += step)
        assert_true(csv_feed(&r, in + off, off + step <= len ? step : len - off, collect, &o));
    assert_true(csv_finish(&r, collect, &o));
    csv_cleanup(&r);
    strcpy(result, o.text);
}

static void test_records(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *want;
    } rows[] = {
        /* malformed first */
        {"a,b\"c\nd\n", "1:!a quote inside an unquoted cell;2:d;"},
        {"\"ab\"c,d\ne\n", "1:!text after a closing quote;2:e;"},
        {"x\n\"open,\nstill\n", "1:x;2:!a quoted cell is not closed;"},
        {"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\nok\n",
         "1:!the record is too long;2:ok;"},
        {"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,1,2,3,4,5,6,7\nok",
         "1:!the record has too many cells;2:ok;"},
        /* well formed */
        {"", ""},
        {"a,b\n", "1:a|b;"},
        {"a,b", "1:a|b;"},
        {"a,b\r\nc,d\r\n", "1:a|b;2:c|d;"},
        {"a\rb\r", "1:a;2:b;"},
        {"\n\na\n\n", "3:a;"},
        {"a,,\n", "1:a||;"},
        {",\n", "1:|;"},
        {"\"\"\n", "1:;"},
        {"\"a,b\",\"say \"\"hi\"\"\"\n", "1:a,b|say \"hi\";"},
        {"\"two\nlines\",x\nnext\n", "1:two\nlines|x;3:next;"},
        {"\xef\xbb\xbf" "account_number,name\n", "1:account_number|name;"},
        {"\"q\"\r\nz", "1:q;2:z;"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char whole[512], bytes[512];
        read_all(rows[i].in, strlen(rows[i].in), strlen(rows[i].in) + 1, 100, whole);
        read_all(rows[i].in, strlen(rows[i].in), 1, 100, bytes);
        if (strcmp(whole, rows[i].want) != 0)
            fail_msg("row %zu: got %s want %s", i, whole, rows[i].want);
        if (strcmp(bytes, rows[i].want) != 0)
            fail_msg("row %zu byte by byte: got %s want %s", i, bytes, rows[i].want);
    }
}

static void test_stop(void **state)
{
    (void)state;
    struct csv_reader r;
    struct out o = {{0}, 2, 0};
    csv_init(&r, 100);
    assert_false(csv_feed(&r, "a\nb\nc\nd\n", 8, collect, &o));
    assert_string_equal(o.text, "1:a;2:b;");
    csv_cleanup(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
