-- A key's failure on a route; opens the circuit when enough distinct keys (for connection
-- errors, enough errors) failed alike within the window with no success between. Bounded work:
-- at most `max recent` failures are kept per route.
-- KEYS: 1 the route's hash, 2 its recent failures, 3 the watched set. ARGV: 1 route, 2 failure
-- class, 3 groupId, 4 keyId, 5 charged ('1'/'0'), 6 the wait a 429 named ('' for none),
-- 7 minKeys, 8 windowMs, 9 openMs, 10 now, 11 random, 12 the cause after its count, 13 jitter,
-- 14 max recent. Returns {0} (no incident), {1} (one already open) or {2, groupId, keyId, ...}
-- (this failure opened it: the charged keys to undo).
local ROUTE, RECENT, WATCHED = KEYS[1], KEYS[2], KEYS[3]
local route, failure = ARGV[1], ARGV[2]
local minKeys, windowMs, openMs, now =
  tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
if redis.call('HGET', ROUTE, 'circuit') == '1' then return {1} end
if minKeys <= 0 then return {0} end
redis.call('ZREMRANGEBYSCORE', RECENT, '-inf', num(now - windowMs))
if redis.call('ZCARD', RECENT) >= tonumber(ARGV[14]) then
  redis.call('ZREMRANGEBYRANK', RECENT, 0, 0)
end
local seq = redis.call('HINCRBY', ROUTE, 'seq', 1)
local entry = table.concat({string.format('%012d', seq), failure, ARGV[3], ARGV[4], ARGV[5], ARGV[6]}, '|')
redis.call('ZADD', RECENT, num(now), entry)

local alike = {}
for _, m in ipairs(redis.call('ZRANGE', RECENT, 0, -1)) do
  local f, g, key, charged, wait = string.match(m, '^[^|]*|([^|]*)|([^|]*)|([^|]*)|([^|]*)|(.*)$')
  if f == failure then
    alike[#alike + 1] = {g = g, key = key, charged = charged, wait = tonumber(wait)}
  end
end

local count = 0
if failure == 'connect' then
  -- Connection errors are not about keys at all, so each one counts.
  count = #alike
else
  -- 429s naming waits that differ are each key's own limit running out: only those naming no
  -- wait may then be the route's. Waits that agree (within 1 s or 10 %) are one limit.
  local lo, hi, waits = nil, nil, 0
  for _, a in ipairs(alike) do
    if a.wait then
      waits = waits + 1
      lo = math.min(lo or a.wait, a.wait)
      hi = math.max(hi or a.wait, a.wait)
    end
  end
  local differ = waits >= 2 and hi - lo > math.max(1000, hi * 0.1)
  local seen = {}
  for _, a in ipairs(alike) do
    local id = a.g .. ':' .. a.key
    if not (differ and a.wait) and not seen[id] then
      seen[id] = true
      count = count + 1
    end
  end
end

if count < minKeys then
  -- A suspect: closed, but its next success must be told.
  if redis.call('SADD', WATCHED, route) == 1 then
    redis.call('HSET', ROUTE, 'state', 'closed', 'failure', failure, 'since', num(now), 'cause', '',
      'retryAt', 0, 'probing', 0)
  end
  return {0}
end
redis.call('HSET', ROUTE, 'circuit', 1, 'openMs', num(openMs), 'state', 'open', 'failure', failure,
  'since', num(now), 'cause', count .. ARGV[12],
  'retryAt', num(now + jittered(openMs, tonumber(ARGV[11]), tonumber(ARGV[13]))), 'probing', 0)
redis.call('SADD', WATCHED, route)
redis.call('DEL', RECENT)
local out = {2}
for _, a in ipairs(alike) do
  if a.charged == '1' then
    out[#out + 1] = a.g
    out[#out + 1] = a.key
  end
end
return out
