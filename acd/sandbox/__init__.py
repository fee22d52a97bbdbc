"""Private Asterisk and PostgreSQL instances for the demo and the tests (loopback only)."""

from pathlib import Path

__all__ = ["CACHE_DIR", "REPO_ROOT"]

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = REPO_ROOT / ".cache"
