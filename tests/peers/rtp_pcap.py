"""RTP streams written as pcap files for SIPp's play_pcap_audio, with chosen timing.

SIPp sends each packet of a pcap when its capture time comes, so the send times written
here are the jitter (and the gaps the loss) the far end sees: an impaired path without
netem, which this machine's kernel lacks.
"""

from __future__ import annotations

import math
import random
import struct
from pathlib import Path

SAMPLE_RATE = 8000
FRAME = 160  # 20 ms of PCMU


def _ulaw(sample: int) -> int:
    """G.711 mu-law of one 16-bit sample (the textbook encoder)."""
    bias, clip = 0x84, 32635
    sign = 0x80 if sample < 0 else 0
    magnitude = min(clip, abs(sample)) + bias
    exponent = 7
    for exp in range(7, -1, -1):
        if magnitude & (0x4000 >> (7 - exp)):
            exponent = exp
            break
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def write_rtp_pcap(path: Path, *, seconds: float, tone_hz: float = 440.0,
                   jitter_ms: float = 0.0, loss_pct: float = 0.0, seed: int = 3) -> None:
    """PCMU packets of a tone, one per 20 ms of media, sent with up to ``jitter_ms`` of
    random delay each (in order) and ``loss_pct`` of them left out."""
    rng = random.Random(seed)
    frames = int(seconds * 1000 / 20)
    out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    last_send = 0.0
    for n in range(frames):
        if rng.random() * 100 < loss_pct:
            continue
        payload = bytes(
            _ulaw(int(8000 * math.sin(2 * math.pi * tone_hz * (n * FRAME + i) / SAMPLE_RATE)))
            for i in range(FRAME))
        rtp = struct.pack("!BBHII", 0x80, 0, n & 0xFFFF, (n * FRAME) & 0xFFFFFFFF,
                          0x5EED) + payload
        udp = struct.pack("!HHHH", 40000, 40000, 8 + len(rtp), 0) + rtp
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), n & 0xFFFF, 0, 64, 17, 0,
                         bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])) + udp
        frame = b"\x00" * 12 + b"\x08\x00" + ip
        send = max(last_send, n * 0.020 + rng.uniform(0, jitter_ms / 1000.0))
        last_send = send
        sec, usec = int(send), int((send - int(send)) * 1_000_000)
        out += struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame
    path.write_bytes(bytes(out))


SCENARIO = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<!-- UAS: answer (PCMU), play a pcap of RTP, then BYE. Written by tests/peers/rtp_pcap.py. -->
<scenario name="uas_play_pcap">
  <recv request="INVITE" crlf="true" rrs="true" />
  <send retrans="500">
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
      Server: SIPp
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=SIPp
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
      a=ptime:20
      a=sendrecv

    ]]>
  </send>
  <recv request="ACK" crlf="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="caller_from" />
      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="callee_to" />
    </action>
  </recv>
  <nop><action><exec play_pcap_audio="PCAP" /></action></nop>
  <pause milliseconds="PAUSE_MS" />
  <send retrans="500">
    <![CDATA[

      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From:[$callee_to]
      To:[$caller_from]
      [last_Call-ID:]
      CSeq: 1 BYE
      Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true" />
</scenario>
"""


def play_pcap_scenario(folder: Path, pcap: Path, seconds: float) -> Path:
    """A SIPp UAS scenario file that plays ``pcap`` after answer and hangs up after it."""
    path = folder / f"uas_play_{pcap.stem}.xml"
    path.write_text(SCENARIO.replace("PCAP", str(pcap))
                    .replace("PAUSE_MS", str(int(seconds * 1000) + 500)))
    return path
