"""Every action family; importing a module registers its types (one line per family)."""

from softphone.flows.actions import amd, connect, control, digits, media, recording, variables

__all__ = ["amd", "connect", "control", "digits", "media", "recording", "variables"]
