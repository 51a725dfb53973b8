-- wrk script for bench/run.py: sends the bench user's session cookie (as a browser
-- behind the TLS proxy would) and prints one line of JSON with the figures.
local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then
  wrk.headers["Cookie"] = "sessionid=" .. cookie
end
wrk.headers["X-Forwarded-Proto"] = "https"

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.2f, "mean_ms": %.2f, '
      .. '"p50_ms": %.2f, "p75_ms": %.2f, "p90_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, '
      .. '"max_ms": %.2f, "errors_status": %d, "errors_connect": %d, "errors_read": %d, '
      .. '"errors_write": %d, "errors_timeout": %d}\n',
    summary.requests, seconds, summary.requests / seconds, latency.mean / 1000,
    latency:percentile(50) / 1000, latency:percentile(75) / 1000,
    latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout))
end
