"""The inbox's team mode, a part of ``InboxScreen`` kept apart for size: who else is on
each conversation (from the app's presence beats), the collision guard's question when
a reply meets another chatter's, assignment (``@``, the palette), the "mine" and
"unassigned" filters (``m``), the question before typing into a conversation
another chatter owns, and the fan those act on (``i``)."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import events, work
from textual.message import Message

from ofcrm_tui.core import team
from ofcrm_tui.core.inbox import ConversationRow, InboxFilter
from ofcrm_tui.core.team import Collision, TeamView
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.tui.keymap import key_named
from ofcrm_tui.tui.notices import keep_on_clipboard
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.screens import registry
from ofcrm_tui.tui.screens.base import OfcrmScreen
from ofcrm_tui.tui.widgets.composer import Composer, DraftTarget, Offer
from ofcrm_tui.tui.widgets.conversation_list import ConversationList
from ofcrm_tui.tui.widgets.paged_list import PagedList
from ofcrm_tui.tui.widgets.thread_header import ThreadHeader
from ofcrm_tui.tui.widgets.thread_view import ThreadView

# ``m`` cycles the list through these.
OWNERS = ("all", "mine", "unassigned")
_NOBODY = ""  # the assign dialog's value for "unassign"


def no_target(screen: OfcrmScreen) -> str:
    """What a key that needs a conversation says without one: the key that opens one
    named as the user's keymap binds it."""
    return f"Open a conversation first ({key_named(screen.app, PagedList, 'list.open')})"


class TeamInbox(OfcrmScreen):
    """The team half of ``InboxScreen`` (through ``InboxList``; they provide the list,
    the open row and the filter)."""

    open_row: ConversationRow | None
    flt: InboxFilter

    class Enqueued(Message):
        def __init__(self, target: DraftTarget, outbound_id: int) -> None:
            super().__init__()
            self.target, self.outbound_id = target, outbound_id

    class Refused(Message):
        """A send or an assignment was refused: ``reason``, one line for the user."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class Collided(Message):
        """Another chatter got to the fan first: nothing was queued."""

        def __init__(self, target: DraftTarget, text: str, offer: Offer,
                     collision: Collision) -> None:
            super().__init__()
            self.target = target
            self.text = text
            self.offer = offer
            self.collision = collision

    class Assigned(Message):
        """An assignment this chatter made is in: ``owner`` None is nobody."""

        def __init__(self, conversation_id: int, owner: str | None) -> None:
            super().__init__()
            self.conversation_id = conversation_id
            self.owner = owner

    class OwnersRead(Message):
        """The owners read of some conversations: ``owners`` maps each to its chatter
        (None: nobody)."""

        def __init__(self, owners: dict[int, str | None]) -> None:
            super().__init__()
            self.owners = owners

    def __init__(self) -> None:
        super().__init__()
        self._version: int | None = None
        # The owner of each conversation where the chatter chose to reply anyway, as they
        # were told it: asked again once the conversation goes to someone else or to
        # nobody, also when it comes back to that owner (``_owner_shown``).
        self._owner_ok: dict[int, str] = {}
        self._asking_owner = False  # the question is on screen (once, however it came)
        # (conversation id, the thread's mark) when the chatter began the reply: the
        # thread draws other chatters' sends by itself, so what it shows at the send is
        # not what the chatter had read when they started typing.
        self._began: tuple[int, team.ThreadMark] | None = None

    # what InboxScreen provides
    @property
    def conversations(self) -> ConversationList:
        return self.query_one(ConversationList)

    def _set_filter(self, flt: InboxFilter) -> None:
        raise NotImplementedError

    def _refresh_list(self) -> None:
        raise NotImplementedError

    @property
    def me(self) -> str:
        return self.ofcrm.context.settings.chatter_name

    @property
    def target_row(self) -> ConversationRow | None:
        """The conversation ``i``, ``@``, assign to me and unassign act on, as ``r``
        does: the open one (the thread shown, the fan the chatter is looking at) whatever
        has the focus; the highlighted row only while none is open. The cursor is not
        the fan shown: after a reply the list reloads and the cursor keeps its line
        (``InboxList._refresh_list``), on another fan, and j moves it without opening."""
        if self.open_row is not None:
            return self.open_row
        return self.conversations.cursor_row

    def action_fan_detail(self) -> None:
        """The ``target_row``'s fan: profile, spend, notes and tags (``i``)."""
        from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen

        row = self.target_row
        if row is None:
            self.notify(no_target(self), severity="warning")
        else:
            self.app.push_screen(FanDetailScreen(row.fan_id))

    # -- presence ------------------------------------------------------------------

    def _on_team(self, view: TeamView) -> None:
        """What the other chatters do changed (a beat's news)."""
        open_id = self.open_row.conversation_id if self.open_row else None
        header = self.query_one(ThreadHeader)
        typed_before = any(p.typing for p in header.people)
        self.conversations.show_presence(view.by_conversation())
        header.show_people(view.on(open_id))
        if typed_before and not any(p.typing for p in header.people):
            self.query_one(ThreadView).reload()  # they may have sent something
        if self._version is not None and view.assignments_version != self._version:
            self._refresh_list()
            # The open one's header, and whether each "reply anyway" still holds.
            self._read_owners({*self._owner_ok, *([open_id] if open_id is not None else [])})
        self._version = view.assignments_version

    def _people_on(self, conversation_id: int | None) -> None:
        view = self.ofcrm.presence.view
        self.query_one(ThreadHeader).show_people(view.on(conversation_id) if view else ())

    def on_screen_suspend(self) -> None:
        # Another screen, not a dialog over this one: the chatter left the conversation.
        if self.app.current_mode != registry.HOME:
            self.ofcrm.presence.viewing(None)

    def on_screen_resume(self) -> None:
        self.ofcrm.presence.viewing(self.open_row.conversation_id if self.open_row else None)

    def on_composer_typed(self) -> None:
        self.ofcrm.presence.typed()
        self._check_owner()
        thread = self.query_one(ThreadView)
        if thread.source is not None and thread.mark is not None and (
                self._began is None or self._began[0] != thread.source.conversation_id):
            self._began = (thread.source.conversation_id, thread.mark)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, Composer):
            self._check_owner()

    # -- a conversation someone else owns ------------------------------------------

    def _owned_by_another(self) -> ConversationRow | None:
        """The open row, if another chatter owns it and this one has not said to go on."""
        row = self.open_row
        if (row is None or row.owner is None or row.owner == self.me
                or self._owner_ok.get(row.conversation_id) == row.owner):
            return None
        return row

    def _check_owner(self) -> None:
        """Ask before the chatter types into a conversation another chatter owns."""
        from ofcrm_tui.tui.dialogs.owned import REPLY, TAKE, OwnedDialog

        row = self._owned_by_another()
        if row is None or self._asking_owner:
            return
        conversation_id, owner = row.conversation_id, row.owner
        composer = self.query_one(Composer)
        target = composer.target
        in_box = composer.text if target and target.fan.conversation_id == conversation_id else ""
        self.set_focus(self.query_one(ThreadView))  # out of the composer while asking
        self._asking_owner = True
        dialog = OwnedDialog(owner, row.display_name, in_box)

        def answered(choice: str | None) -> None:
            self._asking_owner = False
            going_on = choice in (REPLY, TAKE)
            if going_on:
                self._owner_ok[conversation_id] = owner
                # At once (``focus()`` waits a turn): the reply typed right behind
                # ctrl+t acted on the inbox (o reordered the list).
                self.set_focus(composer)
            if choice == TAKE:
                self._assign(conversation_id, self.me)
            # What was typed while the question was up: the reply's next letters.
            now = composer.target
            if now is not None and now.fan.conversation_id == conversation_id:
                composer.type_in(dialog.typed, typing=going_on)
            elif dialog.typed.strip():
                keep_on_clipboard(self.app, row.display_name, dialog.typed, "unsent reply")

        self.app.push_screen(dialog, answered)

    # -- sending, and the collision guard ------------------------------------------

    def on_composer_submitted(self, message: Composer.Submitted) -> None:
        if self._owned_by_another() is not None:
            # Typed and sent in one burst, before the question came: ask now; the
            # reply stays in the box.
            self._check_owner()
            return
        target = message.target
        seen = self._seen(target)
        self._began = None  # the next reply begins from what the thread shows then
        self._enqueue(target, message.text, message.offer, self._sender(), seen)

    @work(thread=True, group="send", exit_on_error=False)
    def _enqueue(
        self, target: DraftTarget, text: str, offer: Offer, by: team.Sender,
        seen: team.Seen | None,
    ) -> None:
        """Queue the reply unless another chatter got to the fan first (``seen`` None:
        send anyway); the guard's check and the enqueue are one transaction."""
        try:
            outbound_id = team.send(
                target.db, target.account_id, target.fan.fan_id, text, by=by, seen=seen,
                price_cents=offer.price_cents, media_ids=offer.media_ids,
                preview_ids=offer.preview_ids,
            )
        except Collision as exc:
            self.post_message(self.Collided(target, text, offer, exc))
            return
        except OfcrmError as exc:
            self.post_message(self.Refused(f"not sent: {exc}"))
            return
        self.post_message(self.Enqueued(target, outbound_id))

    def _seen(self, target: DraftTarget) -> team.Seen:
        """What the chatter has seen of the target's conversation: the thread's mark when
        they began the reply, else its mark now, or (the thread not drawn yet) the last
        ``collision_window_seconds``."""
        settings = self.ofcrm.context.settings
        thread = self.query_one(ThreadView)
        conversation_id = target.fan.conversation_id
        drawn = thread.source is not None and thread.source.conversation_id == conversation_id
        mark = thread.mark if drawn else None
        if mark is not None and self._began is not None and self._began[0] == conversation_id:
            mark = self._began[1]
        return team.Seen(
            mark=mark,
            window_seconds=None if mark is not None else settings.collision_window_seconds,
            expiry_seconds=settings.presence_expiry_seconds,
        )

    def _sender(self) -> team.Sender:
        settings = self.ofcrm.context.settings
        return team.Sender(settings.chatter_name, self.ofcrm.now_utc(),
                           app_id=self.ofcrm.presence.app_id, auto_assign=settings.auto_assign)

    def on_team_inbox_collided(self, message: Collided) -> None:
        from ofcrm_tui.tui.dialogs.collision import DISCARD, SEND, CollisionDialog

        self.query_one(ThreadView).reload()  # what they sent, and a new mark
        target = message.target

        def answered(choice: str | None) -> None:
            if choice == SEND:
                self._enqueue(target, message.text, message.offer, self._sender(), None)
            elif choice == DISCARD:
                self.query_one(Composer).sent(target)
                self.ofcrm.presence.stopped_typing()

        dialog = CollisionDialog(message.collision, target.fan.display_name,
                                 self.ofcrm.now_utc())
        self.app.push_screen(dialog, answered)

    # -- assignment ----------------------------------------------------------------

    def action_assign(self) -> None:
        """Pick who owns the ``target_row``'s conversation."""
        from ofcrm_tui.tui.dialogs.choice import ChoiceDialog

        row = self.target_row
        account = self.ofcrm.account
        if row is None or account is None:
            self.notify(no_target(self), severity="warning")
            return
        db, me, now = self.ofcrm.context.db, self.me, self.ofcrm.now_utc()
        expiry = self.ofcrm.context.settings.presence_expiry_seconds
        view = self.ofcrm.presence.view
        online = {p.chatter for p in view.present} if view else set()

        def load() -> list[tuple[Text, str]]:
            known = team.known_chatters(db, account.id, now=now, expiry_seconds=expiry)
            # A manager off the account's roster may not own its conversations: not offered.
            choices = [(Text(f"Me ({clean(me, single_line=True)})"), me)] if known.may_own(me) else []
            for name in known.names:
                if name != me:
                    label = Text(clean(name, single_line=True))
                    if name in online:
                        label.append("  ● online", "green")
                    choices.append((label, name))
            choices.append((Text("Nobody (unassign)", "dim"), _NOBODY))
            return choices

        def picked(name: str | None) -> None:
            if name is not None:
                self._assign(row.conversation_id, name or None)

        title = f"Assign {row.display_name} to"
        self.app.push_screen(ChoiceDialog(title, load, current=row.owner), picked)

    def action_assign_me(self) -> None:
        """The ``target_row``'s conversation is this chatter's."""
        row = self.target_row
        if row is not None:
            self._assign(row.conversation_id, self.me)

    def action_unassign(self) -> None:
        """Nobody owns the ``target_row``'s conversation."""
        row = self.target_row
        if row is not None:
            self._assign(row.conversation_id, None)

    @work(thread=True, group="assign", exit_on_error=False)
    def _assign(self, conversation_id: int, chatter: str | None) -> None:
        account, db = self.ofcrm.account, self.ofcrm.context.db
        if account is None:
            return
        try:
            if chatter is None:
                team.unassign(db, account.id, conversation_id)
            else:
                team.assign(db, account.id, conversation_id, chatter, by=self.me,
                            now=self.ofcrm.now_utc())
        except OfcrmError as exc:
            self.post_message(self.Refused(f"not assigned: {exc}"))
            return
        self.post_message(self.Assigned(conversation_id, chatter))

    def on_team_inbox_refused(self, message: Refused) -> None:
        self.notify(message.reason, severity="error", markup=False)
        self.ofcrm.dialog_ready(self)  # keys held behind a refused send go on

    def on_team_inbox_assigned(self, message: Assigned) -> None:
        self._owner_shown(message.conversation_id, message.owner)
        owner = clean(message.owner, single_line=True) if message.owner else "nobody"
        self.notify(f"Assigned to {'you' if message.owner == self.me else owner}", markup=False)
        self.ofcrm.presence.beat()  # the others' lists follow within a beat; so does this

    @work(thread=True, group="owner", exclusive=True, exit_on_error=False)
    def _read_owners(self, conversation_ids: set[int]) -> None:
        account = self.ofcrm.account
        if account is None:
            return
        owners = team.owners_of(self.ofcrm.context.db, account.id, conversation_ids)
        self.post_message(self.OwnersRead({
            conversation_id: owner.chatter if (owner := owners.get(conversation_id)) else None
            for conversation_id in sorted(conversation_ids)
        }))

    def on_team_inbox_owners_read(self, message: OwnersRead) -> None:
        for conversation_id, owner in message.owners.items():
            self._owner_shown(conversation_id, owner)

    def _owner_shown(self, conversation_id: int, owner: str | None) -> None:
        """Show a conversation's owner in its row and, if it is open, the header. A
        "reply anyway" given for another owner is over."""
        if self._owner_ok.get(conversation_id, owner) != owner:
            del self._owner_ok[conversation_id]
        if self.conversations.source is not None:
            self.conversations.patch_row(conversation_id, owner=owner)
        if self.open_row is not None and self.open_row.conversation_id == conversation_id:
            self.open_row = replace(self.open_row, owner=owner)
            self.query_one(ThreadHeader).show(self.open_row)

    def action_cycle_owner(self) -> None:
        """All conversations, mine, unassigned."""
        now = "mine" if self.flt.assigned_to else "unassigned" if self.flt.unassigned else "all"
        following = OWNERS[(OWNERS.index(now) + 1) % len(OWNERS)]
        self._set_filter(replace(self.flt, assigned_to=self.me if following == "mine" else None,
                                 unassigned=following == "unassigned"))

