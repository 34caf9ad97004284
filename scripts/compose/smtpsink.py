"""A tiny SMTP sink for `make compose-check`, standard library only.

The app sends its mail (invitations, notices) to it over SMTP on port 1025, exactly as it would
to a real relay (EMAIL_URL=smtp://mail:1025), and the check reads what arrived over HTTP on port
8025: GET /messages gives a JSON list of {"to", "subject", "body"}; GET /health gives "ok".
It runs in a container from the app image (python is all it needs) and keeps mail in memory.
"""

from __future__ import annotations

import email
import email.policy
import json
import signal
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MESSAGES: list[dict] = []
LOCK = threading.Lock()
MAX_MESSAGE = 5 * 1024 * 1024


class SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        self.reply("220 vpcase-check smtp sink")
        recipients: list[str] = []
        while True:
            raw = self.rfile.readline(4096)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 vpcase-check")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                address = line.split(":", 1)[1].strip() if ":" in line else ""
                recipients.append(address.strip("<>").split(">")[0])
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                self.store(recipients, self.read_data())
                recipients = []
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")

    def read_data(self) -> bytes:
        lines, size = [], 0
        while True:
            raw = self.rfile.readline(65536)
            if not raw or raw in (b".\r\n", b".\n"):
                break
            if raw.startswith(b".."):
                raw = raw[1:]
            size += len(raw)
            if size <= MAX_MESSAGE:
                lines.append(raw)
        return b"".join(lines)

    def store(self, recipients: list[str], data: bytes) -> None:
        message = email.message_from_bytes(data, policy=email.policy.default)
        part = message.get_body(preferencelist=("plain", "html"))
        body = part.get_content() if part is not None else ""
        entry = {"to": recipients, "subject": str(message.get("Subject", "")), "body": body}
        with LOCK:
            MESSAGES.append(entry)
        print(f"smtpsink: message {len(MESSAGES)} for {', '.join(recipients)}", flush=True)


class HTTPHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        if self.path == "/health":
            payload = b"ok"
        elif self.path == "/messages":
            with LOCK:
                payload = json.dumps(MESSAGES).encode()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args) -> None:  # noqa: A002 (the http.server API)
        pass


class SMTPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main() -> None:
    # As PID 1 of its container, the process would ignore SIGTERM without a handler.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    smtp = SMTPServer(("0.0.0.0", 1025), SMTPHandler)  # noqa: S104 (inside its container)
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    http = ThreadingHTTPServer(("0.0.0.0", 8025), HTTPHandler)  # noqa: S104
    print("smtpsink: SMTP on 1025, HTTP on 8025", flush=True)
    try:
        http.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
