-- When the group's first cooling key is usable again, for a model when given: an active key
-- cooling for the model is back at its mark's end, a cooling key at the later of its end and its
-- mark's. ARGV: 2 now, 3 model (''). Returns the time or nil. O(log² n): the first cooling key
-- with no mark for the model is found by a binary search on where cool and shadow (its marked
-- subset, in the same order) part.
local now, model = tonumber(ARGV[2]), ARGV[3]
readmit(now)
local hard = hardOf(model)
if model == '' or liveCount(hard, now) == 0 then
  local head = redis.call('ZRANGE', COOL, 0, 0, 'WITHSCORES')
  return head[2]
end
local first = nil
local function consider(key, rank)
  local at = redis.call('ZRANGE', key, rank, rank, 'WITHSCORES')[2]
  if at and (first == nil or tonumber(at) < first) then first = tonumber(at) end
end
local shadow = shadowOf(model)
liveCount(activeOf(model), now)
-- Entries of keys back by now are gone after readmit; pruning keeps that so whatever happened.
redis.call('ZREMRANGEBYSCORE', shadow, '-inf', num(now))
redis.call('ZREMRANGEBYSCORE', backOf(model), '-inf', num(now))
consider(activeOf(model), 0)
consider(backOf(model), 0)
local cooling, marked = redis.call('ZCARD', COOL), redis.call('ZCARD', shadow)
local lo, hi = 0, math.min(cooling, marked)
while lo < hi do
  local mid = math.floor((lo + hi) / 2)
  if redis.call('ZRANGE', COOL, mid, mid)[1] == redis.call('ZRANGE', shadow, mid, mid)[1] then
    lo = mid + 1
  else
    hi = mid
  end
end
consider(COOL, lo)
if first == nil then return nil end
return num(first)
