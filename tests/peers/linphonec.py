"""linphonec (Debian's linphone-cli) as a SIP peer, driven by commands on its stdin.

Configured in its own folder (HOME too: it keeps a database there). SIP on a random port
(``sip_port=-1``; liblinphone binds a dual-stack ``[::]`` socket, read from /proc since it
prints the port nowhere); ``[rtp] bind_address=127.0.0.1`` or it offers the host's
external and IPv6 addresses; ``soundcard use files`` (no sound card here). ``-a`` answers
every call. Its call events are lines on stdout ("Call 1 with sip:... connected.").
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from tests.peers.base import HOST, PeerProcess

RC = """\
[sip]
sip_port=-1
sip_tcp_port=0
sip_tls_port=0
default_proxy=-1
ipv6_enabled=0
contact="{name}" <sip:{user}@{host}>
register_only_when_network_is_up=0
guess_hostname=0
[rtp]
bind_address={host}
audio_rtp_port=-1
[sound]
echocancellation=0
"""


def linphonec_available() -> bool:
    return shutil.which("linphonec") is not None


class Linphonec(PeerProcess):
    kind = "linphonec"
    reads_stdout = True
    stdin_pipe = True
    ready_timeout = 20.0

    def __init__(self, *, user: str = "dave", auto_answer: bool = True,
                 workdir: Path | None = None) -> None:
        super().__init__(workdir)
        self.user = user
        self.auto_answer = auto_answer

    def command(self) -> list[str]:
        rc = self.workdir / "linphonerc"
        rc.write_text(RC.format(user=self.user, name=self.user.title(), host=HOST))
        (self.workdir / ".local" / "share" / "linphone").mkdir(parents=True, exist_ok=True)
        return ["linphonec", "-c", str(rc), "-d", "0", *(["-a"] if self.auto_answer else [])]

    def env(self) -> dict[str, str]:
        import os

        return {**os.environ, "HOME": str(self.workdir)}

    def ready(self, deadline: float) -> None:
        self.port = self.wait_port(deadline, any_v6=True)
        self.send("soundcard use files")
        self.wait_output(r"Using wav files instead of soundcard", deadline - time.monotonic())

    def uri(self, user: str | None = None) -> str:
        return f"sip:{user or self.user}@{HOST}:{self.port}"

    def send(self, command: str) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def wait_output(self, pattern: str, timeout: float = 20) -> str:
        """The first stdout text (so far or to come) matching the regex ``pattern``."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            for line in list(self.stdout_lines):
                if regex.search(line):
                    return line
            if time.monotonic() > deadline or not self.running():
                raise self.error(f"never printed {pattern!r}")
            time.sleep(0.05)  # the reader thread appends lines; a short poll of that list

    def stop(self, grace: float = 3.0) -> int | None:
        if self.running():
            try:
                self.send("quit")
            except OSError:
                pass
            self.wait(grace)
        return super().stop(grace)
