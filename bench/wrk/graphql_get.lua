-- wrk script for the response-cache runs of bench/run.py (--cache): GETs request paths read
-- from a file (one per line: /graphql?query=…&variables=…, written by bench/run.py), anonymous,
-- round-robin from a random start per thread; counts responses carrying GraphQL "errors".
-- done() prints one JSON line (prefixed "BENCH ") that bench/run.py reads.
--
--   wrk -t2 -c16 -d10s --latency -s bench/wrk/graphql_get.lua http://127.0.0.1:8300/graphql -- paths.txt

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  counter = math.random(#paths)
  graphql_errors = 0
  wrk.method = "GET"
  wrk.headers["Accept"] = "application/json"
  wrk.headers["GraphQL-Require-Preflight"] = "1"
end

function request()
  counter = counter % #paths + 1
  return wrk.format(nil, paths[counter])
end

function response(status, headers, body)
  if string.find(body, '"errors":[{', 1, true) then
    graphql_errors = graphql_errors + 1
  end
end

function done(summary, latency, requests)
  local errors = 0
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("graphql_errors")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "non_2xx": %d, "timeouts": %d, "graphql_errors": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout, errors))
end
