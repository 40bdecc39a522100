-- send-begin: claimed → sending, atomically with re-eligibility and the frequency caps, right
-- before SMTP.
-- KEYS[1] send record hash   KEYS[2] customer's marketing sends (zset: emailId by time)
-- KEYS[3] customer's sends of this campaign (zset)
-- ARGV[1] owner   ARGV[2] now (ms)   ARGV[3] emailId
-- ARGV[4] global max (0 = none)   ARGV[5] global window (ms)   ARGV[6] counts toward global (1/0)
-- ARGV[7] campaign max (0 = none)   ARGV[8] campaign window (ms)   ARGV[9] zset TTL (ms)
-- ARGV[10] re-eligibility: '0' (every trigger), 'once' (never a second send), or a window (ms)
-- returns 'ok' | 'lost' (another owner) | 'ineligible' | 'capped:global' | 'capped:campaign'
if redis.call('HGET', KEYS[1], 'state') ~= 'claimed' or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return 'lost'
end
local now = tonumber(ARGV[2])
-- An email that already holds its slot (a retry after send-pause, or a takeover of one) is
-- not counted against itself.
local function holds(key) return redis.call('ZSCORE', key, ARGV[3]) end
local function full(key, max, window)
  if tonumber(max) <= 0 or holds(key) then return false end
  return redis.call('ZCOUNT', key, '(' .. (now - tonumber(window)), '+inf') >= tonumber(max)
end
local reelig = ARGV[10]
if ARGV[6] == '1' then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[5])) end
-- The campaign zset is trimmed by its longest window; 'once' keeps every send for good.
if reelig ~= 'once' then
  local keep = math.max(tonumber(ARGV[8]), tonumber(reelig))
  if keep > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - keep) end
end
if reelig == 'once' then
  if not holds(KEYS[3]) and redis.call('ZCARD', KEYS[3]) > 0 then return 'ineligible' end
elseif full(KEYS[3], 1, reelig) then
  return 'ineligible'
end
if ARGV[6] == '1' and full(KEYS[2], ARGV[4], ARGV[5]) then return 'capped:global' end
if full(KEYS[3], ARGV[7], ARGV[8]) then return 'capped:campaign' end
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[2], 'NX', now, ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[9])
end
redis.call('ZADD', KEYS[3], 'NX', now, ARGV[3])
if reelig == 'once' then redis.call('PERSIST', KEYS[3]) else redis.call('PEXPIRE', KEYS[3], ARGV[9]) end
redis.call('HSET', KEYS[1], 'state', 'sending', 'sendingAt', now)
return 'ok'
