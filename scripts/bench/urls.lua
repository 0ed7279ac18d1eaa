-- wrk script: request the paths listed one per line in the file given after
-- `--` on the wrk command line, round robin; each thread starts at its own
-- offset so the threads do not walk the list in step.
--   wrk -s scripts/bench/urls.lua http://127.0.0.1:PORT -- paths.txt
local threads = 0

function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

local paths = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  if #paths == 0 then error("no paths in " .. tostring(args[1])) end
  i = ((thread_index or 0) * 7919) % #paths
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
