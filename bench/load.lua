-- wrk load script: WeChat text pushes, each with a signed query of its own (plain mode).
--
--   wrk -s bench/load.lua URL -- TEXTS_FILE RUN_ID QUERIES_FILE THREADS
--
-- QUERIES_FILE holds signed query strings, one a line; thread N of THREADS takes every
-- THREADS-th line from the N-th, so no query carries two bodies (the webhook refuses that).
-- Each request is a new message with a unique MsgId (RUN_ID, wrk thread, counter),
-- from one of 1,000 followers, with a text read from TEXTS_FILE (one per line); every
-- 20th request is instead a byte-identical retry of the thread's previous push, as
-- WeChat sends when an answer is slow. done() prints one "BENCH key=value ..." line
-- with what was sent and what came back, for bench/e2e.py to parse.

local threads = {}
local RETRY_EVERY = 20
local SENDERS = 1000
local PUSH = "<xml><ToUserName><![CDATA[gh_bench0000001]]></ToUserName>"
  .. "<FromUserName><![CDATA[oBenchFollower%06d]]></FromUserName>"
  .. "<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType>"
  .. "<Content><![CDATA[%s]]></Content><MsgId>%s%d%08d</MsgId></xml>"

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  texts = {}
  for line in io.lines(args[1]) do
    texts[#texts + 1] = line
  end
  run_id = args[2]
  queries = {}
  local stride, number = tonumber(args[4]), 0
  for line in io.lines(args[3]) do
    if number % stride == tid then
      queries[#queries + 1] = line
    end
    number = number + 1
  end
  calls, originals, retries, ok, not_ok = 0, 0, 0, 0, 0
  wrk.headers["Content-Type"] = "text/xml"
end

function request()
  calls = calls + 1
  if last_body ~= nil and calls % RETRY_EVERY == 0 then
    retries = retries + 1
  else
    originals = originals + 1
    local sender = (originals * 7919 + tid * 104729) % SENDERS
    local text = texts[(originals * 31 + tid * 17) % #texts + 1]
    last_body = string.format(PUSH, sender, os.time(), text, run_id, tid, originals)
    -- a retry repeats its push's query too; past the file's end, queries would repeat
    last_path = wrk.path .. "?" .. queries[(originals - 1) % #queries + 1]
  end
  return wrk.format("POST", last_path, nil, last_body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local totals = {originals = 0, retries = 0, ok = 0, not_ok = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH completed=%d duration_us=%d p50_us=%d p99_us=%d originals=%d retries=%d "
      .. "ok=%d not_ok=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    totals.originals, totals.retries, totals.ok, totals.not_ok,
    e.connect, e.read, e.write, e.timeout))
end
