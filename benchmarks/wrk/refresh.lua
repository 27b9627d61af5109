-- wrk script for `smart-auth bench http`: the refresh grant, POST /v1/token with grant_type=refresh_token.
--
-- A refresh token is valid once, so every request needs a token nobody has used yet. The file holds one current
-- refresh token per session; they wait in a queue. `request` takes the token at the head of the queue (a token
-- is never in two requests), `response` reads the rotated `refresh_token` from the JSON body and puts it at the
-- tail. So every session follows its own token chain and requests cycle through all the sessions in the file.
-- A failed refresh loses its session (counted by wrk as a non-2xx response); should the queue ever run dry, the
-- requests carry an invalid token and fail, and wrk counts those too.
--
--   wrk -t1 -c50 -d5s --latency -s refresh.lua http://127.0.0.1:PORT -- REFRESH_TOKENS_FILE

local queue = {}
local head, tail = 1, 0
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded", ["User-Agent"] = "wrk-bench" }

function init(args)
  local path = args[1]
  if path == nil then error("usage: wrk … -s refresh.lua URL -- REFRESH_TOKENS_FILE") end
  for line in io.lines(path) do
    if #line > 0 then
      tail = tail + 1
      queue[tail] = line
    end
  end
  if tail == 0 then error("no tokens in " .. path) end
end

function request()
  local token = "spent"
  if head <= tail then
    token = queue[head]
    queue[head] = nil
    head = head + 1
  end
  return wrk.format("POST", "/v1/token", headers, "grant_type=refresh_token&refresh_token=" .. token)
end

function response(status, headers, body)
  if status == 200 then
    local token = string.match(body, '"refresh_token"%s*:%s*"([^"]+)"')
    if token then
      tail = tail + 1
      queue[tail] = token
    end
  end
end
