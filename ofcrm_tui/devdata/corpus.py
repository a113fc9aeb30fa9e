"""What generated data is drawn from: names, message lines, and how messages and money spread."""

from __future__ import annotations

import itertools
import random

FIRST = (
    "Alex Sam Chris Jordan Taylor Morgan Jamie Casey Riley Drew Max Leo Noah Liam Ethan Lucas "
    "Mason Logan Owen Caleb Ryan Dylan Tyler Kevin Brian Mark Paul Steve Tom Mike Dave Dan Nick "
    "Matt Josh Adam Ben Jake Luke Sean Eric Omar Ali Yusuf Mateo Diego Javier Luis Carlos Pedro "
    "Hugo Jonas Felix Lukas Finn Emil Oskar Nils Lars Sven Pierre Louis Jules Marco Luca Paolo "
    "Kenji Hiro Raj Arjun Vikram Chen Wei Jin Minh Kofi Tunde Femi Jose Zoe Mia Emma Lena"
).split()
LAST = (
    "Smith Jones Brown Miller Davis Garcia Rodriguez Wilson Martinez Anderson Thomas Moore "
    "Martin Jackson Lee Walker Hall Allen Young King Wright Lopez Hill Scott Green Adams Baker "
    "Nelson Carter Mitchell Perez Roberts Turner Phillips Campbell Parker Evans Edwards Collins "
    "Müller Schmidt Schneider Fischer Weber Dubois Moreau Rossi Russo Ferrari Silva Santos "
    "Novak Kowalski Nowak Ivanov Petrov Sato Suzuki Tanaka Kim Park Nguyen Tran Patel Shah Khan"
).split()
WORD_A = (
    "moon night dark silver lone wild happy lucky golden iron red blue midnight cosmic urban "
    "quiet crazy chill sunny stormy frozen electric shadow"
).split()
WORD_B = (
    "rider wolf fox hawk lion tiger bear knight ghost pilot sailor drifter hunter dreamer "
    "gamer coder surfer skater runner walker fan boy guy"
).split()
NICKNAMES = (
    "babe", "Big Tom", "my Texan", "Captain", "sweetie", "the Dutchman", "Mr. Tips",
    "birthday boy", "Doc", "Cowboy", "Prof", "handsome", "bestie", "night owl",
)
FAN_LINES = (
    "hey beautiful", "good morning!", "how was your day?", "you look amazing in the new post",
    "can I get a custom video?", "what are you up to tonight", "miss you", "haha that's funny",
    "did you see my tip?", "when is the next livestream", "I just got home from work",
    "love the new set", "can you send more pics", "what's your favourite food",
    "I'm from Barcelona", "going to the gym now", "can't sleep", "how much for a custom?",
    "happy friday", "you're the best", "sent you something special", "lol", "ok",
    "thank you so much", "are you online?", "I renewed my sub", "what music do you like",
    "pineapple on pizza yes or no", "it's my birthday next week", "I watched that movie you said",
    "good night", "omg", "please reply", "where are you travelling next", "nice",
    "your smile makes my day", "do you like dogs or cats", "just got back from Tokyo",
    "rainy day here", "coffee or tea?", "can we chat later", "I bought the bundle",
)
CREATOR_LINES = (
    "hey you 😘", "thank you babe", "good morning sunshine", "I'm doing great, how about you?",
    "just posted something new for you", "check your DMs 🔥", "I have a special set for you",
    "aww you're sweet", "I'm getting ready for the shoot", "what would you like to see?",
    "miss you too", "unlock this for a surprise", "haha you're funny", "thanks for the tip!!",
    "livestream on Sunday at 8pm", "custom videos start at $50", "sleep well",
    "I love pineapple pizza actually", "happy birthday!! 🎂", "what are you doing this weekend?",
    "sorry for the late reply", "new bundle just dropped", "tell me more", "you made my day",
    "I'm in Lisbon this week", "so cute", "exclusive content just for you",
)
PPV_LINES = (
    "exclusive set just for you 🔥", "unlock to see what I wore today", "a little surprise 😘",
    "behind the scenes from the shoot", "you asked for it...", "special video, only today",
)
PLACES = (
    "Reykjavik Lisbon Kyoto Marrakesh Cancun Bali Prague Vienna Oslo Dublin Edinburgh Seville "
    "Naples Havana Sydney Melbourne Auckland Vancouver Montreal Chicago Denver Austin Miami "
    "Nashville Portland Seattle Boston Toronto Berlin Hamburg Munich Zurich Geneva Krakow "
    "Budapest Athens Santorini Istanbul Dubai Mumbai Bangkok Singapore Seoul Osaka Manila"
).split()
THINGS = (
    "sushi tacos ramen lasagna croissants pancakes espresso mojitos tequila bourbon guitar "
    "piano drums chess poker surfing snowboarding hiking climbing fishing camping yoga boxing "
    "motorcycles vinyl anime marvel netflix podcasts sneakers tattoos sunsets puppies kittens "
    "horses volleyball basketball baseball hockey golf tennis cricket rugby marathon karaoke"
).split()
TOPIC_TEMPLATES = (
    "ever been to {place}?", "just booked a trip to {place}", "my cousin lives in {place}",
    "I could eat {thing} every day", "do you like {thing}?", "been really into {thing} lately",
    "watching {thing} tonight", "{place} was amazing",
)
TOPICS = tuple(
    template.format(place=place, thing=thing)
    for template in TOPIC_TEMPLATES
    for place, thing in zip(PLACES, THINGS, strict=False)
)
TIP_LINES = ("", "for you ❤️", "buy yourself something nice", "great show", "tip!", "")


def skewed_counts(rng: random.Random, conversations: int, messages: int) -> list[int]:
    """At least one message each; the rest spread by a heavy-tailed (Pareto) weight."""
    if conversations == 0:
        return []
    weights = [rng.paretovariate(1.16) for _ in range(conversations)]
    extra = messages - conversations
    total = sum(weights)
    counts = [1 + int(extra * w / total) for w in weights]
    short = messages - sum(counts)
    # Give the rounding remainder to the heaviest conversations, one each.
    order = sorted(range(conversations), key=weights.__getitem__, reverse=True)
    for index in itertools.islice(itertools.cycle(order), short):
        counts[index] += 1
    return counts


def split(rng: random.Random, amount: int, parts: int) -> list[int]:
    """``amount`` cents in ``parts`` positive-ish integer pieces that add up exactly."""
    if parts <= 1 or amount < parts:
        return [amount]
    cuts = sorted(rng.sample(range(1, amount), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, amount], strict=True)]
