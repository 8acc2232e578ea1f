"""Virus scanners for tests.

* ``clamd``: the real ClamAV daemon at ``CLAMAV_ADDRESS`` (``.ci/run`` starts one whose database
  holds only the EICAR test signature). Without it a test using the fixture is skipped locally and
  fails in CI (``CI=true``), like the browser tests.
* ``FakeClamd``: a socket server speaking clamd's protocol with a scripted answer, for unit tests
  of the client and of what happens on each verdict.

``EICAR`` is the industry's harmless test "virus". It is assembled here, not written out, so that
a scanner looking at this source tree does not flag the test suite itself.
"""

import os
import socket
import struct
import threading

import pytest

from oversight.scanning import ClamdClient

from .conftest import CI

EICAR = b"".join([b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$", b"EICAR-STANDARD-", b"ANTIVIRUS-TEST-", b"FILE!$H+H*"])
EICAR_SIGNATURE = "Eicar-Test-Signature"


@pytest.fixture
def clamd(settings) -> str:
    """The address of a clamd that answers PING, set as ``CLAMAV_ADDRESS`` for the test."""
    address = os.environ.get("CLAMAV_ADDRESS", "").strip()
    reason = ""
    if not address:
        reason = "CLAMAV_ADDRESS is not set"
    elif not ClamdClient(address, timeout=5).ping():
        reason = f"clamd at {address} does not answer PING"
    if reason:
        if CI:
            pytest.fail(f"Virus scanning tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(f"needs clamd ({reason})")
    settings.CLAMAV_ADDRESS = address
    return address


class FakeClamd:
    """Accepts connections on 127.0.0.1 (or a Unix socket at ``unix_path``) and answers like clamd.

    ``reply`` is sent after a complete INSTREAM (``None``: never answer, to test timeouts). With
    ``close_after`` the server closes the connection once it has received that many bytes of file,
    after sending ``reply`` (as clamd does past StreamMaxLength). ``received`` holds every file
    streamed to it and ``chunks`` the length of every chunk.
    """

    def __init__(
        self, reply: bytes | None = b"stream: OK\0", *, close_after: int | None = None, unix_path: str = ""
    ) -> None:
        self.reply = reply
        self.close_after = close_after
        self.received: list[bytes] = []
        self.chunks: list[int] = []
        self.commands: list[bytes] = []
        self._release = threading.Event()
        if unix_path:
            self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._server.bind(unix_path)
            self._server.listen()
            self.address = f"unix:{unix_path}"
        else:
            self._server = socket.create_server(("127.0.0.1", 0))
            self.address = f"127.0.0.1:{self._server.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def __enter__(self) -> "FakeClamd":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._release.set()
        self._thread.join(timeout=5)
        self._server.close()

    @staticmethod
    def _read_exactly(conn: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            part = conn.recv(size - len(data))
            if not part:
                raise ConnectionError("client went away")
            data += part
        return data

    def _serve(self) -> None:
        self._server.settimeout(0.1)
        while not self._release.is_set():
            try:
                conn, _address = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(10)
            with conn:
                try:
                    self._answer(conn)
                except OSError:
                    continue

    def _answer(self, conn: socket.socket) -> None:
        command = b""
        while not command.endswith(b"\0"):
            part = conn.recv(1)
            if not part:
                return
            command += part
        self.commands.append(command)
        if command == b"zPING\0":
            conn.sendall(b"PONG\0")
            return
        data = b""
        while True:
            (size,) = struct.unpack(">I", self._read_exactly(conn, 4))
            if size == 0:
                break
            self.chunks.append(size)
            data += self._read_exactly(conn, size)
            if self.close_after is not None and len(data) >= self.close_after:
                self.received.append(data)
                conn.sendall(self.reply or b"")
                conn.shutdown(socket.SHUT_RDWR)
                return
        self.received.append(data)
        if self.reply is None:
            self._release.wait(timeout=30)
            return
        conn.sendall(self.reply)
