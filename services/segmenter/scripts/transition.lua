-- transition: one customer's membership changes after an evaluation, atomically with the profile
-- version it evaluated (the idempotency watermark) and the outbox of changes to publish.
-- KEYS: 1 prof (hash v, snap), 2 seg (hash segment → member|version|since|flip), 3 hist (list),
--       4 out (list of SegmentChange JSON not yet published)
-- ARGV[1] cause: 'event' | 'clock' | 'definition' | 'merge'
-- ARGV[2] profile version evaluated
-- ARGV[3] snapshot JSON to store ('' = keep)
-- ARGV[4] at: when membership changed (ms)
-- ARGV[5] customer id
-- ARGV[6] triggering event id ('' = none)
-- ARGV[7] triggering event time ('' = none)
-- ARGV[8] history entries kept
-- ARGV[9] flap window ms: an entry within it of the same segment's last exit is a flap
-- ARGV[10..] 4-tuples: segment id, segment version, member (1/0), next flip ms ('' = never)
-- An 'event' or 'merge' applies only above the stored version; a 'clock' re-check or a
-- 'definition' re-evaluation (a segment file was edited) only at it.
-- Returns { applied (1/0), earliest next flip ('' = none), outbox entries (all unpublished),
--           ids of the segments re-entered within the flap window by this transition }
local prof, seg, hist, out = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local cause, version, at = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[4])

local function earliest()
  local min = nil
  for _, v in ipairs(redis.call('HVALS', seg)) do
    local flip = tonumber(string.match(v, '|([^|]*)$'))
    if flip and (not min or flip < min) then min = flip end
  end
  return min and tostring(min) or ''
end
local flaps = {}
local function reply(applied)
  return { applied, earliest(), redis.call('LRANGE', out, 0, -1), flaps }
end

local stored = tonumber(redis.call('HGET', prof, 'v') or '0')
if cause == 'clock' or cause == 'definition' then
  if version ~= stored then return reply(0) end
elseif version <= stored then
  return reply(0)
else
  redis.call('HSET', prof, 'v', version)
  if ARGV[3] ~= '' then redis.call('HSET', prof, 'snap', ARGV[3]) end
end

local window = tonumber(ARGV[9])
for i = 10, #ARGV, 4 do
  local id, sv, member, flip = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local cur = redis.call('HGET', seg, id)
  local was, since = '0', ''
  if cur then was, since = string.match(cur, '^(%d)|[^|]*|([^|]*)|') end
  if was ~= member then
    -- since of a non-member is its exit time: entering again soon after is a flap
    if member == '1' and since ~= '' and at - tonumber(since) <= window then
      flaps[#flaps + 1] = id
    end
    since = tostring(at)
    local change = member == '1' and 'entered' or 'exited'
    local record = cjson.encode({
      id = ARGV[5] .. ':' .. id .. ':' .. cause .. ':' .. ARGV[2] .. ':' .. ARGV[4] .. ':' .. change,
      customerId = ARGV[5],
      segmentId = id,
      segmentVersion = tonumber(sv),
      change = change,
      at = at,
      cause = cause,
      eventId = ARGV[6],
      eventOccurredAt = ARGV[7],
    })
    redis.call('RPUSH', out, record)
    redis.call('LPUSH', hist, record)
    redis.call('LTRIM', hist, 0, tonumber(ARGV[8]) - 1)
  end
  if member == '1' or cur or flip ~= '' then
    redis.call('HSET', seg, id, member .. '|' .. sv .. '|' .. since .. '|' .. flip)
  end
end
return reply(1)
