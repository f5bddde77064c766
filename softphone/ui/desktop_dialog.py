"""Settings → Desktop and network: tray, start-up, login; where SIP and RTP listen."""

from __future__ import annotations

from PySide6.QtNetwork import QAbstractSocket, QNetworkInterface
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from softphone.store import DesktopSettings, NetworkSettings

ALL_INTERFACES = "0.0.0.0"


def local_addresses() -> list[str]:
    """This computer's IPv4 addresses, loopback first (what the engine can bind to)."""
    found = [a.toString() for a in QNetworkInterface.allAddresses()
             if a.protocol() == QAbstractSocket.NetworkLayerProtocol.IPv4Protocol]
    return sorted(set(found), key=lambda a: (not a.startswith("127."), a))


class DesktopDialog(QDialog):
    def __init__(
        self,
        desktop: DesktopSettings,
        network: NetworkSettings,
        listening: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Desktop and network")
        self.setAccessibleName("Desktop and network settings")
        self.tabs = QTabWidget()

        window = QWidget()
        form = QFormLayout(window)
        self.close_to_tray = QCheckBox("Closing the window keeps softphone in the tray")
        self.close_to_tray.setChecked(desktop.close_to_tray)
        self.start_minimized = QCheckBox("Start minimized (in the tray when there is one)")
        self.start_minimized.setChecked(desktop.start_minimized)
        self.autostart = QCheckBox("Start softphone when I log in")
        self.autostart.setChecked(desktop.autostart)
        form.addRow(self.close_to_tray)
        form.addRow(self.start_minimized)
        form.addRow(self.autostart)
        self.tabs.addTab(window, "Window")

        net = QWidget()
        nform = QFormLayout(net)
        self.interface = QComboBox()
        self.interface.setAccessibleName("Interface")
        self.interface.addItem("All interfaces", ALL_INTERFACES)
        for address in local_addresses():
            self.interface.addItem(address, address)
        if self.interface.findData(network.interface) < 0:
            self.interface.addItem(network.interface, network.interface)
        self.interface.setCurrentIndex(self.interface.findData(network.interface))
        self.sip_port = QSpinBox()
        self.sip_port.setAccessibleName("SIP port")
        self.sip_port.setRange(0, 65535)
        self.sip_port.setSpecialValueText("5060, or the next free one")
        self.sip_port.setValue(network.sip_port or 0)
        self.rtp_port = QSpinBox()
        self.rtp_port.setAccessibleName("First RTP port")
        self.rtp_port.setRange(1024, 65535)
        self.rtp_port.setValue(network.rtp_port)
        self.rtp_range = QSpinBox()
        self.rtp_range.setAccessibleName("RTP ports")
        self.rtp_range.setRange(0, 60000)
        self.rtp_range.setSpecialValueText("no limit")
        self.rtp_range.setValue(network.rtp_port_range)
        nform.addRow("Interface:", self.interface)
        nform.addRow("SIP port (UDP):", self.sip_port)
        nform.addRow("RTP ports from:", self.rtp_port)
        nform.addRow("RTP ports, how many:", self.rtp_range)
        transports = QLabel("Transports: UDP for direct calls; each account chooses UDP, TCP "
                            "or TLS (Settings → Accounts).")
        transports.setWordWrap(True)
        nform.addRow(transports)
        self.listening = QLabel(f"Listening now on {listening}." if listening else "")
        self.listening.setAccessibleName("Listening now")
        nform.addRow(self.listening)
        restart = QLabel("Network changes apply at the next start.")
        restart.setEnabled(False)
        nform.addRow(restart)
        self.tabs.addTab(net, "Network")

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    def result_desktop(self, base: DesktopSettings) -> DesktopSettings:
        return base.model_copy(update={
            "close_to_tray": self.close_to_tray.isChecked(),
            "start_minimized": self.start_minimized.isChecked(),
            "autostart": self.autostart.isChecked(),
        })

    def result_network(self, base: NetworkSettings) -> NetworkSettings:
        return base.model_copy(update={
            "interface": str(self.interface.currentData() or ALL_INTERFACES),
            "sip_port": self.sip_port.value() or None,
            "rtp_port": self.rtp_port.value(),
            "rtp_port_range": self.rtp_range.value(),
        })
