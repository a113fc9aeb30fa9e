"""Campaign rows and the team: a campaign message does not land in a chat while a
chatter is typing to the fan (the collision guard of the rows nobody sends by hand).
The row keeps its place and goes once nobody types there; replies are not held."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from sqlalchemy import select

from ofcrm_tui.core import outbox
from ofcrm_tui.core.outbox import limiter
from ofcrm_tui.core.outbox.sender import Claim, Idle, Sender, SenderConfig
from ofcrm_tui.core.team import Beat, beat
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.store.enums import OutboundKind, SubscriptionStatus
from ofcrm_tui.store.models import Fan
from tests.team.conftest import NOW, Team

EXPIRY = 6.0


def _active(crew: Team, count: int) -> list[tuple[int, int]]:
    """(conversation, fan) of ``count`` conversations whose fan can be sent to."""
    with crew.db.read() as session:
        active = set(session.scalars(select(Fan.id).where(
            Fan.account_id == crew.account.id,
            Fan.subscription_status == SubscriptionStatus.ACTIVE)))
    found = [(c, crew.fans[c]) for c in crew.conversations if crew.fans[c] in active]
    assert len(found) >= count
    return found[:count]


def _sender(crew: Team) -> Sender:
    # A claim does not reach the platform: no client is needed to take rows.
    return Sender(crew.db, crew.account.id, cast(PlatformClient, None),
                  SenderConfig(presence_expiry_seconds=EXPIRY), clock=crew.clock)


def _typing(crew: Team, conversation: int | None, *, at: timedelta = timedelta(0),
            typing: bool = True) -> None:
    """Ana's app beats at NOW + ``at``: on ``conversation``, typing there or not."""
    now = NOW + at
    beat(crew.db, "ana-app", Beat(crew.account.id, "ana", conversation,
                                  typing_since=now if typing else None),
         now=now, expiry_seconds=EXPIRY)


def _queue(crew: Team, fan: int, kind: OutboundKind) -> int:
    return outbox.enqueue(crew.db, crew.account.id, fan, f"{kind} to {fan}",
                          created_by="sam", kind=kind, now=NOW)


def _claimed(claim: Claim | Idle) -> int | Idle:
    return claim if isinstance(claim, Idle) else claim.outbound_id


def _next_send(crew: Team) -> object:
    with crew.db.read() as session:
        policy = limiter.SendPolicy.of_account(session, crew.account.id, crew.clock(),
                                               reply_reserve=3, presence_expiry_seconds=EXPIRY)
        assert policy is not None
        return limiter.next_send_at(session, crew.account.id, crew.clock(), policy)


def test_a_campaign_row_waits_while_a_chatter_types_to_its_fan(crew: Team) -> None:
    (typed_to, ann), (_, bob) = _active(crew, 2)
    first = _queue(crew, ann, OutboundKind.CAMPAIGN)
    second = _queue(crew, bob, OutboundKind.CAMPAIGN)
    _typing(crew, typed_to)
    sender = _sender(crew)
    assert _claimed(sender.claim()) == second  # the older row waits for ana
    assert _claimed(sender.claim()) == Idle.NO_WORK
    assert _next_send(crew) is None  # held: nothing wakes the drain before its interval
    crew.clock.advance(3)
    _typing(crew, typed_to, at=timedelta(seconds=3), typing=False)  # her reply went
    assert _next_send(crew) == crew.clock()  # due now
    assert _claimed(sender.claim()) == first


def test_an_app_gone_while_typing_holds_nothing(crew: Team) -> None:
    (typed_to, ann), = _active(crew, 1)
    row = _queue(crew, ann, OutboundKind.CAMPAIGN)
    _typing(crew, typed_to)
    crew.clock.advance(EXPIRY - 1)
    assert _claimed(_sender(crew).claim()) == Idle.NO_WORK
    crew.clock.advance(1)  # no beat for the expiry: her app died
    assert _claimed(_sender(crew).claim()) == row


def test_open_but_not_typing_and_replies_are_not_held(crew: Team) -> None:
    (typed_to, ann), (opened, bob) = _active(crew, 2)
    _typing(crew, opened, typing=False)  # bob's chat open, nobody typing
    campaign = _queue(crew, bob, OutboundKind.CAMPAIGN)
    assert _claimed(_sender(crew).claim()) == campaign
    _typing(crew, typed_to)
    reply = _queue(crew, ann, OutboundKind.REPLY)  # the guard asked its chatter already
    assert _claimed(_sender(crew).claim()) == reply
