-- rescore-bump: a new version of one customer's profile for a rescored trait (no other field
-- changes), only while the profile is still at the version the rescore read.
-- KEYS[1] the customer's `p` hash
-- ARGV[1] the version the rescore read (`!v`)
-- Returns: {-1, into} merged away; {0} no profile (erased); {2, version} changed since the read;
--          {1, version} bumped to `version`
local p = KEYS[1]
if redis.call('HEXISTS', p, '!into') == 1 then return { -1, redis.call('HGET', p, '!into') } end
if redis.call('EXISTS', p) == 0 then return { 0 } end
local v = redis.call('HGET', p, '!v') or '0'
if v ~= ARGV[1] then return { 2, v } end
return { 1, redis.call('HINCRBY', p, '!v', 1) }
