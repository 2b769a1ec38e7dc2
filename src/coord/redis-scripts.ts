// The Lua scripts of Coordination on Redis: each operation is one script, so it is atomic among
// nodes, and the same text runs on Redis (EVALSHA) and on Upstash (its EVAL). A lease is a hash
// {owner, until}; liveness is decided by `until` against the caller's clock (ARGV[1]), so every
// node agrees whatever Redis's own clock says; the key's expiry only collects dead leases.

/** Takes the lease when it is free, expired or already ours. ARGV: now, ttlMs, owner. */
export const LEASE_ACQUIRE = `
local owner = redis.call('HGET', KEYS[1], 'owner')
local untilAt = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
local now = tonumber(ARGV[1])
if owner and untilAt > now and owner ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], 'owner', ARGV[3], 'until', string.format('%.0f', now + tonumber(ARGV[2])))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 60000)
return 1
`

/** Extends the lease only while `owner` holds it live. ARGV: now, ttlMs, owner. */
export const LEASE_RENEW = `
local owner = redis.call('HGET', KEYS[1], 'owner')
local untilAt = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
local now = tonumber(ARGV[1])
if owner ~= ARGV[3] or untilAt <= now then return 0 end
redis.call('HSET', KEYS[1], 'until', string.format('%.0f', now + tonumber(ARGV[2])))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 60000)
return 1
`

/** Frees the lease when `owner` holds it live. ARGV: now, owner. */
export const LEASE_RELEASE = `
local owner = redis.call('HGET', KEYS[1], 'owner')
local untilAt = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if owner ~= ARGV[2] or untilAt <= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
return 1
`

/** The live holder as {owner, until}, or an empty reply. ARGV: now. */
export const LEASE_HOLDER = `
local owner = redis.call('HGET', KEYS[1], 'owner')
local untilAt = redis.call('HGET', KEYS[1], 'until')
if not owner or tonumber(untilAt) <= tonumber(ARGV[1]) then return {} end
return {owner, untilAt}
`

export const VERSION_GET = `return tonumber(redis.call('GET', KEYS[1]) or '0')`

/** Bumps the counter and tells subscribers of KEYS[1] (the same name) the new value. */
export const VERSION_BUMP = `
local v = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', KEYS[1], v)
return v
`
