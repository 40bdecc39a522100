--[[
  Claims due timers: moves up to `limit` timers whose due time is <= now from `due` to `leases`
  under a lease that expires at `lease_until`, stamping each with the claim's token.

  KEYS[1] due     sorted set: id -> due time (ms)
  KEYS[2] leases  sorted set: id -> lease expiry (ms)
  KEYS[3] timers  hash: id -> JSON { d, p, a, t }

  ARGV[1] now, ms since the epoch (the caller's clock; this script never calls TIME)
  ARGV[2] lease_until, ms since the epoch
  ARGV[3] limit, most timers to claim
  ARGV[4] token, unique to this claim; ack must present it

  Returns { claimed, next_due, next_lease_expiry }
    claimed            flat list: id, due, payload, attempt, id, due, payload, attempt, ...
    next_due           score of the earliest timer still waiting, or false
    next_lease_expiry  score of the earliest lease, or false
]]
local now, lease_until, limit, token = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
local claimed = {}
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local raw = redis.call('HGET', KEYS[3], id)
  if raw then
    local timer = cjson.decode(raw)
    timer.a = (timer.a or 0) + 1
    timer.t = token
    redis.call('HSET', KEYS[3], id, cjson.encode(timer))
    redis.call('ZADD', KEYS[2], lease_until, id)
    claimed[#claimed + 1] = id
    claimed[#claimed + 1] = timer.d
    claimed[#claimed + 1] = timer.p
    claimed[#claimed + 1] = tostring(timer.a)
  end
end
local next_due = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] or false
local next_lease = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2] or false
return { claimed, next_due, next_lease }
