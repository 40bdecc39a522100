-- Shared helpers, prepended to every profile-builder script (not a script of its own).
-- KEYS order everywhere (one customer, one hash tag):
--   1 p, 2 days, 3 cart, 4 wish, 5 cats, 6 recent, 7 bought, 8 eopen, 9 eclick, 10 marks,
--   11 ord, 12 ids, 13 sess

local function dump_state(full)
  local out = {
    redis.call('HGETALL', KEYS[1]),
    redis.call('HGETALL', KEYS[2]),
    redis.call('HGETALL', KEYS[3]),
    redis.call('HGETALL', KEYS[4]),
    redis.call('HGETALL', KEYS[5]),
    redis.call('ZRANGE', KEYS[6], 0, -1, 'WITHSCORES'),
    redis.call('SMEMBERS', KEYS[7]),
    redis.call('SMEMBERS', KEYS[12]),
  }
  if full then
    out[9] = redis.call('SMEMBERS', KEYS[8])
    out[10] = redis.call('SMEMBERS', KEYS[9])
    out[11] = redis.call('ZRANGE', KEYS[10], 0, -1, 'WITHSCORES')
    out[12] = redis.call('HGETALL', KEYS[11])
  else
    out[9] = { tostring(redis.call('SCARD', KEYS[8])) }
    out[10] = { tostring(redis.call('SCARD', KEYS[9])) }
    out[11] = false -- (nil replies: a Lua array must not have holes)
    out[12] = false
  end
  out[13] = redis.call('ZRANGE', KEYS[13], 0, -1, 'WITHSCORES')
  return out
end

