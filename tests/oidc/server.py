"""Start the test OpenID Connect provider (tests/oidc/provider.mjs) as a subprocess."""

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

PROVIDER_JS = Path(__file__).with_name("provider.mjs")
ROOT = PROVIDER_JS.parent.parent.parent
CLIENT_ID = "widgets"
CLIENT_SECRET = "widgets-test-secret"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OIDCProvider:
    """A running oidc-provider: its issuer, and the test-control endpoint."""

    def __init__(self, *, redirect_uris, post_logout_redirect_uris=()):
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is needed for the OpenID Connect tests (Node 20)")
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "OIDC_PORT": str(self.port),
            "OIDC_REDIRECT_URIS": ",".join(redirect_uris),
            "OIDC_POST_LOGOUT_REDIRECT_URIS": ",".join(post_logout_redirect_uris),
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        }
        self.process = subprocess.Popen(
            [node, str(PROVIDER_JS)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("ready"):
            self.stop()
            raise RuntimeError(f"the OpenID Connect provider did not start: {line!r}")
        self._wait_for_discovery()

    def _wait_for_discovery(self, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(  # noqa: S310 - our own provider on loopback
                    f"{self.issuer}/.well-known/openid-configuration", timeout=2
                ):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def control(self, **state):
        """Set the provider's test state: mode, autologin, accounts."""
        request = urllib.request.Request(  # noqa: S310
            f"{self.issuer}/__test/state",
            data=json.dumps(state).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return json.load(response)

    def app(self, *, provider_id="test", name="Test Agency ID"):
        """The allauth app settings for this provider (as OIDC_PROVIDERS would make)."""
        return {
            "provider_id": provider_id,
            "name": name,
            "client_id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "settings": {
                "server_url": self.issuer,
                "scope": ["openid", "email", "profile", "groups"],
                "oauth_pkce_enabled": True,
            },
        }

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
