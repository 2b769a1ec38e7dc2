-- Deletes the group: every key's hash, its sets, marks and probe queues. O(keys).
for _, set in ipairs({RING, COOL, INV}) do
  for _, id in ipairs(redis.call('ZRANGE', set, 0, -1)) do redis.call('DEL', keyOf(id)) end
end
for level = 0, MAX_LEVEL do redis.call('DEL', queueOf(level)) end
dropModels()
redis.call('DEL', META, RING, COOL, INV, MODELS)
