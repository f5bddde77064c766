"""A real Kamailio registrar/proxy on 127.0.0.1 for account tests: digest auth, UDP, TCP, TLS.

Users and passwords are fixed (USERS). TLS uses a certificate signed by a CA the test
creates (``make_ca``); the CA file is what a client must trust.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.peers.base import PeerError, PeerProcess
from tests.peers.sipp import free_udp_port

HOST = "127.0.0.1"
USERS = {"alice": "alice-secret", "bob": "bob-secret"}
MODULES = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules")

CFG = r"""#!KAMAILIO
debug=2
log_stderror=yes
memdbg=5
memlog=5
children=2
tcp_children=2
disable_tcp=no
enable_tls=yes
auto_aliases=no
# No bare-host alias: every peer here is 127.0.0.1, on its own port.
listen=udp:{host}:{port}
listen=tcp:{host}:{port}
listen=tls:{host}:{tls_port}
mpath="{modules}"

loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "auth.so"
loadmodule "tls.so"

modparam("tls", "config", "{tls_cfg}")
modparam("usrloc", "db_mode", 0)
modparam("registrar", "max_expires", 3600)
modparam("rr", "enable_full_lr", 1)

request_route {{
    if (!mf_process_maxfwd_header("10")) {{
        sl_send_reply("483", "Too Many Hops");
        exit;
    }}
    if (is_method("OPTIONS") && uri==myself && $rU==$null) {{
        sl_send_reply("200", "OK");
        exit;
    }}
    if (has_totag()) {{
        if (loose_route()) {{
            t_relay();
            exit;
        }}
        if (is_method("ACK")) {{
            if (t_check_trans()) {{
                t_relay();
            }}
            exit;
        }}
        sl_send_reply("404", "Not here");
        exit;
    }}
    if (is_method("CANCEL")) {{
        if (t_check_trans()) {{
            t_relay();
        }}
        exit;
    }}
    t_check_trans();
    if (is_method("REGISTER|INVITE")) {{
        $var(pw) = "";
{password_lines}
        if (is_method("REGISTER")) {{
            if (!pv_www_authenticate("$td", "$var(pw)", "0")) {{
                www_challenge("$td", "1");
                exit;
            }}
        }} else {{
            if (!pv_proxy_authenticate("$fd", "$var(pw)", "0")) {{
                proxy_challenge("$fd", "1");
                exit;
            }}
        }}
        consume_credentials();
    }}
    if (is_method("REGISTER")) {{
        save("location");
        exit;
    }}
    record_route();
    if (!lookup("location")) {{
        sl_send_reply("404", "Not Found");
        exit;
    }}
    t_relay();
}}
"""

TLS_CFG = """[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
private_key = {key}
certificate = {cert}

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
"""


@dataclass(frozen=True)
class TestCA:
    ca_file: Path
    server_cert: Path
    server_key: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(folder: Path, name: str = "softphone test CA") -> TestCA:
    """A CA and a server certificate for 127.0.0.1/localhost signed by it."""
    folder.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", f"/CN={name}", "-keyout", "ca.key", "-out", "ca.pem", cwd=folder)
    (folder / "san.cnf").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
        "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
    )
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", "server.key", "-out", "server.csr", cwd=folder)
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", "san.cnf", "-out", "server.pem",
             cwd=folder)
    return TestCA(folder / "ca.pem", folder / "server.pem", folder / "server.key")


def kamailio_available() -> bool:
    return shutil.which("kamailio") is not None and MODULES.is_dir()


class Kamailio(PeerProcess):
    """Kamailio on the peer base. Its ports are picked, then bound: Kamailio cannot bind
    port 0 (``listen=udp:127.0.0.1:0`` listens on 5060) and its routing needs the port."""

    kind = "kamailio"

    def __init__(self, workdir: Path, ca: TestCA) -> None:
        super().__init__(workdir)
        self.port = free_udp_port()
        self.tls_port = free_udp_port()
        self.ca = ca

    @property
    def domain(self) -> str:
        return f"{HOST}:{self.port}"

    def command(self) -> list[str]:
        tls_cfg = self.workdir / "tls.cfg"
        tls_cfg.write_text(TLS_CFG.format(key=self.ca.server_key, cert=self.ca.server_cert))
        lines = "\n".join(
            f'        if ($fU == "{user}") {{ $var(pw) = "{pw}"; }}' for user, pw in USERS.items()
        )
        cfg = self.workdir / "kamailio.cfg"
        cfg.write_text(CFG.format(host=HOST, port=self.port, tls_port=self.tls_port,
                                  modules=MODULES, tls_cfg=tls_cfg, password_lines=lines))
        runtime = self.workdir / "run"
        runtime.mkdir(exist_ok=True)
        check = subprocess.run(["kamailio", "-c", "-f", str(cfg)], capture_output=True,
                               text=True, timeout=30)
        if check.returncode != 0:
            raise RuntimeError(f"kamailio config check failed:\n{check.stderr[-3000:]}")
        return ["kamailio", "-DD", "-E", "-f", str(cfg), "-Y", str(runtime), "-m", "64",
                "-M", "8", "-P", str(runtime / "kamailio.pid")]

    def ready(self, deadline: float) -> None:
        # Kamailio prints no ready line; it serves once its TCP and TLS sockets listen
        # (bound after UDP). Polled: there is no event for a socket being bound.
        while time.monotonic() < deadline:
            self.check_alive()
            if self._listening():
                return
            time.sleep(0.05)
        raise self.error("did not start listening in time")

    def _listening(self) -> bool:
        out = subprocess.run(["ss", "-ltn"], capture_output=True, text=True).stdout
        return f"{HOST}:{self.tls_port}" in out and f"{HOST}:{self.port}" in out

    def start(self) -> Kamailio:
        try:
            super().start()
        except PeerError as exc:
            raise RuntimeError(str(exc)) from None
        return self


def start_kamailio() -> tuple[Kamailio, Path]:
    workdir = Path(tempfile.mkdtemp(prefix="kamailio-"))
    ca = make_ca(workdir / "ca")
    return Kamailio(workdir, ca).start(), workdir
