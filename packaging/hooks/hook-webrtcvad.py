# The contrib hook copies the metadata of a distribution named "webrtcvad"; the module
# comes from "webrtcvad-wheels" (prebuilt wheels for the three systems), so that hook
# fails the build. Ours, in hookspath, takes its place.
from PyInstaller.utils.hooks import copy_metadata

datas = copy_metadata("webrtcvad-wheels")
