-- send-begin: claimed → sending, atomically with the frequency caps, right before SMTP.
-- KEYS[1] send record hash   KEYS[2] customer's marketing sends (zset: emailId by time)
-- KEYS[3] customer's sends of this campaign (zset)
-- ARGV[1] owner   ARGV[2] now (ms)   ARGV[3] emailId
-- ARGV[4] global max (0 = none)   ARGV[5] global window (ms)   ARGV[6] counts toward global (1/0)
-- ARGV[7] campaign max (0 = none)   ARGV[8] campaign window (ms)   ARGV[9] zset TTL (ms)
-- returns 'ok' | 'lost' (another owner) | 'capped:global' | 'capped:campaign'
if redis.call('HGET', KEYS[1], 'state') ~= 'claimed' or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return 'lost'
end
local now = tonumber(ARGV[2])
local function full(key, max, window)
  if tonumber(max) <= 0 then return false end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - tonumber(window))
  -- An email that already holds its slot (a retry after send-pause, or a takeover of one) is
  -- not counted against itself.
  if redis.call('ZSCORE', key, ARGV[3]) then return false end
  return redis.call('ZCARD', key) >= tonumber(max)
end
if ARGV[6] == '1' and full(KEYS[2], ARGV[4], ARGV[5]) then return 'capped:global' end
if full(KEYS[3], ARGV[7], ARGV[8]) then return 'capped:campaign' end
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[2], 'NX', now, ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[9])
end
redis.call('ZADD', KEYS[3], 'NX', now, ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[9])
redis.call('HSET', KEYS[1], 'state', 'sending', 'sendingAt', now)
return 'ok'
