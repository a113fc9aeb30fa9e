"""Generated data for tests, benchmarks and demos (never used by the product itself)."""
