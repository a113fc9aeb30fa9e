"""Simulated fans: each step some active fans write, one may buy a PPV message, one may tip."""

from __future__ import annotations

import random

from ofcrm_tui.simulator.build import TIPS, fan_html, tip_html
from ofcrm_tui.simulator.world import World

BUY_CHANCE = 0.5
TIP_CHANCE = 0.3


class Activity:
    """Deterministic from its seed, given the same sequence of steps and sends."""

    def __init__(self, world: World, seed: int) -> None:
        self.world = world
        self._rng = random.Random(f"activity-{seed}")

    def step(self) -> None:
        """One round; the caller holds the world lock."""
        world, rng = self.world, self._rng
        active = world.active_ids
        if not active:
            return
        for _ in range(1 + rng.randrange(max(1, len(active) // 100))):
            world.add_message(rng.choice(active), outbound=False, html=fan_html(rng))
        if world.unbought and rng.random() < BUY_CHANCE:
            unbought = world.unbought
            i = rng.randrange(len(unbought))
            unbought[i], unbought[-1] = unbought[-1], unbought[i]
            world.buy(unbought.pop())
        if rng.random() < TIP_CHANCE:
            world.tip(rng.choice(active), TIPS[rng.randrange(len(TIPS))], tip_html(rng))
