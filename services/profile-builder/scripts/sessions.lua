-- Web sessions: prepended to apply-ops.lua after orders.lua (not a script of its own).
-- The `sess` zset (KEYS[13]) of a customer holds one member per session: member = its start,
-- score = its end (event time, ms). Activity [s, e] joins every session it comes within the gap
-- of (start - gap < e and s < end + gap), so sessions are the runs of activity with less than
-- the gap between them, whatever the arrival order (a late event may join two sessions). Per
-- session, counted by its start day: `sessions`, `sessionMs` (p), `ss:<day>`, `sm:<day>` (days);
-- `firstSessionAt` (p) is the earliest start. Activity before the kept days (the days hash's
-- `!cut`) is ignored, and sessions that ended more than the gap before it are trimmed from the
-- zset (their counts stay). Writes to `sess` are logged as (13, start, end).
local SESSION_DAY_MS = 86400000

local function new_sessions(put, del, set_min)
  local P, D, S = KEYS[1], KEYS[2], KEYS[13]
  local function ms(n) return string.format('%.0f', n) end
  local function incr(ki, k, f, by)
    if by ~= 0 then put(ki, f, redis.call('HINCRBY', k, f, ms(by))) end
  end
  -- one session's share of the counters: added (sign 1) or taken away (-1)
  local function share(s, e, sign, cut)
    incr(1, P, 'sessions', sign)
    incr(1, P, 'sessionMs', sign * (e - s))
    local day = math.floor(s / SESSION_DAY_MS)
    if day >= cut then
      incr(2, D, 'ss:' .. ms(day), sign)
      incr(2, D, 'sm:' .. ms(day), sign * (e - s))
      set_min(2, D, '!lo', ms(day))
    end
  end

  local M = {}
  function M.add(s, e, gap)
    local cut = tonumber(redis.call('HGET', D, '!cut') or '-1e18')
    if e < cut * SESSION_DAY_MS then return end
    while true do
      local near = redis.call('ZRANGEBYSCORE', S, '(' .. ms(s - gap), '+inf', 'WITHSCORES',
        'LIMIT', 0, 1)
      if #near == 0 then break end
      local ns, ne = tonumber(near[1]), tonumber(near[2])
      if ns >= e + gap then break end
      share(ns, ne, -1, cut)
      redis.call('ZREM', S, near[1])
      del(13, near[1])
      if ns < s then s = ns end
      if ne > e then e = ne end
    end
    redis.call('ZADD', S, ms(e), ms(s))
    put(13, ms(s), ms(e))
    share(s, e, 1, cut)
    set_min(1, P, 'firstSessionAt', ms(s))
    if cut > -1e17 then
      local below = '(' .. ms(cut * SESSION_DAY_MS - gap)
      for _, m in ipairs(redis.call('ZRANGEBYSCORE', S, '-inf', below)) do del(13, m) end
      redis.call('ZREMRANGEBYSCORE', S, '-inf', below)
    end
  end
  return M
end

