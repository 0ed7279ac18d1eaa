-- wrk script: every request from a different reader, as a CDN or a
-- trusted proxy forwards them: a fresh X-Forwarded-For address and a
-- browser user agent of one of many versions, so the server sees a new
-- distinct reader nearly every time.
--   wrk -s scripts/bench/readers.lua URL -- GET /path
--   wrk -s scripts/bench/readers.lua URL -- POST /_kw/view "a=42"
local threads = 0

function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

local method, path, body = "GET", "/", nil
local n = 0

function init(args)
  method = args[1] or "GET"
  path = args[2] or "/"
  body = args[3]
  n = (thread_index or 0) * 104729
end

function request()
  n = n + 1
  local ip = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  local ua = string.format("Mozilla/5.0 (X11; Linux x86_64; rv:%d.0) Gecko/20100101 Firefox/%d.0", 100 + n % 40, 100 + math.floor(n / 40) % 997)
  local headers = {
    ["X-Forwarded-For"] = ip,
    ["User-Agent"] = ua,
  }
  if body then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Origin"] = "http://news.localhost"
  end
  return wrk.format(method, path, headers, body)
end
