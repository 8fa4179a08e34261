-- DELETE the ids FIRST_ID..LAST_ID (env), split between wrk threads; past the end it gets 404s (counted).
local first = tonumber(os.getenv("FIRST_ID"))
local counter = 0
thread_index = 0
local thread_count = tonumber(os.getenv("WRK_THREADS") or "1")
local next_index = 0

setup = function(thread)
  thread:set("thread_index", next_index)
  next_index = next_index + 1
end

request = function()
  local id = first + thread_index + counter * thread_count
  counter = counter + 1
  return wrk.format("DELETE", "/reservations/" .. id)
end
