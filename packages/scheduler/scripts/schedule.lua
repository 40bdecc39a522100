--[[
  Schedules a timer, or moves it to a new due time (idempotent by id).

  KEYS[1] due     sorted set: id -> due time (ms), timers waiting to fire
  KEYS[2] leases  sorted set: id -> lease expiry (ms), timers claimed by a worker
  KEYS[3] timers  hash: id -> JSON { d = due (ms, string), p = payload, a = attempts, t = lease token }

  ARGV[1] id
  ARGV[2] due time, ms since the epoch (decimal string)
  ARGV[3] payload (opaque string)

  Returns
    1  created
    2  rescheduled: the due time changed; a lease in flight is void (its ack will be refused)
    0  unchanged: same due time (pending or leased); only the payload was replaced
]]
local id, due, payload = ARGV[1], ARGV[2], ARGV[3]
local current = redis.call('HGET', KEYS[3], id)
if current then
  local timer = cjson.decode(current)
  if timer.d == due then
    timer.p = payload
    redis.call('HSET', KEYS[3], id, cjson.encode(timer))
    return 0
  end
  redis.call('ZREM', KEYS[2], id)
end
redis.call('HSET', KEYS[3], id, cjson.encode({ d = due, p = payload, a = 0 }))
redis.call('ZADD', KEYS[1], due, id)
if current then return 2 end
return 1
