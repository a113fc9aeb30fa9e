"""The screen registry: every screen once, with its switch key, help and palette entries;
screens and dialogs imported only when first needed."""

from __future__ import annotations

import subprocess
import sys

from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.commands import palette_commands
from ofcrm_tui.tui.keymap import bindings_of
from ofcrm_tui.tui.screens import registry
from ofcrm_tui.tui.screens.base import OfcrmScreen


def test_every_screen_has_its_mode_key_help_and_palette_entry() -> None:
    modes = [spec.mode for spec in registry.SCREENS]
    assert len(set(modes)) == len(modes)
    assert set(OfcrmApp.MODES) == set(modes)
    bindings = bindings_of(OfcrmApp)
    ids = {binding.id: binding for binding in bindings}
    palette = {command.action for command, _ in palette_commands()}
    for spec in registry.SCREENS:
        assert issubclass(spec.load(), OfcrmScreen)
        assert ids[f"app.{spec.mode}"].action == f"switch_mode({spec.mode!r})"
        assert f"app.switch_mode({spec.mode!r})" in palette
        assert (spec.title, spec.load()) in registry.help_sections()
    keys = [key for binding in bindings for key in binding.key.split(",")]
    assert len(set(keys)) == len(keys)


def test_starting_the_app_module_loads_no_screen_and_no_dialog() -> None:
    script = (
        "import sys, ofcrm_tui.tui.app\n"
        "print(' '.join(m for m in sys.modules"
        " if m.startswith(('ofcrm_tui.tui.screens.', 'ofcrm_tui.tui.dialogs.'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True).stdout.split()
    assert sorted(loaded) == ["ofcrm_tui.tui.screens.base", "ofcrm_tui.tui.screens.registry"]
