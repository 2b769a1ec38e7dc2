-- Takes the lease when it is free, expired or already ours. KEYS[1]: the lease hash
-- {owner, until}. ARGV: now, ttlMs, owner. Liveness is decided by `until` against the caller's
-- clock, so every node agrees whatever Redis's own clock says; the expiry only collects dead leases.
local owner = redis.call('HGET', KEYS[1], 'owner')
local untilAt = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
local now = tonumber(ARGV[1])
if owner and untilAt > now and owner ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], 'owner', ARGV[3], 'until', string.format('%.0f', now + tonumber(ARGV[2])))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 60000)
return 1
