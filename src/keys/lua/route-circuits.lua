-- The watched routes, an open one turning half-open once its retry time came. KEYS: 1 the
-- watched set. ARGV: 1 the route hashes' prefix (their names are derived from it, as the routes
-- are not known before the set is read), 2 now. Returns {route, state, failure, since, cause,
-- retryAt, probing, ...}.
local now = tonumber(ARGV[2])
local out = {}
for _, route in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local k = ARGV[1] .. route
  local c = redis.call('HMGET', k, 'state', 'failure', 'since', 'cause', 'retryAt', 'probing')
  if c[1] then
    if c[1] == 'open' and tonumber(c[5]) <= now then
      c[1] = 'half_open'
      redis.call('HSET', k, 'state', 'half_open')
    end
    out[#out + 1] = route
    for i = 1, 6 do out[#out + 1] = c[i] end
  end
end
return out
