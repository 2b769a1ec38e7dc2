-- The group's keys by state, as {active, cooling, invalid}. ARGV[2]: now.
readmit(tonumber(ARGV[2]))
return {redis.call('ZCARD', RING), redis.call('ZCARD', COOL), redis.call('ZCARD', INV)}
