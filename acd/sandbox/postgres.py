"""A private PostgreSQL cluster for development and tests.

The cluster lives in a git-ignored directory (default ``<repo>/.cache/pg``), listens on
127.0.0.1 only, on its own port, plus a unix socket inside the cluster directory. It is started
and stopped by pid (``postmaster.pid``), never by process name.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEFAULT_PORT",
    "PgCluster",
    "PostgresUnavailable",
    "default_base",
    "main",
    "start",
    "status",
    "stop",
]

DEFAULT_PORT = 55432
ROLE = "acd"
DATABASE = "acd"
_SUPERUSER = "postgres"
_INSTALL_HINT = "install it with: apt-get install -y postgresql"
_PG_LIB = Path("/usr/lib/postgresql")


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be run here; the message says what is missing and how to fix it."""


@dataclass(frozen=True)
class PgCluster:
    base: Path
    port: int
    host: str = "127.0.0.1"
    user: str = ROLE
    database: str = DATABASE

    @property
    def dsn(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "run"

    def dsn_for(self, database: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"


def default_base() -> Path:
    env = os.environ.get("ACD_PG_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / ".cache" / "pg"


def _bin_dir() -> Path:
    env = os.environ.get("ACD_PG_BIN")
    candidates = [Path(env)] if env else []
    versions = sorted(
        _PG_LIB.glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += versions
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    for cand in candidates:
        if all((cand / b).is_file() for b in ("initdb", "pg_ctl", "postgres", "psql")):
            return cand
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres, psql) not found in "
        f"/usr/lib/postgresql/*/bin, $ACD_PG_BIN or PATH; {_INSTALL_HINT}"
    )


def _run_user() -> str | None:
    """initdb and postgres refuse to run as root; run them as the `postgres` user then."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(_SUPERUSER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root but the '{_SUPERUSER}' system user does not exist; "
            f"{_INSTALL_HINT} (it creates the user)"
        ) from None
    return _SUPERUSER


def _run(args: Sequence[str], user: str | None, check: bool = True) -> str:
    proc = subprocess.run(
        list(args), user=user, capture_output=True, text=True, check=False, cwd="/"
    )
    if check and proc.returncode != 0:
        raise PostgresUnavailable(
            f"{Path(args[0]).name} failed (exit {proc.returncode}): "
            f"{(proc.stderr or proc.stdout).strip()}"
        )
    return proc.stdout


@contextlib.contextmanager
def _locked(base: Path) -> Iterator[None]:
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read_pidfile(data_dir: Path) -> tuple[int, int] | None:
    """(pid, port) of a live postmaster, or None."""
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return pid, port


def _chown_tree(path: Path, user: str | None) -> None:
    if user is None:
        return
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _initdb(cluster: PgCluster, bindir: Path, user: str | None) -> None:
    base = cluster.base
    for d in (base, cluster.socket_dir):
        d.mkdir(parents=True, exist_ok=True)
        _chown_tree(d, user)
    if user is not None and not _user_can_enter(base, user):
        raise PostgresUnavailable(
            f"the '{user}' user cannot reach {base}; choose a cluster directory it can "
            "traverse (set ACD_PG_DIR) or relax the parent directory permissions"
        )
    _run(
        [
            str(bindir / "initdb"),
            "-D",
            str(cluster.data_dir),
            "-U",
            _SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
        ],
        user,
    )
    conf = cluster.data_dir / "postgresql.conf"
    with conf.open("a") as fh:
        fh.write(
            "\n# acd sandbox\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{cluster.socket_dir}'\n"
            "shared_buffers = 256MB\n"
            "max_wal_size = 4GB\n"
            "max_connections = 200\n"
        )
    # Loopback and the private socket only.
    (cluster.data_dir / "pg_hba.conf").write_text(
        "local all all trust\nhost all all 127.0.0.1/32 trust\n"
    )
    _chown_tree(cluster.data_dir / "pg_hba.conf", user)


def _user_can_enter(path: Path, user: str) -> bool:
    proc = subprocess.run(
        ["test", "-x", str(path)], user=user, capture_output=True, check=False, cwd="/"
    )
    return proc.returncode == 0


def _psql(cluster: PgCluster, bindir: Path, user: str | None, sql: str) -> str:
    return _run(
        [
            str(bindir / "psql"),
            "-h",
            str(cluster.socket_dir),
            "-p",
            str(cluster.port),
            "-U",
            _SUPERUSER,
            "-d",
            "postgres",
            "-tAq",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ],
        user,
    )


def _ensure_role_and_db(cluster: PgCluster, bindir: Path, user: str | None) -> None:
    if not _psql(cluster, bindir, user, f"SELECT 1 FROM pg_roles WHERE rolname='{ROLE}'").strip():
        _psql(cluster, bindir, user, f"CREATE ROLE {ROLE} LOGIN CREATEDB")
    if not _psql(
        cluster, bindir, user, f"SELECT 1 FROM pg_database WHERE datname='{DATABASE}'"
    ).strip():
        _psql(cluster, bindir, user, f"CREATE DATABASE {DATABASE} OWNER {ROLE}")


def start(base: Path | None = None, port: int = DEFAULT_PORT) -> PgCluster:
    """Start the private cluster (initialising it on first use); reuse it if running."""
    base = (base or default_base()).resolve()
    bindir = _bin_dir()
    user = _run_user()
    with _locked(base):
        running = _read_pidfile(base / "data")
        if running is not None:
            cluster = PgCluster(base=base, port=running[1])
            _ensure_role_and_db(cluster, bindir, user)
            return cluster
        cluster = PgCluster(base=base, port=port)
        if not (cluster.data_dir / "PG_VERSION").is_file():
            if cluster.data_dir.exists():
                shutil.rmtree(cluster.data_dir)
            _initdb(cluster, bindir, user)
        log = base / "postgres.log"
        log.touch()
        _chown_tree(log, user)
        _run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(cluster.data_dir),
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {port} -c listen_addresses=127.0.0.1 -k {cluster.socket_dir}",
                "start",
            ],
            user,
        )
        _ensure_role_and_db(cluster, bindir, user)
        return cluster


def stop(base: Path | None = None) -> None:
    """Fast shutdown of the cluster if it runs; a no-op otherwise."""
    base = (base or default_base()).resolve()
    data_dir = base / "data"
    with _locked(base):
        running = _read_pidfile(data_dir)
        if running is None:
            return
        pid = running[0]
        try:
            _run(
                [str(_bin_dir() / "pg_ctl"), "-D", str(data_dir), "stop", "-m", "fast", "-w"],
                _run_user(),
            )
        except PostgresUnavailable:
            # SIGINT is PostgreSQL's fast shutdown; used when pg_ctl cannot run.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + 60
        while _read_pidfile(data_dir) is not None and time.monotonic() < deadline:
            time.sleep(0.1)


def status(base: Path | None = None) -> bool:
    """True when the cluster's postmaster is alive."""
    base = (base or default_base()).resolve()
    return _read_pidfile(base / "data") is not None


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m acd.sandbox.postgres start|stop|status [--port N] [--dir PATH]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="acd-sandbox-postgres")
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            print(start(args.dir, args.port).dsn)
        elif args.action == "stop":
            stop(args.dir)
        else:
            up = status(args.dir)
            print("running" if up else "stopped")
            return 0 if up else 1
    except PostgresUnavailable as exc:
        print(f"postgres: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
