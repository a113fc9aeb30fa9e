"""Start-up as whole processes: is ``ofcrm`` as light as the work it does?

In one run, in a throw-away home (its own data, config and state directories, a
SQLite database with a generated 100-fan account), the cases take turns so a busy
moment of a shared machine hits all alike, and medians are printed with the ratios:

- ``ofcrm queue`` against the import floor ``python -c "import sqlalchemy, httpx"``
  (target: within 1.5x), and ``ofcrm --help`` / ``ofcrm --version``;
- which heavy packages ``ofcrm --help`` and ``ofcrm --version`` load (target: none
  of SQLAlchemy, Textual, Alembic);
- with ``--screen`` (needs tmux): the app's first full screen in a 160x45 tmux against
  a bare Textual app drawing the same number of lines (target: within 2x). Each is
  started in a fresh tmux window and timed until its pane shows what it settles on:
  a first run per program is left to settle and captured, and a timed run ends when
  all but two of the lines that capture kept steady are on the pane (status lines may
  differ). A third case is the same bare app that first imports what the app cannot
  read its database without, SQLAlchemy's ORM and pydantic-settings: the part of the
  ratio the chosen libraries take before the app does any work of its own.

    python bench/bench_startup.py              # --runs 15
    python bench/bench_startup.py --screen     # the app screen too

In ``bench/run.py`` (``--runs 7``, the app screen when tmux is there): a row per process
against the import floor, the heavy packages of ``--help`` / ``--version``, the screen.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from harness import Options, Result, Target, compile_sources, skipped

PYTHON = sys.executable
OFCRM = str(Path(sys.executable).with_name("ofcrm"))
SIZE = (160, 45)
HEAVY = ("sqlalchemy", "textual", "alembic")

# Loads ``main`` as the console script does, runs it, and prints the heavy packages loaded.
_LOADED = """
import json, sys
from ofcrm_tui.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(%r))), file=sys.stderr)
""" % (HEAVY,)

_BARE_APP = """
import sys
from textual.app import App, ComposeResult
from textual.widgets import Static

LINES = int(sys.argv[1])
if sys.argv[2:] == ["--libraries"]:
    import pydantic_settings, sqlalchemy.orm  # noqa: F401  (the libraries the app reads its data with)


class Bare(App):
    def compose(self) -> ComposeResult:
        yield Static("\\n".join(f"line {i:02d} " + "x" * 140 for i in range(LINES)))


Bare().run()
"""


def fresh_home(root: Path) -> dict[str, str]:
    """Environment of a user with only the bench's files (and no keyring)."""
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("OFCRM_", "XDG_"))
    }
    env.update(
        HOME=str(root),
        XDG_DATA_HOME=str(root / "data"),
        XDG_CONFIG_HOME=str(root / "config"),
        XDG_STATE_HOME=str(root / "state"),
        OFCRM_DATABASE_URL=f"sqlite:///{root / 'bench.db'}",
        OFCRM_TOKEN_GENERATED="bench-token",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    return env


def timed_process(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def take_turns(cases: dict[str, Callable[[], float]], runs: int) -> dict[str, float]:
    """Median seconds of each case, the cases run in turn ``runs`` times (after a warm-up)."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for name, case in cases.items():
        case()  # warm the file cache and byte code
    for _ in range(runs):
        for name, case in cases.items():
            samples[name].append(case())
    return {name: statistics.median(values) for name, values in samples.items()}


def heavy_modules(argv: list[str], env: dict[str, str]) -> list[str]:
    result = subprocess.run(
        [PYTHON, "-c", _LOADED, *argv], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stderr.strip().splitlines()[-1])


class Tmux:
    """A tmux server of the bench's own; each program runs in a fresh window."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = f"ofcrm-bench-{os.getpid()}"
        self.env = env
        self.windows = 0
        # A server already running keeps its start-up out of the timings.
        self.tmux("new-session", "-d", "-s", "idle", "-x", str(SIZE[0]), "-y", str(SIZE[1]))

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def start(self, argv: list[str]) -> str:
        self.windows += 1
        name = f"w{self.windows}"
        width, height = SIZE
        command = shlex.join(argv)
        self.tmux("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command)
        return name

    def pane(self, name: str) -> list[str]:
        return self.tmux("capture-pane", "-p", "-t", name).splitlines()

    def stop(self, name: str) -> None:
        self.tmux("kill-session", "-t", name)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], env=self.env, check=False)

    def settled(self, argv: list[str], wait: float = 6.0) -> list[str]:
        """The lines of the program's screen that stay the same once it has settled."""
        name = self.start(argv)
        time.sleep(wait)
        first = self.pane(name)
        time.sleep(1.0)
        second = self.pane(name)
        self.stop(name)
        return [line for line, again in zip(first, second, strict=False) if line == again and line.strip()]

    def first_screen(self, argv: list[str], expected: list[str], timeout: float = 30.0) -> float:
        """Seconds from starting the program to its pane showing ``expected`` (all but two)."""
        started = time.perf_counter()
        name = self.start(argv)
        try:
            while time.perf_counter() - started < timeout:
                shown = set(self.pane(name))
                if sum(line in shown for line in expected) >= len(expected) - 2:
                    return time.perf_counter() - started
                time.sleep(0.005)
            raise RuntimeError(f"{argv[-1]}: the screen did not settle within {timeout} s")
        finally:
            self.stop(name)


def bench_screens(env: dict[str, str], root: Path, runs: int) -> dict[str, float]:
    bare_script = root / "bare_app.py"
    bare_script.write_text(_BARE_APP)
    tmux = Tmux(env)
    try:
        app_lines = tmux.settled([OFCRM])
        bare = [PYTHON, str(bare_script), str(len(app_lines))]
        bare_lines = tmux.settled(bare, wait=3.0)
        print(f"app: {len(app_lines)} steady lines; bare app: {len(bare_lines)}", file=sys.stderr)
        return take_turns(
            {
                "app first screen": lambda: tmux.first_screen([OFCRM], app_lines),
                "bare Textual app": lambda: tmux.first_screen(bare, bare_lines),
                LIBRARIES_APP: lambda: tmux.first_screen([*bare, "--libraries"], bare_lines),
            },
            runs,
        )
    finally:
        tmux.close()


CASES = {
    "import sqlalchemy, httpx": [PYTHON, "-c", "import sqlalchemy, httpx"],
    "ofcrm queue": [OFCRM, "queue"],
    "ofcrm --help": [OFCRM, "--help"],
    "ofcrm --version": [OFCRM, "--version"],
    "python -c pass": [PYTHON, "-c", "pass"],
}
FLOOR = "import sqlalchemy, httpx"
LIBRARIES_APP = "bare app + ORM, settings"


def measure(runs: int, screen: bool) -> tuple[dict[str, float], dict[str, list[str]], dict[str, float]]:
    """Medians of the processes (seconds), what --help / --version load, and with
    ``screen`` the app's and the bare app's first screens (seconds)."""
    compile_sources()
    with tempfile.TemporaryDirectory(prefix="ofcrm-bench-startup-") as folder:
        root = Path(folder)
        env = fresh_home(root)
        subprocess.run(
            [OFCRM, "generate", "--fans", "100"], env=env, check=True, capture_output=True
        )
        medians = take_turns(
            {name: lambda argv=argv: timed_process(argv, env) for name, argv in CASES.items()}, runs)
        floor = medians[FLOOR]
        print(f"medians of {runs} runs (whole processes)")
        for name, seconds in medians.items():
            print(f"  {name:28} {seconds * 1000:7.0f} ms  {seconds / floor:5.2f}x the floor")
        print(f"ofcrm queue / import floor: {medians['ofcrm queue'] / floor:.2f} (target <= 1.5)")
        loaded = {}
        for argv in (["--help"], ["--version"]):
            loaded[argv[0]] = heavy_modules(argv, env)
            print(f"ofcrm {argv[0]} loads: {', '.join(loaded[argv[0]]) or 'none of ' + ', '.join(HEAVY)}")
        screens = {}
        if screen:
            screens = bench_screens(env, root, runs)
            for name, seconds in screens.items():
                print(f"  {name:28} {seconds * 1000:7.0f} ms")
            bare_app = screens["bare Textual app"]
            ratio = screens["app first screen"] / bare_app
            print(f"app first screen / bare Textual app: {ratio:.2f} (target <= 2)")
            print(f"bare app importing SQLAlchemy's ORM and pydantic-settings / bare Textual app: "
                  f"{screens[LIBRARIES_APP] / bare_app:.2f}")
    return medians, loaded, screens


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--screen", action="store_true", help="also time the app's first screen (tmux)")
    args = parser.parse_args()
    measure(args.runs, args.screen)
    return 0


# -- the runner's rows (bench/run.py) ---------------------------------------------------

ORDER = 90
RUNS = 7


def bench(options: Options) -> list[Result]:
    has_tmux = shutil.which("tmux") is not None
    medians, loaded, screens = measure(options.repeat(RUNS), screen=has_tmux)
    ms = {name: seconds * 1000 for name, seconds in medians.items()}
    floor = ms[FLOOR]
    heavy = sorted({name for names in loaded.values() for name in names})
    result = [
        Result("ofcrm queue (whole process)", ms["ofcrm queue"], "ms", floor, FLOOR,
               Target(ratio_max=1.5)),
        Result("ofcrm --help (whole process)", ms["ofcrm --help"], "ms", floor, FLOOR),
        Result("ofcrm --version (whole process)", ms["ofcrm --version"], "ms", floor, FLOOR),
        Result("heavy packages --help / --version load", len(heavy), "", target=Target(max=0),
               note=f"of {', '.join(HEAVY)}: {', '.join(heavy) or 'none'}"),
    ]
    if screens:
        result.append(Result(
            "app first screen in a 160x45 tmux", screens["app first screen"] * 1000, "ms",
            screens["bare Textual app"] * 1000, "bare Textual app", Target(ratio_max=2),
            note="start to the pane showing the settled screen; the bare app draws as many lines"))
        result.append(Result(
            "bare app importing SQLAlchemy's ORM and pydantic-settings", screens[LIBRARIES_APP] * 1000,
            "ms", screens["bare Textual app"] * 1000, "bare Textual app",
            note="the libraries' share of the app's ratio, before any work of the app's own"))
    else:
        result.append(skipped("app first screen in a 160x45 tmux", "needs tmux"))
    return result


if __name__ == "__main__":
    sys.exit(main())
