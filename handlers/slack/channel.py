"""Jobs from the HTTP workers to the background process: a Unix datagram socket pair.

Each job is one datagram, so a process killed in the middle of a send (a
worker past gunicorn's timeout) or of a receive (the background process)
can never leave the channel half-written or locked, as a pipe shared under
a lock could. The socket pair is made before anything forks: every worker
inherits the sending end, the supervisor keeps the receiving end, so
datagrams not yet read survive a restart of the background process.

Sending happens in a feeder thread of each worker, so a request thread only
appends to a list and never waits for the background process.
"""

from __future__ import annotations

import collections
import logging
import os
import pickle
import socket
import threading
from typing import TYPE_CHECKING

from handlers.slack.jobs import Job

if TYPE_CHECKING:
    from handlers.slack.runtime import Deps

log = logging.getLogger(__name__)

# As large as the system allows, so a job of a long Slack payload fits one datagram.
BUFFER_BYTES = 4 * 1024 * 1024
STOP = b"stop"


class JobChannel:
    """The two ends of the channel, and each process's side of it."""

    def __init__(self) -> None:
        self.receiver, self.sender = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        for end, option in ((self.sender, socket.SO_SNDBUF), (self.receiver, socket.SO_RCVBUF)):
            try:
                end.setsockopt(socket.SOL_SOCKET, option, BUFFER_BYTES)
            except OSError as exc:  # the system's limit applies; long jobs may not fit
                log.warning("could not enlarge the job channel's buffer: %s", exc)
        self._pid = -1
        self._pending: collections.deque[bytes] = collections.deque()
        self._wake = threading.Condition()

    # -- the sending side (HTTP workers) -------------------------------------------------

    def send(self, job: Job) -> None:
        """Queue a job for the feeder thread of this process (started on first use)."""
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        with self._wake:
            if self._pid != os.getpid():  # first use in this (forked) process
                self._pending = collections.deque()
                self._pid = os.getpid()
                threading.Thread(target=self._feed, name="xdept-jobs", daemon=True).start()
            self._pending.append(data)
            self._wake.notify()

    def _feed(self) -> None:
        while True:
            with self._wake:
                while not self._pending:
                    self._wake.wait()
                data = self._pending.popleft()
            try:
                self.sender.send(data)
            except OSError as exc:  # e.g. a job larger than a datagram may be: say which
                log.error("a job of %d bytes could not be sent: %s", len(data), exc)

    def stop(self) -> None:
        """Tell the background process to finish its jobs and exit (from the server)."""
        self.sender.send(STOP)

    # -- the receiving side (background process) -----------------------------------------

    def receive(self, timeout: float) -> Job | bytes | None:
        """The next job, STOP, or None when nothing came within `timeout`."""
        self.receiver.settimeout(timeout)
        try:
            data = self.receiver.recv(BUFFER_BYTES)
        except TimeoutError:
            return None
        if data == STOP:
            return STOP
        job = pickle.loads(data)  # only processes of this server hold the sending end
        if not isinstance(job, Job):
            log.error("ignored a datagram that is not a job")
            return None
        return job


class ChannelJobs:
    """Jobs sent to the background process, which runs them with its own collaborators."""

    def __init__(self, channel: JobChannel) -> None:
        self.channel = channel

    def submit(self, job: Job, deps: Deps) -> None:
        """Hand the job to this process's feeder thread."""
        self.channel.send(job)
