"""The command palette's ofcrm commands (ctrl+p): screens, filters, accounts."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ofcrm_tui.core.accounts import AccountInfo, list_accounts
from ofcrm_tui.tui.sanitize import clean

# (title, help, action, runs on the inbox screen)
COMMANDS: tuple[tuple[str, str, str, bool], ...] = (
    ("Inbox", "Conversations, thread and composer", "app.switch_mode('inbox')", False),
    ("Failed messages", "Messages that could not be sent", "app.switch_mode('failed')", False),
    ("Help: keys", "Every key and its binding id", "app.help", False),
    ("Switch account", "Work on another creator account", "app.switch_account", False),
    ("Search conversations", "Fan names and message text", "screen.search", True),
    ("Next unread conversation", "Open the next conversation with unread messages",
     "screen.next_unread", True),
    ("Filter: unread only", "Toggle: conversations with unread messages",
     "screen.toggle('unread_only')", True),
    ("Filter: has purchased", "Toggle: fans who have bought something",
     "screen.toggle('purchased_only')", True),
    ("Filter: by tag", "Pick a tag", "screen.pick_tag", True),
    ("Filter: active / expired / all", "Cycle subscription status", "screen.cycle_status", True),
    ("Filter: clear all", "Every conversation again", "screen.clear_filters", True),
)


class OfcrmCommands(Provider):
    async def startup(self) -> None:
        db = self.app.context.db  # type: ignore[attr-defined]
        self.accounts = await asyncio.to_thread(list_accounts, db)

    def _commands(self) -> list[tuple[str, str, partial[object]]]:
        found = [(title, help_text, partial(self._run, action, on_inbox))
                 for title, help_text, action, on_inbox in COMMANDS]
        for account in self.accounts:
            name = clean(account.name, single_line=True)
            found.append((f"Account: {name}", "Switch to this account",
                          partial(self._switch, account)))
        return found

    async def _run(self, action: str, on_inbox: bool) -> None:
        if on_inbox and self.app.current_mode != "inbox":
            await self.app.switch_mode("inbox")
        await self.app.run_action(action)

    async def _switch(self, account: AccountInfo) -> None:
        self.app.open_account(account)  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for title, help_text, command in self._commands():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)
