"""Settings split by environment: base (shared), dev, test, prod. All values come from the
environment through the typed readers in `env.py`; `.env.example` documents every variable."""
