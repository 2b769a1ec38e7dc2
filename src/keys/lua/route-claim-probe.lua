-- Takes the route's one probe slot when its circuit is due. KEYS: 1 the route's hash. ARGV: 1 now.
local c = redis.call('HMGET', KEYS[1], 'circuit', 'probing', 'retryAt')
if c[1] ~= '1' or c[2] == '1' or tonumber(c[3]) > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'state', 'half_open', 'probing', 1)
return 1
