-- The ids of the group's invalid keys.
return redis.call('ZRANGE', INV, 0, -1)
