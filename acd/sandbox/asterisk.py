"""Build and run a private Asterisk 22 from Debian sid in a chroot under `.cache/asterisk`.

The root filesystem is made with debootstrap from the mirror this machine already uses
(read from its apt sources at run time) and rebuilt only when it is missing or the
package set changed. Asterisk runs in the foreground under `chroot`, bound to 127.0.0.1,
and is stopped by the pid recorded at start.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from acd.asterisk_conf import TEMPLATE_DIR, AsteriskParams, render
from acd.sandbox import CACHE_DIR

__all__ = [
    "PACKAGES",
    "AsteriskSandbox",
    "SandboxError",
    "mirror_url",
]

log = logging.getLogger(__name__)

PACKAGES = (
    "asterisk",
    "asterisk-core-sounds-en",
    "asterisk-moh-opsound-wav",
    "sip-tester",
)
SUITE = "sid"
RECIPE_VERSION = "1"
SOURCES_FILE = Path("/etc/apt/sources.list.d/debian.sources")
_APT_OPTS = ("-o", "Acquire::Check-Valid-Until=false", "-o", "Acquire::Retries=3")
_MOUNTS = (("proc", "proc", "proc"), ("sysfs", "sys", "sys"),
           ("devpts", "devpts", "dev/pts"), ("tmpfs", "shm", "dev/shm"))


class SandboxError(RuntimeError):
    """The private Asterisk could not be built or started; the message says why."""


def mirror_url(sources: Path = SOURCES_FILE) -> str:
    """The first `URIs:` entry of the host's deb822 apt sources."""
    try:
        text = sources.read_text(encoding="utf-8")
    except OSError as exc:
        raise SandboxError(f"cannot read the apt sources {sources}: {exc}") from exc
    for line in text.splitlines():
        if line.strip().lower().startswith("uris:"):
            uris = line.split(":", 1)[1].split()
            if uris:
                return uris[0]
    raise SandboxError(f"{sources}: no 'URIs:' line to take the Debian mirror from")


def _run(cmd: Sequence[str], what: str, log_path: Path, env: dict[str, str] | None = None) -> None:
    with log_path.open("ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, check=False)
    if proc.returncode != 0:
        tail = log_path.read_text(errors="replace").splitlines()[-15:]
        raise SandboxError(f"{what} failed (exit {proc.returncode}); see {log_path}:\n"
                           + "\n".join(tail))


@dataclass
class AsteriskSandbox:
    base: Path = CACHE_DIR / "asterisk"
    params: AsteriskParams = field(default_factory=AsteriskParams)

    @property
    def rootfs(self) -> Path:
        return self.base / "rootfs"

    @property
    def run_dir(self) -> Path:
        return self.base / "run"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "asterisk.pid"

    @property
    def log_file(self) -> Path:
        return self.run_dir / "asterisk.log"

    @property
    def stamp_file(self) -> Path:
        return self.base / "rootfs.stamp"

    @property
    def ari_url(self) -> str:
        return f"http://{self.params.http_bind}:{self.params.http_port}"

    def host_path(self, chroot_path: str) -> Path:
        """Where a path inside the chroot is on the host."""
        return self.rootfs / chroot_path.lstrip("/")

    # -- build -------------------------------------------------------------------------

    def _wanted_stamp(self) -> str:
        digest = hashlib.sha256(
            json.dumps([RECIPE_VERSION, SUITE, sorted(PACKAGES)]).encode()
        ).hexdigest()
        return digest

    def is_built(self) -> bool:
        return (
            self.stamp_file.exists()
            and self.stamp_file.read_text().strip() == self._wanted_stamp()
            and (self.rootfs / "usr/sbin/asterisk").exists()
        )

    def build(self, force: bool = False) -> bool:
        """Make the rootfs if missing or stale. Returns True when it built anything."""
        if self.is_built() and not force:
            return False
        if os.geteuid() != 0:
            raise SandboxError("building the Asterisk sandbox needs root (debootstrap, chroot)")
        if shutil.which("debootstrap") is None:
            raise SandboxError("debootstrap is missing: apt-get install debootstrap")
        self.base.mkdir(parents=True, exist_ok=True)
        build_log = self.base / "build.log"
        build_log.write_text("")
        self.stop()
        if self.rootfs.exists():
            self._unmount_all()
            shutil.rmtree(self.rootfs)
        self.stamp_file.unlink(missing_ok=True)
        started = time.monotonic()
        mirror = mirror_url()
        _run(["debootstrap", "--variant=minbase", SUITE, str(self.rootfs), mirror],
             "debootstrap of Debian sid", build_log)
        (self.rootfs / "usr/sbin/policy-rc.d").write_text("#!/bin/sh\nexit 101\n")
        os.chmod(self.rootfs / "usr/sbin/policy-rc.d", 0o755)
        self._mount_all()
        env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
               "LANG": "C.UTF-8"}
        try:
            _run(["chroot", str(self.rootfs), "apt-get", *_APT_OPTS, "update"],
                 "apt-get update in the sid chroot", build_log, env)
            _run(["chroot", str(self.rootfs), "apt-get", *_APT_OPTS, "install", "-y", "-q",
                  "--no-install-recommends", *PACKAGES],
                 "apt-get install of Asterisk in the sid chroot", build_log, env)
            _run(["chroot", str(self.rootfs), "apt-get", "clean"], "apt-get clean", build_log, env)
        finally:
            self._unmount_all()
        self.stamp_file.write_text(self._wanted_stamp() + "\n")
        log.info("Asterisk sandbox built in %.0f s", time.monotonic() - started)
        return True

    # -- mounts ------------------------------------------------------------------------

    def _mounted(self) -> set[str]:
        with open("/proc/mounts", encoding="utf-8") as fh:
            return {line.split()[1] for line in fh}

    def _mount_all(self) -> None:
        mounted = self._mounted()
        for fstype, source, rel in _MOUNTS:
            target = self.rootfs / rel
            target.mkdir(parents=True, exist_ok=True)
            if str(target) in mounted:
                continue
            opts = ["-o", "newinstance,ptmxmode=0666"] if fstype == "devpts" else []
            subprocess.run(["mount", "-t", fstype, *opts, source, str(target)], check=True)

    def _unmount_all(self) -> None:
        mounted = self._mounted()
        for _, _, rel in reversed(_MOUNTS):
            target = str(self.rootfs / rel)
            if target in mounted:
                subprocess.run(["umount", "-l", target], check=False)

    # -- run ---------------------------------------------------------------------------

    def pid(self) -> int | None:
        """The pid of the Asterisk this sandbox started, if it still runs."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def is_running(self) -> bool:
        return self.pid() is not None

    def start(self, timeout: float = 30.0) -> bool:
        """Start Asterisk with these parameters; True if a new process was started (an
        Asterisk already running with the same configuration is kept)."""
        if not self.is_built():
            raise SandboxError(
                f"the Asterisk sandbox is not built under {self.base}; run `acd sandbox build`"
            )
        params_file = self.run_dir / "params.sha256"
        wanted = hashlib.sha256(repr(self.params).encode() + self.params.ari_password.encode())
        for template in sorted(TEMPLATE_DIR.glob("*.conf")):
            wanted.update(template.read_bytes())
        if self.is_running():
            if params_file.exists() and params_file.read_text() == wanted.hexdigest():
                self.wait_ready(timeout)
                return False
            log.info("Asterisk runs with another configuration: restarting it")
            self.stop()
        self._mount_all()
        etc = self.host_path(self.params.etc_dir)
        if etc.exists():
            shutil.rmtree(etc)
        render(etc, self.params)
        for rel in ("var/run/asterisk", "var/log/asterisk", "var/spool/asterisk/recording"):
            self.host_path(rel).mkdir(parents=True, exist_ok=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        # A fresh start forgets the phones registered before (contacts live in astdb).
        self.host_path("/var/lib/asterisk/astdb.sqlite3").unlink(missing_ok=True)
        conf = f"{self.params.etc_dir}/asterisk.conf"
        with self.log_file.open("ab") as out:
            proc = subprocess.Popen(
                ["chroot", str(self.rootfs), "/usr/sbin/asterisk", "-f", "-n", "-C", conf],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{proc.pid}\n")
        params_file.write_text(wanted.hexdigest())
        try:
            self.wait_ready(timeout, proc)
        except SandboxError:
            self.stop()
            raise
        return True

    def wait_ready(self, timeout: float = 30.0,
                   proc: subprocess.Popen[bytes] | None = None) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                tail = self.log_file.read_text(errors="replace").splitlines()[-20:]
                raise SandboxError(f"Asterisk exited with {proc.returncode} at start; "
                                   f"log {self.log_file}:\n" + "\n".join(tail))
            try:
                self.ari_get("/ari/asterisk/info", timeout=2.0)
                return
            except (urllib.error.URLError, OSError) as exc:
                last = str(exc)
            time.sleep(0.2)
        raise SandboxError(f"Asterisk ARI did not answer at {self.ari_url} within "
                           f"{timeout:.0f} s ({last}); log {self.log_file}")

    def ari_get(self, path: str, timeout: float = 5.0) -> object:
        """A blocking ARI GET for set-up and health checks (the controller uses acd.ari)."""
        token = base64.b64encode(
            f"{self.params.ari_user}:{self.params.ari_password}".encode()
        ).decode()
        req = urllib.request.Request(self.ari_url + path,
                                     headers={"Authorization": f"Basic {token}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read() or b"null")

    def cli(self, command: str, timeout: float = 10.0) -> str:
        """Run an Asterisk CLI command against the running sandbox."""
        conf = f"{self.params.etc_dir}/asterisk.conf"
        proc = subprocess.run(
            ["chroot", str(self.rootfs), "/usr/sbin/asterisk", "-C", conf, "-rx", command],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
        return proc.stdout

    def stop(self, timeout: float = 10.0) -> None:
        pid = self.pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self._alive(pid):
                time.sleep(0.1)
            if self._alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        if self.rootfs.exists():
            self._unmount_all()

    @staticmethod
    def _alive(pid: int) -> bool:
        try:
            waited, _ = os.waitpid(pid, os.WNOHANG)
            if waited == pid:
                return False
        except ChildProcessError:
            pass
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    def with_params(self, **changes: object) -> AsteriskSandbox:
        return AsteriskSandbox(self.base, replace(self.params, **changes))  # type: ignore[arg-type]
