"""``run_app``: what ``ofcrm``, ``ofcrm --account`` and ``ofcrm demo`` call to open the app."""

from __future__ import annotations

import atexit
import gc
import sys

from ofcrm_tui.context import AppContext
from ofcrm_tui.core.accounts import list_accounts, resolve_account
from ofcrm_tui.jobs.scheduler import BackgroundJobs
from ofcrm_tui.tui.app import OfcrmApp

# Said as the app's screen goes, while the jobs stop: the terminal showed the start-up
# lines (the demo's "syncing: …") as if nothing happened.
STOPPING = "stopping: waiting for any send in flight to be recorded…"

# What the app made lives until the process ends: frozen out of the cyclic collector at
# exit, so the interpreter's teardown does not walk it (after everything is recorded and
# closed: seconds of a quit, up to 15 under load, with the terminal back).
atexit.register(gc.freeze)


def run_app(
    context: AppContext, account_name: str | None, *, start_jobs: bool = True, demo: bool = False
) -> int:
    """Run the app on ``account_name`` (or the only account; with several, the app asks).

    The background jobs (poll and drain for every account) start a second after the
    first screen is up (``OfcrmApp.on_ready``), report to it through
    ``OfcrmApp.job_event``, and are shut down cleanly on exit: sends in flight finish
    and are recorded before this returns (``STOPPING`` says so meanwhile). In team mode
    (a chatter's role, or ``team_mode``) there are none: workers poll and send.
    """
    db = context.db
    several = not account_name and len(list_accounts(db)) > 1
    account = None if several else resolve_account(db, account_name)
    app = OfcrmApp(context, account, demo=demo)
    start_jobs = start_jobs and not context.keyless
    jobs = BackgroundJobs(context, on_event=app.job_event) if start_jobs else None
    app.jobs = jobs
    try:
        app.run()
    finally:
        if jobs is not None:
            print(STOPPING, file=sys.stderr, flush=True)
            jobs.shutdown(wait=True)
    return app.return_code or 0
