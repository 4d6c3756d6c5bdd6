-- A mixed agent-desk workload, per 100 requests:
--   35 GET /tickets/{id}, 10 GET /tickets/{id}/events, 10 caller look-ups (phone filter),
--   10 screen-pops (GET /callers/{phone}), 10 "my tickets" pages, 10 POST /tickets,
--   5 PATCH /tickets/{id} (details, no If-Match), 10 call events from the PBX.
dofile(os.getenv("BENCH_DIR") .. "/wrk/common.lua")
local owner = os.getenv("BENCH_AGENT") or "agent-7"

request = function()
  local r = math.random(100)
  local id = math.random(1, max_id)
  if r <= 35 then
    return wrk.format("GET", "/tickets/" .. id, auth)
  elseif r <= 45 then
    return wrk.format("GET", "/tickets/" .. id .. "/events", auth)
  elseif r <= 55 then
    return wrk.format("GET", "/tickets?phone=" .. caller_phone() .. "&limit=20", auth)
  elseif r <= 65 then
    return wrk.format("GET", "/callers/" .. caller_phone(), auth)
  elseif r <= 75 then
    return wrk.format("GET", "/tickets?owner=" .. owner .. "&limit=20&cursor=" ..
                      cursor_before(id), auth)
  elseif r <= 85 then
    return wrk.format("POST", "/tickets", json_auth, new_ticket_body())
  elseif r <= 90 then
    return wrk.format("PATCH", "/tickets/" .. id, json_auth,
                      string.format('{"details":"回访记录 %d：客户已收到退款。"}', math.random(1, 1000000)))
  end
  return wrk.format("POST", "/calls/events", cti_json, call_event_body())
end
