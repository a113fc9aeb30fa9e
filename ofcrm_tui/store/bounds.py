"""How many values one statement binds, by the kind of statement.

Both databases cap a statement's parameters: SQLite at 32,766 since 3.32 (999 before;
ofcrm needs 3.35 anyway, for ``RETURNING``), PostgreSQL at 65,535.
"""

# A bulk ``INSERT … VALUES (…), (…)`` (``rows_insert``): SQLite's smallest limit, also
# the fastest measured (more values a statement cost more: bench/README.md).
MAX_BOUND = 999

# Ids one ``IN (…)`` carries: reads and deletes of many rows by id go in chunks of this
# many. Five times ``MAX_BOUND``, for fewer round trips; a statement with two such lists
# (``fans.deleted.forget``: ids and usernames) is still well under both caps.
IN_CHUNK = 5_000
