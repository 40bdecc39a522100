-- send-claim: take the send record of one email (customer, campaign, trigger) for rendering.
-- KEYS[1] send record hash
-- ARGV[1] owner id   ARGV[2] now (ms)   ARGV[3] lease (ms)   ARGV[4] record TTL (ms)
-- ARGV[5] '1' when the scheduler releases a held email (a held record may then be taken)
-- returns {state, stored outcome JSON or ''}:
--   'claimed'  the caller owns it (new, a previous owner's lease expired before SMTP began, or
--              a held email being released)
--   'busy'     another live owner holds it (retry later)
--   'held'     waiting for its release timer (quiet hours, delay); the stored outcome is `held`
--   'sending'  SMTP began and the outcome was never recorded: unknown, never retried blindly
--   'done'     an outcome was recorded (sent, suppressed, capped, failed, skipped, unknown)
local state = redis.call('HGET', KEYS[1], 'state')
local now = tonumber(ARGV[2])
if not state
  or (state == 'claimed' and tonumber(redis.call('HGET', KEYS[1], 'lease')) < now)
  or (state == 'held' and ARGV[5] == '1') then
  redis.call('HSET', KEYS[1], 'state', 'claimed', 'owner', ARGV[1], 'lease', now + tonumber(ARGV[3]))
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return {'claimed', ''}
end
if state == 'claimed' then return {'busy', ''} end
return {state, redis.call('HGET', KEYS[1], 'outcome') or ''}
