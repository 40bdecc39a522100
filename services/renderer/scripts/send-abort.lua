-- send-abort: sending → claimed with an expired lease, when SMTP failed before the message data
-- was handed over (connection refused, greeting or envelope rejected temporarily): nothing can
-- have been delivered, so a retry is safe. Gives back the cap slots.
-- KEYS[1] send record hash   KEYS[2] marketing sends zset   KEYS[3] campaign sends zset
-- ARGV[1] owner   ARGV[2] emailId
-- returns 1 when reverted, 0 when the caller no longer owns it
if redis.call('HGET', KEYS[1], 'state') ~= 'sending' or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'claimed', 'lease', 0)
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
return 1
