"""Per-robot send pacing in Redis, shared by every worker: a sliding-window log per robot.

The platforms count per robot (WeCom and DingTalk 20 messages a minute, Feishu 5 a second)
and punish excess (DingTalk blocks the robot for 10 minutes), so the limit is ours to keep
before we send. One Lua script per decision makes check-and-record atomic across workers,
and the clock is Redis's own (TIME), so workers' clock skew does not matter.

The log (a sorted set per robot, scored in milliseconds) holds the sends of the last window
and reservations in the future. A send that fits is recorded now. One that does not fit
gets the first future slot that keeps every window within the limit, and is told to come
back then: 30 messages to a 20-a-minute robot become 20 now and 10 spread over the next
minute, each woken once at its own slot instead of all retrying together. A caller that
comes back at its slot still goes through the strict check (another sender may have taken
the room), so the log never lets more than `limit` sends into any window.

The platform can still throttle us (another system shares the robot): `pause` rests the
whole robot for a while, and every send to it waits until the pause ends.

The Redis connection is passed in (any redis-py client): this module imports no Redis.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

KEY_PREFIX = "robot-pace"

# KEYS[1] the robot's log, KEYS[2] its pause flag. ARGV: limit, window_ms, member.
# Returns 0 (send now; recorded) or the milliseconds to wait (a slot is reserved, or paused).
ACQUIRE = """
local log, pause = KEYS[1], KEYS[2]
local limit, window, member = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', pause)
if paused > 0 then
  redis.call('ZREM', log, member)
  return paused
end
if limit <= 0 then
  return 0
end
redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
local mine = redis.call('ZSCORE', log, member)
if mine then
  mine = tonumber(mine)
  if mine > now then
    return mine - now
  end
end
local used = redis.call('ZCOUNT', log, '(' .. (now - window), now)
if mine then
  used = used - 1
end
if used < limit then
  redis.call('ZADD', log, now, member)
  local last = redis.call('ZRANGE', log, -1, -1, 'WITHSCORES')
  redis.call('PEXPIRE', log, math.max(tonumber(last[2]) - now, 0) + window)
  return 0
end
redis.call('ZREM', log, member)
local entries = redis.call('ZRANGE', log, 0, -1, 'WITHSCORES')
local n = #entries / 2
local slot = now + 1
if n >= limit then
  slot = math.max(slot, tonumber(entries[(n - limit) * 2 + 2]) + window)
end
if n > 0 then
  slot = math.max(slot, tonumber(entries[n * 2]))
end
redis.call('ZADD', log, slot, member)
redis.call('PEXPIRE', log, slot - now + window)
return slot - now
"""

# KEYS[1] the log, KEYS[2] the pause flag; ARGV: milliseconds, member. A pause is only ever
# lengthened. The throttled send stays in the log under another name (it did reach the
# platform), so the member is free for the message's next try.
PAUSE = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[2])
if score then
  redis.call('ZADD', KEYS[1], score, ARGV[2] .. '#throttled')
  redis.call('ZREM', KEYS[1], ARGV[2])
end
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
end
return redis.call('PTTL', KEYS[2])
"""


def robot_key(url: str) -> str:
    """The robot's identity: a digest of its address (the URL is a credential; two endpoints
    with the same address are one robot to the platform)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]


class RobotPacer:
    """Pacing of sends per robot.

    Args:
        connection: a redis-py client.
        limits: {kind: (messages, seconds)}; kinds not listed are not paced (but can be
            paused), e.g. {"wecom": (20, 60), "dingtalk": (20, 60), "feishu": (5, 1)}.
    """

    def __init__(self, connection: Any, limits: Mapping[str, tuple[int, float]]) -> None:
        self.connection = connection
        self.limits = {kind: (int(n), float(s)) for kind, (n, s) in limits.items()}
        self._acquire = connection.register_script(ACQUIRE)
        self._pause = connection.register_script(PAUSE)

    def _keys(self, url: str) -> list[str]:
        key = robot_key(url)
        return [f"{KEY_PREFIX}:{key}:log", f"{KEY_PREFIX}:{key}:pause"]

    def acquire(self, kind: str, url: str, member: str) -> float:
        """0 if a message may go to the robot at `url` now (recorded as sent), else the
        seconds to wait. `member` names this send (e.g. "<delivery id>:<attempt>"): coming
        back with the same member claims the slot reserved for it."""
        limit, seconds = self.limits.get(kind, (0, 0.0))
        waited = self._acquire(keys=self._keys(url), args=[limit, int(seconds * 1000), member])
        return int(waited) / 1000.0

    def pause(self, url: str, seconds: float, member: str = "") -> float:
        """Rest the robot at `url` for `seconds` (or longer, if already paused longer) after
        the send `member` was throttled; the seconds left."""
        left = self._pause(keys=self._keys(url), args=[max(1, int(seconds * 1000)), member])
        return int(left) / 1000.0
