"""partnerdesk's session engine (db.py): Django's database sessions, read together with what
every console request needs in one statement."""
