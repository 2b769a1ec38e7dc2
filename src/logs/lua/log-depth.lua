-- Entries waiting in the log stream KEYS[1].
return redis.call('XLEN', KEYS[1])
