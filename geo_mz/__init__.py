"""geo-mz project wiring: settings, URLs, WSGI/ASGI. No domain code lives here."""
