-- A version counter's value, 0 when never bumped. KEYS[1]: the counter.
return tonumber(redis.call('GET', KEYS[1]) or '0')
