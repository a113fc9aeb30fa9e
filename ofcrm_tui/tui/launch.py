"""``run_app``: what ``ofcrm``, ``ofcrm --account`` and ``ofcrm demo`` call to open the app."""

from __future__ import annotations

from ofcrm_tui.context import AppContext
from ofcrm_tui.core.accounts import list_accounts, resolve_account
from ofcrm_tui.jobs.scheduler import BackgroundJobs
from ofcrm_tui.tui.app import OfcrmApp


def run_app(
    context: AppContext, account_name: str | None, *, start_jobs: bool = True, demo: bool = False
) -> int:
    """Run the app on ``account_name`` (or the only account; with several, the app asks).

    The background jobs (poll and drain for every account) start a second after the
    first screen is up (``OfcrmApp.on_ready``), report to it through
    ``OfcrmApp.job_event``, and are shut down cleanly on exit: sends in flight finish
    and are recorded before this returns. In team mode (a chatter's role, or
    ``team_mode``) there are none: workers poll and send.
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
            jobs.shutdown(wait=True)
    return app.return_code or 0
