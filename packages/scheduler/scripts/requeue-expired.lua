--[[
  Lease expiry: puts timers whose lease ran out (their worker died or hung) back in `due` at
  their original due time, so they fire again. The old token stays on the timer until the next
  claim, so a slow worker that finishes before anyone re-claims may still ack.

  KEYS[1] due     sorted set: id -> due time (ms)
  KEYS[2] leases  sorted set: id -> lease expiry (ms)
  KEYS[3] timers  hash: id -> JSON { d, p, a, t }

  ARGV[1] now, ms since the epoch
  ARGV[2] limit, most timers to requeue

  Returns the number of timers requeued
]]
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local requeued = 0
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[2], id)
  local raw = redis.call('HGET', KEYS[3], id)
  if raw then
    local timer = cjson.decode(raw)
    redis.call('ZADD', KEYS[1], timer.d, id)
    requeued = requeued + 1
  end
end
return requeued
