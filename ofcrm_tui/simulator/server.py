"""Run an ASGI app under uvicorn in a background thread, on a socket bound up front."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

START_TIMEOUT_S = 10.0
# An idle connection is kept longer than clients keep one (httpx: 5 s), so a client never
# sends on a connection the server is closing: with uvicorn's 5 s, a poll every 5 s often
# met "connection reset" or "server disconnected" (the demo's status bar said sync failed).
KEEP_ALIVE_S = 30


@contextmanager
def serve_in_thread(app: ASGIApp, host: str, port: int) -> Iterator[str]:
    """Yield the base URL while serving; on exit, stop (in-flight requests get 1 s)."""
    sock = _listen(host, port)
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
        timeout_keep_alive=KEEP_ALIVE_S,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="ofcrm-simulator", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"simulator failed to start on {host}:{bound_port}")
            time.sleep(0.01)
        yield f"http://{f'[{host}]' if ':' in host else host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT_S)
        if thread.is_alive():
            server.force_exit = True
            thread.join(START_TIMEOUT_S)
        sock.close()


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets that say so, and
    # without it every small answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock
