-- Route health on Redis: the shared part of every route-*.lua. A route's hash holds its view
-- while watched (state, failure, since, cause, retryAt, probing), circuit '1' while an incident
-- is open or half-open, openMs (the next re-open's length) and seq (numbers its failures); its
-- recent failures are a zset by time; the watched routes (not closed, or with failures since their
-- last success) are a set.

local function num(x) return string.format('%.17g', x) end

-- The open time, varied by +-jitter with the caller's random value in [0, 1), rounded as JS does.
local function jittered(ms, random, jitter)
  return math.floor(ms * (1 + jitter * (2 * random - 1)) + 0.5)
end
