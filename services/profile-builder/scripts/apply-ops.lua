-- apply-ops: one customer transition. Applies a list of order-independent ops atomically
-- together with the idempotency mark of what caused them (an event id, or merge:<id>).
-- KEYS: the customer's 12 keys (see common.lua)
-- ARGV[1] mark: event id / merge:<loser>; '' = no mark and no version bump (acks)
-- ARGV[2] mark score: the event's receivedAt (ms)
-- ARGV[3] marks older than this score are trimmed (ms)
-- ARGV[4] dump: 'snapshot' | 'none'
-- ARGV[5..] ops as 5-tuples: code, key index, field, a, b (see ops.ts)
-- Returns:
--   {-1, into}                 the customer was merged into `into`: apply there instead
--   {0, version, dump?}        the mark was already there: nothing changed
--   {1, version, dump?}        applied
--   {2, version, dump?}        marked, but a guard op found the change already counted
local p = KEYS[1]
if redis.call('HEXISTS', p, '!into') == 1 then
  return { -1, redis.call('HGET', p, '!into') }
end
local mark = ARGV[1]
local function result(status)
  local version = redis.call('HGET', p, '!v') or '0'
  if ARGV[4] == 'snapshot' then return { status, version, dump_state(false) } end
  return { status, version }
end
if mark ~= '' then
  if redis.call('ZSCORE', KEYS[10], mark) then return result(0) end
  redis.call('ZADD', KEYS[10], ARGV[2], mark)
  redis.call('ZREMRANGEBYSCORE', KEYS[10], '-inf', '(' .. ARGV[3])
end

local function set_max(k, f, v)
  local cur = redis.call('HGET', k, f)
  if not cur or tonumber(v) > tonumber(cur) then redis.call('HSET', k, f, v) end
end
local function set_min(k, f, v)
  local cur = redis.call('HGET', k, f)
  if not cur or tonumber(v) < tonumber(cur) then redis.call('HSET', k, f, v) end
end
local function day_of(field)
  return tonumber(string.match(field, ':(%-?%d+)$'))
end
local function trim_days(k, metrics, below)
  local cut = tonumber(redis.call('HGET', k, '!cut') or '-1e18')
  if below <= cut then return end
  redis.call('HSET', k, '!cut', below)
  local lo = tonumber(redis.call('HGET', k, '!lo') or below)
  if below - lo > 400 then
    for _, f in ipairs(redis.call('HKEYS', k)) do
      local d = day_of(f)
      if d and d < below and string.sub(f, 1, 1) ~= '!' then redis.call('HDEL', k, f) end
    end
  else
    for d = lo, below - 1 do
      for m in string.gmatch(metrics, '[^,]+') do redis.call('HDEL', k, m .. ':' .. d) end
    end
  end
  if lo < below then redis.call('HSET', k, '!lo', below) end
end
local function cart_clear(k, at)
  set_max(k, '!cleared', at)
  local all = redis.call('HGETALL', k)
  for i = 1, #all, 2 do
    local f = all[i]
    if string.sub(f, 1, 2) == 't:' and tonumber(all[i + 1]) <= at then
      local pid = string.sub(f, 3)
      redis.call('HDEL', k, 'q:' .. pid, 't:' .. pid, 'd:' .. pid)
    end
  end
end

local status = 1
for i = 5, #ARGV, 5 do
  local code, k, f, a, b = ARGV[i], KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  if code == 'i' then
    redis.call('HINCRBY', k, f, a)
  elseif code == 'f' then
    redis.call('HINCRBYFLOAT', k, f, a)
  elseif code == 'x' then
    set_max(k, f, a)
  elseif code == 'n' then
    set_min(k, f, a)
  elseif code == 'l' then
    local at = redis.call('HGET', k, '@' .. f)
    if not at or tonumber(b) >= tonumber(at) then redis.call('HSET', k, f, a, '@' .. f, b) end
  elseif code == 'z' then
    -- the member '!cut' holds the trim point, so a late old view does not come back
    if tonumber(a) >= tonumber(redis.call('ZSCORE', k, '!cut') or '-1e18') then
      redis.call('ZADD', k, 'GT', a, f)
    end
  elseif code == 'zt' then
    redis.call('ZREMRANGEBYSCORE', k, '-inf', '(' .. a)
    redis.call('ZADD', k, 'GT', a, '!cut')
  elseif code == 'a' then
    redis.call('SADD', k, f)
  elseif code == 'g' then
    if redis.call('SADD', k, f) == 0 then
      status = 2
      break
    end
  elseif code == 'di' then
    local cut = tonumber(redis.call('HGET', k, '!cut') or '-1e18')
    if tonumber(b) >= cut then
      redis.call('HINCRBY', k, f, a)
      set_min(k, '!lo', b)
    end
  elseif code == 'dt' then
    trim_days(k, f, tonumber(a))
  elseif code == 'ca' then
    local cleared = tonumber(redis.call('HGET', k, '!cleared') or '-1e18')
    if tonumber(b) > cleared then
      redis.call('HINCRBY', k, 'q:' .. f, a)
      set_max(k, 't:' .. f, b)
    end
  elseif code == 'cc' then
    cart_clear(k, tonumber(a))
  else
    return redis.error_reply('apply-ops: unknown op ' .. tostring(code))
  end
end
if mark ~= '' and status == 1 then redis.call('HINCRBY', p, '!v', 1) end
return result(status)
