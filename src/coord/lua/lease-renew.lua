-- Extends the lease only while `owner` holds it live. KEYS[1]: the lease hash. ARGV: now, ttlMs,
-- owner.
local owner = redis.call('HGET', KEYS[1], 'owner')
local untilAt = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
local now = tonumber(ARGV[1])
if owner ~= ARGV[3] or untilAt <= now then return 0 end
redis.call('HSET', KEYS[1], 'until', string.format('%.0f', now + tonumber(ARGV[2])))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 60000)
return 1
