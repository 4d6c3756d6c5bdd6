-- GET /tickets/{id}: random ids over the loaded data set.
dofile(os.getenv("BENCH_DIR") .. "/wrk/common.lua")

request = function()
  return wrk.format("GET", "/tickets/" .. math.random(1, max_id), auth)
end
