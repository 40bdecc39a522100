-- apply-ops: one customer transition. Applies a list of order-independent ops atomically
-- together with the idempotency mark of what caused them (an event id, or merge:<id>).
-- KEYS: the customer's 13 keys (see common.lua)
-- ARGV[1] mark: event id / merge:<loser>; '' = no mark and no version bump (acks)
-- ARGV[2] mark score: the event's receivedAt (ms)
-- ARGV[3] marks older than this score are trimmed (ms)
-- ARGV[4] reply: 'snapshot' (the state after, as dump_state) | 'log' (every write made) | 'none'
-- ARGV[5..] ops as 5-tuples: code, key index, field, a, b (see ops.ts); the order codes
--   (oc/or/ox, merge variants mc/mr/mx, ou the latest amount) are the per-order transitions of
--   orders.lua; se (field: gap, a: start, b: end) is the session transition of sessions.lua;
--   ks lowers `knownSince` (a profile without one but with a firstSeenAt starts from that)
--   Rule aggregates (`g.<id>` fields of p, JSON folded in TypeScript): a leading 'gc' op names
--   the `!gv` token (the mark that last wrote them, '' = none) the fold started from; when it
--   differs nothing is written and 3 is returned (the caller refolds from a fresh read). 'gs'
--   ops set `g.<id>`; when any ran, `!gv` becomes this mark.
-- Returns:
--   {-1, into}                 the customer was merged into `into`: apply there instead
--   {3, version}               the rule aggregates changed since the caller read them
--   {0, version, extra?}       the mark was already there: nothing changed
--   {1, version, extra?}       applied
--   {2, version, extra?}       marked, but a guard op found the change already counted
-- extra: with 'snapshot' the dump; with 'log' a flat list of writes in order, as triples
--   (key index, field/member, new value), or (-key index, field/member, '') for a deletion;
--   the unique open/click sets (8, 9) log ('#', their new size); marks and orders are not logged.
local p = KEYS[1]
if redis.call('HEXISTS', p, '!into') == 1 then
  return { -1, redis.call('HGET', p, '!into') }
end
local mark = ARGV[1]
local logging = ARGV[4] == 'log'
local log, n = {}, 0
local function put(ki, f, v)
  if not logging or ki == 10 or ki == 11 then return end
  log[n + 1], log[n + 2], log[n + 3] = ki, f, v
  n = n + 3
end
local function del(ki, f)
  if not logging then return end
  log[n + 1], log[n + 2], log[n + 3] = -ki, f, ''
  n = n + 3
end
local function result(status)
  local version = redis.call('HGET', p, '!v') or '0'
  if ARGV[4] == 'snapshot' then return { status, version, dump_state(false) } end
  if logging then return { status, version, log } end
  return { status, version }
end
if mark ~= '' and redis.call('ZSCORE', KEYS[10], mark) then return result(0) end
if ARGV[5] == 'gc' and (redis.call('HGET', p, '!gv') or '') ~= ARGV[8] then
  return { 3, redis.call('HGET', p, '!v') or '0' }
end
if mark ~= '' then
  redis.call('ZADD', KEYS[10], ARGV[2], mark)
  -- trimming on about one event in 8 (by its receivedAt) keeps the marks bounded for less work
  if tonumber(ARGV[2]) % 8 == 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[10], '-inf', '(' .. ARGV[3])
  end
end

local function set_max(ki, k, f, v)
  local cur = redis.call('HGET', k, f)
  if not cur or tonumber(v) > tonumber(cur) then
    redis.call('HSET', k, f, v)
    put(ki, f, v)
  end
end
local function set_min(ki, k, f, v)
  local cur = redis.call('HGET', k, f)
  if not cur or tonumber(v) < tonumber(cur) then
    redis.call('HSET', k, f, v)
    put(ki, f, v)
  end
end
local function day_of(field)
  return tonumber(string.match(field, ':(%-?%d+)$'))
end
local function trim_days(ki, k, metrics, below)
  local cut = tonumber(redis.call('HGET', k, '!cut') or '-1e18')
  if below <= cut then return end
  redis.call('HSET', k, '!cut', below)
  put(ki, '!cut', below)
  local lo = tonumber(redis.call('HGET', k, '!lo') or below)
  if below - lo > 400 then
    for _, f in ipairs(redis.call('HKEYS', k)) do
      local d = day_of(f)
      if d and d < below and string.sub(f, 1, 1) ~= '!' then
        redis.call('HDEL', k, f)
        del(ki, f)
      end
    end
  else
    for d = lo, below - 1 do
      for m in string.gmatch(metrics, '[^,]+') do
        if redis.call('HDEL', k, m .. ':' .. d) == 1 then del(ki, m .. ':' .. d) end
      end
    end
  end
  if lo < below then
    redis.call('HSET', k, '!lo', below)
    put(ki, '!lo', below)
  end
end
local function cart_clear(ki, k, at)
  set_max(ki, k, '!cleared', at)
  local all = redis.call('HGETALL', k)
  for i = 1, #all, 2 do
    local f = all[i]
    if string.sub(f, 1, 2) == 't:' and tonumber(all[i + 1]) <= at then
      local pid = string.sub(f, 3)
      redis.call('HDEL', k, 'q:' .. pid, 't:' .. pid, 'd:' .. pid)
      del(ki, 'q:' .. pid)
      del(ki, 't:' .. pid)
      del(ki, 'd:' .. pid)
    end
  end
end

local orders = new_orders(put, set_min)
local sessions = new_sessions(put, del, set_min)

local zcuts = {}
local function zcut(ki, k)
  local cut = zcuts[ki]
  if not cut then
    cut = tonumber(redis.call('ZSCORE', k, '!cut') or '-1e18')
    zcuts[ki] = cut
  end
  return cut
end

local status = 1
local aggregated = false
for i = 5, #ARGV, 5 do
  local code, ki, f, a, b = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local k = KEYS[ki]
  if code == 'i' then
    put(ki, f, redis.call('HINCRBY', k, f, a))
  elseif code == 'f' then
    put(ki, f, redis.call('HINCRBYFLOAT', k, f, a))
  elseif code == 'x' then
    set_max(ki, k, f, a)
  elseif code == 'n' then
    set_min(ki, k, f, a)
  elseif code == 'l' then
    local at = redis.call('HGET', k, '@' .. f)
    if not at or tonumber(b) >= tonumber(at) then
      redis.call('HSET', k, f, a, '@' .. f, b)
      put(ki, f, a)
      put(ki, '@' .. f, b)
    end
  elseif code == 'z' then
    -- the member '!cut' holds the trim point, so a late old view does not come back
    if tonumber(a) >= zcut(ki, k) then
      if redis.call('ZADD', k, 'GT', 'CH', a, f) == 1 then put(ki, f, a) end
    end
  elseif code == 'zt' then
    if tonumber(a) > zcut(ki, k) then
      if logging then
        for _, m in ipairs(redis.call('ZRANGEBYSCORE', k, '-inf', '(' .. a)) do
          if m ~= '!cut' then del(ki, m) end
        end
      end
      redis.call('ZREMRANGEBYSCORE', k, '-inf', '(' .. a)
      redis.call('ZADD', k, a, '!cut')
      zcuts[ki] = tonumber(a)
      put(ki, '!cut', a)
    end
  elseif code == 'a' then
    if redis.call('SADD', k, f) == 1 then
      if ki == 8 or ki == 9 then put(ki, '#', redis.call('SCARD', k)) else put(ki, f, '1') end
    end
  elseif code == 'g' then
    if redis.call('SADD', k, f) == 0 then
      status = 2
      break
    end
  elseif code == 'oc' or code == 'mc' then
    if orders.complete(f, a) and code == 'oc' then
      status = 2
      break
    end
  elseif code == 'or' or code == 'mr' then
    if orders.refund(f, a, tonumber(b)) and code == 'or' then
      status = 2
      break
    end
  elseif code == 'ox' or code == 'mx' then
    if orders.cancel(f, a) and code == 'ox' then
      status = 2
      break
    end
  elseif code == 'ou' then
    orders.update(f, a)
  elseif code == 'se' then
    sessions.add(tonumber(a), tonumber(b), tonumber(f))
  elseif code == 'ks' then
    local cur = redis.call('HGET', k, f)
    if not cur then
      -- a profile from before this field: known since its first event (the former tenure)
      local first = redis.call('HGET', k, 'firstSeenAt')
      if first and tonumber(first) < tonumber(a) then a = first end
      redis.call('HSET', k, f, a)
      put(ki, f, a)
    elseif tonumber(a) < tonumber(cur) then
      redis.call('HSET', k, f, a)
      put(ki, f, a)
    end
  elseif code == 'di' then
    local cut = tonumber(redis.call('HGET', k, '!cut') or '-1e18')
    if tonumber(b) >= cut then
      put(ki, f, redis.call('HINCRBY', k, f, a))
      set_min(ki, k, '!lo', b)
    end
  elseif code == 'dt' then
    trim_days(ki, k, f, tonumber(a))
  elseif code == 'ca' then
    local cleared = tonumber(redis.call('HGET', k, '!cleared') or '-1e18')
    if tonumber(b) > cleared then
      put(ki, 'q:' .. f, redis.call('HINCRBY', k, 'q:' .. f, a))
      set_max(ki, k, 't:' .. f, b)
    end
  elseif code == 'cc' then
    cart_clear(ki, k, tonumber(a))
  elseif code == 'gc' then
    -- checked before the mark
  elseif code == 'gs' then
    redis.call('HSET', k, f, a)
    put(ki, f, a)
    aggregated = true
  else
    return redis.error_reply('apply-ops: unknown op ' .. tostring(code))
  end
end
if aggregated then
  redis.call('HSET', p, '!gv', mark)
  put(1, '!gv', mark)
end
if mark ~= '' and status == 1 then redis.call('HINCRBY', p, '!v', 1) end
return result(status)
