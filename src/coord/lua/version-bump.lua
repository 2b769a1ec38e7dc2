-- Bumps the counter and tells subscribers of KEYS[1] (the same name) the new value.
local v = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', KEYS[1], v)
return v
