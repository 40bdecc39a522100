-- rescore-claim: leases a batch of customers whose churn score is due for a rescore.
-- KEYS[1] due zset: customer -> when its score was last written (ms); a leased member holds
--         its lease's end minus the rescore age, so it is due again when the lease runs out
-- KEYS[2] scores hash: customer -> the churnRisk last published for it
-- ARGV[1] cutoff: members scored at or before it are due (now - rescore age)
-- ARGV[2] lease score given to every claimed member (cutoff + lease)
-- ARGV[3] most members to claim
-- Returns: flat list of triples {customer, last published score or '', score in the zset}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0,
  tonumber(ARGV[3]))
local out = {}
for i = 1, #due, 2 do
  redis.call('ZADD', KEYS[1], ARGV[2], due[i])
  out[#out + 1] = due[i]
  out[#out + 1] = redis.call('HGET', KEYS[2], due[i]) or ''
  out[#out + 1] = due[i + 1]
end
return out
