-- attr-order: count an order once (by event id, and by order id when it has one: the browser
-- and the shop backend may both report it), and mark the sends it converts.
-- KEYS[1] the customer's attribution hash (fields: see attr-send.lua)
-- ARGV[1] event id   ARGV[2] order id ('' = none)   ARGV[3] order time (ms)
-- ARGV[4..] email ids of the sends whose window holds the order
-- returns {0} when already counted (or nothing is recorded any more), else {1, email ids whose
-- first conversion this is...}
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
if redis.call('HEXISTS', KEYS[1], 'e:' .. ARGV[1]) == 1 then return {0} end
if ARGV[2] ~= '' and redis.call('HEXISTS', KEYS[1], 'd:' .. ARGV[2]) == 1 then return {0} end
redis.call('HSET', KEYS[1], 'e:' .. ARGV[1], ARGV[3])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'd:' .. ARGV[2], ARGV[3]) end
local out = {1}
for i = 4, #ARGV do
  if redis.call('HSETNX', KEYS[1], 'v:' .. ARGV[i], 1) == 1 then out[#out + 1] = ARGV[i] end
end
return out
