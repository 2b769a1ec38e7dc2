-- The round-robin pick: the first key in turn that is neither depleted nor tried, else the best
-- seen. The walk takes at most one step per live mark or excluded id, since among that many + 1
-- keys one is unmarked: O(log n) for a group with none. The keys walked past go to the end of
-- the cycle with the picked one, as a cursor moving past them would leave them.
-- ARGV: 2 now, 3 model ('' for none), 4.. excluded ids. KEYS 6 and 7 (optional): the watched
-- routes' set and the config version. Returns {id, hash, stored, failures, rejoined_at,
-- watched routes, config version} or nil: the last two come free with the pick, so a node needs
-- no round trip of its own for its circuit view while no route is watched, nor to poll the
-- config version while it picks.
local now, model = tonumber(ARGV[2]), ARGV[3]
readmit(now)
local active = redis.call('ZCARD', RING)
if active == 0 then return nil end
local exclude, excluded = {}, 0
for i = 4, #ARGV do
  exclude[ARGV[i]] = true
  excluded = excluded + 1
end
local hard, soft, wide, wideMarked = hardOf(model), softOf(model), nil, 0
local marked = liveCount(hard, now) + liveCount(soft, now)
if model ~= '' then
  wide = softOf('')
  wideMarked = liveCount(wide, now)
  marked = marked + wideMarked
end
-- Every active key cooling for the model: none is usable (the hot case of a model's limit).
if marked > 0 and liveCount(activeOf(model), now) >= active then return nil end
-- Every active key marked (depleted, say): no key is best, so the first depleted one not tried
-- will do, and the walk ends there rather than after every key. With key-wide depletions too,
-- this is known when either kind covers every key; a mix of both still walks.
local good = 0
if marked > 0 then
  local all = liveCount(markedOf(model), now) >= active
  if not all and wideMarked > 0 then all = liveCount(markedOf(''), now) >= active end
  if all then good = 1 end
end
local last = math.min(excluded + marked, active - 1)
-- Rank: 0 best; 1 depleted; 2 tried in this request; 3 both; 4 cooling for the model.
local function rankOf(id)
  if marked > 0 and redis.call('ZSCORE', hard, id) then return 4 end
  local rank = 0
  if exclude[id] then rank = 2 end
  if marked > 0 and (redis.call('ZSCORE', soft, id) or (wide and redis.call('ZSCORE', wide, id))) then
    rank = rank + 1
  end
  return rank
end
-- Walked in batches growing from 16: the first unmarked key usually ends the walk early.
local walk, chosen, best, bestRank, size = {}, nil, nil, 4, 16
while chosen == nil and #walk <= last do
  local batch = redis.call('ZRANGE', RING, #walk, math.min(#walk + size - 1, last))
  size = math.min(size * 2, 1024)
  if #batch == 0 then break end
  for _, id in ipairs(batch) do
    walk[#walk + 1] = id
    local rank = rankOf(id)
    if rank <= good then
      chosen = #walk
      break
    end
    if rank < bestRank then best, bestRank = #walk, rank end
  end
end
chosen = chosen or best
if not chosen then return nil end
local turn = redis.call('HINCRBY', META, 'turn', chosen)
for i = 1, chosen do redis.call('ZADD', RING, turn - chosen + i, walk[i]) end
local e = redis.call('HMGET', keyOf(walk[chosen]), 'h', 'v', 'f', 'rj')
local watched, version = 0, '0'
if KEYS[6] then watched = redis.call('SCARD', KEYS[6]) end
if KEYS[7] then version = redis.call('GET', KEYS[7]) or '0' end
return {walk[chosen], e[1], e[2], e[3], e[4] or '0', watched, version}
