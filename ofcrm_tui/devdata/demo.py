"""What the demo account starts with besides the simulator's world: a few saved replies."""

from __future__ import annotations

from ofcrm_tui.core.inbox import saved_replies
from ofcrm_tui.store.database import Database

# Name -> body; ``{name}`` is filled in for the fan (saved_replies).
SAVED_REPLIES = (
    ("Welcome", "Hi {name}, thanks for subscribing! Ask me anything 💕"),
    ("Thanks for the tip", "You spoil me {name}, thank you so much!"),
    ("New set", "A new set just dropped in my vault: want a peek, {name}?"),
    ("Custom request", "I love custom requests {name}! Tell me what you have in mind and "
     "I'll send you a price."),
    ("Busy right now", "Hey {name}, I'm a little busy right now, I'll get back to you soon!"),
    ("Good night", "Off to bed now, talk tomorrow {name} 😘"),
)


def add_saved_replies(db: Database, account_id: int) -> list[saved_replies.SavedReply]:
    """The demo's saved replies, in an account that has none of these names yet."""
    return [saved_replies.create_reply(db, account_id, name, body) for name, body in SAVED_REPLIES]
