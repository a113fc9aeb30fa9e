"""The benchmark runner's own logic (``bench/run.py``, ``bench/harness.py``): targets and
marks, the table, the JSON file, discovery and failures. No real benchmark runs here."""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import harness  # noqa: E402
import run as runner  # noqa: E402
from harness import Options, Result, Target, skipped  # noqa: E402


# -- targets and marks -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "figure", "ratio", "met"),
    [
        (Target(max=50), 49.9, None, True),
        (Target(max=50), 50.1, None, False),
        (Target(min=97), 96.0, 1.0, False),
        (Target(ratio_max=1.3), 999.0, 1.3, True),
        (Target(ratio_max=1.3), 1.0, 1.31, False),
        (Target(ratio_min=1.0), 1.0, 0.9, False),
        (Target(max=100, ratio_max=2), 90.0, 2.5, False),  # both bounds must hold
        (Target(max=100, ratio_max=2), 120.0, 1.5, False),
        (Target(max=100, ratio_max=2), 90.0, None, True),  # no floor: judged on the figure
        (Target(ratio_max=2), 90.0, None, None),  # nothing to judge
        (Target(max=5), None, None, None),
        (Target(), 1.0, 1.0, None),
    ],
)
def test_target_met(target: Target, figure: float | None, ratio: float | None, met: bool | None) -> None:
    assert target.met(figure, ratio) is met


def test_target_describes_its_bounds_in_the_figures_unit() -> None:
    assert Target(max=100, ratio_max=2).describe("ms") == "≤ 100 ms, ≤ 2x"
    assert Target(min=97).describe("%") == "≥ 97%"
    assert Target(ratio_max=1.3).describe("s") == "≤ 1.3x"
    assert Target(max=0).describe("") == "≤ 0"
    assert Target().describe("ms") == ""


def test_ratio_and_marks() -> None:
    row = Result("first screen", 3.0, "ms", 2.0, "100 fans", Target(ratio_max=1.3))
    assert row.ratio == 1.5 and row.passed is False and row.mark == "MISS"
    assert Result("x", 1.0, "ms", 2.0, target=Target(ratio_max=1.3)).mark == "pass"
    assert Result("x", 1.0, "ms", 0.0, target=Target(ratio_max=1.3)).ratio is None
    assert Result("x", 1.0, "ms").mark == "-"
    assert skipped("pg", "needs --postgres URL").mark == "skip"
    assert Result("x", None, "", error="boom").mark == "ERROR"
    assert runner.failed_row("inbox", "boom").mark == "ERROR"


# -- the table and the file --------------------------------------------------------------


def rows() -> list[Result]:
    return [
        Result("first screen", 3.0, "ms", 2.0, "100 fans", Target(ratio_max=1.3), bench="inbox",
               note="the count follows"),
        Result("export", 1.5, "s", 0.25, "sqlite3 dump", Target(max=2), bench="fans_io"),
        Result("launch", 1234.5, "ms", bench="campaigns"),
        skipped("on PostgreSQL", "needs --postgres URL", backend="postgresql"),
        skipped("other on PostgreSQL", "needs --postgres URL", backend="postgresql"),
    ]


def test_table_puts_the_target_and_the_mark_beside_each_figure() -> None:
    lines = harness.table(rows()).splitlines()
    header, rule, screen, export, launch, pg, other = lines[:7]
    assert header.split() == ["bench", "measure", "db", "figure", "floor", "(same", "run)",
                              "ratio", "target"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert "first screen [1]" in screen and "3.00 ms" in screen and "2.00 ms (100 fans)" in screen
    assert "1.50x" in screen and "≤ 1.3x" in screen and screen.endswith("MISS")
    assert "1.50 s" in export and "0.25 s (sqlite3 dump)" in export and "6.00x" in export
    assert "≤ 2 s" in export and export.endswith("pass")
    assert "1,234 ms" in launch and launch.endswith("-")
    assert "on PostgreSQL [2]" in pg and "postgresql" in pg and pg.endswith("skip")
    assert "other on PostgreSQL [2]" in other  # the same note, said once
    assert lines[7:] == ["", "[1] the count follows", "[2] needs --postgres URL"]
    # Columns line up: every figure ends where the header's does.
    end = header.index("figure") + len("figure")
    assert screen[:end].endswith("ms") and export[:end].endswith(" s")


def test_summary_counts_marks() -> None:
    assert harness.summary(rows()) == {"pass": 1, "MISS": 1, "-": 1, "skip": 2, "ERROR": 0}


def test_json_holds_every_row_with_its_judgement(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    runner.write_json(path, rows(), {"seconds": 1.0})
    data = json.loads(path.read_text())
    assert data["seconds"] == 1.0
    first = data["results"][0]
    assert first | {"ratio": round(first["ratio"], 6)} == {
        "name": "first screen", "figure": 3.0, "unit": "ms", "floor": 2.0,
        "floor_name": "100 fans", "target": {"ratio_max": 1.3}, "target_text": "≤ 1.3x",
        "note": "the count follows", "backend": "sqlite", "bench": "inbox", "error": "",
        "ratio": 1.5, "passed": False, "mark": "MISS",
    }
    assert [r["mark"] for r in data["results"]] == ["MISS", "pass", "-", "skip", "skip"]
    assert data["results"][3]["figure"] is None and data["results"][3]["passed"] is None


def test_timed_gives_the_median_of_the_runs_after_the_first() -> None:
    calls = []
    timing = harness.timed(lambda: calls.append(1) or len(calls), runs=4)
    assert len(calls) == 5 and timing.result == 1
    assert 0 <= timing.median_ms <= timing.p90_ms


def test_number_keeps_the_digits_that_mean_something() -> None:
    assert [harness.number(v) for v in (0, 0.0123, 0.5, 3.14159, 12.34, 1234.5)] == [
        "0", "0.0123", "0.50", "3.14", "12.3", "1,234"]


# -- discovery and running -------------------------------------------------------------


@pytest.fixture
def bench_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder of benchmark modules (unique names: imports are cached by name)."""
    tag = tmp_path.name.replace("-", "_")
    folder = tmp_path / "bench"
    folder.mkdir()
    modules = {
        "late": """
            from harness import Result, Target
            ORDER = 20
            def bench(options):
                print("detail for the log")
                return [Result("late figure", 2.0, "ms", 1.0, "floor", Target(ratio_max=3))]
        """,
        "early": """
            from harness import Result
            ORDER = 10
            PREPARED = []
            def prepare(options):
                PREPARED.append(options.runs)
            def bench(options):
                return [Result("early figure", float(options.repeat(5)), "runs")]
        """,
        "crash": """
            def bench(options):
                raise RuntimeError("no data " + "x" * 1000)
        """,
        "quits": """
            import sys
            def bench(options):
                sys.exit("no bench account")
        """,
        "unready": """
            def prepare(options):
                raise OSError("disk full")
            def bench(options):
                raise AssertionError("never run when prepare failed")
        """,
        "script": """
            def main():
                return 0
        """,
        "broken": """
            import a_module_that_does_not_exist
        """,
    }
    for name, source in modules.items():
        (folder / f"bench_{name}_{tag}.py").write_text(textwrap.dedent(source))
    (folder / "helpers.py").write_text("raise AssertionError('not a benchmark: never imported')\n")
    yield folder
    for name in [n for n in sys.modules if n.endswith(tag)]:
        del sys.modules[name]
    sys.path.remove(str(folder))


def names(found: runner.Found, tag: str) -> list[str]:
    return [bench.name.removesuffix(f"_{tag}") for bench in found.benches]


def test_discovery_finds_benchmarks_in_order_and_names_the_rest(bench_dir: Path) -> None:
    tag = bench_dir.parent.name.replace("-", "_")
    found = runner.discover(bench_dir)
    assert names(found, tag) == ["early", "late", "crash", "quits", "unready"]  # ORDER, name
    assert found.standalone == [f"script_{tag}"]
    assert list(found.broken) == [f"broken_{tag}"]
    assert "No module named 'a_module_that_does_not_exist'" in found.broken[f"broken_{tag}"]


def test_a_failing_benchmark_is_an_error_row_and_the_run_goes_on(bench_dir: Path, tmp_path: Path) -> None:
    tag = bench_dir.parent.name.replace("-", "_")
    benches = runner.discover(bench_dir).benches
    said: list[str] = []
    rows, prepared, ran = runner.run_benches(benches, Options(runs=3), tmp_path / "logs", said.append)
    by_name = {row.bench.removesuffix(f"_{tag}"): row for row in rows}
    assert [row.name for row in rows if not row.error] == ["early figure", "late figure"]
    assert by_name["early"].figure == 3.0 and by_name["late"].mark == "pass"
    assert sys.modules[f"bench_early_{tag}"].PREPARED == [3]
    crash = by_name["crash"]
    assert crash.mark == "ERROR" and crash.error.startswith("RuntimeError: no data xxx")
    message, log = crash.error.split(" (see ")
    assert len(message) == 300 and message.endswith("x…")  # one line; all of it in the log
    assert log == f"{tmp_path}/logs/crash_{tag}.log)"
    assert by_name["quits"].mark == "ERROR" and "SystemExit: no bench account" in by_name["quits"].error
    assert by_name["unready"].mark == "ERROR"
    assert by_name["unready"].error == "preparing: OSError: disk full"
    assert [t.name.removesuffix(f"_{tag}") for t in ran] == ["early", "late", "crash", "quits"]
    assert [t.name.removesuffix(f"_{tag}") for t in prepared] == [
        "early", "late", "crash", "quits", "unready"]
    # What a benchmark prints goes to its log, with the traceback of a failure.
    assert (tmp_path / "logs" / f"late_{tag}.log").read_text() == "detail for the log\n"
    assert "RuntimeError: no data" in (tmp_path / "logs" / f"crash_{tag}.log").read_text()


def test_selection_by_name(bench_dir: Path) -> None:
    tag = bench_dir.parent.name.replace("-", "_")
    benches = runner.discover(bench_dir).benches
    chosen = runner.select_benches(benches, [f"late_{tag}"], [])
    assert [b.name for b in chosen] == [f"late_{tag}"]
    left = runner.select_benches(benches, [], [f"crash_{tag}", f"quits_{tag}", f"unready_{tag}"])
    assert [b.name for b in left] == [f"early_{tag}", f"late_{tag}"]
    with pytest.raises(SystemExit, match="no benchmark named nope"):
        runner.select_benches(benches, ["nope"], [])


def test_main_prints_one_table_and_writes_the_file(
    bench_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tag = bench_dir.parent.name.replace("-", "_")
    out = tmp_path / "results.json"
    code = runner.main(["--json", str(out), "--logs", str(tmp_path / "logs"), "--runs", "2",
                        "--skip", f"crash_{tag},quits_{tag},unready_{tag}"], directory=bench_dir)
    printed = capsys.readouterr().out
    assert code == 1  # the module that does not import is a failure of the run
    assert printed.count("measure") == 1  # one table
    assert "early figure" in printed and "late figure" in printed
    data = json.loads(out.read_text())
    assert [r["bench"] for r in data["results"]] == [f"broken_{tag}", f"early_{tag}", f"late_{tag}"]
    assert data["results"][1]["figure"] == 2.0
    assert data["options"]["runs"] == 2 and data["standalone"] == [f"script_{tag}"]
    assert {"cpu", "cpus", "python", "sqlite"} <= set(data["machine"])
    assert [b["name"] for b in data["benches"]] == [f"early_{tag}", f"late_{tag}"]


def test_main_lists_what_it_found(bench_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert runner.main(["--list"], directory=bench_dir) == 0
    printed = capsys.readouterr().out
    assert "standalone" in printed and "does not import" in printed


def test_every_module_in_bench_plugs_in() -> None:
    """The real benchmarks import and expose ``bench`` (imported, not run)."""
    found = runner.discover(BENCH)
    assert found.broken == {}
    assert {"inbox", "inbox_screen", "fans_screen", "fans_io", "campaigns", "analytics",
            "analytics_screen", "outbox", "stalls", "memory", "startup"} <= {
        bench.name for bench in found.benches}
    assert found.standalone == ["gateway_sync"]


# -- child processes -------------------------------------------------------------------


def test_run_process_reads_the_childs_own_peak_not_its_parents() -> None:
    ballast = b"\x01" * (200 * 1024 * 1024)  # a parent far bigger than its child (pages touched)
    # The peak is sampled every 10 ms while the child runs: it holds it long enough to be
    # seen on a loaded box (a 50 ms child was missed: 33 MB).
    child = harness.run_process(
        [sys.executable, "-c", "import time; x = b'\\x01' * (40 * 1024 * 1024); time.sleep(0.5)"])
    assert 40 <= child.peak_mb < 120 and child.cpu > 0 and child.seconds > 0
    del ballast


def test_run_process_says_why_a_child_failed() -> None:
    with pytest.raises(RuntimeError, match="exited 3: no input file"):
        harness.run_process([sys.executable, "-c", "import sys; sys.stderr.write('no input file'); sys.exit(3)"])


def test_compile_sources_writes_byte_code_even_when_python_would_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # PYTHONDONTWRITEBYTECODE
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    modules = [tmp_path / "pkg" / "__init__.py", tmp_path / "pkg" / "sub" / "mod.py"]
    for module in modules:
        module.write_text("VALUE = 1\n")
    harness.compile_sources(tmp_path / "pkg")
    assert all(Path(importlib.util.cache_from_source(str(m))).is_file() for m in modules)
