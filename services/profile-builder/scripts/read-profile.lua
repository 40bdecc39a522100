-- read-profile: a consistent snapshot of one customer (read only).
-- KEYS: the customer's 13 keys (see common.lua)
-- ARGV: none
-- Returns: {-1, into} merged away; {0} unknown; {1, version, dump}
local p = KEYS[1]
if redis.call('HEXISTS', p, '!into') == 1 then return { -1, redis.call('HGET', p, '!into') } end
if redis.call('EXISTS', p) == 0 then return { 0 } end
return { 1, redis.call('HGET', p, '!v') or '0', dump_state(false) }
