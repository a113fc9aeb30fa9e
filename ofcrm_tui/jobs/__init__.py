"""Background jobs: the APScheduler wiring of the inbound poll and the outbound drain."""
