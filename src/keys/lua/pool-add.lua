-- Adds keys; disabled ones leave. A key already present keeps its health: failures only grow, a
-- cooldown stays, and an invalid key stays invalid until restored. New active keys join the end
-- of the cycle in row order. ARGV[2..]: per row id, stored value, key_hash, status,
-- failure_count, enabled ('1' or '0').
local turn = tonumber(redis.call('HGET', META, 'turn') or '0')
for i = 2, #ARGV, 6 do
  local id, status, failures = ARGV[i], ARGV[i + 3], tonumber(ARGV[i + 4])
  local k = keyOf(id)
  local e = redis.call('HMGET', k, 'st', 'f')
  if ARGV[i + 5] == '0' then
    deleteKey(id)
  elseif not e[1] then
    redis.call('HSET', k, 'v', ARGV[i + 1], 'h', ARGV[i + 2], 'f', failures, 's', 0, 'u', 0,
      'rj', 0, 'pa', 0, 'pf', 0, 'pr', 0, 'st', 'a')
    if status == 'invalid' then
      attach(id, 'i', 0)
    else
      turn = turn + 1
      redis.call('ZADD', RING, turn, id)
    end
  else
    redis.call('HSET', k, 'v', ARGV[i + 1], 'h', ARGV[i + 2], 'f',
      math.max(tonumber(e[2]), failures))
    if status == 'invalid' and e[1] ~= 'i' then move(id, 'i', 0, 0) end
  end
end
redis.call('HSET', META, 'turn', turn)
