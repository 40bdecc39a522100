-- send-hold: claimed → held, once the release timer is scheduled (quiet hours, campaign delay).
-- A redelivered trigger then gets the stored `held` outcome; only the release (send-claim with
-- ARGV[5] = '1') takes the record again, and re-checks everything.
-- KEYS[1] send record hash
-- ARGV[1] owner   ARGV[2] outcome JSON (outcome `held`)
-- returns 1 when held, 0 when the caller no longer owns the claim
if redis.call('HGET', KEYS[1], 'state') ~= 'claimed' or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'held', 'outcome', ARGV[2], 'lease', 0)
return 1
