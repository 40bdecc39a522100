-- remove-segment: one customer leaves a segment whose definition was deleted. Idempotent: the
-- membership field is dropped, so running it again (a resumed removal) writes nothing new.
-- KEYS: 1 prof (unused, keeps the customer's key list), 2 seg (hash segment → member|version|since|flip),
--       3 hist (list), 4 out (list of SegmentChange JSON not yet published)
-- ARGV[1] segment id
-- ARGV[2] the segment's last version number
-- ARGV[3] at: when it was removed (ms)
-- ARGV[4] customer id
-- ARGV[5] history entries kept
-- ARGV[6] reason (SegmentChange.reason)
-- Returns { exited (1/0), the removed field's next flip ('' = none), earliest next flip of the
--           customer's other segments ('' = none), outbox entries (all unpublished) }
local seg, hist, out = KEYS[2], KEYS[3], KEYS[4]
local id = ARGV[1]
local cur = redis.call('HGET', seg, id)
local exited, removedFlip = 0, ''
if cur then
  local member = string.match(cur, '^(%d)|')
  removedFlip = string.match(cur, '|([^|]*)$') or ''
  redis.call('HDEL', seg, id)
  if member == '1' then
    exited = 1
    -- the id names no time: a removal resumed after a crash makes the same change
    local record = cjson.encode({
      id = ARGV[4] .. ':' .. id .. ':removed:' .. ARGV[2] .. ':exited',
      customerId = ARGV[4],
      segmentId = id,
      segmentVersion = tonumber(ARGV[2]),
      change = 'exited',
      at = tonumber(ARGV[3]),
      cause = 'definition',
      eventId = '',
      eventOccurredAt = '',
      reason = ARGV[6],
    })
    redis.call('RPUSH', out, record)
    redis.call('LPUSH', hist, record)
    redis.call('LTRIM', hist, 0, tonumber(ARGV[5]) - 1)
  end
end
local min = nil
for _, v in ipairs(redis.call('HVALS', seg)) do
  local flip = tonumber(string.match(v, '|([^|]*)$'))
  if flip and (not min or flip < min) then min = flip end
end
return { exited, removedFlip, min and tostring(min) or '', redis.call('LRANGE', out, 0, -1) }
