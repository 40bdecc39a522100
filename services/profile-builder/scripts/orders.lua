-- Per-order records: prepended to apply-ops.lua after common.lua (not a script of its own).
-- The `ord` hash (KEYS[11]) of a customer, see src/order-records.ts:
--   o:<id>               'st|cents|at|disc|items|currency|amount'; st: o counted, c cancelled,
--                        x a cancellation seen before the order itself
--   r:<id>\031<key>       cents of one refund (each refund counts once)
--   t:<id>               total cents refunded (applied up to the order's amount)
--   u:<id>               'at|cents|currency|amount' of the latest Order Updated (by event time;
--                        ties: the greater record): its cents replace the completion's
-- The transitions commute, so any arrival order, and a merge replaying another customer's
-- records, gives the same counters. Writes to `ord` are not logged (not in snapshots).
local DAY_MS = 86400000

local SEP = '\031' -- between an order id and a refund key

local function new_orders(put, set_min)
  local P, D, O = KEYS[1], KEYS[2], KEYS[11]
  local function fields(rec)
    local st, cents, at, disc, items =
      string.match(rec, '^(%a)|(%-?%d+)|(%-?%d+)|(%d)|(%-?%d+)')
    return st, tonumber(cents), tonumber(at), tonumber(disc), tonumber(items)
  end
  local function incr(ki, k, f, by)
    if by ~= 0 then put(ki, f, redis.call('HINCRBY', k, f, by)) end
  end
  -- the amount an order counts with: its latest update's, else the completion's
  local function effective(id, cents)
    local u = redis.call('HGET', O, 'u:' .. id)
    if not u then return cents end
    return tonumber(string.match(u, '^%-?%d+|(%-?%d+)'))
  end
  -- a counted order's share of the counters: added (sign 1) or taken away (-1)
  local function contribute(id, rec, sign)
    local _, completed, at, disc, items = fields(rec)
    local cents = effective(id, completed)
    local refunded = tonumber(redis.call('HGET', O, 't:' .. id) or '0')
    incr(1, P, 'orders', sign)
    incr(1, P, 'spentCents', sign * cents)
    incr(1, P, 'refundedCents', sign * math.min(refunded, cents))
    incr(1, P, 'discountedOrders', sign * disc)
    incr(1, P, 'itemsBought', sign * items)
    local day = math.floor(at / DAY_MS)
    if day >= tonumber(redis.call('HGET', D, '!cut') or '-1e18') then
      incr(2, D, 'o:' .. day, sign)
      incr(2, D, 's:' .. day, sign * cents)
      set_min(2, D, '!lo', day)
    end
  end

  local M = {}
  -- Each returns true when the transition was already made (an event then skips its rest).
  function M.complete(id, data)
    local cur = redis.call('HGET', O, 'o:' .. id)
    local st = cur and string.sub(cur, 1, 1)
    if st == 'o' or st == 'c' then return true end
    if st == 'x' then
      redis.call('HSET', O, 'o:' .. id, 'c|' .. data)
      return false
    end
    local rec = 'o|' .. data
    redis.call('HSET', O, 'o:' .. id, rec)
    contribute(id, rec, 1)
    return false
  end
  function M.refund(id, key, cents)
    if redis.call('HSETNX', O, 'r:' .. id .. SEP .. key, cents) == 0 then return true end
    local before = tonumber(redis.call('HINCRBY', O, 't:' .. id, cents)) - cents
    incr(1, P, 'refunds', 1)
    local cur = redis.call('HGET', O, 'o:' .. id)
    if cur and string.sub(cur, 1, 1) == 'o' then
      local _, completed = fields(cur)
      local amount = effective(id, completed)
      incr(1, P, 'refundedCents', math.min(before + cents, amount) - math.min(before, amount))
    end
    return false
  end
  -- The latest amount wins (event time, then the greater record); a counted order moves its
  -- share from the old amount to the new one, refunds capped anew. Never skips its event.
  function M.update(id, data)
    local cur = redis.call('HGET', O, 'u:' .. id)
    if cur then
      local at, cur_at = tonumber(string.match(data, '^(%-?%d+)')), tonumber(string.match(cur, '^(%-?%d+)'))
      if at < cur_at or (at == cur_at and data <= cur) then return true end
    end
    local rec = redis.call('HGET', O, 'o:' .. id)
    local counted = rec and string.sub(rec, 1, 1) == 'o'
    if counted then contribute(id, rec, -1) end
    redis.call('HSET', O, 'u:' .. id, data)
    if counted then contribute(id, rec, 1) end
    return false
  end
  function M.cancel(id, at)
    local cur = redis.call('HGET', O, 'o:' .. id)
    local st = cur and string.sub(cur, 1, 1)
    if st == 'c' or st == 'x' then return true end
    incr(1, P, 'cancelledOrders', 1)
    if st == 'o' then
      contribute(id, cur, -1)
      redis.call('HSET', O, 'o:' .. id, 'c' .. string.sub(cur, 2))
    else
      redis.call('HSET', O, 'o:' .. id, 'x|0|' .. at .. '|0|0||')
    end
    return false
  end
  return M
end

