"""Run sipp (from the Asterisk sandbox's chroot) as a real SIP user agent in tests."""

from __future__ import annotations

import asyncio
import itertools
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from acd.sandbox.asterisk import AsteriskSandbox

__all__ = ["Sipp", "SippResult"]

SCENARIOS = Path(__file__).resolve().parent / "sip"
_run_ids = itertools.count(1)


@dataclass
class SippResult:
    returncode: int
    output: str


@dataclass
class Sipp:
    """One sipp process for one scenario, bound to 127.0.0.1:`port`."""

    sandbox: AsteriskSandbox
    scenario: str
    port: int
    media_port: int
    values: dict[str, str] = field(default_factory=dict)
    service: str = "95598"
    auth: tuple[str, str] | None = None
    timeout_s: int = 30
    proc: asyncio.subprocess.Process | None = None

    def _install(self) -> tuple[str, Path]:
        text = (SCENARIOS / self.scenario).read_text(encoding="utf-8")
        for key, value in self.values.items():
            text = text.replace(f"@@{key}@@", value)
        if "@@" in text:
            raise ValueError(f"{self.scenario}: unfilled placeholder in scenario")
        run_id = next(_run_ids)
        inner_dir = f"/tmp/acd-sipp/{self.port}-{run_id}"
        host_dir = self.sandbox.host_path(inner_dir)
        if host_dir.exists():
            shutil.rmtree(host_dir)
        host_dir.mkdir(parents=True)
        (host_dir / self.scenario).write_text(text, encoding="utf-8")
        return f"{inner_dir}/{self.scenario}", host_dir

    async def start(self) -> None:
        inner, host_dir = self._install()
        self._host_dir = host_dir
        self._inner_dir = inner.rsplit("/", 1)[0]
        cmd = [
            "chroot", str(self.sandbox.rootfs), "sipp",
            "-sf", inner, "-i", "127.0.0.1", "-p", str(self.port),
            "-mi", "127.0.0.1", "-mp", str(self.media_port),
            "-m", "1", "-l", "1", "-s", self.service, "-nostdin",
            # NOTIFY, INFO, OPTIONS and UPDATE outside the script get a 200 OK by themselves
            "-aa",
            "-timeout", f"{self.timeout_s}s", "-timeout_error", "-recv_timeout", "20000",
            "-trace_err", "-error_file", f"{self._inner_dir}/errors.log",
            "-trace_msg", "-message_file", f"{self._inner_dir}/messages.log",
        ]
        if self.auth:
            cmd += ["-au", self.auth[0], "-ap", self.auth[1]]
        cmd.append(f"127.0.0.1:{self.sandbox.params.sip_port}")
        self.proc = await asyncio.create_subprocess_exec(
            *cmd, cwd=host_dir, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )

    async def wait(self, timeout: float | None = None) -> SippResult:
        assert self.proc is not None
        try:
            out, _ = await asyncio.wait_for(self.proc.communicate(),
                                            timeout or self.timeout_s + 10)
        except TimeoutError:
            self.proc.kill()
            out, _ = await self.proc.communicate()
        return SippResult(self.proc.returncode or 0, out.decode(errors="replace") + self.logs())

    def logs(self) -> str:
        parts = []
        for path in sorted(getattr(self, "_host_dir", Path("/nonexistent")).glob("*.log")):
            parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}")
        return "\n".join(parts)

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


_PCAP_NAMES = {"*": "star", "#": "pound"}


def dtmf_keys(keys: str, gap_ms: int = 700) -> str:
    """sipp steps that send `keys`: the first as RFC 4733 events (a recorded packet train),
    the rest as SIP INFO. Replaying a second recorded train in the same call would repeat
    its RTP timestamps, and Asterisk rightly takes that for a retransmission."""
    parts = []
    for i, key in enumerate(keys):
        if i == 0:
            name = _PCAP_NAMES.get(key, key)
            parts.append(
                "  <nop><action><exec play_pcap_audio="
                f'"/usr/share/sip-tester/dtmf_2833_{name}.pcap"/></action></nop>'
            )
        else:
            parts.append(_INFO.replace("@@CSEQ@@", str(10 + i)).replace("@@KEY@@", key))
        if i < len(keys) - 1:
            parts.append(f'  <pause milliseconds="{gap_ms}"/>')
    return "\n".join(parts)


_INFO = """  <send retrans="500">
    <![CDATA[
      INFO sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:@@ANI@@@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: @@CSEQ@@ INFO
      Contact: <sip:@@ANI@@@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=@@KEY@@
      Duration=160
    ]]>
  </send>
  <recv response="200"/>"""
