-- The key pool on Redis, one group per script run: the shared part of every pool-*.lua.
-- KEYS: 1 meta (hash: the turn counter, the probe budget), 2 ring (zset of active keys by turn:
-- the lowest is next), 3 cool (zset of cooling keys by their end), 4 inv (zset of invalid keys
-- by id), 5 models (set of the models that have marks; '' holds the key-wide soft marks).
-- ARGV[1]: the group's key prefix. The per-key hashes (k:<id>), the per-model zsets and the probe
-- queues (pq:<level>, by the time the key became invalid or its last probe failed) are named from
-- it, being too many to pass as KEYS: fine on one Redis or Upstash; a Redis Cluster would need
-- them all in one hash slot.
-- Per model: hard:<m> every cooldown for the model and soft:<m> every depletion, by their end;
-- and, so that finding when a key is back for the model needs no walk, the live cooldowns split
-- by the key's state: harda:<m> of active keys (by the mark's end), back:<m> of cooling keys (by
-- the later of the key's and the mark's end) with shadow:<m> (the same keys by the key's end, so
-- a subset of cool in the same order); and marka:<m>, the active keys with any live mark for the
-- model (for '', a key-wide depletion), by when the last ends, so that a pick knows when no
-- active key is unmarked.
-- A key's hash: v stored value (sealed when ENCRYPTION_KEY is set), h key_hash, f failures,
-- s 429s in a row, st state (a active, c cooling, i invalid), u cooldown end, rj when a cooldown
-- ended by itself unreported (0: none), pa probe base time, pf failed probes, pr probe in flight.
local META, RING, COOL, INV, MODELS = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local P = ARGV[1]
-- Failed probes past this share one queue: 2^27 ms is over a day, the longest wait anyway.
local MAX_LEVEL = 27

-- Epoch ms and counts as text without an exponent (tostring would give 1.7e+12).
local function num(x) return string.format('%.17g', x) end
local function keyOf(id) return P .. 'k:' .. id end
local function hardOf(model) return P .. 'hard:' .. model end
local function softOf(model) return P .. 'soft:' .. model end
local function activeOf(model) return P .. 'harda:' .. model end
local function backOf(model) return P .. 'back:' .. model end
local function shadowOf(model) return P .. 'shadow:' .. model end
local function markedOf(model) return P .. 'marka:' .. model end
local function queueOf(pf) return P .. 'pq:' .. math.min(pf, MAX_LEVEL) end
-- A probe queue's member: the id zero-padded, so keys due at once go lowest id first.
local function queued(id) return string.format('%015.0f', tonumber(id)) end
local function nextTurn() return redis.call('HINCRBY', META, 'turn', 1) end

-- Drops the marks that ended (a mark lasts while its end is after now); the live ones' count.
local function liveCount(key, now)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', num(now))
  return redis.call('ZCARD', key)
end

-- The mark's end while it lasts, else nil.
local function liveMark(key, id, now)
  local at = tonumber(redis.call('ZSCORE', key, id) or '0')
  if at > now then return at end
  return nil
end

-- Sets a mark to untilAt, never earlier than one that still runs: a later signal never shortens.
local function extendMark(key, id, untilAt, now)
  local endAt = math.max(liveMark(key, id, now) or 0, untilAt)
  redis.call('ZADD', key, num(endAt), id)
  return endAt
end

-- Files an active key in marka for the model while it has a live mark there, else drops it.
local function syncMarked(id, m, st, now)
  local last = math.max(liveMark(hardOf(m), id, now) or 0, liveMark(softOf(m), id, now) or 0)
  if st == 'a' and last > 0 then
    redis.call('ZADD', markedOf(m), num(last), id)
  else
    redis.call('ZREM', markedOf(m), id)
  end
end

-- Files the key's live marks for each model by its state (harda and marka, or back and shadow).
-- O(models).
local function syncMarks(id, now)
  local e = redis.call('HMGET', keyOf(id), 'st', 'u')
  for _, m in ipairs(redis.call('SMEMBERS', MODELS)) do
    syncMarked(id, m, e[1], now)
    redis.call('ZREM', activeOf(m), id)
    redis.call('ZREM', backOf(m), id)
    redis.call('ZREM', shadowOf(m), id)
    local at = liveMark(hardOf(m), id, now)
    if at and e[1] == 'a' then
      redis.call('ZADD', activeOf(m), num(at), id)
    elseif at and e[1] == 'c' then
      redis.call('ZADD', backOf(m), num(math.max(tonumber(e[2]), at)), id)
      redis.call('ZADD', shadowOf(m), e[2], id)
    end
  end
end

local function dropMarks(id)
  for _, m in ipairs(redis.call('SMEMBERS', MODELS)) do
    for _, key in ipairs({hardOf(m), softOf(m), activeOf(m), backOf(m), shadowOf(m), markedOf(m)}) do
      redis.call('ZREM', key, id)
    end
  end
end

local function detach(id, st, pf)
  if st == 'a' then
    redis.call('ZREM', RING, id)
  elseif st == 'c' then
    redis.call('ZREM', COOL, id)
  else
    redis.call('ZREM', INV, id)
    redis.call('ZREM', queueOf(pf), queued(id))
  end
end

-- Puts a detached key in state st: `at` is the cooldown end for 'c', the time it became invalid
-- for 'i'. An active key joins at the end of the current cycle. The caller syncs its marks.
local function attach(id, st, at)
  local k = keyOf(id)
  if st == 'a' then
    redis.call('ZADD', RING, nextTurn(), id)
    redis.call('HSET', k, 'st', 'a')
  elseif st == 'c' then
    redis.call('ZADD', COOL, num(at), id)
    redis.call('HSET', k, 'st', 'c', 'u', num(at))
  else
    redis.call('ZADD', INV, id, id)
    redis.call('ZADD', queueOf(0), num(at), queued(id))
    redis.call('HSET', k, 'st', 'i', 'pa', num(at), 'pf', 0, 'pr', 0)
  end
end

-- Moves a key to state st (see attach for `at`); `now` tells which marks still run (0 is fine
-- when the key has none or goes invalid).
local function move(id, st, at, now)
  local e = redis.call('HMGET', keyOf(id), 'st', 'pf')
  detach(id, e[1], tonumber(e[2]) or 0)
  attach(id, st, at)
  syncMarks(id, now)
end

-- Re-admits the keys whose cooldown has ended; each key pays this once per cooldown, plus a
-- step per model that has marks.
local function readmit(now)
  local ended = redis.call('ZRANGEBYSCORE', COOL, '-inf', num(now), 'WITHSCORES')
  if #ended == 0 then return end
  local marked = {}
  for _, m in ipairs(redis.call('SMEMBERS', MODELS)) do
    local n = redis.call('ZCARD', hardOf(m)) + redis.call('ZCARD', softOf(m))
    if n + redis.call('ZCARD', shadowOf(m)) > 0 then
      marked[#marked + 1] = m
    end
  end
  for i = 1, #ended, 2 do
    local id = ended[i]
    redis.call('ZADD', RING, nextTurn(), id)
    redis.call('HSET', keyOf(id), 'st', 'a', 'rj', ended[i + 1])
    for _, m in ipairs(marked) do
      if redis.call('ZREM', shadowOf(m), id) == 1 then
        redis.call('ZREM', backOf(m), id)
        local at = liveMark(hardOf(m), id, now)
        if at then redis.call('ZADD', activeOf(m), num(at), id) end
      end
      syncMarked(id, m, 'a', now)
    end
  end
  redis.call('ZREMRANGEBYSCORE', COOL, '-inf', num(now))
end

-- The change to persist, as {from, to, failures, until, rejoined_at} ('' when absent); telling
-- of a cooldown's end happens once.
local function change(id, from)
  local k = keyOf(id)
  local e = redis.call('HMGET', k, 'st', 'f', 'u', 'rj')
  local untilAt, rj = '', e[4] or '0'
  if e[1] == 'c' then untilAt = e[3] end
  if rj == '0' then rj = '' else redis.call('HSET', k, 'rj', 0) end
  return {from, e[1], e[2], untilAt, rj}
end

local function deleteKey(id)
  local k = keyOf(id)
  local e = redis.call('HMGET', k, 'st', 'pf')
  if not e[1] then return end
  detach(id, e[1], tonumber(e[2]) or 0)
  redis.call('DEL', k)
  dropMarks(id)
end

local function dropModels()
  for _, m in ipairs(redis.call('SMEMBERS', MODELS)) do
    redis.call('DEL', hardOf(m), softOf(m), activeOf(m), backOf(m), shadowOf(m), markedOf(m))
  end
end

-- A group with no keys left forgets its marks and probe budget, as the memory pool does.
local function dropIfEmpty()
  local n = redis.call('ZCARD', RING) + redis.call('ZCARD', COOL) + redis.call('ZCARD', INV)
  if n > 0 then return end
  dropModels()
  redis.call('DEL', META, MODELS)
end
