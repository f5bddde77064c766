"""New calls and the sessions that carry them: dialled by us, brought by the far end
(an INVITE, a REFER that transfers us, an INVITE with Replaces), or refused by pjsua."""

from __future__ import annotations

from uuid import uuid4

import pjsua2 as pj

from softphone.engine.accounts import SipAccount
from softphone.engine.pjcall import PjCall
from softphone.engine.session import CallSession, SessionHost
from softphone.engine.sipmsg import call_id_text, header, split_name_addr
from softphone.engine.wire import wire_message
from softphone.model import Address, AddressType, Call, CallDirection, CallStatus, Timestamp
from softphone.model.diagnostics import CallDiagnostics


def outgoing_call(source: Address, destination: Address) -> Call:
    now = Timestamp.now()
    return Call(id=uuid4(), direction=CallDirection.OUTGOING, status=CallStatus.DIALING,
                source=source, destination=destination, tm_create=now, tm_update=now)


def incoming_call(message: str, remote_info: str, local_info: str) -> Call:
    """A new incoming Call from the From and To of the INVITE: ringing from the start.

    Read from the message itself: pjsua prints the URIs into 256-byte buffers, and a long
    display name comes out as "-error: uri too long-"."""
    name, uri = split_name_addr(header(message, "From", limit=None) or remote_info)
    _, local_uri = split_name_addr(header(message, "To", limit=None) or local_info)
    now = Timestamp.now()
    return Call(
        id=uuid4(),
        direction=CallDirection.INCOMING,
        status=CallStatus.RINGING,
        source=Address(type=AddressType.SIP, target=uri, name=name),
        destination=Address(type=AddressType.SIP, target=local_uri),
        tm_create=now,
        tm_ringing=now,
        tm_update=now,
    )


def incoming_session(
    host: SessionHost, prm: pj.OnIncomingCallParam, account: pj.Account
) -> CallSession:
    placeholder = Call(direction=CallDirection.INCOMING, status=CallStatus.RINGING)
    session = CallSession(host, placeholder)
    pj_call = PjCall(account, session, prm.callId)
    if isinstance(account, SipAccount):
        session.dtmf_method = account.settings.dtmf
    session.pj = pj_call
    info = pj_call.getInfo()
    message = wire_message(prm.rdata.wholeMsg)
    session.call = incoming_call(message, info.remoteUri, info.localUri)
    session.diagnostics = CallDiagnostics(
        user_agent=header(message, "User-Agent"),
        call_id_header=call_id_text(info.callIdString),
    )
    return session


def refused_session(host: SessionHost, prm: pj.OnRejectedIncomingCallParam) -> CallSession:
    """A call pjsua refused before any Account saw it (the call limit: 486; an SDP offer
    it cannot use: 488), to keep in history as refused by us."""
    message = wire_message(prm.rdata.wholeMsg)
    session = CallSession(host, incoming_call(message, prm.remoteInfo, prm.localInfo))
    session.diagnostics = CallDiagnostics(
        user_agent=header(message, "User-Agent"),
        call_id_header=call_id_text(header(message, "Call-ID", limit=None) or ""),
    )
    if prm.statusCode == 488:
        session.origin = "their media offer is unusable (no common codec or address)"
    return session


def transferred_session(host: SessionHost, parent: CallSession, target: str) -> CallSession:
    """The call a REFER asks for: an ordinary outgoing Call of ours to the Refer-To
    target, from the identity the transferred call used, with its settings."""
    assert parent.pj is not None
    _, uri = split_name_addr(target) if "<" in target else ("", target)
    old = parent.call
    source = old.source if parent.outgoing else old.destination
    call = outgoing_call(source, Address(type=AddressType.SIP, target=uri))
    new = CallSession(host, call, record=parent.record_wanted,
                      max_duration_s=parent.max_duration_s)
    new.dtmf_method, new.srtp_required = parent.dtmf_method, parent.srtp_required
    new.origin = f"transferred by {old.remote.target}"
    new.diagnostics = CallDiagnostics(detail=new.origin)
    new.pj = PjCall(parent.pj.account, new, pj.PJSUA_INVALID_ID)
    return new


def replacing_session(
    host: SessionHost, parent: CallSession, prm: pj.OnCallReplacedParam, account: pj.Account
) -> CallSession:
    """An INVITE with Replaces took over ``parent``: the new call is an incoming one."""
    placeholder = Call(direction=CallDirection.INCOMING, status=CallStatus.RINGING)
    new = CallSession(host, placeholder)
    new.pj = PjCall(account, new, prm.newCallId)
    info = new.pj.getInfo()
    new.call = incoming_call("", info.remoteUri, info.localUri)
    new.origin = f"replaces the call with {parent.call.remote.target}"
    return new
