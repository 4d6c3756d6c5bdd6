# Turn the statements one hotlined request sent (PostgreSQL log lines "PID APP LOG:  execute
# NAME: SQL" and "PID APP DETAIL:  parameters: $1 = '...', $2 = NULL") into a pgbench script
# that sends the same SQL text with the same parameter values.
#   awk -v prefix=get -v markers="77777=id;8613800012345=norm" -v vars=FILE -f capture.awk LOG
# With -v gset_re=REGEX -v gset_prefix=P, a statement matching REGEX is followed by "\gset P",
# so a marker can name a column it returns (P<column>), e.g. the id of the ticket it created.
# Each $n becomes a pgbench variable :<prefix><i>_<n> whose value is written to FILE as
# "name=value" (for pgbench -D), except: a value listed in markers becomes that variable
# (randomised by the script's \set lines), and NULL becomes the literal NULL (pgbench cannot
# send a NULL parameter). Output: the SQL, one statement per line, each ending in ";".
# mode=explain: instead, PREPARE each SELECT/WITH statement and EXPLAIN ANALYZE it with the
# captured values (run the output inside a transaction that is rolled back).
function sql_literal(num) {
    if (pnull[num])
        return "NULL"
    v = pval[num]
    gsub(/'/, "''", v)
    return "'" v "'"
}
function flush_explain(    i, args, maxn, k, head) {
    if (toupper(substr(sql, 1, 4)) != "SELE" && toupper(substr(sql, 1, 4)) != "WITH")
        return
    if (sql in explained) # a batch repeats its statements: one plan each
        return
    explained[sql] = 1
    maxn = 0
    for (k in pval)
        if (k + 0 > maxn)
            maxn = k + 0
    args = ""
    for (i = 1; i <= maxn; i++)
        args = args (i > 1 ? ", " : "") sql_literal(i "")
    head = substr(sql, 1, 100)
    gsub(/'/, "", head)
    print "\\echo '-- " prefix " " nstmt ": " head "...'"
    print "PREPARE bench_" prefix nstmt " AS " sql ";"
    print "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE bench_" prefix nstmt (maxn ? "(" args ")" : "") ";"
    print "DEALLOCATE bench_" prefix nstmt ";"
}
function flush_stmt(    out, i, c, j, num, name, v, inq) {
    if (sql == "")
        return
    nstmt++
    if (mode == "explain") {
        flush_explain()
        sql = ""
        delete pval
        delete pnull
        return
    }
    out = ""
    inq = 0
    for (i = 1; i <= length(sql); i++) {
        c = substr(sql, i, 1)
        if (c == "'")
            inq = !inq
        if (inq && c == ":" && substr(sql, i + 1, 1) ~ /[A-Za-z0-9_]/) {
            # pgbench would read it as a variable; there is no way to escape it
            print "capture.awk: a string literal with \":" substr(sql, i + 1, 8) "\" in: " \
                  substr(sql, 1, 120) > "/dev/stderr"
            exit 1
        }
        if (c == "$" && substr(sql, i + 1, 1) ~ /[0-9]/ && !inq) {
            j = i + 1
            while (substr(sql, j, 1) ~ /[0-9]/)
                j++
            num = substr(sql, i + 1, j - i - 1)
            if (!(num in pval)) {
                print "capture.awk: no value for $" num " in: " sql > "/dev/stderr"
                exit 1
            }
            v = pval[num]
            if (pnull[num])
                out = out "NULL"
            else if (v in marker)
                out = out ":" marker[v]
            else {
                name = prefix nstmt "_" num
                out = out ":" name
                print name "=" v > vars
            }
            i = j - 1
        } else
            out = out c
    }
    print out ";"
    # A statement whose result a later one uses (the new ticket's id): keep it in variables.
    if (gset_re != "" && sql ~ gset_re)
        print "\\gset " gset_prefix
    sql = ""
    delete pval
    delete pnull
}
# parameters: $1 = 'a', $2 = NULL, $3 = 'it''s'
function parse_params(s,    i, c, num, v, n) {
    i = 1
    n = length(s)
    while (i <= n) {
        while (i <= n && substr(s, i, 1) != "$")
            i++
        if (i > n)
            break
        i++
        num = ""
        while (substr(s, i, 1) ~ /[0-9]/) {
            num = num substr(s, i, 1)
            i++
        }
        i += 3 # " = "
        if (substr(s, i, 4) == "NULL") {
            pnull[num] = 1
            pval[num] = ""
            i += 4
            continue
        }
        i++ # opening quote
        v = ""
        while (i <= n) {
            c = substr(s, i, 1)
            if (c == "'") {
                if (substr(s, i + 1, 1) == "'") {
                    v = v "'"
                    i += 2
                    continue
                }
                i++
                break
            }
            v = v c
            i++
        }
        pval[num] = v
    }
}
BEGIN {
    nm = split(markers, pairs, ";")
    for (k = 1; k <= nm; k++) {
        if (pairs[k] == "")
            continue
        eq = index(pairs[k], "=")
        marker[substr(pairs[k], 1, eq - 1)] = substr(pairs[k], eq + 1)
    }
    if (vars != "")
        printf "" > vars
}
/ LOG:  execute [^:]*: / {
    flush_stmt()
    s = $0
    sub(/^.* LOG:  execute [^:]*: /, "", s)
    sql = s
    next
}
/ DETAIL:  parameters: / {
    s = $0
    sub(/^.* DETAIL:  parameters: /, "", s)
    parse_params(s)
    next
}
END { flush_stmt() }
