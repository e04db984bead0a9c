-- online.lua: wrk script for online charging updates (POST /api/v1/charging/requests)
-- over BSS_SESSIONS sessions "BSS_PREFIX-<n>" that bench/run-online.sh opened
-- (initial, request number 0). Request i updates session i % sessions with
-- request number i / sessions + 1: 100 kB of data used, 100 kB more asked
-- (commit + reserve), one writer job each, answered after its durable commit.
-- Answers whose resultCode is not 2001 are counted and printed at the end.
local counter, sessions = 0, tonumber(os.getenv("BSS_SESSIONS") or "1000")
local prefix = os.getenv("BSS_PREFIX")
local refused = 0
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BSS_KEY")
wrk.headers["Content-Type"] = "application/json"

request = function()
  local s, n = counter % sessions, math.floor(counter / sessions) + 1
  counter = counter + 1
  return wrk.format(nil, "/api/v1/charging/requests", nil, string.format(
    '{"sessionId":"%s-%d","requestNumber":%d,"type":"update",' ..
    '"services":[{"service":"data","used":100000,"requested":100000}]}', prefix, s, n))
end

response = function(status, headers, body)
  if status ~= 200 or not string.find(body, '"resultCode":2001', 1, true) then refused = refused + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("refused: %d\n", refused))
end
