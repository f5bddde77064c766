"""The device side of calls: microphone and speaker through miniaudio, bridged to the engine.

Nothing here imports pjsua2: the engine's BridgePort exchanges plain PCM frames with
:class:`DeviceAudio`.
"""

from softphone.audio.device_audio import DeviceAudio, open_system_audio
from softphone.audio.devices import DeviceList, list_devices

__all__ = ["DeviceAudio", "DeviceList", "list_devices", "open_system_audio"]
