"""The tfmend language server: construction, start-up on stdio or TCP, and the lifecycle methods
initialize, initialized, shutdown, exit, $/setTrace and workspace/didChangeWorkspaceFolders."""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sys
import threading
import time
from pathlib import Path

from lsprotocol import types
from pygls.uris import to_fs_path

from tfmend import __version__
from tfmend.api import tune_gc
from tfmend.lsp import (
    code_actions,
    codecache,
    commands,
    documents,
    hover,
    logs,
    notebooks,
    pull,
    settings,
    workspace,
)
from tfmend.lsp.base import TfmendServer

logger = logging.getLogger(__name__)

PARENT_POLL = 1.0
"""Seconds between checks that the editor that started the server is still alive."""


def _folders(params: types.InitializeParams) -> dict[str, Path]:
    folders: dict[str, Path] = {}
    for folder in params.workspace_folders or []:
        path = to_fs_path(folder.uri)
        if path:
            folders[folder.uri] = Path(path)
    if not folders:
        root_uri = params.root_uri or (
            Path(params.root_path).as_uri() if params.root_path else None
        )
        path = to_fs_path(root_uri) if root_uri else None
        if root_uri and path:
            folders[root_uri] = Path(path)
    return folders


def _alive(pid: int) -> bool:
    if sys.platform == "win32":
        import ctypes

        kernel32 = getattr(ctypes, "windll").kernel32  # noqa: B009 - absent on POSIX
        handle = kernel32.OpenProcess(0x00100000, False, pid)  # SYNCHRONIZE
        if not handle:
            return False
        try:
            return bool(kernel32.WaitForSingleObject(handle, 0) == 0x102)  # WAIT_TIMEOUT
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch_parent(ls: TfmendServer, pid: int) -> None:
    while True:
        time.sleep(PARENT_POLL)
        if not _alive(pid):
            logger.warning("the editor process %d is gone: exiting", pid)
            ls.validation.close()
            codecache.save_installed()
            logging.shutdown()
            os._exit(0)


def _prewarm() -> None:
    """Import libcst, which the first check needs to plan call rewrites (about 0.15 s of CPU),
    while the server waits for the client: its answer to initialize, then to the configuration
    request, come before that check."""
    try:
        import tfmend.catalog.render  # noqa: F401 - imports libcst
    except Exception:  # the check imports it again, and reports what fails then
        logger.exception("importing libcst ahead of the first check failed")


def _register_lifecycle(server: TfmendServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: TfmendServer, params: types.InitializeParams) -> None:
        ls.loop  # noqa: B018 - binds the event loop and its thread
        ls.engines.folders = _folders(params)
        ls.engines.init_options = settings.section(params.initialization_options)
        ls.engines.refresh()
        ls.apply_log_level()
        if params.process_id is not None and params.process_id != os.getpid():
            threading.Thread(
                target=_watch_parent,
                args=(ls, params.process_id),
                name="tfmend-parent-watch",
                daemon=True,
            ).start()
        if ls.capability("text_document.diagnostic") is not None:
            ls.pull_mode = True
            pull.register(ls)
        threading.Thread(target=_prewarm, name="tfmend-prewarm", daemon=True).start()
        client = params.client_info.name if params.client_info else "an unnamed client"
        logger.info(
            "tfmend %s serving %s (pid %d, positions in %s, %s diagnostics)",
            __version__,
            client,
            os.getpid(),
            ls.workspace.position_encoding,
            "pulled" if ls.pull_mode else "pushed",
        )

    @server.feature(types.INITIALIZED)
    async def initialized(ls: TfmendServer, params: types.InitializedParams) -> None:
        await settings.fetch_configuration(ls)
        ls.engines.refresh()
        ls.apply_log_level()
        ls.settings_ready = True
        if ls.store.units:
            ls.checker.recheck_all()
        await workspace.watch_files(ls)
        ls.project.start()

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: TfmendServer, params: None) -> None:
        ls.shutdown_requested = True
        ls.stop_work()
        logger.info("shutting down")

    @server.feature(types.SET_TRACE)
    def set_trace(ls: TfmendServer, params: types.SetTraceParams) -> None:
        ls.apply_log_level()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def folders_changed(
        ls: TfmendServer, params: types.DidChangeWorkspaceFoldersParams
    ) -> None:
        for removed in params.event.removed:
            ls.engines.folders.pop(removed.uri, None)
            ls.engines.client_settings.pop(removed.uri, None)
        for added in params.event.added:
            path = to_fs_path(added.uri)
            if path:
                ls.engines.folders[added.uri] = Path(path)
        await settings.fetch_configuration(ls)
        await ls.reload()


def create_server() -> TfmendServer:
    """A server with every feature registered."""
    server = TfmendServer()
    _register_lifecycle(server)
    for feature in (documents, notebooks, settings, code_actions, hover, commands, workspace):
        feature.register(server)
    return server


def _address(tcp: str) -> tuple[str, int]:
    host, _, port = tcp.rpartition(":")
    return (host.strip("[]") or "127.0.0.1"), int(port)


def _loopback(host: str) -> bool:
    """Whether every address host names is a loopback address (an unknown name is not)."""
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    addresses = {str(entry[4][0]).split("%")[0] for entry in found}
    return bool(addresses) and all(ipaddress.ip_address(a).is_loopback for a in addresses)


def _refusal(host: str, port: int) -> str:
    """Why validation is refused on a server others on the network can reach."""
    return (
        f"validation is refused: the server listens on {host}:{port}, beyond the loopback "
        "interface, and validating runs code in the project's interpreter "
        "(start it with --allow-remote-validation to allow it)"
    )


def run(
    tcp: str | None,
    log_level: str,
    *,
    surface: bool = True,
    cache_dir: Path | None = None,
    allow_remote_validation: bool = False,
) -> int:
    """Serve on stdio (or TCP, for debugging) until `exit`; the process exit code."""
    server = create_server()
    server.engines.use_surface = surface
    server.engines.cache_dir = cache_dir
    tune_gc()
    server.log_level = log_level
    server.log_handler = logs.configure(server, log_level)
    if tcp:
        try:
            host, port = _address(tcp)
        except ValueError:
            logger.error("--tcp expects HOST:PORT or PORT, got %r", tcp)
            return 2
        if not _loopback(host):
            if allow_remote_validation:
                logger.warning(
                    "listening on %s:%d, beyond the loopback interface, with "
                    "--allow-remote-validation: anyone who can reach it can run validation, "
                    "which runs code in the project's interpreter",
                    host,
                    port,
                )
            else:
                server.validation.refusal = _refusal(host, port)
                logger.warning("%s", server.validation.refusal)
        server.start_tcp(host, port)
    else:
        server.start_io()
    server.stop_work()
    return 0 if server.shutdown_requested else 1
