-- The oldest ARGV[1] entries of the log stream KEYS[1], left in place until acknowledged.
-- Returns a flat array: id, row, id, row, …
local out = {}
local entries = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', tonumber(ARGV[1]))
for _, e in ipairs(entries) do
  out[#out + 1] = e[1]
  local f = e[2]
  local row = ''
  for i = 1, #f, 2 do
    if f[i] == 'r' then row = f[i + 1] end
  end
  out[#out + 1] = row
end
return out
