-- Makes keys active with a zero failure count and no marks. ARGV[2..]: key ids. Returns the ids
-- that changed state.
local changed = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  local st = redis.call('HGET', keyOf(id), 'st')
  if st then
    redis.call('HSET', keyOf(id), 'f', 0)
    dropMarks(id)
    if st ~= 'a' then
      move(id, 'a', 0, 0)
      changed[#changed + 1] = id
    end
  end
end
return changed
