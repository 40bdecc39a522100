-- merge-mark: first step of merging this customer (the loser) into a survivor. Fences the
-- loser (every later apply-ops on it answers "moved") and returns its whole state to move.
-- Resumable: marking again for the same survivor returns the state again.
-- KEYS: the loser's 13 keys (see common.lua)
-- ARGV[1] survivor customer id
-- Returns:
--   {-1, into}      already merged into another customer: merge that one instead
--   {1, fullDump}   marked (now or before) for ARGV[1]
local into = redis.call('HGET', KEYS[1], '!into')
if into and into ~= ARGV[1] then return { -1, into } end
if not into then redis.call('HSET', KEYS[1], '!into', ARGV[1]) end
return { 1, dump_state(true) }
