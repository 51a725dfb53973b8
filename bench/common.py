"""What bench/run.py and bench/count_import.py share: paths, the seed, logging, the
subprocesses (management commands, bench/workers.py) and their environment."""

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SEED = 1


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(args, env, timeout=1800):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, timeout=timeout)  # noqa: S603


def worker(mode, env, timeout=900, **args):
    result = subprocess.run(  # noqa: S603
        [PYTHON, "bench/workers.py", mode],
        cwd=ROOT,
        env={**env, "BENCH_ARGS": json.dumps(args)},
        timeout=timeout,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"bench/workers.py {mode} failed (exit {result.returncode})")
    line = [x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON ")][-1]
    return json.loads(line.removeprefix("BENCH_JSON "))


def production_env():
    """The environment gunicorn and the workers run in: production settings, loopback."""
    return {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
