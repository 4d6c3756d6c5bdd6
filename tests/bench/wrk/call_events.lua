-- POST /calls/events as a PBX sends them, one event per request (call_event_body in
-- common.lua: answered and abandoned calls), as a cti token (BENCH_CTI_TOKEN).
dofile(os.getenv("BENCH_DIR") .. "/wrk/common.lua")

request = function()
  return wrk.format("POST", "/calls/events", cti_json, call_event_body())
end
