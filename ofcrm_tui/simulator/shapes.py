"""The contract's JSON objects, built from world records (money via ``dollars_json``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ofcrm_tui.platform.money import dollars_json
from ofcrm_tui.simulator.world import Chat, Creator, Fan, Media, Message, Transaction, World

FEE_PERCENT = 20
DESCRIPTIONS = {
    "subscription": "Subscription from {}",
    "tip": "Tip from {}",
    "message": "Payment for message from {}",
    "post": "Payment for post from {}",
    "stream": "Payment for stream from {}",
}


def iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat()


def error(status: int, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message}}


def creator_json(creator: Creator) -> dict[str, Any]:
    return {"id": creator.id, "username": creator.username, "name": creator.name}


def user_ref(fan: Fan) -> dict[str, Any]:
    return {"id": fan.id, "username": fan.username, "name": fan.name}


def user_json(fan: Fan) -> dict[str, Any]:
    sums = fan.sums
    return {
        **user_ref(fan),
        "displayName": fan.display_name,
        "lastSeen": iso(fan.last_seen),
        "subscribedOnData": {
            "status": "active" if fan.active else "expired",
            "subscribeAt": iso(fan.subscribe_at),
            "expiredAt": iso(fan.expired_at),
            "renewedAt": iso(fan.renewed_at),
            "subscribePrice": dollars_json(fan.price),
            "totalSumm": dollars_json(sum(sums.values())),
            "tipsSumm": dollars_json(sums["tip"]),
            "messagesSumm": dollars_json(sums["message"]),
            "subscribesSumm": dollars_json(sums["subscription"]),
            "postsSumm": dollars_json(sums["post"] + sums["stream"]),
        },
    }


def message_json(message: Message, world: World) -> dict[str, Any]:
    return {
        "id": message.id,
        "text": message.html,
        "price": dollars_json(message.price),
        "isFree": message.price == 0,
        "mediaCount": len(message.media),
        "media": [{"id": media_id, "type": world.media_types[media_id]} for media_id in message.media],
        "fromUser": {"id": world.creator.id if message.outbound else message.fan_id},
        "createdAt": iso(message.created),
        "isOpened": message.opened,
        "isTip": message.tip > 0,
        "tipAmount": dollars_json(message.tip),
    }


def chat_json(fan: Fan, chat: Chat, world: World) -> dict[str, Any]:
    return {
        "withUser": user_ref(fan),
        "lastMessage": message_json(chat.messages[-1], world),
        "unreadMessagesCount": chat.unread,
        "lastReadMessageId": chat.last_read,
    }


def transaction_json(tx: Transaction, fan: Fan) -> dict[str, Any]:
    fee = (tx.amount * FEE_PERCENT + 50) // 100
    return {
        "id": tx.id,
        "amount": dollars_json(tx.amount),
        "net": dollars_json(tx.amount - fee),
        "fee": dollars_json(fee),
        "currency": "USD",
        "type": tx.type,
        "description": DESCRIPTIONS[tx.type].format(fan.name),
        "status": "done",
        "createdAt": iso(tx.created),
        "user": user_ref(fan),
    }


def media_json(media: Media) -> dict[str, Any]:
    return {"id": media.id, "type": media.type, "createdAt": iso(media.created)}
