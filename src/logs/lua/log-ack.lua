-- Removes acknowledged entries (ARGV: their ids) from the log stream KEYS[1]. Returns how many.
if #ARGV == 0 then return 0 end
return redis.call('XDEL', KEYS[1], unpack(ARGV))
