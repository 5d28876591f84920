-- wrk script for bench/run.py: sends GraphQL requests read from a file (one per line, written
-- by bench/run.py for one operation on one server), round-robin from a random start per
-- thread, and counts responses whose body carries GraphQL "errors". done() prints one JSON
-- line (prefixed "BENCH ") that bench/run.py reads. The second argument is the mode:
--   post (default): each line is a JSON body, POSTed;
--   get: each line is a request path (/graphql?query=…&variables=…), sent as an anonymous GET
--        (the response-cache runs, --cache);
--   tokens: each line is "<session token>\t<JSON body>", POSTed with that token as its bearer
--        (update_profiles: many members, each editing their own profile).
--
--   wrk -t2 -c16 -d10s --latency -s bench/wrk/graphql.lua http://127.0.0.1:8300/graphql -- bodies.jsonl
--   wrk -t2 -c16 -d10s --latency -s bench/wrk/graphql.lua http://127.0.0.1:8300/graphql -- paths.txt get

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  lines = {}
  tokens = {}
  for line in io.lines(args[1]) do
    if #line > 0 then lines[#lines + 1] = line end
  end
  gets = args[2] == "get"
  if args[2] == "tokens" then
    for i, line in ipairs(lines) do
      local tab = string.find(line, "\t", 1, true)
      tokens[i] = "Bearer " .. string.sub(line, 1, tab - 1)
      lines[i] = string.sub(line, tab + 1)
    end
  end
  counter = math.random(#lines)
  graphql_errors = 0
  wrk.headers["Accept"] = "application/json"
  if gets then
    wrk.method = "GET"
    wrk.headers["GraphQL-Require-Preflight"] = "1"
  else
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
  end
end

function request()
  counter = counter % #lines + 1
  if gets then
    return wrk.format(nil, lines[counter])
  end
  if tokens[counter] then
    local headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    headers["Authorization"] = tokens[counter]
    return wrk.format(nil, nil, headers, lines[counter])
  end
  return wrk.format(nil, nil, nil, lines[counter])
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
