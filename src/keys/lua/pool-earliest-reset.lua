-- When the group's first cooling key is usable again, for a model when given: a key cooling for
-- it too is back at the later end. ARGV: 2 now, 3 model (''). Returns the time or nil. With marks
-- for the model, O(marks): every marked key, then the cooling keys in order up to the first one
-- with no mark.
local now, model = tonumber(ARGV[2]), ARGV[3]
readmit(now)
local hard = hardOf(model)
if model == '' or liveCount(hard, now) == 0 then
  local head = redis.call('ZRANGE', COOL, 0, 0, 'WITHSCORES')
  return head[2]
end
local first = nil
local function consider(at)
  if first == nil or at < first then first = at end
end
local marks = redis.call('ZRANGE', hard, 0, -1, 'WITHSCORES')
for i = 1, #marks, 2 do
  local e = redis.call('HMGET', keyOf(marks[i]), 'st', 'u')
  if e[1] == 'a' then
    consider(tonumber(marks[i + 1]))
  elseif e[1] == 'c' then
    consider(math.max(tonumber(e[2]), tonumber(marks[i + 1])))
  end
end
local from, found = 0, false
while not found do
  local batch = redis.call('ZRANGE', COOL, from, from + 99, 'WITHSCORES')
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    if first ~= nil and tonumber(batch[i + 1]) >= first then
      found = true
    elseif not redis.call('ZSCORE', hard, batch[i]) then
      consider(tonumber(batch[i + 1]))
      found = true
    end
    if found then break end
  end
  from = from + 100
end
if first == nil then return nil end
return num(first)
