-- POST reservations that never collide: each wrk thread books its own check-in day, one room per request.
local counter = 0
thread_index = 0
local threads = {}
local next_index = 0

setup = function(thread)
  thread:set("thread_index", next_index)
  next_index = next_index + 1
end

request = function()
  counter = counter + 1
  local room = (counter - 1) % 99999 + 1
  local day_offset = (tonumber(os.getenv("DAY_BASE")) or 0) + thread_index + 2 * math.floor((counter - 1) / 99999)
  local t = os.time() + (60 + day_offset) * 86400
  local body = string.format('{"guest_name":"Load %d","room_number":%d,"nights":1,"check_in":"%s"}',
    counter, room, os.date("!%Y-%m-%d", t))
  -- wrk.format replaces wrk.headers (the -H headers: customer and key) when given a table: merge them.
  local headers = {["Content-Type"] = "application/json"}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  return wrk.format("POST", "/reservations", headers, body)
end
