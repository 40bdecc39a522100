-- attr-engage: note the first human open or click of a recorded send.
-- KEYS[1] the customer's attribution hash (fields: see attr-send.lua)
-- ARGV[1] 'o' (open) or 'k' (click)   ARGV[2] emailId   ARGV[3] when (ms)
-- returns 1 the first time, 0 again, -1 when the send is not recorded (outside the window)
if redis.call('HEXISTS', KEYS[1], 's:' .. ARGV[2]) == 0 then return -1 end
return redis.call('HSETNX', KEYS[1], ARGV[1] .. ':' .. ARGV[2], ARGV[3])
