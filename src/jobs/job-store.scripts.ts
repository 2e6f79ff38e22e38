/**
 * Lua scripts of the job store. Each runs atomically in Redis, so a job's record, the indexes
 * that list it, its event stream and the notification to other processes never disagree.
 *
 * Key layout under the prefix P: P..'record:'..id (JSON), P..'events:'..id (stream), sorted sets
 * P..'index:all', P..'index:status:'..s, P..'index:type:'..t, P..'index:user:'..u (and ..':status:'..s,
 * ..':type:'..t), scored by creation time; P..'expiry' scored by expiry time.
 */

/**
 * Writes a job if its stored version is the expected one ('' = must not exist yet), moves it
 * between status indexes, schedules its expiry when it is final, appends the event and publishes it.
 * ARGV: expectedVersion, json, prefix, id, createdAtMs, oldStatus, newStatus, userId, type,
 *       expiresAtMs, recordTtlMs, channel, eventsMaxLength. KEYS: record, events.
 */
export const SAVE_JOB = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if current then return {'exists'} end
else
  if not current then return {'missing'} end
  if string.match(current, '"version":(%d+)') ~= ARGV[1] then return {'stale'} end
end
redis.call('SET', KEYS[1], ARGV[2])
local p, id, score, user, jobType = ARGV[3], ARGV[4], ARGV[5], ARGV[8], ARGV[9]
if ARGV[1] == '' then
  redis.call('ZADD', p .. 'index:all', score, id)
  redis.call('ZADD', p .. 'index:type:' .. jobType, score, id)
  if user ~= '' then
    redis.call('ZADD', p .. 'index:user:' .. user, score, id)
    redis.call('ZADD', p .. 'index:user:' .. user .. ':type:' .. jobType, score, id)
  end
end
if ARGV[6] ~= ARGV[7] then
  if ARGV[6] ~= '' then
    redis.call('ZREM', p .. 'index:status:' .. ARGV[6], id)
    if user ~= '' then redis.call('ZREM', p .. 'index:user:' .. user .. ':status:' .. ARGV[6], id) end
  end
  redis.call('ZADD', p .. 'index:status:' .. ARGV[7], score, id)
  if user ~= '' then redis.call('ZADD', p .. 'index:user:' .. user .. ':status:' .. ARGV[7], score, id) end
end
local eventId = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[13], '*', 'job', ARGV[2])
if ARGV[10] ~= '' then
  redis.call('ZADD', p .. 'expiry', ARGV[10], id .. '|' .. user .. '|' .. jobType .. '|' .. ARGV[7])
  redis.call('PEXPIRE', KEYS[1], ARGV[11])
  redis.call('PEXPIRE', KEYS[2], ARGV[11])
end
redis.call('PUBLISH', ARGV[12], eventId .. '|' .. ARGV[2])
return {'ok', eventId}
`;

/** Removes up to ARGV[3] jobs whose expiry has passed, with every index entry. ARGV: prefix, nowMs, limit. */
export const SWEEP_EXPIRED_JOBS = `
local p = ARGV[1]
local expired = redis.call('ZRANGEBYSCORE', p .. 'expiry', '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])
for _, member in ipairs(expired) do
  local id, user, jobType, status = string.match(member, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
  redis.call('ZREM', p .. 'index:all', id)
  redis.call('ZREM', p .. 'index:status:' .. status, id)
  redis.call('ZREM', p .. 'index:type:' .. jobType, id)
  if user ~= '' then
    redis.call('ZREM', p .. 'index:user:' .. user, id)
    redis.call('ZREM', p .. 'index:user:' .. user .. ':status:' .. status, id)
    redis.call('ZREM', p .. 'index:user:' .. user .. ':type:' .. jobType, id)
  end
  redis.call('DEL', p .. 'record:' .. id, p .. 'events:' .. id)
  redis.call('ZREM', p .. 'expiry', member)
end
return #expired
`;

/**
 * One page of the jobs in the intersection of the given indexes, newest first, with the exact total.
 * KEYS: the indexes, then a scratch key. ARGV: offset, limit, prefix.
 */
export const LIST_JOBS = `
local source = KEYS[1]
local scratch = KEYS[#KEYS]
if #KEYS > 2 then
  redis.call('ZINTERSTORE', scratch, #KEYS - 1, unpack(KEYS, 1, #KEYS - 1))
  source = scratch
end
local total = redis.call('ZCARD', source)
local offset = tonumber(ARGV[1])
local ids = redis.call('ZREVRANGE', source, offset, offset + tonumber(ARGV[2]) - 1)
local records = {}
for i, id in ipairs(ids) do
  records[i] = redis.call('GET', ARGV[3] .. 'record:' .. id) or ''
end
if source == scratch then redis.call('DEL', scratch) end
return {total, records}
`;
