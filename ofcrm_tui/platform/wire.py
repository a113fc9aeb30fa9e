"""Pydantic models of the platform contract (shared/platform-api.md).

Validate them from ``json.loads(content, parse_float=Decimal)`` so dollars arrive
exact; they expose money as integer cents and times as aware UTC datetimes. Unknown
fields are ignored; the fields we use are required and checked.
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    model_validator,
)

from .money import to_cents
from .text import html_to_text


def _cents(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("amount must be a JSON number of dollars")
    return to_cents(value)


def _transaction_id(value: object) -> str:
    """The contract's positive integers and the gateways' hex strings, as text."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and 0 < len(value) <= 64 and value.isascii() and value.isalnum():
        return value
    raise ValueError("a transaction id is a positive integer or up to 64 letters and digits")


Cents = Annotated[int, BeforeValidator(_cents)]
"""Dollars on the wire, integer cents in Python."""
UtcDateTime = Annotated[AwareDatetime, AfterValidator(lambda dt: dt.astimezone(UTC))]
Id = Annotated[int, Strict(), Field(gt=0)]
TransactionId = Annotated[str, BeforeValidator(_transaction_id)]
Count = Annotated[int, Strict(), Field(ge=0)]
Flag = Annotated[bool, Strict()]
MediaType = Literal["photo", "video", "audio"]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class UserRef(WireModel):
    id: Id


class UserSummary(UserRef):
    username: str
    name: str


class Me(UserSummary):
    """``GET /users/me``: the creator this token belongs to."""


class Subscription(WireModel):
    """``subscribedOnData``: the fan's subscription and lifetime spend."""

    status: Literal["active", "expired"]
    subscribe_at: UtcDateTime = Field(alias="subscribeAt")
    expired_at: UtcDateTime = Field(alias="expiredAt")
    renewed_at: UtcDateTime | None = Field(alias="renewedAt", default=None)
    subscribe_price_cents: Cents = Field(alias="subscribePrice")
    total_cents: Cents = Field(alias="totalSumm")
    tips_cents: Cents = Field(alias="tipsSumm")
    messages_cents: Cents = Field(alias="messagesSumm")
    subscribes_cents: Cents = Field(alias="subscribesSumm")
    posts_cents: Cents = Field(alias="postsSumm")


class User(UserSummary):
    """A fan as the creator sees them; ``display_name`` is the creator's nickname."""

    display_name: str = Field(alias="displayName")
    last_seen: UtcDateTime | None = Field(alias="lastSeen", default=None)
    subscription: Subscription = Field(alias="subscribedOnData")


class MediaRef(WireModel):
    id: Id
    type: MediaType


class Media(MediaRef):
    """A vault item."""

    created_at: UtcDateTime = Field(alias="createdAt")


class Message(WireModel):
    """A chat message; ``html`` as sent on the wire, ``text`` as a person typed it."""

    id: Id
    html: str = Field(alias="text")
    price_cents: Cents = Field(alias="price")
    is_free: Flag = Field(alias="isFree")
    media_count: Count = Field(alias="mediaCount")
    media: list[MediaRef]
    from_user: UserRef = Field(alias="fromUser")
    created_at: UtcDateTime = Field(alias="createdAt")
    is_opened: Flag = Field(alias="isOpened")
    is_tip: Flag = Field(alias="isTip")
    tip_cents: Cents = Field(alias="tipAmount")

    @cached_property
    def text(self) -> str:
        return html_to_text(self.html)


class Chat(WireModel):
    with_user: UserSummary = Field(alias="withUser")
    last_message: Message | None = Field(alias="lastMessage", default=None)
    unread_count: Count = Field(alias="unreadMessagesCount")
    last_read_message_id: Count | None = Field(alias="lastReadMessageId", default=None)


class Transaction(WireModel):
    id: TransactionId
    amount_cents: Cents = Field(alias="amount")
    net_cents: Cents = Field(alias="net")
    fee_cents: Cents = Field(alias="fee")
    currency: str
    type: Literal["subscription", "tip", "message", "post", "stream"]
    description: str
    status: str
    created_at: UtcDateTime = Field(alias="createdAt")
    user: UserSummary


T = TypeVar("T")


class Page(WireModel, Generic[T]):
    items: list[T] = Field(alias="list")
    has_more: Flag = Field(alias="hasMore")


class TransactionPage(Page[Transaction]):
    next_marker: str | int | None = Field(alias="nextMarker", default=None)

    @model_validator(mode="after")
    def _marker_when_more(self) -> TransactionPage:
        if self.has_more and self.next_marker is None:
            raise ValueError("hasMore is true but nextMarker is missing")
        return self


class Success(WireModel):
    """``POST /chats/{userId}/mark-as-read``."""

    success: Literal[True]


class SendMessageRequest(WireModel):
    """Body of ``POST /chats/{userId}/messages``; ``price`` is from money.dollars_json."""

    text: str
    price: int | float
    media_files: list[Id] = Field(alias="mediaFiles")
    previews: list[Id]
