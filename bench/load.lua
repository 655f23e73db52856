-- One run of bench/load.py: wrk with one thread and one connection per user, so each user
-- keeps its own logged-in session. bench/load.py logs the users in and passes everything
-- through the environment:
--   LOAD_KIND          get | login | add
--   LOAD_PATH          the path to request
--   LOAD_EXPECT        the status a correct answer has (200, or 302 for a login)
--   LOAD_SESSIONS      "sessionid csrftoken" per user, separated by ";"
--   LOAD_USERNAME, LOAD_PASSWORD   for the login run
--   LOAD_TAG           makes the names of added components unique to this run
--   LOAD_MAX_REQUESTS  per user: the run ends at this count even before its duration
--   LOAD_RESULT        file the figures are written to, as JSON
--   LOAD_ERRORS        optional: each unexpected answer is appended here as "unix-time status"
--                      (bench/load.py --restart-postgres-at tells errors in the restart window from others)

local threads = {}

function setup(thread)
  -- Runs in wrk's main state, once per thread: hand thread N the N-th session.
  local index = #threads + 1
  local sessions = {}
  for pair in string.gmatch(os.getenv("LOAD_SESSIONS"), "[^;]+") do
    table.insert(sessions, pair)
  end
  local sessionid, csrftoken = string.match(sessions[index], "^(%S+) (%S+)$")
  thread:set("user", index)
  thread:set("sessionid", sessionid)
  thread:set("csrftoken", csrftoken)
  table.insert(threads, thread)
end

local function urlencode(text)
  return (string.gsub(text, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function init(args)
  kind = os.getenv("LOAD_KIND")
  path = os.getenv("LOAD_PATH")
  expect = tonumber(os.getenv("LOAD_EXPECT"))
  max_requests = tonumber(os.getenv("LOAD_MAX_REQUESTS"))
  tag = os.getenv("LOAD_TAG")
  sent = 0
  unexpected = 0
  if os.getenv("LOAD_ERRORS") then
    errors_file = assert(io.open(os.getenv("LOAD_ERRORS"), "a"))
  end
  local form = "application/x-www-form-urlencoded"
  if kind == "login" then
    -- No session cookie: every request is a fresh login, checked against the CSRF cookie.
    local body = "csrfmiddlewaretoken=" .. csrftoken
      .. "&username=" .. urlencode(os.getenv("LOAD_USERNAME"))
      .. "&password=" .. urlencode(os.getenv("LOAD_PASSWORD"))
    fixed = wrk.format("POST", path, { Cookie = "csrftoken=" .. csrftoken, ["Content-Type"] = form }, body)
  elseif kind == "add" then
    -- As htmx sends it: the CSRF token in a header, and HX-Request so the view answers a partial.
    add_headers = {
      Cookie = "sessionid=" .. sessionid .. "; csrftoken=" .. csrftoken,
      ["Content-Type"] = form,
      ["HX-Request"] = "true",
      ["X-CSRFToken"] = csrftoken,
    }
  else
    fixed = wrk.format("GET", path, { Cookie = "sessionid=" .. sessionid .. "; csrftoken=" .. csrftoken })
  end
end

function request()
  sent = sent + 1
  if kind == "add" then
    local name = "load-" .. tag .. "-" .. user .. "-" .. sent
    return wrk.format("POST", path, add_headers, "new-components-name=" .. name .. "&new-components-kind=service")
  end
  return fixed
end

function response(status, headers, body)
  if status ~= expect then
    unexpected = unexpected + 1
    if errors_file then
      errors_file:write(string.format("%d %d\n", os.time(), status))
      errors_file:flush()
    end
  end
  if sent >= max_requests then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local unexpected_total = 0
  for _, thread in ipairs(threads) do
    unexpected_total = unexpected_total + thread:get("unexpected")
  end
  local errors = summary.errors
  local out = assert(io.open(os.getenv("LOAD_RESULT"), "w"))
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"unexpected_status": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    unexpected_total, errors.connect + errors.read + errors.write + errors.timeout
  ))
  out:close()
end
