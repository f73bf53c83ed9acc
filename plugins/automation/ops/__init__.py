"""Operations screens for admins: RQ's failed jobs (list, traceback, retry, delete)."""
