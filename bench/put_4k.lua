-- wrk script: PUT 4 KiB values to distinct keys (bench/storaged.sh).
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  wrk.method = "PUT"
  wrk.body = string.rep("x", 4096)
end

request = function()
  counter = counter + 1
  return wrk.format(nil, "/storage/put/bench/" .. id .. "-" .. counter)
end
