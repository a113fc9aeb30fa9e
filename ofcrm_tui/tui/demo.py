"""What only ``ofcrm demo`` offers: palette commands that make the simulated platform refuse
every send (as a fan who turned off messages would) or accept sends again, so a newcomer
sees messages fail, finds them on the Failed screen and retries them.

The demo's account is served by the simulator in the same process; the app reaches it as
any other client would, over HTTP, in a thread worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ofcrm_tui.tui.app import OfcrmApp

# The palette's title and help line, and the share of sends refused after the command.
COMMANDS: tuple[tuple[str, str, float], ...] = (
    ("Demo: sends fail",
     "The simulated platform refuses every send, as if the fans had turned off messages", 1.0),
    ("Demo: sends go through",
     "The simulated platform accepts sends again: retry the failed ones", 0.0),
)


def said(rate: float) -> str:
    """What the app says once the simulated platform refuses ``rate`` of the sends."""
    if rate <= 0:
        return ("Demo: the platform accepts sends again. On Failed messages, R retries "
                "the message selected, ctrl+r all of them.")
    share = "every send" if rate >= 1 else f"{rate:.0%} of the sends"
    return (f"Demo: the platform refuses {share}, as if fans had turned off messages. "
            "What you send now fails and waits on Failed messages.")


def set_send_failures(app: OfcrmApp, rate: float) -> None:
    """Make the demo's simulator refuse ``rate`` of the sends (in a thread worker); the
    app says so, or shows why it could not."""
    from ofcrm_tui.simulator.control import set_faults
    from ofcrm_tui.simulator.faults import Faults

    account = app.account
    if account is None:
        return
    base_url = account.base_url

    def run() -> None:
        now = set_faults(base_url, Faults(refuse_send_rate=rate))
        app.call_from_thread(app.notify, said(now.refuse_send_rate), title="Demo",
                             markup=False, timeout=8)

    app.run_worker(run, thread=True, group="demo-failures", exit_on_error=False)
