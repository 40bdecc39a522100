--[[
  Writes one customer's cart state if nobody wrote it since the caller read it
  (compare-and-set), so the consumer and the timer never overwrite each other's changes.

  KEYS[1] cart hash of the customer: v = version (integer), s = state JSON

  ARGV[1] version the caller read ('0' when the cart did not exist)
  ARGV[2] new state JSON
  ARGV[3] time to live, ms (an idle cart is forgotten after it)

  Returns
    the new version (>= 1)
    -1  VERSION_MOVED: someone wrote since; re-read, re-apply, retry
]]
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then return -1 end
local version = current + 1
redis.call('HSET', KEYS[1], 'v', version, 's', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return version
