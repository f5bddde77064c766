#!/usr/bin/env python3
"""A second pjsua2 process used as a SIP/RTP peer by the test suite.

Run as a subprocess:

    python tests/peers/pjsua_peer.py --listen [--answer-after S | --reject CODE] [options]
    python tests/peers/pjsua_peer.py --call URI [options]

Options shared by both modes:
    --port N            UDP SIP port on 127.0.0.1 (0 = any free port; default 0)
    --play WAV          play a WAV file into each call once its media is active (once)
    --tone HZ           play a sine tone of HZ into each call once its media is active
    --record FILE       record the audio received from the far end into a WAV file
    --drop-pct N        drop N% of the RTP packets sent (a lossy path for quality tests)
                        (use "{n}" in FILE for a per-call file: call 1, 2, ...)
    --hangup-after S    send BYE S seconds after the call is answered (CONFIRMED)
    --calls N           exit after N calls have ended (default 1)
    --timeout S         hard overall limit (default 60); exit code 3 if it is hit
    --codec LIST        comma-separated codec id prefixes in priority order, others disabled
                        (default "G722,PCMU,PCMA"; "all" = pjsua2 defaults, where
                        speex/16000 wins and mangles pure tones at 800/900 Hz)
    --log-level N       pjsip log level written to stderr (default 1)

Listen-only options:
    --answer-after S    send 180 at once, then 200 after S seconds (default 0)
    --reject CODE       send 180 at once, then this final code after --answer-after seconds
    --early-media       send 183 Session Progress with SDP instead of 180: --tone plays as
                        early media until the final answer (200, or --reject)

Stdout protocol, softphone.model.worker (everything else goes to stderr):
    READY <port>                      once, when the transport and account are up
    {"event": "disconnected", ...}    one JSON line per call, at its DISCONNECTED state
                                      ("dtmf_digits": the DTMF digits received, in order)

Exit codes: 0 clean end (also after SIGTERM/SIGINT: calls are hung up and recordings
closed first), 1 runtime error (including a failed --record/--tone setup), 2 bad usage,
3 --timeout hit (open calls are hung up first).

Limits: the pjsua2 wheel allows 4 simultaneous calls per process; pjsua itself answers a
5th incoming call with 486 before any callback runs, so it prints no JSON line and does
not count towards --calls.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import time
import traceback

import pjsua2 as pj

from softphone.model.worker import CallEnded, Ready

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_TIMEOUT = 3

DEFAULT_CODECS = "G722,PCMU,PCMA"


def log(msg: str) -> None:
    sys.stderr.write(f"[pjsua_peer {os.getpid()} {time.monotonic():.3f}] {msg}\n")
    sys.stderr.flush()


def errstr(exc: BaseException) -> str:
    if isinstance(exc, pj.Error):
        return f"{exc.title}: {exc.reason} (status {exc.status})"
    return repr(exc)


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class StderrLogWriter(pj.LogWriter):
    def write(self, entry):
        try:
            sys.stderr.write(entry.msg if entry.msg.endswith("\n") else entry.msg + "\n")
            sys.stderr.flush()
        except Exception:
            pass


class PeerCall(pj.Call):
    """A call plus the media objects attached to it. All pjsua2 work that is not strictly
    needed inside the callback is deferred to the main loop (``Peer.run``)."""

    def __init__(self, peer: Peer, acc: pj.Account, call_id: int = pj.PJSUA_INVALID_ID, role: str = "caller"):
        if call_id == pj.PJSUA_INVALID_ID:
            super().__init__(acc)
        else:
            super().__init__(acc, call_id)
        self.peer = peer
        self.role = role
        self.index = 0
        self.confirmed_at: float | None = None
        self.disconnected = False
        self.codec: str | None = None
        self.record_file: str | None = None
        self.recorder: pj.AudioMediaRecorder | None = None
        self.tonegen: pj.ToneGenerator | None = None
        self.player: pj.AudioMediaPlayer | None = None
        self.dtmf_digits = ""

    # -- callbacks (run on the main thread from libHandleEvents) --------------------------
    # An exception escaping a SWIG director callback is printed with PyErr_Print, which
    # keeps the traceback (and so this Call) alive in sys.last_traceback until after
    # libDestroy(): the process then aborts. Never let one escape.
    def onCallState(self, prm):
        try:
            self._on_call_state()
        except Exception as exc:
            self.peer.fail(f"onCallState: {errstr(exc)}\n{traceback.format_exc()}")

    def onCallMediaState(self, prm):
        try:
            self._on_call_media_state()
        except Exception as exc:
            self.peer.fail(f"onCallMediaState: {errstr(exc)}\n{traceback.format_exc()}")

    def onDtmfDigit(self, prm):
        try:
            self.dtmf_digits += prm.digit
            log(f"call {self.index}: DTMF {prm.digit!r} received")
        except Exception as exc:
            self.peer.fail(f"onDtmfDigit: {errstr(exc)}")

    def _on_call_state(self):
        ci = self.getInfo()
        log(f"call {self.index} ({self.role}) state {ci.stateText} {ci.lastStatusCode} {ci.lastReason}")
        if ci.state == pj.PJSIP_INV_STATE_CONFIRMED and self.confirmed_at is None:
            self.confirmed_at = time.monotonic()
            if self.peer.args.hangup_after is not None:
                self.peer.schedule(self.peer.args.hangup_after, self.peer.hangup, self)
        elif ci.state == pj.PJSIP_INV_STATE_DISCONNECTED and not self.disconnected:
            self.disconnected = True
            conn = ci.connectDuration
            total = ci.totalDuration
            # The package's worker protocol (softphone/model/worker.py): validated here,
            # so a field the parent cannot parse fails in the peer, not in a test.
            event = CallEnded(
                last_status_code=int(ci.lastStatusCode),
                last_reason=ci.lastReason,
                connect_duration_s=round(conn.sec + conn.msec / 1000.0, 3),
                total_duration_s=round(total.sec + total.msec / 1000.0, 3),
                remote_uri=ci.remoteUri,
                remote_contact=ci.remoteContact,
                local_uri=ci.localUri,
                role=self.role,
                call_index=self.index,
                codec=self.codec,
                record_file=self.record_file,
                tone_hz=self.peer.args.tone,
                dtmf_digits=self.dtmf_digits,
            )
            emit(event.line())
            self.peer.on_call_ended(self)

    def _on_call_media_state(self):
        ci = self.getInfo()
        for mi in ci.media:
            # Held by the far end (we only receive): keep recording what still arrives.
            if mi.type != pj.PJMEDIA_TYPE_AUDIO or mi.status not in (
                    pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD):
                continue
            try:
                am = self.getAudioMedia(mi.index)
            except Exception as exc:
                log(f"getAudioMedia({mi.index}) failed: {exc}")
                continue
            try:
                si = self.getStreamInfo(mi.index)
                self.codec = f"{si.codecName}/{si.codecClockRate}"
            except Exception:
                pass
            args = self.peer.args
            if self.tonegen is not None:
                self.tonegen.startTransmit(am)  # media updated (re-INVITE): reconnect
            if self.recorder is not None:
                am.startTransmit(self.recorder)
            if self.player is not None:
                self.player.startTransmit(am)
            if args.play and self.player is None:
                player = pj.AudioMediaPlayer()
                player.createPlayer(args.play, pj.PJMEDIA_FILE_NO_LOOP)
                player.startTransmit(am)
                self.player = player
                log(f"call {self.index}: playing {args.play} once (codec {self.codec})")
            if args.tone is not None and self.tonegen is None:
                tg = pj.ToneGenerator()
                tg.createToneGenerator(16000, 1)
                td = pj.ToneDesc()
                td.freq1 = int(args.tone)
                td.freq2 = 0
                td.on_msec = 30000  # long tone, looped: a phase reset only every 30 s
                td.off_msec = 0
                td.volume = 0  # pjmedia default amplitude
                tones = pj.ToneDescVector()
                tones.append(td)
                tg.play(tones, True)
                tg.startTransmit(am)
                self.tonegen = tg
                log(f"call {self.index}: playing {args.tone} Hz tone (codec {self.codec})")
            if args.record and self.recorder is None:
                path = args.record.replace("{n}", str(self.index))
                rec = pj.AudioMediaRecorder()
                rec.createRecorder(path)
                am.startTransmit(rec)
                self.recorder = rec
                self.record_file = os.path.abspath(path)
                log(f"call {self.index}: recording into {path} (codec {self.codec})")
            break


class PeerAccount(pj.Account):
    def __init__(self, peer: Peer):
        super().__init__()
        self.peer = peer

    def onIncomingCall(self, prm):
        try:
            self._on_incoming_call(prm)
        except Exception as exc:
            self.peer.fail(f"onIncomingCall: {errstr(exc)}\n{traceback.format_exc()}")

    def _on_incoming_call(self, prm):
        peer = self.peer
        call = PeerCall(peer, self, prm.callId, role="callee")
        peer.add_call(call)
        if not peer.args.listen or peer.stopping:
            op = pj.CallOpParam()
            op.statusCode = 486
            call.answer(op)
            return
        op = pj.CallOpParam()
        # 183 carries our SDP answer, so the tone flows as early media before the answer.
        op.statusCode = 183 if peer.args.early_media else pj.PJSIP_SC_RINGING
        call.answer(op)
        final = peer.args.reject if peer.args.reject is not None else 200
        peer.schedule(peer.args.answer_after, peer.answer, call, final)


class Peer:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.ep: pj.Endpoint | None = None
        self.writer: StderrLogWriter | None = None
        self.acc: PeerAccount | None = None
        self.port = 0
        self.calls: list[PeerCall] = []  # every Call ever created, kept until shutdown
        self.timers: list[tuple[float, object, tuple]] = []
        self.ended = 0
        self.started = 0
        self.stopping = False
        self.signalled = False
        self.errors = 0

    # -- helpers ------------------------------------------------------------------------
    def schedule(self, delay: float, fn, *fn_args) -> None:
        self.timers.append((time.monotonic() + max(0.0, float(delay)), fn, fn_args))

    def fail(self, msg: str) -> None:
        """Log an error; the process will exit 1 at the end instead of 0."""
        self.errors += 1
        log(f"ERROR {msg}")

    def add_call(self, call: PeerCall) -> None:
        self.started += 1
        call.index = self.started
        self.calls.append(call)

    def answer(self, call: PeerCall, code: int) -> None:
        if call.disconnected:
            return
        op = pj.CallOpParam()
        op.statusCode = code
        try:
            call.answer(op)
        except Exception as exc:
            self.fail(f"answer({code}): {errstr(exc)}")

    def hangup(self, call: PeerCall) -> None:
        if call.disconnected:
            return
        try:
            call.hangup(pj.CallOpParam())
        except Exception as exc:
            log(f"hangup failed: {errstr(exc)}")

    def on_call_ended(self, call: PeerCall) -> None:
        self.ended += 1
        # Close the recorder and stop the tone now (deferred: not inside the callback) so the
        # WAV header is finalized as soon as the call is over.
        self.schedule(0, self.release_media, call)
        if self.args.call and self.started < self.args.calls and not self.stopping:
            self.schedule(0.2, self.place_call)

    def release_media(self, call: PeerCall) -> None:
        if call.tonegen is not None:
            try:
                call.tonegen.stop()
            except Exception:
                pass
            call.tonegen = None
        call.player = None  # SWIG destructor -> pjsua_player_destroy
        if call.recorder is not None:
            call.recorder = None  # SWIG destructor -> pjsua_recorder_destroy (queued)
            gc.collect()
            # Let the bridge clock run the queued removal, which closes the WAV file.
            end = time.monotonic() + 0.1
            while time.monotonic() < end:
                self.ep.libHandleEvents(10)
            log(f"call {call.index}: recording closed: {call.record_file}")

    def place_call(self) -> None:
        call = PeerCall(self, self.acc, role="caller")
        self.add_call(call)
        prm = pj.CallOpParam(True)
        try:
            call.makeCall(self.args.call, prm)
        except Exception as exc:
            call.disconnected = True  # never existed in pjsua
            raise RuntimeError(f"makeCall({self.args.call}) failed: {errstr(exc)}") from None

    # -- life cycle -----------------------------------------------------------------------
    def start(self) -> None:
        args = self.args
        ep = pj.Endpoint()
        self.ep = ep
        # pjlib prints its start-up banner on fd 1 before any log config applies.
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            ep.libCreate()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)

        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.userAgent = "pjsua_peer (pjsua2 test peer)"
        self.writer = StderrLogWriter()
        cfg.logConfig.writer = self.writer
        cfg.logConfig.level = args.log_level
        cfg.logConfig.consoleLevel = args.log_level
        cfg.logConfig.decor = cfg.logConfig.decor & ~pj.PJ_LOG_HAS_NEWLINE
        cfg.medConfig.noVad = True
        # Keep the null device's clock running when nothing is connected: the 2.15
        # conference bridge only *queues* a port removal, and the queue runs on the clock
        # tick. With the default auto-close (1 s idle) a deleted recorder's WAV would only
        # be finalized at libDestroy().
        cfg.medConfig.sndAutoCloseTime = -1
        # A lossy path for quality tests: pjmedia drops this share of what we send.
        cfg.medConfig.txDropPct = args.drop_pct
        ep.libInit(cfg)
        ep.audDevManager().setNullDev()

        tcfg = pj.TransportConfig()
        tcfg.port = args.port
        tcfg.boundAddress = "127.0.0.1"
        tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
        ep.libStart()

        if args.codec.lower() != "all":
            wanted = [w.strip().lower() for w in args.codec.split(",") if w.strip()]
            for ci in ep.codecEnum2():
                cid = ci.codecId.lower()
                ranks = [i for i, w in enumerate(wanted) if cid.startswith(w)]
                ep.codecSetPriority(ci.codecId, 250 - ranks[0] if ranks else 0)
        log("codecs: " + ", ".join(
            f"{ci.codecId}={ci.priority}" for ci in ep.codecEnum2() if ci.priority > 0))

        local_name = ep.transportGetInfo(tid).localName  # "127.0.0.1:5xxxx"
        self.port = int(local_name.rsplit(":", 1)[1])

        acfg = pj.AccountConfig()
        acfg.idUri = f"sip:peer@127.0.0.1:{self.port}"
        acfg.sipConfig.transportId = tid
        acfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
        acfg.mediaConfig.srtpUse = {
            "off": pj.PJMEDIA_SRTP_DISABLED,
            "optional": pj.PJMEDIA_SRTP_OPTIONAL,
            "mandatory": pj.PJMEDIA_SRTP_MANDATORY,
        }[self.args.srtp]
        acfg.mediaConfig.srtpSecureSignaling = 0
        self.acc = PeerAccount(self)
        self.acc.create(acfg)

        emit(Ready(port=self.port).line())
        log(f"ready on 127.0.0.1:{self.port} as {acfg.idUri}")

    def run(self) -> int:
        args = self.args
        deadline = time.monotonic() + args.timeout
        if args.call:
            self.place_call()
        code = EXIT_OK
        while self.ended < args.calls:
            if self.signalled and not self.stopping:
                log("signal received: stopping")
                return self.stop_calls(EXIT_OK)
            if time.monotonic() >= deadline:
                log(f"timeout after {args.timeout} s ({self.ended}/{args.calls} calls ended)")
                return self.stop_calls(EXIT_TIMEOUT)
            self.ep.libHandleEvents(10)
            self.run_timers()
        self.run_timers()
        return code

    def run_timers(self) -> None:
        now = time.monotonic()
        due = [t for t in self.timers if t[0] <= now]
        if not due:
            return
        self.timers = [t for t in self.timers if t[0] > now]
        for _, fn, fn_args in due:
            try:
                fn(*fn_args)
            except Exception as exc:
                self.fail(f"timer {getattr(fn, '__name__', fn)}: {errstr(exc)}")

    def stop_calls(self, code: int) -> int:
        self.stopping = True
        self.timers = [t for t in self.timers if t[1] is self.release_media]
        for call in self.calls:
            if not call.disconnected:
                self.hangup(call)
        end = time.monotonic() + 2.0
        while time.monotonic() < end and not all(c.disconnected for c in self.calls):
            self.ep.libHandleEvents(10)
        self.run_timers()
        return code

    def shutdown(self) -> None:
        ep = self.ep
        if ep is None:
            return
        try:
            # Let the last transactions (200 to BYE, ACK) go out.
            end = time.monotonic() + 0.2
            while time.monotonic() < end:
                ep.libHandleEvents(10)
            try:
                ep.hangupAllCalls()
            except Exception:
                pass
            for c in self.calls:
                self.release_media(c)
            ep.libHandleEvents(10)
        except Exception as exc:
            log(f"shutdown pump failed: {exc}")
        # Every pjsua2 object must be gone before libDestroy(): no local name may still
        # point at a Call here (a Call collected after libDestroy aborts the process).
        c = None
        for name in ("last_traceback", "last_value", "last_exc"):
            if hasattr(sys, name):
                setattr(sys, name, None)
        all_ended = all(call.disconnected for call in self.calls)
        call = None  # noqa: F841 - drops the loop variable's hold on a pjsua2 Call
        while self.calls:
            self.calls.pop().peer = None
        self.timers.clear()
        if self.acc is not None:
            try:
                self.acc.shutdown()
            except Exception:
                pass
            self.acc.peer = None
            self.acc = None
        gc.collect()
        try:
            # Nothing left to send: skip pjsua_destroy's fixed 1 s network grace sleep.
            ep.libDestroy(pj.PJSUA_DESTROY_NO_NETWORK if all_ended else 0)
        except Exception as exc:
            log(f"libDestroy failed: {exc}")
        self.ep = None
        del ep
        gc.collect()
        self.writer = None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="pjsua2 peer process for tests")
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--listen", action="store_true", help="wait for incoming calls")
    mode.add_argument("--call", metavar="URI", help="place an outgoing call to URI")
    p.add_argument("--port", type=int, default=0, help="SIP UDP port on 127.0.0.1 (0 = any)")
    p.add_argument("--answer-after", type=float, default=0.0, metavar="S")
    p.add_argument("--reject", type=int, metavar="CODE", help="final response code instead of 200")
    p.add_argument("--early-media", action="store_true",
                   help="send 183 with SDP instead of 180 (the tone plays as early media)")
    p.add_argument("--tone", type=float, metavar="HZ", help="play a sine tone into the call")
    p.add_argument("--play", metavar="WAV", help="play a WAV file into each call once, from answer")
    p.add_argument("--record", metavar="FILE", help="record received audio to a WAV file")
    p.add_argument("--hangup-after", type=float, metavar="S", help="send BYE S s after answer")
    p.add_argument("--calls", type=int, default=1, metavar="N", help="exit after N ended calls")
    p.add_argument("--timeout", type=float, default=60.0, metavar="S", help="hard limit (exit 3)")
    p.add_argument(
        "--codec", default=DEFAULT_CODECS, metavar="LIST",
        help="comma-separated codec id prefixes, in priority order; others are disabled; "
        f"'all' keeps pjsua2's defaults (default {DEFAULT_CODECS}: speex/16000, pjsua2's "
        "default pick, turns an 800 or 900 Hz test tone into clipped noise)")
    p.add_argument("--log-level", type=int, default=1, metavar="N", help="pjsip log level (stderr)")
    p.add_argument("--srtp", choices=["off", "optional", "mandatory"], default="off",
                   help="SRTP use for calls (default off: a plain RTP peer)")
    p.add_argument("--drop-pct", type=int, default=0, metavar="N",
                   help="drop N%% of the RTP packets we send (a lossy path, for quality tests)")
    args = p.parse_args(argv)
    if args.reject is not None and not (300 <= args.reject <= 699):
        p.error("--reject must be a final non-2xx code (300-699)")
    if args.reject is not None and not args.listen:
        p.error("--reject needs --listen")
    if args.calls < 1:
        p.error("--calls must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    peer = Peer(args)

    def on_signal(signum, frame):
        peer.signalled = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    code = EXIT_OK
    try:
        peer.start()
        code = peer.run()
    except Exception as exc:
        log(f"error: {errstr(exc)}")
        code = EXIT_ERROR
        exc = None
    finally:
        peer.shutdown()
    if code == EXIT_OK and peer.errors:
        code = EXIT_ERROR
    log(f"exit {code}")
    return code


if __name__ == "__main__":
    sys.exit(main())
