-- Frees the lease when `owner` holds it live. KEYS[1]: the lease hash. ARGV: now, owner.
local owner = redis.call('HGET', KEYS[1], 'owner')
local untilAt = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if owner ~= ARGV[2] or untilAt <= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
return 1
