-- Removes the group's keys that are not listed; the kept ones' health is untouched. O(keys): a
-- node's catch-up, not a request's work. ARGV[2..]: the key ids to keep.
local keep = {}
for i = 2, #ARGV do keep[ARGV[i]] = true end
for _, set in ipairs({RING, COOL, INV}) do
  for _, id in ipairs(redis.call('ZRANGE', set, 0, -1)) do
    if not keep[id] then deleteKey(id) end
  end
end
dropIfEmpty()
