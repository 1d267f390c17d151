"""The emulator is ready only when our own moto process has bound its port: an answer from another server on that
port (another test worker's emulator) is never taken for it."""

from __future__ import annotations

import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from goldenpath.deploy import emulator
from goldenpath.errors import GoldenpathError


class _Impostor(BaseHTTPRequestHandler):
    """Answers /moto-api/ as an emulator would, so that only the bind check can tell it apart."""

    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"impostor")

    def log_message(self, *args):
        pass


@pytest.fixture
def impostor():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Impostor)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def test_a_port_another_server_holds_is_an_error_when_asked_for(impostor, tmp_path):
    with pytest.raises(GoldenpathError) as error:
        with emulator.running_emulator("111111111111", tmp_path / "moto.log", port=impostor):
            pytest.fail("the impostor's answer was taken for the emulator")
    assert str(error.value) == (f"the AWS emulator cannot listen on http://127.0.0.1:{impostor}: another program "
                                f"holds the port; see {tmp_path / 'moto.log'}")


def test_a_free_port_taken_before_moto_binds_it_is_replaced_by_another(impostor, tmp_path, monkeypatch):
    really_free, chosen = emulator.free_port, []

    def free_port_taken_first() -> int:
        chosen.append(really_free() if chosen else impostor)
        return chosen[-1]

    monkeypatch.setattr(emulator, "free_port", free_port_taken_first)
    with emulator.running_emulator("111111111111", tmp_path / "moto.log") as endpoint:
        assert chosen[0] == impostor and len(chosen) == 2 and endpoint.url == f"http://127.0.0.1:{chosen[1]}"
        with urllib.request.urlopen(f"{endpoint.url}/moto-api/", timeout=5) as answer:  # noqa: S310 - loopback
            assert b"impostor" not in answer.read()
        # The keys are the emulator's own: the impostor could not have made them.
        sts = emulator.emulator_client("sts", endpoint, "us-east-1")
        assert sts.get_caller_identity()["Account"] == "111111111111"
