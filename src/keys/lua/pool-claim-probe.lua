-- An invalid key due for a live probe, marked in flight: the earliest due of the queues' heads
-- (the lowest id among keys due at once).
-- Queue L holds the keys with L failed probes, by the time of the last one (or of becoming
-- invalid), so its head is its earliest due: base + min(interval * 2^L, max wait).
-- ARGV: 2 now, 3 intervalMs, 4 perMinute, 5 the longest wait. Returns {id, hash, stored, failures}
-- or nil.
local now, interval, perMinute, maxWait =
  tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if interval <= 0 or redis.call('ZCARD', INV) == 0 then return nil end
local minute = math.floor(now / 60000)
local budget = redis.call('HMGET', META, 'pmin', 'pn')
local used = 0
if tonumber(budget[1] or '-1') == minute then used = tonumber(budget[2] or '0') end
if used >= perMinute then return nil end
local best, bestDue, bestLevel = nil, nil, nil
for level = 0, MAX_LEVEL do
  local head = redis.call('ZRANGE', queueOf(level), 0, 0, 'WITHSCORES')
  if #head > 0 then
    local due = tonumber(head[2]) + math.min(interval * 2 ^ level, maxWait)
    local id = tonumber(head[1])
    if due <= now and (best == nil or due < bestDue or (due == bestDue and id < best)) then
      best, bestDue, bestLevel = id, due, level
    end
  end
end
if best == nil then return nil end
redis.call('ZREM', queueOf(bestLevel), queued(best))
best = num(best)
redis.call('HSET', keyOf(best), 'pr', 1)
redis.call('HSET', META, 'pmin', num(minute), 'pn', used + 1)
local e = redis.call('HMGET', keyOf(best), 'h', 'v', 'f')
return {best, e[1], e[2], e[3]}
