"""A local conference: calls mixed on our own conference bridge (the softphone mixes).

Each member's media graph asks the conference for the other members' streams on every
rebuild, so the mix survives re-INVITEs; a member leaving is unlinked from the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pjsua2 as pj

if TYPE_CHECKING:
    from softphone.engine.media import CallMedia


class Conference:
    def __init__(self, *, devices: bool = True) -> None:
        self.members: list[CallMedia] = []
        # False for a bridge (a flow's connect): the members hear each other, not us.
        self.devices = devices

    def join(self, media: CallMedia) -> None:
        if media in self.members:
            return
        self.members.append(media)
        media.conference = self
        media.reconnect()

    def leave(self, media: CallMedia) -> None:
        if media not in self.members:
            return
        self.members.remove(media)
        media.conference = None
        stream = media.stream
        for other in self.members:
            if stream is not None:
                other.unlink(stream)
            other.reconnect()  # recordings drop the leaver's stream

    def others(self, media: CallMedia) -> list[CallMedia]:
        return [m for m in self.members if m is not media]

    def streams(self, exclude: CallMedia) -> list[pj.AudioMedia]:
        return [m.stream for m in self.members if m is not exclude and m.stream is not None]

    def relink(self) -> None:
        """A member's hold changed: remake every member's links."""
        for member in self.members:
            member.reconnect()
