-- The live holder as {owner, until}, or an empty reply. KEYS[1]: the lease hash. ARGV: now.
local owner = redis.call('HGET', KEYS[1], 'owner')
local untilAt = redis.call('HGET', KEYS[1], 'until')
if not owner or tonumber(untilAt) <= tonumber(ARGV[1]) then return {} end
return {owner, untilAt}
