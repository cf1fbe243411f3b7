"""A real ``chroma run`` server killed and restarted under the running chat: the chat and
/ask say what the CLI says (which server, and the command that starts it), then answer
again once it is back, without restarting the app."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.reliability.conftest import ASK, ChatTab
from tests.ui.conftest import free_port, start_app, stop_app

MESSAGE = ("Cannot reach the Chroma server at 127.0.0.1:", "Start it with 'chroma run --path DIR --port")


def _chroma(path: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("chroma run did not start in 90 s")


def test_the_chat_says_the_server_is_down_and_answers_again_when_it_is_back(tmp_path):
    port = free_port()
    server = _chroma(tmp_path / "chroma", port)
    app = start_app(
        tmp_path, "--generator", "extractive",
        env={"GUIDES_INDEX__CHROMA_HOST": "127.0.0.1", "GUIDES_INDEX__CHROMA_PORT": str(port)},
    )
    try:
        tab = ChatTab(app.url)
        assert "riluzole" in tab.ask(ASK).answer.lower()

        server.send_signal(signal.SIGKILL)
        server.wait()
        down = tab.ask(ASK)
        assert all(part in down.answer for part in MESSAGE), down.answer
        assert str(port) in down.answer and "failed" in down.status
        with pytest.raises(Exception) as raised:
            tab.ask_api(ASK)
        assert all(part in str(raised.value) for part in MESSAGE), str(raised.value)

        server = _chroma(tmp_path / "chroma", port)  # the same data, back on the same port
        again = tab.ask(ASK)
        assert "riluzole" in again.answer.lower() and again.answer != down.answer
        assert "riluzole" in tab.ask_api(ASK)["answer"].lower()
        tab.close()
    finally:
        stop_app(app)
        server.kill()
        server.wait()
