-- merge-drop: last step of a merge. Deletes the loser's state, keeping only the fence
-- (`!into`) so a late event for it still finds the survivor, and the version its tombstone
-- carries (`!tv`), so a redelivered cause can publish it again until it is acked (`!tacked`).
-- KEYS: the loser's 13 keys (see common.lua)
-- ARGV[1] survivor customer id
-- Returns: 1 dropped (now or before); -1 the loser is not marked for ARGV[1] (nothing deleted)
if redis.call('HGET', KEYS[1], '!into') ~= ARGV[1] then return -1 end
if redis.call('HEXISTS', KEYS[1], '!tv') == 1 then return 1 end
local tv = tonumber(redis.call('HGET', KEYS[1], '!v') or '0') + 1
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9],
  KEYS[10], KEYS[11], KEYS[12], KEYS[13])
redis.call('HSET', KEYS[1], '!into', ARGV[1], '!tv', tv)
return 1
