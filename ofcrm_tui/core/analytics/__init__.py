"""Analytics: revenue, fans, PPV, chatters and campaigns of an account over a period.

``dashboard(db, account_id, period)`` reads everything a screen refresh needs in one
unit of work; ``period.last_days`` / ``period.between`` make the periods; ``export``
writes what the dashboard holds as CSV.
"""
