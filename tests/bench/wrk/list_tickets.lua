-- GET /tickets list pages, the two an agent desk opens most: "my tickets" at a random
-- position (owner filter + keyset cursor) and the caller look-up when a call comes in
-- (phone filter). Half each; 20 per page.
dofile(os.getenv("BENCH_DIR") .. "/wrk/common.lua")
local owner = os.getenv("BENCH_AGENT") or "agent-7"

request = function()
  if math.random(2) == 1 then
    return wrk.format("GET", "/tickets?owner=" .. owner .. "&limit=20&cursor=" ..
                      cursor_before(math.random(1, max_id)), auth)
  end
  return wrk.format("GET", "/tickets?phone=" .. caller_phone() .. "&limit=20", auth)
end
