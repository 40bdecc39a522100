-- send-claim: take the send record of one email (customer, campaign, trigger) for rendering.
-- KEYS[1] send record hash
-- ARGV[1] owner id   ARGV[2] now (ms)   ARGV[3] lease (ms)   ARGV[4] record TTL (ms)
-- returns {state, stored outcome JSON or ''}:
--   'claimed'  the caller owns it (new, or a previous owner's lease expired before SMTP began)
--   'busy'     another live owner holds it (retry later)
--   'sending'  SMTP began and the outcome was never recorded: unknown, never retried blindly
--   'done'     an outcome was recorded (sent, suppressed, capped, held, failed, skipped, unknown)
local state = redis.call('HGET', KEYS[1], 'state')
local now = tonumber(ARGV[2])
if not state or (state == 'claimed' and tonumber(redis.call('HGET', KEYS[1], 'lease')) < now) then
  redis.call('HSET', KEYS[1], 'state', 'claimed', 'owner', ARGV[1], 'lease', now + tonumber(ARGV[3]))
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return {'claimed', ''}
end
if state == 'claimed' then return {'busy', ''} end
return {state, redis.call('HGET', KEYS[1], 'outcome') or ''}
