// Generated from the .lua files beside it by `npm run gen:lua`; edit those, not this.

export const LOG_PUSH =
  "-- Appends request-log rows to the stream KEYS[1], one entry per row (field `r`, the row's JSON).\n-- ARGV[1]: the stream's cap (approximate, so trimming stays O(1) amortised); ARGV[2..]: rows.\n-- Returns the stream's length.\nlocal cap = tonumber(ARGV[1])\nfor i = 2, #ARGV do\n  redis.call('XADD', KEYS[1], 'MAXLEN', '~', cap, '*', 'r', ARGV[i])\nend\nreturn redis.call('XLEN', KEYS[1])\n"

export const LOG_READ =
  "-- The oldest ARGV[1] entries of the log stream KEYS[1], left in place until acknowledged.\n-- Returns a flat array: id, row, id, row, \u2026\nlocal out = {}\nlocal entries = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', tonumber(ARGV[1]))\nfor _, e in ipairs(entries) do\n  out[#out + 1] = e[1]\n  local f = e[2]\n  local row = ''\n  for i = 1, #f, 2 do\n    if f[i] == 'r' then row = f[i + 1] end\n  end\n  out[#out + 1] = row\nend\nreturn out\n"

export const LOG_ACK =
  "-- Removes acknowledged entries (ARGV: their ids) from the log stream KEYS[1]. Returns how many.\nif #ARGV == 0 then return 0 end\nreturn redis.call('XDEL', KEYS[1], unpack(ARGV))\n"

export const LOG_DEPTH =
  "-- Entries waiting in the log stream KEYS[1].\nreturn redis.call('XLEN', KEYS[1])\n"
