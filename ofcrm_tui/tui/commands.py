"""The command palette's ofcrm commands (ctrl+p): screens, their commands, accounts (and
in ``ofcrm demo``, the simulated platform's failures: ``tui.demo``)."""

from __future__ import annotations

import asyncio
import re
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ofcrm_tui.core.accounts import AccountInfo, list_accounts
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.screens.base import ofcrm_app
from ofcrm_tui.tui.screens.registry import SCREENS, PaletteCommand

APP_COMMANDS = (
    PaletteCommand("Help: keys", "Every key and its binding id", "app.help"),
    PaletteCommand("Switch account", "Work on another creator account", "app.switch_account"),
)


def leads_with(query: str, title: str) -> bool:
    """The title's words, from its first, start with the typed words ("unass" for
    "Unassign conversation", "filt mine" for "Filter: mine / …"), ignoring case."""
    typed, words = re.findall(r"\w+", query.lower()), re.findall(r"\w+", title.lower())
    return bool(typed) and len(typed) <= len(words) and all(
        word.startswith(part) for part, word in zip(typed, words))


def palette_commands() -> list[tuple[PaletteCommand, str | None]]:
    """Each command with the mode it runs on (None: anywhere): the screens first, then
    the app's commands, then each screen's."""
    switches = [(PaletteCommand(spec.title, spec.summary, f"app.switch_mode({spec.mode!r})"),
                 None) for spec in SCREENS]
    on_screens = [(command, spec.mode) for spec in SCREENS for command in spec.commands]
    return switches + [(command, None) for command in APP_COMMANDS] + on_screens


class OfcrmCommands(Provider):
    async def startup(self) -> None:
        db = ofcrm_app(self.app).context.db
        self.accounts = await asyncio.to_thread(list_accounts, db)

    def _commands(self) -> list[tuple[str, str, partial[object]]]:
        found = [(command.title, command.help, partial(self._run, command.action, mode))
                 for command, mode in palette_commands()]
        for account in self.accounts:
            name = clean(account.name, single_line=True)
            found.append((f"Account: {name}", "Switch to this account",
                          partial(self._switch, account)))
        if ofcrm_app(self.app).demo:
            from ofcrm_tui.tui import demo

            found += [(title, help_text, partial(self._demo_failures, rate))
                      for title, help_text, rate in demo.COMMANDS]
        return found

    async def _run(self, action: str, mode: str | None) -> None:
        if mode is not None and self.app.current_mode != mode:
            await self.app.switch_mode(mode)
        await self.app.run_action(action)

    async def _switch(self, account: AccountInfo) -> None:
        ofcrm_app(self.app).open_account(account)

    async def _demo_failures(self, rate: float) -> None:
        from ofcrm_tui.tui import demo

        demo.set_send_failures(ofcrm_app(self.app), rate)

    async def discover(self) -> Hits:
        for title, help_text, command in self._commands():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        """The fuzzy matches, those whose title leads with what was typed (``leads_with``)
        above all the others: the fuzzy score alone ties "Unassign conversation" with
        "Filter: mine / unassigned / all" for "unassign", and the list's order won."""
        matcher = self.matcher(query)
        scored = [(matcher.match(title), title, help_text, command)
                  for title, help_text, command in self._commands()]
        found = [hit for hit in scored if hit[0] > 0]
        lead = max((score for score, *_ in found), default=0.0)
        for score, title, help_text, command in found:
            if leads_with(query, title):
                score += lead
            yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)
