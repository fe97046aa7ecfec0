"""A real SMTP server on 127.0.0.1, in the test process, that counts the messages it accepted and their
Message-IDs.

Like a production MTA, it reads each connection in order and takes a message when it has read the final
"." of DATA, whatever the client does next; a connection that ends before the dot leaves nothing behind.
(aiosmtpd was tried first: on EOF it cancels the session at once, discarding a complete message whose dot
was still unread in its buffer. A client killed just after its dot then looked like a lost e-mail.)
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections import Counter
from collections.abc import Callable
from email.parser import BytesHeaderParser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Session(socketserver.StreamRequestHandler):
    server: _Server
    timeout = 30

    def reply(self, line: str) -> None:
        if self.server.sink.reply_delay:
            time.sleep(self.server.sink.reply_delay)
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.server.sink._connected()
        try:
            self.reply("220 sink ESMTP")
            while line := self.rfile.readline():
                verb = line.split(b" ", 1)[0].strip().upper()
                if verb in (b"EHLO", b"HELO"):
                    self.reply("250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8" if verb == b"EHLO" else "250 sink")
                elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                    self.reply("250 OK")
                elif verb == b"DATA":
                    if self.server.sink.on_data is not None:
                        self.server.sink.on_data()
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    message = self.read_data()
                    if message is None:
                        return  # the client went away before the final dot: nothing was sent
                    if self.server.sink.on_final_dot is not None:
                        self.server.sink.on_final_dot(message)
                    final = self.server.sink.final_reply
                    if self.server.sink.message_delay:
                        time.sleep(self.server.sink.message_delay)  # the relay's work on the message
                    if final.startswith("250"):
                        self.server.sink._accept(message)
                    self.reply(final)
                elif verb == b"QUIT":
                    self.reply("221 Bye")
                    return
                else:
                    self.reply("502 Command not implemented")
        except OSError:
            return  # the client died; whatever was accepted stays accepted

    def read_data(self) -> bytes | None:
        lines: list[bytes] = []
        while line := self.rfile.readline():
            if line == b".\r\n":
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)
        return None


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    sink: SmtpSink


class SmtpSink:
    """`reply_delay`: seconds before each reply (a slow relay); `message_delay`: seconds a message takes
    once its final dot is read, before it is accepted and answered (a relay that takes its time per
    message, whatever the connection); `final_reply`: the answer to the final dot (a 4xx refuses the
    message for now, and it is not counted); `on_final_dot`: called with the message when its final dot
    has been read, before the reply; `on_data`: called when a client sends DATA, before the 354 (a client
    killed then has sent nothing that could be accepted). `connections`: how many clients connected."""

    def __init__(
        self, *, reply_delay: float = 0.0, message_delay: float = 0.0, final_reply: str = "250 OK: queued"
    ) -> None:
        self.reply_delay = reply_delay
        self.message_delay = message_delay
        self.final_reply = final_reply
        self.on_final_dot: Callable[[bytes], None] | None = None
        self.on_data: Callable[[], None] | None = None
        self._connections = 0
        self.host = "127.0.0.1"
        self._lock = threading.Lock()
        self._message_ids: list[str] = []
        self._server = _Server((self.host, 0), _Session)
        self._server.sink = self
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})

    def _accept(self, message: bytes) -> None:
        headers = BytesHeaderParser().parsebytes(message)
        with self._lock:
            self._message_ids.append(str(headers.get("Message-ID", "")).strip())

    def _connected(self) -> None:
        with self._lock:
            self._connections += 1

    @property
    def connections(self) -> int:
        with self._lock:
            return self._connections

    def start(self) -> SmtpSink:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._message_ids)

    @property
    def message_ids(self) -> list[str]:
        with self._lock:
            return list(self._message_ids)

    def duplicates(self) -> dict[str, int]:
        return {mid: n for mid, n in Counter(self.message_ids).items() if n > 1}

    def wait_for(self, count: int, *, timeout: float) -> int:
        """Wait until at least `count` messages arrived (or the timeout); returns the count."""
        deadline = time.monotonic() + timeout
        while self.count < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.count
