-- A key probe's end. ARGV: 2 id, 3 ok ('1' passed, '0' failed, '' never reached the upstream),
-- 4 now. A pass makes the key active and returns the change; a failure waits twice as long
-- before the next; '' leaves it due.
local id, ok, now = ARGV[2], ARGV[3], tonumber(ARGV[4])
local k = keyOf(id)
local e = redis.call('HMGET', k, 'st', 'pr', 'pa', 'pf')
if e[1] ~= 'i' or e[2] ~= '1' then return nil end
redis.call('HSET', k, 'pr', 0)
local pf = tonumber(e[4])
if ok == '' then
  redis.call('ZADD', queueOf(pf), e[3], queued(id))
  return nil
end
if ok == '0' then
  redis.call('HSET', k, 'pf', pf + 1, 'pa', num(now))
  redis.call('ZADD', queueOf(pf + 1), num(now), queued(id))
  return nil
end
redis.call('HSET', k, 'f', 0)
move(id, 'a', 0, now)
return change(id, 'i')
