"""What the fault scripts of this folder share: run a command in the project, find
a free port on 127.0.0.1, and ask a URL for its status. Imported by the scripts as
they are run (`python tests/faults/<script>.py`), from their own folder."""

import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def run(*args, **kw):
    return subprocess.run(args, check=True, cwd=ROOT, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_of(url):
    """The HTTP status the URL answers with, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None
