-- Counts responses that are not a whole page (a half-written file would lack the closing tag).
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; good = 0 end
function response(status, headers, body)
  if status == 200 and body:find("</html>", 1, true) and body:find("__gazette/live.js", 1, true) then
    good = good + 1
  else
    bad = bad + 1
  end
end
function done(summary, latency, requests)
  local g, b = 0, 0
  for _, t in ipairs(threads) do g = g + t:get("good"); b = b + t:get("bad") end
  io.write(string.format("whole pages: %d, broken or non-200: %d\n", g, b))
end
