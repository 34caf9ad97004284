-- wrk script for vpcase's benchmark: optional POST body with a fresh nonce per request,
-- and a JSON summary (throughput, latency percentiles, errors) printed at the end.
--   wrk ... -s bench/wrk_report.lua -- METHOD BODYFILE COOKIE CSRFTOKEN ORIGIN
local method, body_template, cookie, csrftoken, origin = "GET", nil, nil, nil, nil
local counter = 0

function init(args)
  method = args[1] or "GET"
  if args[2] and args[2] ~= "-" then
    local f = io.open(args[2], "r")
    body_template = f:read("*a")
    f:close()
  end
  if args[3] and args[3] ~= "-" then cookie = args[3] end
  if args[4] and args[4] ~= "-" then csrftoken = args[4] end
  if args[5] and args[5] ~= "-" then origin = args[5] end
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
end

function request()
  local headers = {}
  if cookie then headers["Cookie"] = cookie end
  local body = nil
  if method == "POST" then
    counter = counter + 1
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    if origin then headers["Origin"] = origin end
    if csrftoken then headers["X-CSRFToken"] = csrftoken end
    body = body_template:gsub("{{nonce}}", string.format("%d-%d-%d", math.random(1, 1e9), counter, os.time()))
  end
  return wrk.format(method, nil, headers, body)
end

function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_s": %.3f, "rps": %.2f, "errors": %d, ' ..
    '"non_2xx_3xx": %d, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    errors, summary.errors.status, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3))
end
