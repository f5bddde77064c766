"""The SIP listening socket's file descriptor, so that an idle window can sleep on it.

pjsua2 runs no thread of its own here (DESIGN.md): whoever polls it reads the network. The
window polls from a timer; when nothing is live it can poll seldom and still see an
incoming INVITE at once, by watching the socket pjsip reads (issue 16: wakeups at rest).
pjsua2 does not say which descriptor that is: psutil (already a dependency) lists the
process's sockets with their descriptors on Linux and macOS. Elsewhere, or when it cannot
tell, the answer is empty and the window keeps its steady idle poll.
"""

from __future__ import annotations

import logging

_log = logging.getLogger(__name__)


def udp_socket_fds(port: int) -> list[int]:
    """Descriptors of this process's UDP sockets bound to ``port``; [] when unknown."""
    try:
        import psutil

        sockets = psutil.Process().net_connections(kind="udp")
    except Exception as exc:  # no psutil support here (Windows gives no descriptors)
        _log.debug("cannot list our UDP sockets: %s", exc)
        return []
    return sorted(s.fd for s in sockets if s.fd >= 0 and s.laddr and s.laddr.port == port)
