-- A mixed agent-desk workload, per 100 requests:
--   40 GET /tickets/{id}, 15 GET /tickets/{id}/events, 15 caller look-ups (phone filter),
--   10 "my tickets" pages, 10 POST /tickets, 10 PATCH /tickets/{id} (details, no If-Match).
-- Call events (POST /calls/events) join this mix once issue 4 lands.
dofile(os.getenv("BENCH_DIR") .. "/wrk/common.lua")
local owner = os.getenv("BENCH_AGENT") or "agent-7"

request = function()
  local r = math.random(100)
  local id = math.random(1, max_id)
  if r <= 40 then
    return wrk.format("GET", "/tickets/" .. id, auth)
  elseif r <= 55 then
    return wrk.format("GET", "/tickets/" .. id .. "/events", auth)
  elseif r <= 70 then
    return wrk.format("GET", "/tickets?phone=" .. caller_phone() .. "&limit=20", auth)
  elseif r <= 80 then
    return wrk.format("GET", "/tickets?owner=" .. owner .. "&limit=20&cursor=" ..
                      cursor_before(id), auth)
  elseif r <= 90 then
    return wrk.format("POST", "/tickets", json_auth, new_ticket_body())
  end
  return wrk.format("PATCH", "/tickets/" .. id, json_auth,
                    string.format('{"details":"回访记录 %d：客户已收到退款。"}', math.random(1, 1000000)))
end
