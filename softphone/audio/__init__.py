"""The device side of calls: microphone and speaker through miniaudio, bridged to the engine.

Nothing here imports pjsua2: the engine's BridgePort exchanges plain PCM frames with
:class:`DeviceAudio`. numpy and miniaudio load on first use (softphone/lazy.py): the
window opens its devices only once it is on screen (issue 16).
"""

from typing import TYPE_CHECKING

from softphone.lazy import lazy_exports

if TYPE_CHECKING:
    from softphone.audio.device_audio import DeviceAudio, open_system_audio
    from softphone.audio.devices import DeviceList, list_devices

_EXPORTS = {
    "DeviceAudio": "softphone.audio.device_audio",
    "open_system_audio": "softphone.audio.device_audio",
    "DeviceList": "softphone.audio.devices",
    "list_devices": "softphone.audio.devices",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = ["DeviceAudio", "DeviceList", "list_devices", "open_system_audio"]
