-- attr-send: record one send (or holdout decision) for live attribution, and prune what left
-- the window: sends older than the window (with their engagement and conversion marks) and
-- order marks older than twice the window (an order can only match sends pruned by then). The
-- hash lives one window past its newest send: by then no send in it can take an order.
-- KEYS[1] the customer's attribution hash; fields:
--   s:<emailId> `<at>|<holdout 1/0>|<arm>|<segment>|<campaign>`   o:<emailId> first open (ms)
--   k:<emailId> first click (ms)   v:<emailId> converted (1)   e:<eventId> / d:<orderId> order (ms)
-- ARGV[1] emailId   ARGV[2] the send's descriptor (s: value)   ARGV[3] now (ms)   ARGV[4] window (ms)
-- returns 1 when recorded, 0 when it was already there
local now = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local field, value = all[i], all[i + 1]
  local kind, id = string.sub(field, 1, 1), string.sub(field, 3)
  if kind == 's' then
    local at = tonumber(string.match(value, '^[^|]+'))
    if at and at + window < now then
      redis.call('HDEL', KEYS[1], field, 'o:' .. id, 'k:' .. id, 'v:' .. id)
    end
  elseif (kind == 'e' or kind == 'd') and tonumber(value) < now - 2 * window then
    redis.call('HDEL', KEYS[1], field)
  end
end
local added = redis.call('HSETNX', KEYS[1], 's:' .. ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], window)
return added
