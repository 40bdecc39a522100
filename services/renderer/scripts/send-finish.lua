-- send-finish: record the final outcome of one email (any state → done), unless already done.
-- KEYS[1] send record hash   KEYS[2] marketing sends zset   KEYS[3] campaign sends zset
-- ARGV[1] outcome JSON   ARGV[2] outcome name   ARGV[3] emailId   ARGV[4] release caps (1/0: the
-- cap slot taken by send-begin is given back when SMTP did not accept the message)
-- returns 1 when recorded, 0 when an outcome was already there
if redis.call('HGET', KEYS[1], 'state') == 'done' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'done', 'outcome', ARGV[1], 'result', ARGV[2])
if ARGV[4] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[3])
  redis.call('ZREM', KEYS[3], ARGV[3])
end
return 1
