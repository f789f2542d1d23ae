-- wrk script for bench/run.py: cycles through the paths in the file given after "--" (or requests
-- the URL's own path), and prints one line run.py reads: requests, seconds, p95 and p50 (µs), errors.
local paths = {}
local counter = 0

function init(args)
  if args[1] and args[1] ~= "" then
    for line in io.lines(args[1]) do
      if line ~= "" then paths[#paths + 1] = line end
    end
  end
  counter = math.random(#paths > 0 and #paths or 1)
end

function request()
  if #paths == 0 then return wrk.format(nil) end
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout
  io.write(string.format("BENCH %d %.3f %.0f %.0f %d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(95), latency:percentile(50), errors))
end
