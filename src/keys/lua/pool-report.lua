-- One attempt's outcome. ARGV: 2 id, 3 now, 4 kind (success, auth, rate), 5 the 429's named end
-- ('' for none), 6 its model ('' when key-wide), 7 blacklist threshold, 8 depleted until ('' for
-- none), 9 its model, 10 the default cooldown, 11 its ceiling. Returns the change to persist
-- ({from, to, failures, until, rejoined_at, began}) or nil.
local id, now, kind = ARGV[2], tonumber(ARGV[3]), ARGV[4]
local k = keyOf(id)
if redis.call('EXISTS', k) == 0 then return nil end
readmit(now)
local e = redis.call('HMGET', k, 'st', 'f', 's', 'u', 'rj')
local from, failures, streak = e[1], tonumber(e[2]), tonumber(e[3])
if from == 'i' then return nil end

-- The provider's end; else, during a running cooldown, that one (a burst adds nothing); else the
-- default for the streak, doubling up to its ceiling.
local function cooldownEnd(running)
  if ARGV[5] ~= '' then return tonumber(ARGV[5]) end
  if running then return running end
  local base, ceiling = tonumber(ARGV[10]), tonumber(ARGV[11])
  return now + math.min(base * 2 ^ math.max(streak - 1, 0), ceiling)
end

if kind == 'success' then
  if ARGV[8] ~= '' then
    redis.call('SADD', MODELS, ARGV[9])
    extendMark(softOf(ARGV[9]), id, tonumber(ARGV[8]), now)
    syncMarked(id, ARGV[9], from, now)
  end
  redis.call('HSET', k, 's', 0)
  -- A normal success changes nothing that is persisted, so it costs no write.
  if failures == 0 and (e[5] or '0') == '0' then return nil end
  redis.call('HSET', k, 'f', 0)
elseif kind == 'auth' then
  failures = failures + 1
  redis.call('HSET', k, 'f', failures)
  local threshold = tonumber(ARGV[7])
  if threshold > 0 and failures >= threshold then move(id, 'i', now, now) end
elseif ARGV[6] ~= '' then
  -- The provider's limit is per model: only this model waits, the key stays in rotation.
  redis.call('SADD', MODELS, ARGV[6])
  local hard = hardOf(ARGV[6])
  local running = liveMark(hard, id, now)
  if not running then
    streak = streak + 1
    redis.call('HSET', k, 's', streak)
  end
  local endAt = extendMark(hard, id, cooldownEnd(running), now)
  syncMarks(id, now)
  local c = change(id, from)
  c[4] = num(endAt)
  c[6] = running and '0' or '1'
  return c
else
  -- Concurrent 429s of one cooldown count once, and the later end wins.
  local running = nil
  if from == 'c' then
    running = tonumber(e[4])
  else
    streak = streak + 1
    redis.call('HSET', k, 's', streak)
  end
  local endAt = cooldownEnd(running)
  if running then endAt = math.max(running, endAt) end
  detach(id, from, 0)
  attach(id, 'c', endAt)
  syncMarks(id, now)
end
return change(id, from)
