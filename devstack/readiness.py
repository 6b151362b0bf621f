"""Waiting for PostgreSQL and Redis to be ready, not merely listening.

A server that has been used is slow to start: Redis loads its whole data set into memory
before it runs commands (meanwhile it answers LOADING), PostgreSQL replays its write-ahead
log after an unclean stop (meanwhile it answers "the database system is starting up").
Every start (`./shop run`, `./shop cluster`, the test session) waits here, for as long as
the server makes progress, saying what it waits for; it gives up, naming the reason, only
when the server has made none for `stall_seconds`.

Progress: for Redis, the bytes of its data loaded so far (INFO persistence); for
PostgreSQL, answering at all — while it recovers it answers "starting up" (libpq's ping
says REJECT), and it stops by itself if recovery fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devstack.console import say
from devstack.errors import SetupError

if TYPE_CHECKING:
    import subprocess

STALL_SECONDS = 60.0
# A server that has not answered at all yet (nothing listens): most likely a wrong URL or a
# server that is down, so this is given up on sooner.
UNREACHABLE_SECONDS = 15.0
POLL_SECONDS = 0.2
REPORT_EVERY_SECONDS = 5.0
QUIET_SECONDS = 1.0
MEGABYTE = 1024 * 1024


@dataclass
class _Watch:
    """How long the server has gone without progress, and what was last said about it."""

    what: str
    stall_seconds: float
    report: Callable[[str], None]
    started: float = field(default_factory=time.monotonic)
    last_progress: float = field(default_factory=time.monotonic)
    marker: object = None
    answered: bool = False
    said: str = ""
    said_at: float = 0.0

    def progressed(self, marker: object = None) -> None:
        """The server answered, busy; it progressed if `marker` (e.g. bytes loaded) differs
        from the last one (None: alive and working, which counts every time)."""
        self.answered = True
        if marker is None or marker != self.marker:
            self.marker = marker
            self.last_progress = time.monotonic()

    @property
    def stalled_for(self) -> float:
        return time.monotonic() - self.last_progress

    def stalled(self) -> bool:
        limit = self.stall_seconds
        if not self.answered:
            limit = min(limit, UNREACHABLE_SECONDS)
        return self.stalled_for > limit

    def waited(self) -> float:
        return time.monotonic() - self.started

    def due(self, kind: str) -> bool:
        """A report of this kind now: the first of its kind, or a while after the last;
        nothing in the first moment (a server that is ready at once goes unmentioned)."""
        if self.waited() < QUIET_SECONDS:
            return False
        return kind != self.said or time.monotonic() - self.said_at >= REPORT_EVERY_SECONDS

    def tell(self, kind: str, status: str) -> None:
        if self.due(kind):
            self.said, self.said_at = kind, time.monotonic()
            self.report(f"Waiting for {self.what}: {status} ({self.waited():.0f} s)")

    def pause(self) -> None:
        """Between two looks: often at first, then once a second (each look at a starting
        PostgreSQL is a line in its log)."""
        time.sleep(min(1.0, POLL_SECONDS + self.waited() / 20))

    def ready(self) -> None:
        if self.said:  # it was waited for: say when that ended
            self.report(f"{_capitalised(self.what)} is ready (after {self.waited():.0f} s)")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def log_tail(log_file: Path | None, *, lines: int = 3) -> str:
    """The last lines of a server's log, as a suffix for an error message."""
    if log_file is None:
        return ""
    try:
        text = log_file.read_text(errors="replace").strip().splitlines()[-lines:]
    except OSError:
        return f"; see {log_file}"
    shown = " | ".join(line.strip() for line in text if line.strip())
    return f"; its log ({log_file}) ends: {shown}" if shown else f"; see {log_file}"


def _hinted(message: str, hint: str) -> str:
    return f"{message}. {hint}" if hint else message


# ---------------------------------------------------------------- Redis


def _redis_loading(client: Any) -> tuple[str, object]:
    """What a loading Redis says of its progress, and the marker that moves with it."""
    info = client.info("persistence")
    loaded = int(info.get("loading_loaded_bytes", 0))
    total = int(info.get("loading_total_bytes", 0))
    percent = float(info.get("loading_loaded_perc", 0.0))
    eta = int(info.get("loading_eta_seconds", 0) or 0)
    status = f"it is loading its data into memory, {percent:.0f}% done"
    if total:
        status += f" (of {total / MEGABYTE:.0f} MB on disk)"
    if eta > 0:
        status += f", about {eta} s left"
    return status, loaded


def wait_for_redis(
    url: str,
    *,
    what: str,
    hint: str = "",
    log_file: Path | None = None,
    is_alive: Callable[[], bool] | None = None,
    stall_seconds: float = STALL_SECONDS,
    report: Callable[[str], None] = say,
) -> None:
    """Return once Redis at `url` runs commands. `what` names it in messages ("Redis at
    REDIS_URL"), `hint` says how to fix a failure; `log_file` and `is_alive` describe a
    server this machine started (its log is quoted, its death noticed at once)."""
    from redis import Redis
    from redis.backoff import NoBackoff
    from redis.exceptions import BusyLoadingError, RedisError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from redis.retry import Retry

    answer_within = max(0.5, min(5.0, stall_seconds / 2))
    client = Redis.from_url(
        url,
        socket_connect_timeout=answer_within,
        socket_timeout=answer_within,
        retry=Retry(NoBackoff(), 0),  # this loop is the retry
    )
    watch = _Watch(what, stall_seconds, report)
    status = reason = ""
    try:
        while True:
            try:
                client.ping()
                watch.ready()
                return
            except BusyLoadingError:  # (a ConnectionError: caught first)
                try:
                    status, marker = _redis_loading(client)
                except RedisError:
                    status, marker = "it is loading its data into memory", watch.marker
                watch.progressed(marker)
                watch.tell("loading", status)
            except (RedisConnectionError, RedisTimeoutError) as error:
                if is_alive is not None and not is_alive():
                    raise SetupError(
                        f"{what} stopped while starting{log_tail(log_file)}"
                    ) from error
                reason = str(error).rstrip(".") or type(error).__name__
                status = f"it does not answer ({reason})"
                watch.tell("unreachable", f"it does not answer yet ({reason})")
            except RedisError as error:  # a wrong password, a missing database: not slowness
                raise SetupError(_hinted(f"{what} refuses the shop: {error}", hint)) from error
            if watch.stalled():
                if watch.answered:
                    problem = f"{what} made no progress for {watch.stalled_for:.0f} s: {status}"
                else:
                    problem = f"cannot reach {what}: {reason}"
                raise SetupError(_hinted(problem + log_tail(log_file), hint))
            watch.pause()
    finally:
        client.close()


# ---------------------------------------------------------------- PostgreSQL


def _conninfo(url: str) -> str:
    """A SQLAlchemy URL (`postgresql+psycopg://…`) as libpq takes it, with a timeout."""
    from psycopg.conninfo import make_conninfo

    return make_conninfo("postgresql://" + url.split("://", 1)[1], connect_timeout=3)


def _server_answer(conninfo: str) -> str:
    """What the server says to a connection attempt (e.g. "the database system is
    starting up"), for messages."""
    import psycopg

    try:
        with psycopg.connect(conninfo):
            return "it accepts connections"
    except psycopg.Error as error:
        text = str(error).strip() or type(error).__name__
        if "FATAL:" in text:  # the server's own words
            return text.rsplit("FATAL:", 1)[1].strip().splitlines()[0].strip()
        return text.splitlines()[0].rsplit("failed:", 1)[-1].strip()


def wait_for_postgres(
    url: str,
    *,
    what: str,
    hint: str = "",
    log_file: Path | None = None,
    starting: subprocess.Popen[bytes] | None = None,
    stall_seconds: float = STALL_SECONDS,
    report: Callable[[str], None] = say,
) -> None:
    """Return once PostgreSQL at `url` accepts connections (whether the database in `url`
    exists and the user may enter is the caller's next check). `starting` is the `pg_ctl
    start -w` this machine runs for it: its failure is reported at once, with the log."""
    import psycopg
    from psycopg import pq

    try:
        conninfo = _conninfo(url)
    except psycopg.Error as error:  # an unparsable URL (not quoted: it may hold a password)
        raise SetupError(_hinted(f"{what}: not a usable PostgreSQL URL", hint)) from error
    watch = _Watch(what, stall_seconds, report)
    while True:
        answer = pq.PGconn.ping(conninfo.encode())
        if answer == pq.Ping.OK:
            watch.ready()
            return
        if answer == pq.Ping.NO_ATTEMPT:
            raise SetupError(_hinted(f"{what}: not a usable PostgreSQL URL", hint))
        if starting is not None and starting.poll() not in (None, 0):
            complaint = starting.stderr.read().decode(errors="replace") if starting.stderr else ""
            first = complaint.strip().splitlines()[0] if complaint.strip() else "pg_ctl failed"
            raise SetupError(f"{what} did not start ({first}){log_tail(log_file)}")
        if answer == pq.Ping.REJECT:
            # Up, but starting (recovery), stopping or a standby: it tells why.
            watch.progressed()
            if watch.due("starting"):
                watch.tell("starting", f"it answers “{_server_answer(conninfo)}”")
        elif watch.stalled():
            if watch.answered:
                problem = f"{what} stopped answering and made no progress for "
                problem += f"{watch.stalled_for:.0f} s ({_server_answer(conninfo)})"
            else:
                problem = f"cannot connect to {what}: {_server_answer(conninfo)}"
            raise SetupError(_hinted(problem + log_tail(log_file), hint))
        elif watch.due("unreachable"):
            watch.tell("unreachable", f"it does not answer yet ({_server_answer(conninfo)})")
        watch.pause()
