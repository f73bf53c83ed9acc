-- wrk script for the bench: method, body and headers from the environment; JSON summary.
-- BENCH_METHOD (GET), BENCH_BODY (JSON; "{n}" is replaced by a per-request counter),
-- BENCH_AUTH (Authorization header), BENCH_COOKIE (Cookie header).
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local auth = os.getenv("BENCH_AUTH")
local cookie = os.getenv("BENCH_COOKIE")
local counter = 0

function setup(thread)
  thread:set("tid", tostring(math.random(1, 1000000)))
end

request = function()
  counter = counter + 1
  local headers = {["Accept"] = "application/json"}
  if auth then headers["Authorization"] = auth end
  if cookie then headers["Cookie"] = cookie; headers["Accept"] = "text/html" end
  local payload = nil
  if body then
    headers["Content-Type"] = "application/json"
    payload = string.gsub(body, "{n}", (tid or "0") .. "-" .. counter)
  end
  return wrk.format(method, nil, headers, payload)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_JSON {"requests": %d, "duration_s": %.3f, "rps": %.1f, ' ..
    '"p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, "mean_ms": %.1f, "max_ms": %.1f, ' ..
    '"errors": %d, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000,
    e.status + e.connect + e.read + e.write + e.timeout, e.status,
    e.connect + e.read + e.write + e.timeout))
end
