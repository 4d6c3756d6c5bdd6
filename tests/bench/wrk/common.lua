-- Shared by the wrk scripts (loaded with dofile). Environment from tests/bench/run.sh:
--   BENCH_TOKEN   bearer token of the agent the load runs as
--   BENCH_MAX_ID  highest ticket id of the loaded data set
--   BENCH_CALLERS number of distinct callers in the data set
--   BENCH_OUT     file the summary line is written to
--   BENCH_DELAY_MS  pause before each request on a connection (rate limiting; 0: none)
token = os.getenv("BENCH_TOKEN")
max_id = tonumber(os.getenv("BENCH_MAX_ID") or "1000")
callers = tonumber(os.getenv("BENCH_CALLERS") or "300")
delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
auth = { ["Authorization"] = "Bearer " .. (token or "") }
json_auth = { ["Authorization"] = "Bearer " .. (token or ""), ["Content-Type"] = "application/json" }

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
  if thread_init then thread_init() end
end

if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

-- base64url without padding, as service/domain/cursor.c writes cursors ("c1:<id>")
function b64url(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local v = a * 65536 + (b or 0) * 256 + (c or 0)
    local n = (c and 4) or (b and 3) or 2
    for j = 1, n do
      local x = math.floor(v / 2 ^ (18 - 6 * (j - 1))) % 64
      out[#out + 1] = B64:sub(x + 1, x + 1)
    end
  end
  return table.concat(out)
end

function cursor_before(id)
  return b64url("c1:" .. id)
end

-- a caller of the loaded data set: 138 + 8 digits (tests/bench/load.sql)
function caller_phone()
  return string.format("138%08d", math.random(1, callers))
end

-- a new caller
function new_phone()
  return string.format("139%08d", math.random(0, 99999999))
end

function new_ticket_body()
  return string.format(
    '{"class":"hard","kind":"complaint","subject":"Caller asks about an invoice",' ..
    '"details":"客户来电反映账单重复扣费，已记录并转财务部门核实。","caller_name":"客户",' ..
    '"caller_phone":"%s","department":"billing"}', new_phone())
end

-- The next event of this thread's current call (POST /calls/events body). 80% of calls are
-- answered (offered, answered, hangup normal), 20% abandoned in the queue (offered, hangup
-- abandoned: a missed call, which schedules a callback). Call ids are unique per thread and
-- run; callers are the data set's (they call again); event times lie two minutes back.
cti_json = { ["Authorization"] = "Bearer " .. (os.getenv("BENCH_CTI_TOKEN") or ""),
             ["Content-Type"] = "application/json" }
local call, step, answered, from, t0 = nil, 0, true, "", 0

local function stamp(t)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", t)
end

function call_event_body()
  if call == nil then
    call = (tid or 0) * 1000000000 + os.time() % 100000 * 1000
  end
  if step == 0 then
    call = call + 1
    answered = math.random(100) <= 80
    from = caller_phone()
    t0 = os.time() - 120
  end
  local id = "bench-" .. call
  local body
  if step == 0 then
    body = string.format('{"call_id":"%s","event":"offered","at":"%s","direction":"inbound",' ..
                         '"from":"%s","to":"95555","queue":"support"}', id, stamp(t0), from)
  elseif step == 1 and answered then
    body = string.format('{"call_id":"%s","event":"answered","at":"%s","agent":"agent-7"}',
                         id, stamp(t0 + 6))
  else
    body = string.format('{"call_id":"%s","event":"hangup","at":"%s","cause":"%s"}', id,
                         stamp(t0 + (answered and 70 or 40)), answered and "normal" or "abandoned")
  end
  step = step + 1
  if (answered and step == 3) or (not answered and step == 2) then step = 0 end
  return body
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.timeout
  local secs = summary.duration / 1e6
  local line = string.format(
    "requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f " ..
    "mean_ms=%.3f socket_errors=%d status_errors=%d\n",
    summary.requests, secs, summary.requests / secs, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    latency.mean / 1000, errors, summary.errors.status)
  local out = os.getenv("BENCH_OUT")
  if out then
    local f = io.open(out, "w")
    f:write(line)
    f:close()
  end
  io.write(line)
end
