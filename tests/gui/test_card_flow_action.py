"""The call card shows the flow action running now, and follows it as the next starts."""

from __future__ import annotations

from uuid import uuid4

from softphone.model import (
    Action,
    Address,
    AddressType,
    Call,
    CallDirection,
    CallStatus,
    CallType,
)
from softphone.model.timestamps import Timestamp


def test_card_shows_the_running_action(qtbot, tmp_path) -> None:
    from softphone.ui.call_card import CallCard

    now = Timestamp.now()
    call = Call(id=uuid4(), direction=CallDirection.OUTGOING, status=CallStatus.PROGRESSING,
                destination=Address(type=AddressType.SIP, target="sip:ivr@192.0.2.1"),
                tm_create=now, tm_progressing=now, type=CallType.FLOW, flow_id=uuid4(),
                action=Action(id=uuid4(), type="digits_send", tm_execute=now))
    card = CallCard(call, tmp_path)
    qtbot.addWidget(card)
    assert card.plain.text() == "talking · flow action: digits_send"
    card.update_call(call.model_copy(update={"action": Action(id=uuid4(), type="sleep")}), None)
    assert card.plain.text() == "talking · flow action: sleep"
    plain = call.model_copy(update={"type": CallType.NONE, "action": Action()})
    card.update_call(plain, None)
    assert card.plain.text() == "talking"
