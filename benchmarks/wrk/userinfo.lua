-- wrk script for `smart-auth bench http`: GET /v1/userinfo with a bearer token picked at random, per request,
-- from a file of access tokens (one per line; one per session), so requests are spread over every session.
--
--   wrk -t1 -c50 -d5s --latency -s userinfo.lua http://127.0.0.1:PORT -- ACCESS_TOKENS_FILE

local headers = {}
local count = 0

function init(args)
  local path = args[1]
  if path == nil then error("usage: wrk … -s userinfo.lua URL -- ACCESS_TOKENS_FILE") end
  for line in io.lines(path) do
    if #line > 0 then
      count = count + 1
      headers[count] = { ["Authorization"] = "Bearer " .. line, ["User-Agent"] = "wrk-bench" }
    end
  end
  if count == 0 then error("no tokens in " .. path) end
  math.randomseed(os.time())
end

function request()
  return wrk.format("GET", "/v1/userinfo", headers[math.random(count)])
end
