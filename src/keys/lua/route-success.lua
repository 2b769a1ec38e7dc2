-- A success on a closed route: its failures so far were not an incident. An open or half-open
-- circuit is closed by a probe only. KEYS: 1 the route's hash, 2 its recent failures, 3 the
-- watched set. ARGV: 1 route.
if redis.call('HGET', KEYS[1], 'circuit') == '1' then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
return 1
