"""The webhook's database backend: Django's PostgreSQL, guarded (see base.py)."""
