-- backfill-lease: take or renew the lease on a campaign's launch backfill (one renderer copy
-- runs it at a time; another takes over once the lease runs out).
-- KEYS[1] lease key
-- ARGV[1] owner   ARGV[2] lease (ms)
-- returns 1 when the caller holds the lease now, 0 when another owner does
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
