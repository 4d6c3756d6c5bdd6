-- POST /tickets: a ticket and its "created" event (one statement), no Idempotency-Key.
dofile(os.getenv("BENCH_DIR") .. "/wrk/common.lua")

request = function()
  return wrk.format("POST", "/tickets", json_auth, new_ticket_body())
end
