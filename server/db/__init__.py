"""Database plumbing shared by every domain: engine, sessions, the declarative base, migrations."""
