"""Django's database and cached-database session engines, reading the session row with a fixed
statement (core/rows.py): every signed-in page reads it, and the ORM query cost more than
the rest of a cached page."""
