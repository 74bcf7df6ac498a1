"""tfmend's TensorFlow worker: a stdlib-only JSON-lines server run by the project's interpreter.

tfmend itself never imports TensorFlow. It starts this script with the interpreter of the project
being migrated (which has TensorFlow but not tfmend), sends one JSON request per line on stdin and
reads one JSON response per line on stdout; `protocol.py` beside this file (loaded by its path:
no tfmend here) has a dataclass for each kind of line:

    -> {"id": 1, "method": "probe", "params": {...}}
    <- {"id": 1, "progress": "importing TensorFlow"}          (any number, optional)
    <- {"id": 1, "result": {...}}     or     {"id": 1, "error": {"type", "message", "traceback"}}

Methods: hello, load, surface, probe, api, compile, import, run (see `HANDLERS`). The real
stdout is kept for the protocol alone: file descriptor 1 is pointed at stderr, so prints of user
code and of TensorFlow's C++ runtime cannot corrupt it. Written for Python 3.8 and later.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib
import inspect
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations are never evaluated: builtin generics run on Python 3.8 too
    from collections.abc import Callable, Iterator

    from tfmend.worker import protocol

    Json = dict[str, Any]
else:

    def _load_protocol() -> Any:
        """protocol.py from beside this script, under a private name (this directory is not put
        on sys.path: it would shadow the user's modules in probes)."""
        import importlib.util

        name = "_tfmend_worker_protocol"
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "protocol.py")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while they are made
        spec.loader.exec_module(module)
        return module

    protocol = _load_protocol()

PACKAGES = ("tensorflow", "keras", "tf_keras")
"""The packages whose versions key the surface cache and whose modules are walked."""

_DISTRIBUTIONS = {
    "tensorflow": (
        "tensorflow",
        "tensorflow-cpu",
        "tensorflow-gpu",
        "tensorflow-macos",
        "tensorflow-intel",
        "tensorflow-aarch64",
        "intel-tensorflow",
        "tf-nightly",
        "tf-nightly-cpu",
    ),
    "keras": ("keras", "keras-nightly"),
    "tf_keras": ("tf-keras", "tf-keras-nightly"),
}
"""Distributions that provide each import package (read without importing it)."""

_IMPLEMENTATION = frozenset({"python", "core", "src", "tsl", "compiler", "include", "protobuf"})
"""Second components of module names that are implementation, not public API."""

OUTPUT_LIMIT = 8000
"""Characters of captured output kept per check (the head and, mostly, the tail)."""


class Worker:
    """The protocol loop and the state kept between requests (imported modules)."""

    def __init__(self, out: IO[str], memory_mb: int | None, gpu: bool) -> None:
        self.out = out
        self.memory_mb = memory_mb
        self.gpu = gpu
        self.modules: dict[str, Any] = {}
        self.import_errors: dict[str, str] = {}
        self.request_id: int | None = None

    # -- protocol --------------------------------------------------------------------------------
    def send(self, answer: protocol.Answer) -> None:
        """Write one protocol line."""
        self.out.write(protocol.encode_answer(answer) + "\n")
        self.out.flush()

    def progress(self, text: str) -> None:
        """Tell the client what the current request is doing."""
        self.send(protocol.ProgressNote(self.request_id, text))

    def fail(self, kind: str, message: str, trace: str = "") -> None:
        """Answer the current request with an error."""
        self.send(protocol.Failure(self.request_id, protocol.ErrorInfo(kind, message, trace)))

    def serve(self, stream: IO[str]) -> None:
        """Answer requests until stdin closes."""
        while True:
            line = stream.readline()
            if not line:
                return
            if not line.strip():
                continue
            try:
                request = protocol.Request.decode(line)
            except ValueError as exc:
                self.request_id = None
                self.fail("BadRequest", str(exc))
                continue
            self.request_id = request.id
            handler = HANDLERS.get(request.method)
            if handler is None:
                self.fail("UnknownMethod", f"unknown method {request.method!r}")
                continue
            try:
                result = handler(self, request.params)
            except Exception as exc:  # a handler bug must not end the worker
                self.fail(type(exc).__name__, str(exc), traceback.format_exc()[-OUTPUT_LIMIT:])
                continue
            self.send(protocol.Reply(self.request_id, result))

    # -- modules ---------------------------------------------------------------------------------
    def module(self, name: str) -> Any:
        """An imported package (None when it cannot be imported; the reason is kept)."""
        if name in self.modules:
            return self.modules[name]
        if name in self.import_errors:
            return None
        if name in ("tensorflow", "keras", "tf_keras") and "tensorflow" not in self.modules:
            self.progress("importing TensorFlow")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                module = importlib.import_module(name)
        except BaseException as exc:  # a broken install raises anything, even SystemExit
            if isinstance(exc, KeyboardInterrupt):
                raise
            self.import_errors[name] = f"{type(exc).__name__}: {exc}"
            return None
        self.modules[name] = module
        return module


# -- hello -----------------------------------------------------------------------------------------
def installed_version(package: str) -> str | None:
    """The installed version of an import package, read from its metadata without importing it."""
    import importlib.util
    from importlib import metadata

    try:
        if importlib.util.find_spec(package) is None:
            return None
    except (ImportError, ValueError):
        return None
    for distribution in _distributions(package):
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    # Importable without metadata (a source checkout on sys.path): ask the module itself.
    try:
        return str(importlib.import_module(package).__version__)
    except Exception:
        return "unknown"


def _distributions(package: str) -> Iterator[str]:
    """The distributions that may install an import package: the known names first, then those
    the installed metadata says provide it (reading it all takes ~80 ms, asked only if need be)."""
    from importlib import metadata

    yield from _DISTRIBUTIONS.get(package, (package,))
    if hasattr(metadata, "packages_distributions"):
        yield from metadata.packages_distributions().get(package, [])


def hello(worker: Worker, params: Json) -> Json:
    """The interpreter and the installed TensorFlow, Keras and tf_keras (nothing is imported)."""
    legacy = os.environ.get("TF_USE_LEGACY_KERAS", "")
    return protocol.Hello(
        python=".".join(str(part) for part in sys.version_info[:3]),
        executable=sys.executable,
        platform=sys.platform,
        pid=os.getpid(),
        packages={package: installed_version(package) for package in PACKAGES},
        legacy_keras=legacy.strip().lower() in ("1", "true", "yes"),
        memory_limit_mb=worker.memory_mb,
        gpu=worker.gpu,
        loaded="tensorflow" in worker.modules,
    ).to_json()


def load(worker: Worker, params: Json) -> Json:
    """Import NumPy, TensorFlow, Keras and tf_keras once; report their versions."""
    started = time.monotonic()
    versions: dict[str, str | None] = {}
    for name in ("numpy", *PACKAGES):
        module = worker.module(name)
        versions[name] = None if module is None else str(getattr(module, "__version__", "unknown"))
    return protocol.Loaded(
        versions=versions,
        errors=dict(worker.import_errors),
        duration_ms=round((time.monotonic() - started) * 1000),
    ).to_json()


# -- surface ---------------------------------------------------------------------------------------
def kind_of(value: Any) -> str:
    """module, class, function or other."""
    if inspect.ismodule(value):
        return "module"
    if inspect.isclass(value):
        return "class"
    if callable(value):
        return "function"
    return "other"


def public_module(module: Any, roots: tuple[str, ...]) -> bool:
    """Whether a module belongs to a walked package's public API (not `keras.src`, ...)."""
    parts = str(getattr(module, "__name__", "")).split(".")
    return parts[0] in roots and not (len(parts) > 1 and parts[1] in _IMPLEMENTATION)


def public_names(value: Any) -> list[str]:
    """Public attribute names of a module or class, sorted; none when dir() fails."""
    try:
        names = dir(value)
    except Exception:
        return []
    return sorted(name for name in names if not name.startswith("_"))


class SurfaceWalker:
    """Indexes public names as a graph: a module or class reached twice is one node."""

    def __init__(self, roots: tuple[str, ...]) -> None:
        self.roots = roots
        self.nodes: list[list[Any]] = []
        """[kind, {name: node index, or kind of a leaf}] per module or class."""
        self.ids: dict[int, int] = {}
        self.keep: list[Any] = []
        """Walked objects stay referenced so that id() stays unique."""

    def visit(self, value: Any) -> int:
        """The node of a module or class, walking its members the first time."""
        known = self.ids.get(id(value))
        if known is not None:
            return known
        kind = kind_of(value)
        members: dict[str, Any] = {}
        index = len(self.nodes)
        self.ids[id(value)] = index
        self.keep.append(value)
        self.nodes.append([kind, members])
        for name in public_names(value):
            try:
                member = getattr(value, name)
            except BaseException as exc:  # lazy loaders of removed modules raise on access
                if isinstance(exc, KeyboardInterrupt):
                    raise
                continue
            member_kind = kind_of(member)
            walk_module = member_kind == "module" and public_module(member, self.roots)
            walk_class = member_kind == "class" and kind == "module" and self._own_class(member)
            if walk_module or walk_class:  # a class's own members are leaves: no nested walk
                members[name] = self.visit(member)
            else:
                members[name] = member_kind
        return index

    def _own_class(self, cls: Any) -> bool:
        return str(getattr(cls, "__module__", "")).split(".")[0] in self.roots


def surface(worker: Worker, params: Json) -> Json:
    """Every public name of tensorflow, keras and tf_keras (tf.compat.v1 is under tensorflow)."""
    roots = tuple(params.get("roots") or PACKAGES)
    started = time.monotonic()
    walker = SurfaceWalker(roots)
    found: dict[str, int] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for root in roots:
            module = worker.module(root)
            if module is None:
                continue
            worker.progress(f"indexing {root}")
            found[root] = walker.visit(module)
            if root == "tensorflow":
                compat = getattr(getattr(module, "compat", None), "v1", None)
                if compat is not None:
                    found["tensorflow.compat.v1"] = walker.visit(compat)
    return {
        "roots": found,
        "nodes": walker.nodes,
        "missing": {
            root: worker.import_errors.get(root, "not installed")
            for root in roots
            if root not in found
        },
        "duration_ms": round((time.monotonic() - started) * 1000),
    }


# -- probe -----------------------------------------------------------------------------------------
def truncate(text: str, limit: int = OUTPUT_LIMIT) -> str:
    """Text cut to `limit` characters, keeping mostly the tail (where errors are)."""
    if len(text) <= limit:
        return text
    head = limit // 4
    tail = limit - head
    return f"{text[:head]}\n... {len(text) - limit} characters omitted ...\n{text[-tail:]}"


def error_summary(exc: BaseException, limit: int = 12) -> str:
    """The exception line and the innermost frames of its traceback."""
    tb = exc.__traceback__
    here = os.path.abspath(__file__)
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) == here:
        tb = tb.tb_next  # the worker's own frames say nothing about the user's code
    lines = traceback.format_exception(type(exc), exc, tb)
    text = "".join(lines).rstrip().splitlines()
    last = text[-1] if text else f"{type(exc).__name__}: {exc}"
    frames = text[1:-1][-(limit - 1) :]
    return "\n".join([last, *frames])


def names_used(expression: str) -> tuple[set[str], set[str]]:
    """Base names and dotted attribute chains an expression uses."""
    tree = ast.parse(expression, mode="eval")
    bases: set[str] = set()
    chains: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            bases.add(node.id)
        elif isinstance(node, ast.Attribute):
            parts = []
            current: ast.AST = node
            while isinstance(current, ast.Attribute):
                parts.append(current.attr)
                current = current.value
            if isinstance(current, ast.Name):
                chains.add(".".join([current.id, *reversed(parts)]))
    return bases, chains


def missing_oracle(worker: Worker, old: str) -> str | None:
    """Why the old API cannot be run here (its carrier, tf_keras or tf.compat.v1, is missing)."""
    bases, chains = names_used(old)
    if "tf_keras" in bases and worker.module("tf_keras") is None:
        return "tf_keras: " + worker.import_errors.get("tf_keras", "not installed")
    if any(c == "tf.compat.v1" or c.startswith("tf.compat.v1.") for c in chains):
        tf = worker.module("tensorflow")
        if tf is None or getattr(getattr(tf, "compat", None), "v1", None) is None:
            return "tf.compat.v1 is not available"
    return None


def seed_everything(tf: Any, np: Any) -> None:
    """Same seeds before every probe, so random values repeat from run to run."""
    random.seed(0)
    np.random.seed(0)
    if tf is not None:
        tf.random.set_seed(0)


def to_numpy(value: Any, np: Any, tf: Any) -> Any:
    """NumPy arrays for tensors, variables and nested lists/tuples/dicts of them."""
    if isinstance(value, (list, tuple)):
        return [to_numpy(item, np, tf) for item in value]
    if isinstance(value, dict):
        return {key: to_numpy(item, np, tf) for key, item in value.items()}
    if tf is not None and isinstance(value, tf.SparseTensor):
        value = tf.sparse.to_dense(value)
    numpy_method = getattr(value, "numpy", None)
    if callable(numpy_method):
        try:
            return np.asarray(numpy_method())
        except Exception:  # a graph-mode tensor has .numpy() but cannot run it
            pass
    if tf is not None and hasattr(value, "graph") and not tf.executing_eagerly():
        v1 = tf.compat.v1
        with value.graph.as_default(), v1.Session(graph=value.graph) as session:
            session.run(v1.global_variables_initializer())
            return np.asarray(session.run(value))
    return np.asarray(value)


def show(value: Any, np: Any) -> str:
    """A short text form of a converted value."""
    if isinstance(value, list):
        return "[" + ", ".join(show(item, np) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {show(v, np)}" for k, v in value.items()) + "}"
    if getattr(value, "ndim", None) == 0:
        return repr(value.item())  # `66.0`, not NumPy's `66.`
    text = np.array2string(value, threshold=24, edgeitems=3, precision=6, separator=", ")
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:297] + "..."


def compare(
    old: Any, new: Any, aspects: list[str], tolerance: float, *, np: Any, where: str = ""
) -> list[str]:
    """Mismatches between two converted values on the requested aspects."""
    label = f"{where}: " if where else ""
    if isinstance(old, list) or isinstance(new, list):
        if not (isinstance(old, list) and isinstance(new, list)) or len(old) != len(new):
            return [f"{label}structure: old {show(old, np)}, new {show(new, np)}"]
        out: list[str] = []
        for index in range(len(old)):
            out += compare(
                old[index], new[index], aspects, tolerance, np=np, where=f"{where}[{index}]"
            )
        return out
    if isinstance(old, dict) or isinstance(new, dict):
        if not (isinstance(old, dict) and isinstance(new, dict)) or set(old) != set(new):
            return [f"{label}structure: old {show(old, np)}, new {show(new, np)}"]
        out = []
        for key in old:
            out += compare(old[key], new[key], aspects, tolerance, np=np, where=f"{where}[{key!r}]")
        return out
    problems = []
    if "shape" in aspects and old.shape != new.shape:
        problems.append(f"{label}shape: old {old.shape}, new {new.shape}")
    if "dtype" in aspects and old.dtype != new.dtype:
        problems.append(f"{label}dtype: old {old.dtype}, new {new.dtype}")
    if "value" in aspects and not same_values(old, new, tolerance, np):
        problems.append(f"{label}value: old {show(old, np)}, new {show(new, np)}")
    return problems


def same_values(old: Any, new: Any, tolerance: float, np: Any) -> bool:
    """np.allclose for numbers (rtol = atol = tolerance), equality for anything else."""
    numeric = all(np.issubdtype(v.dtype, np.number) or v.dtype == bool for v in (old, new))
    try:
        if numeric:
            return bool(np.allclose(old, new, rtol=tolerance, atol=tolerance, equal_nan=True))
        return bool(np.array_equal(old, new))
    except (ValueError, TypeError):  # shapes that do not broadcast
        return False


@contextlib.contextmanager
def captured() -> Iterator[io.StringIO]:
    """Python-level stdout and stderr of user code, collected."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        yield buffer


def probe(worker: Worker, params: Json) -> Json:
    """Run a rule's probe: setup, then old and new, converted to NumPy and compared."""
    np = worker.module("numpy")
    tf = worker.module("tensorflow")
    if np is None or tf is None:
        missing = "numpy" if np is None else "tensorflow"
        reason = worker.import_errors.get(missing, "not installed")
        return protocol.Probed("failed", f"cannot import {missing}: {reason}").to_json()
    setup = str(params.get("setup") or "")
    old = str(params.get("old") or "")
    new = str(params["new"])
    aspects = list(params.get("compare") or ("value", "dtype", "shape"))
    tolerance = float(params.get("tolerance", 1e-6))
    cases = [str(case) for case in params.get("cases") or ()]
    differing = [str(case) for case in params.get("differing") or ()]
    no_oracle = missing_oracle(worker, old) if old else None
    namespace: Json = {
        "np": np,
        "tf": tf,
        "keras": worker.module("keras"),
        "tf_keras": worker.module("tf_keras"),
    }
    eager = bool(tf.executing_eagerly())
    result: Json = {}
    with captured() as output, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seed_everything(tf, np)
        result = run_probe(
            namespace,
            setup,
            old if not no_oracle else "",
            new,
            aspects=aspects,
            tolerance=tolerance,
            cases=cases,
            differing=differing,
        )
    if no_oracle and result["status"] == "passed":
        detail = f"no oracle for the old API ({no_oracle}); the replacement runs: {result['new']}"
        result = {"status": "skipped", "detail": detail, "new": result["new"]}
    elif no_oracle:
        result["detail"] += f" (and no oracle for the old API: {no_oracle})"
    return protocol.Probed(
        status=result["status"],
        detail=result["detail"],
        old=result.get("old"),
        new=result.get("new"),
        mismatches=tuple(result.get("mismatches") or ()),
        output=truncate(output.getvalue()),
        # A probe that switched to graph mode leaves the process unfit for the next one.
        restart=eager and not tf.executing_eagerly(),
    ).to_json()


STEPS = {"setup": "the probe's setup", "case": "the case", "old": "the old API",
         "new": "the replacement"}  # fmt: skip


def evaluate(namespace: Json, label: str, code: str, mode: str) -> tuple[Any, str | None]:
    """(value, None), or (None, why) when the code raises (even SystemExit: user code must not
    end the worker)."""
    try:
        value = eval(compile(code, f"<probe {label}>", mode), namespace)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        return None, f"{STEPS[label]} raised {error_summary(exc)}"
    return value, None


def run_probe(
    namespace: Json,
    setup: str,
    old: str,
    new: str,
    *,
    aspects: list[str],
    tolerance: float,
    cases: list[str] | None = None,
    differing: list[str] | None = None,
) -> Json:
    """The probe's outcome: passed, or failed with what raised or which values differ.

    Without cases, old and new are compared once after the setup. With cases, each case's
    statements run after the setup (in a fresh copy of its names) and old and new are compared in
    every one; a case where the old API raises is one no working program reached: it is not
    compared, and at least one case must return. `differing` cases show where an unsafe
    replacement is not exact: each must differ (or the replacement raise), else the probe fails.
    """
    if setup:
        _value, problem = evaluate(namespace, "setup", setup, "exec")
        if problem:
            return {"status": "failed", "detail": problem}
    if not cases:
        outcome = run_case(namespace, old, new, aspects=aspects, tolerance=tolerance)
        outcome.pop("old_raised", None)
        return outcome
    first: Json = {}
    problems: list[str] = []
    old_raised = 0
    for index, case in enumerate(cases, start=1):
        scope = dict(namespace)
        label = f"case {index} ({' '.join(case.split())})"
        _value, problem = evaluate(scope, "case", case, "exec")
        outcome = (
            {"status": "failed", "detail": problem}
            if problem
            else run_case(scope, old, new, aspects=aspects, tolerance=tolerance)
        )
        first = first or outcome
        if outcome.get("old_raised"):
            old_raised += 1
        elif outcome["status"] != "passed":
            problems.append(f"{label}: {outcome['detail']}")
    for index, case in enumerate(differing or (), start=1):
        scope = dict(namespace)
        label = f"differing case {index} ({' '.join(case.split())})"
        _value, problem = evaluate(scope, "case", case, "exec")
        outcome = (
            {"status": "failed", "detail": problem}
            if problem
            else run_case(scope, old, new, aspects=aspects, tolerance=tolerance)
        )
        if problem or outcome.get("old_raised"):
            problems.append(f"{label}: {problem or outcome['detail']}")
        elif outcome["status"] == "passed":
            problems.append(f"{label}: old and new agree, so the replacement is exact here")
    shown: Json = {key: first[key] for key in ("old", "new") if key in first}
    if old and old_raised == len(cases):
        problems.append("the old API raised in every case: nothing was compared")
    if problems:
        return {"status": "failed", "detail": "; ".join(problems), "mismatches": problems, **shown}
    compared = len(cases) - old_raised
    agreed = f"old and new agree on {', '.join(aspects)} in {compared} cases" if old else (
        f"the replacement runs in {len(cases)} cases"
    )  # fmt: skip
    if old_raised:
        agreed += f" ({old_raised} where the old API raises are not compared)"
    if differing:
        agreed += f", and differ in the {len(differing)} cases they should"
    return {"status": "passed", "detail": agreed, **shown}


def run_case(namespace: Json, old: str, new: str, *, aspects: list[str], tolerance: float) -> Json:
    """Old and new evaluated in one namespace and compared."""
    np, tf = namespace["np"], namespace["tf"]
    values: dict[str, Any] = {}
    for label, code in (("old", old), ("new", new)):
        if not code:
            continue
        value, problem = evaluate(namespace, label, code, "eval")
        if problem is None:
            try:
                values[label] = to_numpy(value, np, tf)
            except Exception as exc:
                problem = f"{STEPS[label]} gave a value NumPy cannot hold: {error_summary(exc)}"
        if problem is not None:
            return {"status": "failed", "detail": problem, "old_raised": label == "old"}
    shown = {label: show(value, np) for label, value in values.items()}
    if "old" not in values:
        return {"status": "passed", "detail": f"the replacement runs: {shown['new']}", **shown}
    problems = compare(values["old"], values["new"], aspects, tolerance, np=np)
    if problems:
        return {
            "status": "failed",
            "detail": "old and new differ: " + "; ".join(problems),
            "mismatches": problems,
            **shown,
        }
    return {"status": "passed", "detail": f"old and new agree on {', '.join(aspects)}", **shown}


# -- api, compile ----------------------------------------------------------------------------------
def resolve(worker: Worker, qualname: str) -> protocol.NameFound:
    """Whether a dotted name exists here, and its kind; exists is None when its package is not."""
    parts = qualname.split(".")
    current = worker.module(parts[0])
    if current is None:
        return protocol.NameFound(None, None, worker.import_errors.get(parts[0], "not installed"))
    for index in range(1, len(parts)):
        try:
            current = getattr(current, parts[index])
            continue
        except AttributeError:
            pass
        except Exception as exc:
            return protocol.NameFound(False, None, f"{type(exc).__name__}: {exc}")
        # Submodules are attributes only once imported (keras.src.*, tensorflow.python.*).
        if not inspect.ismodule(current):
            return protocol.NameFound(False)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                current = importlib.import_module(".".join(parts[: index + 1]))
        except Exception:
            return protocol.NameFound(False)
    return protocol.NameFound(True, kind_of(current))


def api(worker: Worker, params: Json) -> Json:
    """Which of the given qualified names exist in this environment."""
    with warnings.catch_warnings(), captured():
        warnings.simplefilter("ignore")
        found = {name: resolve(worker, name) for name in params["names"]}
    return protocol.NamesFound(found).to_json()


def compile_file(worker: Worker, params: Json) -> Json:
    """Whether a file (or source text) compiles under this interpreter."""
    source: Any = params.get("source")
    filename = str(params.get("path") or params.get("filename") or "<source>")
    if source is None:
        with open(filename, "rb") as handle:
            source = handle.read()
    try:
        compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        error = protocol.CompileError(
            type(exc).__name__, exc.msg, exc.lineno, exc.offset, (exc.text or "").rstrip()
        )
        return protocol.Compiled(error).to_json()
    except ValueError as exc:  # NUL bytes
        return protocol.Compiled(protocol.CompileError("ValueError", str(exc))).to_json()
    return protocol.Compiled().to_json()


# -- subprocesses: import, run ---------------------------------------------------------------------
_IMPORT_SNIPPET = (
    "import importlib, sys; sys.path.insert(0, sys.argv[1]); importlib.import_module(sys.argv[2])"
)


def read_output(handle: IO[bytes], limit: int = OUTPUT_LIMIT) -> str:
    """A captured output file, cut to its head and tail."""
    size = handle.seek(0, os.SEEK_END)
    head = limit // 4
    if size <= limit:
        handle.seek(0)
        return handle.read().decode("utf-8", "replace")
    handle.seek(0)
    first = handle.read(head).decode("utf-8", "replace")
    handle.seek(size - (limit - head))
    last = handle.read().decode("utf-8", "replace")
    return f"{first}\n... {size - limit} bytes omitted ...\n{last}"


def last_error_line(output: str) -> str:
    """The exception line of a Python traceback in the output, else its last non-empty line."""
    lines = [line for line in output.splitlines() if line.strip()]
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].startswith("Traceback (most recent call last)"):
            for line in lines[index + 1 :]:
                if not line.startswith((" ", "\t")):
                    return line.strip()
    return lines[-1].strip() if lines else ""


def run_command(
    argv: list[str], cwd: str, timeout: float, env: dict[str, str] | None
) -> protocol.Ran:
    """Run a command in its own process group with output captured; kill the group on timeout."""
    environment = dict(os.environ)
    environment.update(env or {})
    started = time.monotonic()
    with tempfile.TemporaryFile() as output:
        try:
            process = subprocess.Popen(
                argv,
                cwd=cwd,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            return protocol.Ran(False, None, False, "", f"cannot run {argv[0]}: {exc}")
        timed_out = False
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(process)
        text = read_output(output)
    code = process.returncode
    error = f"timed out after {timeout:g} s" if timed_out else ""
    if not timed_out and code != 0:
        error = last_error_line(text) or f"exit code {code}"
        if code is not None and code < 0:
            error = f"killed by signal {-code} ({error})"
    return protocol.Ran(
        ok=code == 0 and not timed_out,
        returncode=code,
        timed_out=timed_out,
        output=text,
        error=error,
        duration_ms=round((time.monotonic() - started) * 1000),
    )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill a process and everything it started."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (OSError, AttributeError):  # already gone, or no process groups (Windows)
        process.kill()
    process.wait()


def import_module_check(worker: Worker, params: Json) -> Json:
    """Import a module from a directory in a child process, so a crash or hang stays there."""
    directory = str(params["directory"])
    argv = [sys.executable, "-c", _IMPORT_SNIPPET, directory, str(params["module"])]
    timeout = float(params.get("timeout", protocol.CHECK_TIMEOUT))
    return run_command(argv, directory, timeout, None).to_json()


def run(worker: Worker, params: Json) -> Json:
    """Run a command (argv, no shell) in a directory."""
    argv = [str(arg) for arg in params["argv"]]
    timeout = float(params.get("timeout", protocol.CHECK_TIMEOUT))
    return run_command(argv, str(params["cwd"]), timeout, params.get("env")).to_json()


HANDLERS: dict[str, Callable[[Worker, Json], Json]] = {
    "hello": hello,
    "load": load,
    "surface": surface,
    "probe": probe,
    "api": api,
    "compile": compile_file,
    "import": import_module_check,
    "run": run,
}


# -- start-up --------------------------------------------------------------------------------------
def limit_memory(megabytes: int) -> bool:
    """Cap the address space of this process and its children; False where unsupported."""
    try:
        import resource
    except ImportError:  # Windows
        return False
    limit = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return True


def protocol_streams() -> tuple[IO[str], IO[str]]:
    """Private copies of stdin and stdout; fds 0 and 1 become /dev/null and stderr for the rest."""
    protocol_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    sys.stdout = sys.stderr
    return protocol_in, protocol_out


def main(argv: list[str] | None = None) -> int:
    """Configure the process before anything imports TensorFlow, then serve."""
    parser = argparse.ArgumentParser(description="tfmend's TensorFlow worker (JSON lines)")
    parser.add_argument("--memory-mb", type=int, default=None, help="address space limit")
    parser.add_argument("--gpu", action="store_true", help="let TensorFlow see GPUs")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if not args.gpu:
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
    memory = args.memory_mb if args.memory_mb and limit_memory(args.memory_mb) else None
    # The worker's own directory must not shadow the user's modules in probes.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    protocol_in, protocol_out = protocol_streams()
    Worker(protocol_out, memory, args.gpu).serve(protocol_in)
    return 0


if __name__ == "__main__":
    sys.exit(main())
