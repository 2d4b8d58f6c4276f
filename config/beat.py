"""Celery beat's scheduler: django-celery-beat's database scheduler, kept running while the database is away
(issue 12: beat exited when it could not connect, and stayed down, so no auction settled).

django-celery-beat reads the schedule from the database when beat starts, and reads all of it again every five
minutes or when a regulator changes it in the admin. Either read, made while the database does not answer, raises
out of beat's loop and beat exits. This scheduler takes a database error there as a pause: a running beat keeps the
schedule it last read and keeps sending its tasks (a task that finds the database away fails, and is sent again at
its next time); a beat started while the database is down schedules nothing yet. Either way it asks the database
again after 1, 2, 4 ... seconds (at most beat's max interval, 5 s), and reads the schedule once it answers.
"""

import logging

from django.db import DatabaseError, InterfaceError
from django_celery_beat import schedulers

log = logging.getLogger(__name__)

DATABASE_ERRORS = (DatabaseError, InterfaceError)


class DatabaseScheduler(schedulers.DatabaseScheduler):
    """django-celery-beat's scheduler that waits out a database outage instead of exiting."""

    _set_up = False
    _failures = 0

    def setup_schedule(self):
        """Read the schedule (and write the settings' entries into it); while the database is away, nothing is
        scheduled and `tick` tries again."""
        try:
            super().setup_schedule()
        except DATABASE_ERRORS as exc:
            self._initial_read = True  # the next try reads the whole schedule, as at a start
            self._schedule = {}
            self._database_away(exc)
            return
        self._set_up = True

    def tick(self, *args, **kwargs):
        try:
            if not self._set_up:
                self.setup_schedule()
                if not self._set_up:
                    return self._retry_in()
                self._heap = None  # built from the schedule just read
            interval = super().tick(*args, **kwargs)
        except DATABASE_ERRORS as exc:
            # A read of the whole schedule failed: the schedule read before stands until the next try.
            self._database_away(exc)
            return self._retry_in()
        self._failures = 0
        return interval

    def _database_away(self, exc: Exception) -> None:
        log.warning("Beat: the database does not answer (%s: %s); trying again shortly.", type(exc).__name__, exc)

    def _retry_in(self) -> float:
        """Seconds until the next try: 1, 2, 4 ... at most beat's max interval."""
        self._failures += 1
        return min(2.0 ** (self._failures - 1), self.max_interval)
