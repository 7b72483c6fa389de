"""A loopback TCP proxy that breaks connections at random, like a mobile network.

Each request is, at random: dropped at once (reset before reaching the service), cut after the
service starts answering (the request reached it, possibly committed, the answer is lost), or
passed on; every chunk in either direction may wait a few milliseconds first. With ``duplicate``,
a request that reached the service is sent to it once more at once, on a connection of its own (a
retransmission); with ``replay``, a copy is kept and sent later, after newer requests (reordered:
an old push arriving after the device moved on). ``replay_kept()`` sends every copy still kept;
``calm()`` stops the faults. Loopback only; every loop ends with ``stop()`` and every connection
after ``max_life_s``.

A request's bytes are those the client sent before the service began to answer (HTTP/1.1 without
pipelining: a client sends its next request on a connection only after the answer).
"""

from __future__ import annotations

import contextlib
import random
import select
import socket
import struct
import threading
import time
from collections import Counter


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0), as a dropped mobile link looks to the other end."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class ChaosProxy:
    def __init__(
        self,
        target_port: int,
        *,
        seed: int = 7,
        drop: float = 0.15,
        cut: float = 0.15,
        max_delay_ms: float = 40,
        max_life_s: float = 30,
        duplicate: float = 0.0,
        replay: float = 0.0,
        max_kept: int = 20,
    ) -> None:
        self.target = ("127.0.0.1", target_port)
        self.rng = random.Random(seed)
        self.drop, self.cut, self.max_delay_ms = drop, cut, max_delay_ms
        self.duplicate, self.replay, self.max_kept = duplicate, replay, max_kept
        #: Copies of requests to send again later (``replay``).
        self._kept: list[bytes] = []
        self.max_life_s = max_life_s
        self.faults = True
        self.events: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True, name="chaos-accept")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ChaosProxy:
        self._accepting.start()
        return self

    def calm(self) -> None:
        self.faults = False

    def replay_kept(self) -> None:
        """Send every kept copy now, oldest first, and wait for the answers."""
        with self._lock:
            kept, self._kept = self._kept, []
        for request in kept:
            self._send_again(request, "replayed")

    def stop(self) -> None:
        self._stop.set()
        self._accepting.join(5)
        self._listener.close()
        for thread in self._threads:
            thread.join(5)

    def __enter__(self) -> ChaosProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _decide(self) -> tuple[str, float]:
        with self._lock:
            roll = self.rng.random()
            delay = self.rng.uniform(0, self.max_delay_ms) / 1000
        if not self.faults:
            return "pass", 0.0
        if roll < self.drop:
            return "drop", delay
        if roll < self.drop + self.cut:
            return "cut", delay
        return "pass", delay

    def _again(self, request: bytes) -> None:
        """Once a request reached the service: maybe send it again now, keep a copy for later, or
        send an older copy (rolled only when asked for, so seeded runs without them stay the same)."""
        if not (self.faults and (self.duplicate or self.replay)):
            return
        sends: list[tuple[bytes, str]] = []
        with self._lock:
            if self.rng.random() < self.duplicate:
                sends.append((request, "duplicated"))
            if self._kept and (self.rng.random() < 0.3 or len(self._kept) >= self.max_kept):
                sends.append((self._kept.pop(0), "replayed"))
            if self.rng.random() < self.replay:
                self._kept.append(request)
        for copy, event in sends:
            threading.Thread(target=self._send_again, args=(copy, event), daemon=True).start()

    def _send_again(self, request: bytes, event: str) -> None:
        """Send a request's bytes on a connection of its own and read the answer to its end."""
        head, sep, body = request.partition(b"\r\n\r\n")
        lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
        data = b"\r\n".join([*lines, b"Connection: close"]) + sep + body
        self.events[event] += 1
        try:
            with socket.create_connection(self.target, timeout=10) as upstream:
                upstream.sendall(data)
                while upstream.recv(65536):
                    pass
        except OSError:
            self.events[f"{event}_failed"] += 1

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._pipe, args=(client,), daemon=True)
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
            thread.start()

    def _pipe(self, client: socket.socket) -> None:
        """Relay one connection; every request on it (keep-alive) gets its own roll of the dice."""
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            _reset(client)
            return
        peers = {client: upstream, upstream: client}
        deadline = time.monotonic() + self.max_life_s
        new_request, mode, delay = True, "pass", 0.0
        request = bytearray()  # the bytes of the request on its way, until the answer begins
        try:
            while not self._stop.is_set() and time.monotonic() < deadline:
                readable, _, _ = select.select(list(peers), [], [], 0.2)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is client and new_request:
                        mode, delay = self._decide()
                        self.events[mode] += 1
                        new_request = False
                        request.clear()
                        if mode == "drop":
                            return  # the request never reaches the service
                    if sock is client:
                        request += data
                    elif request:  # the answer begins: the whole request reached the service
                        self._again(bytes(request))
                        request.clear()
                    if sock is upstream:
                        if mode == "cut":
                            self.events["cut_answers"] += 1
                            return  # the service answered; the device never hears it
                        new_request = True
                    if delay:
                        time.sleep(delay)
                    peers[sock].sendall(data)
        except OSError:
            return
        finally:
            _reset(client)
            upstream.close()
