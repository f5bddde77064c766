"""The call card's border says its state: orange while ringing in, the highlight for the
current call, a quiet line once it ended; read from the pixels the user sees."""

from __future__ import annotations

from uuid import uuid4

from PySide6.QtGui import QColor, QPalette

from softphone.model import Address, AddressType, Call, CallDirection, CallStatus
from softphone.model.timestamps import Timestamp


def edge_colour(card, x: int = 1) -> QColor:
    """The colour at the middle of the card's left edge, ``x`` pixels in."""
    image = card.grab().toImage()
    return image.pixelColor(x, image.height() // 2)


def close(a: QColor, b: QColor) -> bool:
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) < 40


def test_border_follows_ringing_current_and_ended(qtbot, tmp_path) -> None:
    from softphone.ui.call_card import RINGING_BORDER, CallCard

    now = Timestamp.now()
    call = Call(id=uuid4(), direction=CallDirection.INCOMING, status=CallStatus.RINGING,
                source=Address(type=AddressType.SIP, target="sip:alice@192.0.2.1"),
                tm_create=now, tm_ringing=now)
    card = CallCard(call, tmp_path)
    qtbot.addWidget(card)
    card.resize(420, card.sizeHint().height())
    card.show()
    qtbot.waitExposed(card)
    orange = QColor(RINGING_BORDER)
    assert close(edge_colour(card), orange)

    answered = call.model_copy(update={"status": CallStatus.PROGRESSING, "tm_progressing": now})
    card.update_call(answered, None)
    card.set_current(True)
    highlight = card.palette().color(QPalette.ColorRole.Highlight)
    assert close(edge_colour(card), highlight) and not close(edge_colour(card), orange)

    ended = answered.model_copy(update={"status": CallStatus.HANGUP, "tm_hangup": now})
    card.update_call(ended, None)
    mid = card.palette().color(QPalette.ColorRole.Mid)
    assert not close(edge_colour(card), highlight)
    assert close(edge_colour(card, 0), mid)  # a one-pixel line, on the edge itself
    # The card's widgets carry no style sheet of the card's: none cascades to each of them.
    assert card.styleSheet() == ""
