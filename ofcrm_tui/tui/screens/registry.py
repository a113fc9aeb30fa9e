"""The app's screens: what each is called, the key that shows it, its help sections and
its palette commands. The app builds its modes, switch keys, help screen and command
palette from ``SCREENS``; a screen's module is imported when the screen is first shown
(or the help lists its keys), so start-up loads only the first one.

A new screen: a module in ``screens/`` (a ``OfcrmScreen``) and one ``ScreenSpec`` here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any

from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

from ofcrm_tui.tui.keymap import Reach, Section


@dataclass(frozen=True)
class PaletteCommand:
    title: str
    help: str
    action: str  # run with ``App.run_action``: "screen.…" on the screen's mode, "app.…"


@dataclass(frozen=True)
class ScreenSpec:
    mode: str
    keys: str  # default keys of the switch binding, whose id is ``app.<mode>``
    name: str  # the switch binding's description
    title: str  # in the palette and as the screen's help section
    summary: str  # the palette's line under the title
    screen: str  # "module:Class", imported when first needed
    # more help sections after the screen's own: (title, "module:Class") of the
    # widgets and dialogs it shows
    help: tuple[tuple[str, str], ...] = ()
    commands: tuple[PaletteCommand, ...] = ()

    def load(self) -> type[Screen[Any]]:
        return _load(self.screen)

    def make(self) -> Screen[Any]:
        """A new screen for the mode (what ``App.MODES`` calls)."""
        return self.load()()

    def binding(self) -> Binding:
        return Binding(self.keys, f"switch_mode({self.mode!r})", self.name,
                       id=f"app.{self.mode}", show=False)

    def help_sections(self) -> list[Section]:
        return [(self.title, self.load())] + [(title, _load(path)) for title, path in self.help]


@cache
def _load(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


SCREENS: tuple[ScreenSpec, ...] = (
    ScreenSpec(
        "inbox", "1,f1", "Inbox", "Inbox", "Conversations, thread and composer",
        "ofcrm_tui.tui.screens.inbox:InboxScreen",
        help=(
            ("Conversation list", "ofcrm_tui.tui.widgets.conversation_list:ConversationList"),
            ("Search box", "ofcrm_tui.tui.screens.inbox_list:SearchBox"),
            ("Thread", "ofcrm_tui.tui.widgets.thread_view:ThreadView"),
            ("Composer", "ofcrm_tui.tui.widgets.composer:Composer"),
            ("Saved replies", "ofcrm_tui.tui.dialogs.saved_replies:SavedReplyPicker"),
            ("New saved reply", "ofcrm_tui.tui.dialogs.new_reply:NewReplyDialog"),
            ("Price and media", "ofcrm_tui.tui.dialogs.offer:OfferDialog"),
            ("Another chatter answered", "ofcrm_tui.tui.dialogs.collision:CollisionDialog"),
            ("Assigned to another chatter", "ofcrm_tui.tui.dialogs.owned:OwnedDialog"),
            ("Fan deleted while replying", "ofcrm_tui.tui.dialogs.reply_gone:ReplyGoneDialog"),
        ),
        commands=(
            PaletteCommand("Search conversations", "Fan names and message text",
                           "screen.search"),
            PaletteCommand("Next unread conversation",
                           "Open the next conversation with unread messages",
                           "screen.next_unread"),
            PaletteCommand("Mark conversation unread",
                           "The open one, else the highlighted (here only)", "screen.mark_unread"),
            PaletteCommand("Filter: unread only", "Toggle: conversations with unread messages",
                           "screen.toggle('unread_only')"),
            PaletteCommand("Filter: has purchased", "Toggle: fans who have bought something",
                           "screen.toggle('purchased_only')"),
            PaletteCommand("Filter: by tag", "Pick a tag", "screen.pick_tag"),
            PaletteCommand("Filter: active / expired / all", "Cycle subscription status",
                           "screen.cycle_status"),
            PaletteCommand("Filter: clear all", "Every conversation again",
                           "screen.clear_filters"),
            PaletteCommand("Filter: mine / unassigned / all",
                           "Cycle: conversations assigned to you, to nobody, all",
                           "screen.cycle_owner"),
            PaletteCommand("Assign conversation…", "To you, another chatter, or nobody",
                           "screen.assign"),
            PaletteCommand("Assign conversation to me", "Take the open one, else the highlighted",
                           "screen.assign_me"),
            PaletteCommand("Unassign conversation",
                           "Nobody owns the open one, else the highlighted", "screen.unassign"),
        ),
    ),
    ScreenSpec(
        "failed", "2,f2", "Failed", "Failed messages", "Messages that could not be sent",
        "ofcrm_tui.tui.screens.failed:FailedScreen",
        help=(("Failed list", "ofcrm_tui.tui.widgets.failed_list:FailedList"),),
    ),
    ScreenSpec(
        "fans", "3,f3", "Fans", "Fans", "Every fan: search, sort, filter, import and export",
        "ofcrm_tui.tui.screens.fans:FansScreen",
        help=(
            ("Fan list", "ofcrm_tui.tui.widgets.fan_list:FanList"),
            ("Fan detail", "ofcrm_tui.tui.screens.fan_detail:FanDetailScreen"),
            ("Fan search", "ofcrm_tui.tui.screens.fans:FanSearchBox"),
            ("Fan filter", "ofcrm_tui.tui.dialogs.fan_filter:FanFilterDialog"),
            ("New fan", "ofcrm_tui.tui.dialogs.fan_new:NewFanDialog"),
            ("Note", "ofcrm_tui.tui.dialogs.fan_note:NoteDialog"),
            ("Import file picker", "ofcrm_tui.tui.dialogs.csv_picker:CsvPicker"),
            ("Import fans", "ofcrm_tui.tui.dialogs.fan_import:ImportDialog"),
            ("Export fans", "ofcrm_tui.tui.dialogs.fan_export:ExportDialog"),
        ),
        commands=(
            PaletteCommand("Search fans", "Names, usernames, notes and messages", "screen.search"),
            PaletteCommand("Filter fans", "Tags, status, spend, last active, purchases",
                           "screen.filter"),
            PaletteCommand("Sort fans", "Spend, last active, subscribed since, name",
                           "screen.cycle_sort"),
            PaletteCommand("New fan", "A fan known from elsewhere", "screen.new_fan"),
            PaletteCommand("Import fans from CSV", "Preview, import, report", "screen.import_file"),
            PaletteCommand("Export fans to CSV", "The fans the list shows", "screen.export_file"),
        ),
    ),
    ScreenSpec(
        "campaigns", "4,f4", "Campaigns", "Campaigns",
        "Bulk messages to a segment: progress, results, pause and resume",
        "ofcrm_tui.tui.screens.campaigns:CampaignsScreen",
        help=(
            ("Campaign list", "ofcrm_tui.tui.widgets.campaign_list:CampaignList"),
            ("Campaign composer", "ofcrm_tui.tui.dialogs.campaign_composer:CampaignComposer"),
        ),
        commands=(
            PaletteCommand("New campaign", "Compose a campaign to a segment of fans",
                           "screen.compose"),
        ),
    ),
    ScreenSpec(
        "analytics", "5,f5", "Analytics", "Analytics",
        "Revenue, top fans, KPIs, campaigns and chatters for a period",
        "ofcrm_tui.tui.screens.analytics:AnalyticsScreen",
        help=(
            ("Custom period", "ofcrm_tui.tui.dialogs.period:PeriodDialog"),
            ("Export analytics", "ofcrm_tui.tui.dialogs.analytics_export:AnalyticsExportDialog"),
        ),
        commands=(
            PaletteCommand("Analytics: custom period", "Any days, in your time zone",
                           "screen.custom"),
            PaletteCommand("Analytics: export CSV", "Per day, KPIs or chatters, as shown",
                           "screen.export"),
        ),
    ),
    ScreenSpec(
        "monitoring", "6,f6", "Monitoring", "Monitoring",
        "Queue, sends, polls, credentials and problems, as `ofcrm health` sees them",
        "ofcrm_tui.tui.screens.monitoring:MonitoringScreen",
    ),
)
# The screen an account opens on.
HOME = SCREENS[0].mode


def modes() -> dict[str, Any]:
    """``App.MODES``: each mode makes its screen, importing it the first time."""
    return {spec.mode: spec.make for spec in SCREENS}


def switch_bindings() -> list[Binding]:
    return [spec.binding() for spec in SCREENS]


def help_sections() -> list[Section]:
    return [section for spec in SCREENS for section in spec.help_sections()]


def sections_shown(stack: Iterable[type[Screen[Any]]]) -> list[Section]:
    """The help sections of the screen shown, the first of ``stack`` (from the top) that
    has some: a mode's screen's own and its widgets' and dialogs' (its spec's), or the
    section of a screen that another lists (the fan's, the campaign composer)."""
    every = help_sections()
    for shown in stack:
        spec = next((spec for spec in SCREENS if spec.load() is shown), None)
        if spec is not None:
            return spec.help_sections()
        own = [section for section in every if section[1] is shown]
        if own:
            return own
    return []



def reaches(sections: Iterable[Section], app: type[DOMNode]) -> list[Reach]:
    """The screens of ``sections`` (the help's), each with what answers keys on it: a
    mode's screen with the widgets its spec lists and ``app``'s keys; a screen shown over
    it with the app's keys too, a modal dialog without; the app's own keys."""
    found = []
    for title, owner in sections:
        spec = next((spec for spec in SCREENS if spec.load() is owner), None)
        if spec is not None:
            widgets = tuple(widget for _, widget in spec.help_sections()[1:]
                            if not issubclass(widget, Screen))
            found.append(Reach(title, owner, widgets, app))
        elif issubclass(owner, Screen):
            found.append(Reach(title, owner, (), None if issubclass(owner, ModalScreen) else app))
        elif owner is app:
            found.append(Reach(title, owner))
    return found
