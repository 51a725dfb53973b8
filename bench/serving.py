"""The server and the load of the benchmark: gunicorn as production runs it, and wrk
(bench/session.lua) loading one page as 4 signed-in users."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from common import PYTHON, ROOT, log

WORKERS = 4
THREADS, CONNECTIONS = 2, 4  # wrk: 4 concurrent users
WARM_SECONDS = 2


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env, port, logdir):
    log(f"gunicorn: {WORKERS} workers on 127.0.0.1:{port}")
    process = subprocess.Popen(  # noqa: S603
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--access-logfile",
            str(logdir / "access.log"),
            "--error-logfile",
            str(logdir / "error.log"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise SystemExit("gunicorn did not answer /healthz within 60 s; see its error.log")


def stop(process):
    """End a process group this benchmark started (gunicorn and its workers)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def get(url, cookie):
    headers = {"X-Forwarded-Proto": "https"}
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        response.read()
        return response.status


def load_page(wrk, base, path, cookie, seconds):
    status = get(base + path, cookie)
    # Warm every worker (templates, and the page cache: each process keeps its own)
    # under the same load, so that the measured run is the steady state. What a page
    # costs when its cache is cold is measured apart (`cold_ms`, in-process).
    subprocess.run(  # noqa: S603
        [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{WARM_SECONDS}s", "--timeout", "30s",
         "-s", str(ROOT / "bench" / "session.lua"), base + path],
        env={**os.environ, "BENCH_COOKIE": cookie},
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    result = subprocess.run(  # noqa: S603
        [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s",
         "--latency", "-s", str(ROOT / "bench" / "session.lua"), base + path],
        env={**os.environ, "BENCH_COOKIE": cookie},
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    )  # fmt: skip
    line = [x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON ")][-1]
    return {"status_before": status, **json.loads(line.removeprefix("BENCH_JSON "))}


def load_pages(wrk, base, prepared, seconds, label=""):
    """Every page of `prepared` under load, one after the other: {page: figures}."""
    pages = {}
    for page, path in prepared["pages"].items():
        log(f"wrk {seconds}s{label}: {page} {path}")
        # Load balancers probe /healthz without a session; pages are signed in.
        cookie = "" if page == "healthz" else prepared["cookie"]
        pages[page] = {"path": path, **load_page(wrk, base, path, cookie, seconds)}
    return pages
