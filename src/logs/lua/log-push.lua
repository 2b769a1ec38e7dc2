-- Appends request-log rows to the stream KEYS[1], one entry per row (field `r`, the row's JSON).
-- ARGV[1]: the stream's cap (approximate, so trimming stays O(1) amortised); ARGV[2..]: rows.
-- Returns the stream's length.
local cap = tonumber(ARGV[1])
for i = 2, #ARGV do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', cap, '*', 'r', ARGV[i])
end
return redis.call('XLEN', KEYS[1])
