-- wrk script for the benchmark: POSTs GraphQL JSON bodies read from a file (one per line,
-- written by bench/run.py for one operation on one server), round-robin from a random start
-- per thread, and counts responses whose body carries GraphQL "errors". done() prints one
-- JSON line (prefixed "BENCH ") that bench/run.py reads.
--
--   wrk -t2 -c16 -d10s --latency -s bench/wrk/graphql.lua http://127.0.0.1:8300/graphql -- bodies.jsonl

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  for line in io.lines(args[1]) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  counter = math.random(#bodies)
  graphql_errors = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
end

function request()
  counter = counter % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[counter])
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
