-- A route probe's answer: '1' closes the circuit, '0' re-opens it for twice as long (up to the
-- ceiling), '' (it never reached the upstream) frees the slot and leaves it half-open.
-- KEYS: 1 the route's hash, 2 its recent failures, 3 the watched set. ARGV: 1 route, 2 ok, 3 now,
-- 4 random, 5 jitter, 6 the longest open time.
if redis.call('HGET', KEYS[1], 'circuit') ~= '1' then return 0 end
local ok = ARGV[2]
if ok == '' then
  redis.call('HSET', KEYS[1], 'probing', 0)
elseif ok == '1' then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('SREM', KEYS[3], ARGV[1])
else
  local openMs = math.min(tonumber(redis.call('HGET', KEYS[1], 'openMs')) * 2, tonumber(ARGV[6]))
  local retryAt = tonumber(ARGV[3]) + jittered(openMs, tonumber(ARGV[4]), tonumber(ARGV[5]))
  redis.call('HSET', KEYS[1], 'openMs', num(openMs), 'state', 'open', 'retryAt', num(retryAt),
    'probing', 0)
end
return 1
