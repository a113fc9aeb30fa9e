"""ofcrm: a keyboard-driven terminal CRM for chat teams."""

__version__ = "0.1.0"
