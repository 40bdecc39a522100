--[[
  Cancels a timer, pending or leased (a lease in flight is void: its ack will be refused).

  KEYS[1] due     sorted set: id -> due time (ms)
  KEYS[2] leases  sorted set: id -> lease expiry (ms)
  KEYS[3] timers  hash: id -> timer JSON

  ARGV[1] id

  Returns
    1  cancelled
    0  there was no such timer
]]
local id = ARGV[1]
redis.call('ZREM', KEYS[1], id)
redis.call('ZREM', KEYS[2], id)
return redis.call('HDEL', KEYS[3], id)
