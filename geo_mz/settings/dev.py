"""Development and demo (`make run`) settings: debug on by default, a fixed local secret."""
from .base import *  # noqa: F401,F403
from .env import env_bool, env_str

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-geo-mz-0123456789abcdef")
