"""Word pools for the simulated world: names and the things fans and creators write.

Fan texts include what real people type and what breaks naive clients: emoji, RTL
scripts, combining marks, HTML, Rich markup, terminal escapes, very long lines.
"""

from __future__ import annotations

CREATORS = (
    ("luna_rose", "Luna Rose 🌙"),
    ("mia.starlight", "Mia Starlight"),
    ("ava_bloom", "Ava Bloom 🌸"),
    ("sienna_vale", "Sienna Vale"),
)

FIRST_NAMES = (
    "Alex", "Sam", "Jordan", "Chris", "Taylor", "Mike", "Dave", "Tom", "Luca", "Mateo",
    "José", "Zoë", "Björn", "Łukasz", "Søren", "Hiroshi", "Wei", "Priya", "Omar", "Liam",
    "Noah", "Ethan", "Jack", "Kwame", "Ngozi", "محمد", "יוסי", "Дмитрий", "김민준", "Nguyễn",
    "D'Angelo", "🔥Rex🔥", "[bold]Max[/bold]", "<b>Kev</b>", "Jean-Luc", "O'Brien",
)

LAST_INITIALS = ("", "", "", " B.", " K.", " M.", " R.", " S.", " 🇧🇷", " 👑")

DISPLAY_NAMES = (
    "whale 🐳", "VIP", "big tipper", "regular", "timewaster", "birthday in May",
    "likes custom videos", "asks for discounts", "night owl 🦉", "[red]careful[/red]",
)

FAN_TEXTS = (
    "hey 😍",
    "hi beautiful",
    "how was your day?",
    "<b>hi</b>",
    "what's new?",
    "can I get a custom video?",
    "that last set was 🔥🔥🔥",
    "مرحبا، كيف حالك؟",
    "שלום, מה שלומך?",
    "привет! как дела?",
    "you never reply to me 😢",
    "[bold red]look at me[/bold red]",
    "\x1b[31mred alert\x1b[0m",
    "'; DROP TABLE fans; --",
    "5 < 6 && 7 > 3",
    "line one\nline two\n\nline four",
    "lol",
    "👋🏽👋🏽 👨‍👩‍👧‍👦",
    "🇯🇵 こんにちは!",
    "&amp; is that escaped?",
    "is this really you?",
    "good morning ☀️",
    "miss you",
    "when is the next stream?",
    "cafe\u0301 date sometime?",
    "\u202etxt.exe",
    "so " * 600 + "long",
    "<script>alert(1)</script>",
)

CREATOR_TEXTS = (
    "hey babe, thanks for subscribing 💕",
    "what are you up to today?",
    "just posted something special for you 😘",
    "new set is up!",
    "haha you're sweet",
    "unlock this for something extra 🔥",
    "good morning ☀️",
    "thank you so much for the tip!! 🥰",
    "are you coming to the stream tonight?",
    "I made this just for you",
)

PPV_TEXTS = (
    "something special, just for you 🔥",
    "my newest video, unlock it 😘",
    "you asked for this one…",
    "exclusive set, not on my wall",
)

WELCOME_TEXT = "Welcome to my page 💕 message me anytime!"

TIP_NOTES = ("", "for you ❤️", "buy yourself something nice", "great stream!", "<i>tip</i> 💸")
