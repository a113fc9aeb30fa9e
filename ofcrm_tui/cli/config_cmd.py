"""``ofcrm config``: the effective settings, secrets masked."""

from __future__ import annotations

import argparse
import json
import os

from ofcrm_tui import paths
from ofcrm_tui.cli.common import add_command
from ofcrm_tui.config import load_settings
from ofcrm_tui.logs import MASK
from ofcrm_tui.store.database import display_url


def _show(args: argparse.Namespace) -> int:
    overrides = {"database_url": args.db} if args.db else {}
    settings = load_settings(**overrides)
    values = settings.model_dump()
    values["database_url"] = display_url(settings.effective_database_url())
    keymap = values.pop("keymap")
    print(f"# effective settings: --db, then OFCRM_* environment, then {paths.config_file()}")
    for key, value in values.items():
        print(f"{key} = {json.dumps(value)}")
    print("\n[keymap]")
    for binding, keys in sorted(keymap.items()):
        print(f"{json.dumps(binding)} = {json.dumps(keys)}")
    overrides_set = sorted(name for name in os.environ if name.startswith("OFCRM_TOKEN_"))
    print("\n# account tokens from the environment (values never shown)")
    for name in overrides_set:
        print(f"# {name} = {MASK}")
    print(f"\n# logs: {paths.log_dir()} (a file per process: ofcrm.<command>.<pid>.log.jsonl)")
    return 0


def _path(args: argparse.Namespace) -> int:
    print(paths.config_file())
    return 0


def register(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    add_command(commands, "show", "print the effective settings, secrets masked").set_defaults(
        handler=_show
    )
    add_command(commands, "path", "print the path of the config file").set_defaults(handler=_path)
