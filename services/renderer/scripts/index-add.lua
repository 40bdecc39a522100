-- index-add: note one member in a customer's index set (its send records, its campaign zsets),
-- keeping the set alive at least as long as what it indexes, never shortening its life.
-- KEYS[1] index set
-- ARGV[1] member   ARGV[2] keep for (ms), or 'forever' (what it indexes never expires)
-- returns 1
local existed = redis.call('EXISTS', KEYS[1]) == 1
redis.call('SADD', KEYS[1], ARGV[1])
if ARGV[2] == 'forever' then
  redis.call('PERSIST', KEYS[1])
  return 1
end
local keep = tonumber(ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
-- A set that existed without a TTL indexes something kept forever: it stays so.
if not existed or (ttl >= 0 and ttl < keep) then redis.call('PEXPIRE', KEYS[1], keep) end
return 1
