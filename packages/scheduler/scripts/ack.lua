--[[
  Acknowledges a fired timer: deletes it, provided the caller's lease is still the timer's
  latest claim (not rescheduled, cancelled or re-claimed by another worker since).

  KEYS[1] due     sorted set: id -> due time (ms)
  KEYS[2] leases  sorted set: id -> lease expiry (ms)
  KEYS[3] timers  hash: id -> JSON { d, p, a, t }

  ARGV[1] id
  ARGV[2] token of the claim

  Returns
     1  acknowledged, timer deleted
    -1  TIMER_GONE: cancelled (or already acked) meanwhile
    -2  LEASE_LOST: rescheduled, or re-claimed after the lease expired
]]
local id, token = ARGV[1], ARGV[2]
local raw = redis.call('HGET', KEYS[3], id)
if not raw then return -1 end
local timer = cjson.decode(raw)
if timer.t ~= token then return -2 end
redis.call('ZREM', KEYS[1], id)
redis.call('ZREM', KEYS[2], id)
redis.call('HDEL', KEYS[3], id)
return 1
