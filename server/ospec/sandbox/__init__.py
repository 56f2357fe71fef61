"""Local sandbox server implementing the OSpec platform API (edge: HTTP, SQLite, webhooks)."""
