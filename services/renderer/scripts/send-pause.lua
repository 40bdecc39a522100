-- send-pause: sending → claimed while a transient SMTP failure waits for its retry. Nothing was
-- accepted (4xx or no connection), so the email is not ambiguous: should the process die during
-- the wait, the lease expires and a redelivery takes the email over and sends it — where a
-- record left in `sending` would be reported `unknown` and never sent. The cap slots stay
-- taken by this email (send-begin lets an email that holds its slot through).
-- KEYS[1] send record hash
-- ARGV[1] owner   ARGV[2] lease until (ms)
-- returns 1 when paused, 0 when the caller no longer owns the sending record
if redis.call('HGET', KEYS[1], 'state') ~= 'sending' or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'claimed', 'lease', ARGV[2])
return 1
