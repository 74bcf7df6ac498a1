"""The TensorFlow worker over its JSON-lines protocol, run by a real interpreter with TensorFlow."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

from tfmend.worker.client import (
    WORKER_SCRIPT,
    InterpreterNotFoundError,
    RequestFailedError,
    WorkerClient,
    WorkerDiedError,
    WorkerTimeoutError,
    resolve_python,
)

pytestmark = pytest.mark.tensorflow

MEAN_SETUP = "x = tf.constant(np.arange(12, dtype='float32').reshape(3, 4))"


@pytest.fixture(scope="module")
def worker() -> Iterator[WorkerClient]:
    """One worker for the module: TensorFlow is imported once."""
    client = WorkerClient(sys.executable, memory_mb=8192)
    yield client
    client.close()


def probe(
    worker: WorkerClient, new: str, old: str = "", setup: str = MEAN_SETUP, **extra: object
) -> dict[str, object]:
    return dict(
        worker.request("probe", {"setup": setup, "old": old, "new": new, **extra}, timeout=120)
    )


def test_hello_reports_versions_without_importing_tensorflow() -> None:
    client = WorkerClient(sys.executable)
    try:
        hello = client.request("hello", timeout=30)
    finally:
        client.close()
    assert hello["loaded"] is False
    assert hello["python"] == ".".join(map(str, sys.version_info[:3]))
    assert hello["packages"] == {
        "tensorflow": metadata.version("tensorflow"),
        "keras": metadata.version("keras"),
        "tf_keras": metadata.version("tf-keras"),
    }
    assert hello["gpu"] is False
    assert hello["legacy_keras"] is False


def test_hello_sees_legacy_keras_setting() -> None:
    client = WorkerClient(sys.executable, env={"TF_USE_LEGACY_KERAS": "1"})
    try:
        assert client.request("hello", timeout=30)["legacy_keras"] is True
    finally:
        client.close()


def test_load_imports_once_and_reports_versions(worker: WorkerClient) -> None:
    steps: list[str] = []
    loaded = worker.request("load", timeout=300, progress=steps.append)
    assert loaded["versions"]["tensorflow"] == metadata.version("tensorflow")
    assert loaded["versions"]["keras"] == metadata.version("keras")
    again = worker.request("load", timeout=30)
    assert again["duration_ms"] < 50  # already imported: nothing to do
    assert worker.request("hello", timeout=30)["loaded"] is True


def test_probe_passes_when_old_and_new_agree(worker: WorkerClient) -> None:
    result = probe(
        worker,
        "keras.ops.mean(x, axis=1, keepdims=True)",
        "tf_keras.backend.mean(x, axis=1, keepdims=True)",
    )
    assert result["status"] == "passed", result
    assert result["detail"] == "old and new agree on value, dtype, shape"
    assert result["old"] == result["new"] == "[[1.5], [5.5], [9.5]]"


def test_probe_shows_mismatching_values(worker: WorkerClient) -> None:
    result = probe(
        worker,
        "tf.reduce_sum(x, axis=1, keepdims=True)",
        "tf_keras.backend.mean(x, axis=1, keepdims=True)",
    )
    assert result["status"] == "failed"
    assert result["mismatches"] == ["value: old [[1.5], [5.5], [9.5]], new [[ 6.], [22.], [38.]]"]


def test_probe_compares_only_the_requested_aspects(worker: WorkerClient) -> None:
    old, new = "tf.cast(x, 'float64')", "x"
    dtype = probe(worker, new, old)
    assert dtype["status"] == "failed"
    assert dtype["mismatches"] == ["dtype: old float64, new float32"]
    assert probe(worker, new, old, compare=["value", "shape"])["status"] == "passed"


def test_probe_tolerance_is_rtol_and_atol(worker: WorkerClient) -> None:
    assert probe(worker, "x + 1e-3", "x", tolerance=1e-2)["status"] == "passed"
    assert probe(worker, "x + 1e-3", "x", tolerance=1e-6)["status"] == "failed"


def test_probe_converts_lists_tuples_and_variables(worker: WorkerClient) -> None:
    setup = MEAN_SETUP + "\nv = tf.Variable(x)\nk = keras.Variable(np.ones(3, 'float32'))"
    same = probe(worker, "[tf.identity(v), (x, k.value)]", "(v, [x, k])", setup=setup)
    assert same["status"] == "passed", same
    shorter = probe(worker, "[v]", "[v, v]", setup=setup)
    assert shorter["status"] == "failed"
    assert "structure" in str(shorter["detail"])


def test_probe_error_names_the_failing_step_with_the_traceback(worker: WorkerClient) -> None:
    result = probe(worker, "keras.backend.mean(x)", "tf_keras.backend.mean(x)")
    assert result["status"] == "failed"
    lines = str(result["detail"]).splitlines()
    assert lines[0] == (
        "the replacement raised AttributeError: module 'keras.backend' has no attribute 'mean'"
    )
    assert 'File "<probe new>", line 1' in lines[1]
    assert "tfworker.py" not in str(result["detail"])  # the worker's own frames are left out


def test_probe_without_old_checks_that_new_runs(worker: WorkerClient) -> None:
    result = probe(worker, "keras.ops.sum(x)")
    assert result["status"] == "passed"
    assert result["detail"] == "the replacement runs: 66.0"


def test_probe_user_output_is_captured_and_exit_is_contained(worker: WorkerClient) -> None:
    noisy = probe(
        worker,
        "x",
        "x",
        setup=MEAN_SETUP + "\nprint('hello from the probe')\n"
        "import os\nos.write(1, b'raw bytes on fd 1\\n')",
    )
    assert noisy["status"] == "passed"
    assert noisy["output"] == "hello from the probe\n"
    exiting = probe(worker, "x", setup="import sys\nsys.exit(3)")
    assert exiting["status"] == "failed"
    assert str(exiting["detail"]).startswith("the probe's setup raised SystemExit: 3")
    assert probe(worker, "x", "x")["status"] == "passed"  # still serving


def test_probe_in_a_graph_asks_for_no_restart_but_disabling_eager_does(
    worker: WorkerClient,
) -> None:
    setup = textwrap.dedent("""\
        graph = tf.Graph()
        with graph.as_default():
            p = tf.compat.v1.placeholder(tf.float32, [2])
            y = tf.compat.v1.log(p)
        """)
    graph = probe(
        worker,
        "np.log(np.array([1.0, 2.0], 'float32'))",
        "tf.compat.v1.Session(graph=graph).run(y, {p: [1.0, 2.0]})",
        setup=setup,
    )
    assert graph["status"] == "passed", graph
    assert graph["restart"] is False
    client = WorkerClient(sys.executable)
    try:
        disabled = probe(
            client,
            "tf.compat.v1.log(tf.constant([1.0, 2.0]))",
            "tf.math.log(tf.constant([1.0, 2.0]))",
            setup="tf.compat.v1.disable_eager_execution()",
        )
    finally:
        client.close()
    assert disabled["status"] == "passed", disabled  # graph tensors are run in a session
    assert disabled["restart"] is True


def test_probe_without_tf_keras_is_skipped_but_new_still_runs(tmp_path: Path) -> None:
    # A tf_keras that cannot be imported stands for an environment without it.
    blocker = tmp_path / "tf_keras"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('tf_keras is not installed here')\n")
    client = WorkerClient(sys.executable, env={"PYTHONPATH": str(tmp_path)})
    try:
        skipped = probe(client, "keras.ops.mean(x)", "tf_keras.backend.mean(x)")
        broken = probe(client, "keras.ops.no_such_op(x)", "tf_keras.backend.mean(x)")
    finally:
        client.close()
    assert skipped["status"] == "skipped"
    assert str(skipped["detail"]).startswith(
        "no oracle for the old API (tf_keras: ImportError: tf_keras is not installed here); "
        "the replacement runs: 5.5"
    )
    assert broken["status"] == "failed"
    assert "AttributeError" in str(broken["detail"])


def test_memory_limit_turns_a_huge_allocation_into_an_error(worker: WorkerClient) -> None:
    result = probe(worker, "np.ones(1 << 36, dtype='uint8')")  # 64 GiB
    assert result["status"] == "failed"
    assert "MemoryError" in str(result["detail"])


def test_tensorflow_sees_no_gpu_by_default(worker: WorkerClient) -> None:
    result = probe(worker, "os.environ['CUDA_VISIBLE_DEVICES']", setup="import os")
    assert result["detail"] == "the replacement runs: ''"


def test_api_tells_which_names_exist(worker: WorkerClient) -> None:
    names = [
        "keras.ops.mean",
        "keras.backend.mean",
        "tensorflow.compat.v1.placeholder",
        "tensorflow.placeholder",
        "keras.src.backend",
        "no_such_package.thing",
        "tensorflow.compat.v1.Session.run",
    ]
    found = worker.request("api", {"names": names}, timeout=60)["names"]
    assert {name: info["exists"] for name, info in found.items()} == {
        "keras.ops.mean": True,
        "keras.backend.mean": False,
        "tensorflow.compat.v1.placeholder": True,
        "tensorflow.placeholder": False,
        "keras.src.backend": True,  # a submodule that is only an attribute once imported
        "no_such_package.thing": None,
        "tensorflow.compat.v1.Session.run": True,
    }
    assert found["keras.ops.mean"]["kind"] == "function"
    assert found["keras.src.backend"]["kind"] == "module"
    assert "No module named 'no_such_package'" in found["no_such_package.thing"]["error"]


def test_compile_reports_the_syntax_error_position(worker: WorkerClient, tmp_path: Path) -> None:
    good = tmp_path / "good.py"
    good.write_text("# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n", encoding="latin-1")
    assert worker.request("compile", {"path": str(good)}, timeout=30) == {"ok": True, "error": None}
    bad = worker.request("compile", {"source": "x = 1\ny = (\n", "filename": "bad.py"}, timeout=30)
    assert bad["ok"] is False
    assert bad["error"]["type"] == "SyntaxError"
    assert bad["error"]["line"] == 2


def test_import_runs_in_a_child_and_reports_errors(worker: WorkerClient, tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "fine.py").write_text("import keras\nVALUE = keras.ops.mean([1.0, 3.0])\n")
    (tmp_path / "pkg" / "broken.py").write_text("from keras import backend as K\nK.symbolic\n")
    fine = worker.request("import", {"directory": str(tmp_path), "module": "pkg.fine"}, timeout=120)
    assert fine["ok"] is True, fine["output"]
    broken = worker.request(
        "import", {"directory": str(tmp_path), "module": "pkg.broken"}, timeout=120
    )
    assert broken["ok"] is False
    assert broken["error"] == "AttributeError: module 'keras.backend' has no attribute 'symbolic'"


def test_import_that_hangs_or_crashes_stays_in_its_child(
    worker: WorkerClient, tmp_path: Path
) -> None:
    (tmp_path / "hangs.py").write_text("import time\ntime.sleep(600)\n")
    (tmp_path / "crashes.py").write_text("import os\nos.abort()\n")
    started = time.monotonic()
    hung = worker.request(
        "import", {"directory": str(tmp_path), "module": "hangs", "timeout": 2}, timeout=60
    )
    assert time.monotonic() - started < 15
    assert hung["timed_out"] is True
    assert hung["error"] == "timed out after 2 s"
    crashed = worker.request(
        "import", {"directory": str(tmp_path), "module": "crashes"}, timeout=60
    )
    assert crashed["returncode"] == -6
    assert crashed["error"].startswith("killed by signal 6")
    assert worker.request("hello", timeout=30)["loaded"] is True  # the worker itself is fine


def test_run_captures_and_truncates_output(worker: WorkerClient, tmp_path: Path) -> None:
    script = "import sys\nprint('x' * 50000)\nraise ValueError('at the end')\n"
    result = worker.request(
        "run", {"argv": [sys.executable, "-c", script], "cwd": str(tmp_path)}, timeout=60
    )
    assert result["ok"] is False
    assert result["returncode"] == 1
    assert result["error"] == "ValueError: at the end"
    assert len(result["output"]) < 9000
    assert "characters omitted" in result["output"] or "bytes omitted" in result["output"]
    assert result["output"].rstrip().endswith("ValueError: at the end")


def test_run_of_a_missing_program_is_an_error_not_a_crash(
    worker: WorkerClient, tmp_path: Path
) -> None:
    result = worker.request(
        "run", {"argv": ["no-such-program-xyz"], "cwd": str(tmp_path)}, timeout=30
    )
    assert result["ok"] is False
    assert result["error"].startswith("cannot run no-such-program-xyz")


def test_surface_indexes_the_public_names(worker: WorkerClient) -> None:
    index = worker.request("surface", timeout=600)
    assert set(index["roots"]) == {"tensorflow", "tensorflow.compat.v1", "keras", "tf_keras"}
    nodes = index["nodes"]

    def lookup(name: str) -> object:
        parts = name.split(".")
        current: object = index["roots"][parts[0]]
        for part in parts[1:]:
            if not isinstance(current, int):
                return None
            current = nodes[current][1].get(part)
        return nodes[current][0] if isinstance(current, int) else current

    assert lookup("keras.ops.mean") == "function"
    assert lookup("keras.backend.mean") is None
    assert lookup("tensorflow.compat.v1.Session") == "class"
    assert lookup("tensorflow.compat.v1.Session.run") == "function"
    assert lookup("tf_keras.backend.mean") == "function"
    assert lookup("keras.src") == "module"  # present, but implementation: not walked
    assert not any(name.startswith("_") for _kind, members in nodes for name in members)


def test_bad_requests_get_errors_and_the_worker_goes_on() -> None:
    process = subprocess.run(
        [sys.executable, str(WORKER_SCRIPT)],
        input='not json\n{"id": 7, "method": "nope"}\n{"id": 8, "method": "hello"}\n',
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = process.stdout.splitlines()
    assert '"type": "BadRequest"' in lines[0]
    assert lines[1] == (
        '{"id": 7, "error": {"type": "UnknownMethod", "message": "unknown method \'nope\'"}}'
    )
    assert lines[2].startswith('{"id": 8, "result": {"python": ')
    assert process.returncode == 0


def test_handler_errors_are_reported(worker: WorkerClient) -> None:
    with pytest.raises(RequestFailedError, match="KeyError"):
        worker.request("probe", {"setup": ""}, timeout=30)  # no "new"


def test_client_kills_a_hanging_request_and_restarts() -> None:
    client = WorkerClient(sys.executable)
    try:
        client.request("hello", timeout=30)
        first = client.pid
        assert first is not None
        with pytest.raises(WorkerTimeoutError, match="probe timed out after 1 s"):
            client.request(
                "probe", {"setup": "import time\ntime.sleep(600)", "new": "1"}, timeout=1
            )
        assert not _running(first)
        assert client.request("hello", timeout=30)["loaded"] is False  # a fresh process
    finally:
        client.close()


def test_client_reports_a_crash_with_its_signal() -> None:
    client = WorkerClient(sys.executable)
    try:
        client.request("hello", timeout=30)
        with pytest.raises(WorkerDiedError, match=r"died during probe \(killed by SIGABRT\)"):
            client.request("probe", {"setup": "import os\nos.abort()", "new": "1"}, timeout=60)
        assert client.request("hello", timeout=30)["python"]  # restarted on the next request
    finally:
        client.close()


def test_missing_interpreter_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InterpreterNotFoundError, match=r"Python interpreter not found: .*nope"):
        resolve_python(str(tmp_path / "nope" / "python"))
    with pytest.raises(InterpreterNotFoundError, match="not found on PATH: no-such-python-9"):
        resolve_python("no-such-python-9")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_probe_cases_compare_every_input_and_name_the_one_that_differs(
    worker: WorkerClient,
) -> None:
    cases = ["x = tf.constant([1.5, 2.5])", "x = tf.constant([1, 2])", "x = tf.zeros((0,))"]
    agree = probe(worker, "tf.reduce_sum(x)", "tf_keras.backend.sum(x)", setup="", cases=cases)
    assert agree["status"] == "passed", agree
    assert agree["detail"] == "old and new agree on value, dtype, shape in 3 cases"
    mean = probe(worker, "keras.ops.mean(x)", "tf_keras.backend.mean(x)", setup="", cases=cases)
    assert mean["status"] == "failed"
    assert mean["mismatches"] == [
        "case 2 (x = tf.constant([1, 2])): old and new differ: dtype: old int32, new float32; "
        "value: old 1, new 1.5"
    ]


def test_probe_cases_where_the_old_api_raises_are_not_compared(worker: WorkerClient) -> None:
    cases = ["x = tf.constant([True, False])", "x = tf.constant([1.0, -2.0])"]
    result = probe(worker, "keras.ops.abs(x)", "tf_keras.backend.abs(x)", setup="", cases=cases)
    assert result["status"] == "passed", result
    assert result["detail"] == (
        "old and new agree on value, dtype, shape in 1 cases (1 where the old API raises are "
        "not compared)"
    )
    raising = probe(worker, "x", "tf_keras.backend.abs(x)", setup="", cases=cases[:1])
    assert raising["detail"] == "the old API raised in every case: nothing was compared"


def test_differing_cases_must_differ(worker: WorkerClient) -> None:
    cases = ["x = tf.constant([1.5, 2.5])"]
    shown = probe(worker, "keras.ops.mean(x)", "tf_keras.backend.mean(x)", setup="", cases=cases,
                  differing=["x = tf.constant([1, 2])"])  # fmt: skip
    assert shown["status"] == "passed", shown
    assert shown["detail"].endswith("and differ in the 1 cases they should")
    exact = probe(worker, "keras.ops.mean(x)", "tf_keras.backend.mean(x)", setup="", cases=cases,
                  differing=["x = tf.constant([0.5, 1.5])"])  # fmt: skip
    assert exact["status"] == "failed"
    assert exact["detail"] == (
        "differing case 1 (x = tf.constant([0.5, 1.5])): old and new agree, so the replacement "
        "is exact here"
    )
