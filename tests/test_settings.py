"""Settings and deployment files: production refuses to start without its secrets and passes
`manage.py check --deploy`; the compose file has the services users need."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
GOOD_SECRET = "x9!Kq2#vR7$mT4&wZ1*pL8^nB5@cH3%jD6(fG0)sA-yE+uI=oPzQ"


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_production_refuses_a_missing_secret() -> None:
    result = _manage("check", env={"DJANGO_SETTINGS_MODULE": "geo_mz.settings.prod",
                                   "DJANGO_ALLOWED_HOSTS": "geo.example.gov.cn",
                                   "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x"})
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_a_weak_secret_and_missing_hosts() -> None:
    weak = _manage("check", env={"DJANGO_SETTINGS_MODULE": "geo_mz.settings.prod", "DJANGO_SECRET_KEY": "short",
                                 "DJANGO_ALLOWED_HOSTS": "a", "DATABASE_URL": "postgres://u:p@h/x"})
    assert weak.returncode != 0 and "at least 50" in weak.stderr
    hosts = _manage("check", env={"DJANGO_SETTINGS_MODULE": "geo_mz.settings.prod", "DJANGO_SECRET_KEY": GOOD_SECRET,
                                  "DATABASE_URL": "postgres://u:p@h/x"})
    assert hosts.returncode != 0 and "DJANGO_ALLOWED_HOSTS" in hosts.stderr


def test_production_passes_check_deploy() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING",
                     env={"DJANGO_SETTINGS_MODULE": "geo_mz.settings.prod", "DJANGO_SECRET_KEY": GOOD_SECRET,
                          "DJANGO_ALLOWED_HOSTS": "geo.example.gov.cn",
                          "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://u:p@127.0.0.1/x")})
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_serves_the_security_headers_and_hsts() -> None:
    """The production middleware stack answers with CSP (tile origin for images), HSTS and friends."""
    probe = ("import django, json; django.setup(); from django.test import Client; "
             "r = Client(HTTP_HOST='geo.example.gov.cn').get('/healthz', secure=True); "
             "print(json.dumps({k: r.headers.get(k) for k in ('Content-Security-Policy', 'Strict-Transport-Security', "
             "'Referrer-Policy', 'X-Content-Type-Options', 'Permissions-Policy', 'X-Frame-Options')}))")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**clean, "DJANGO_SETTINGS_MODULE": "geo_mz.settings.prod", "DJANGO_SECRET_KEY": GOOD_SECRET,
                                 "DJANGO_ALLOWED_HOSTS": "geo.example.gov.cn", "DATABASE_URL": "postgres://u:p@127.0.0.1/x",
                                 "GEO_MZ_TILE_URL": "https://tiles.mz.example.gov.cn/{z}/{x}/{y}.png"})
    assert result.returncode == 0, result.stderr
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert "img-src 'self' data: https://tiles.mz.example.gov.cn;" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["Referrer-Policy"] == "same-origin" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY" and "geolocation=()" in headers["Permissions-Policy"]


def test_env_example_documents_every_variable_the_settings_read() -> None:
    documented = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
                  if line and not line.startswith("#")}
    import re

    read = set()
    for path in (ROOT / "geo_mz" / "settings").glob("*.py"):
        read |= set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', path.read_text()))
    assert read - {"DATABASE_URL"} <= documented and "DATABASE_URL" in documented


def test_compose_file_runs_postgis_and_the_web_service() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    db, web = compose["services"]["db"], compose["services"]["web"]
    assert db["image"].startswith("postgis/postgis:15-")
    assert "healthcheck" in db and "healthcheck" in web
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["environment"]["DJANGO_SETTINGS_MODULE"] == "geo_mz.settings.prod"
    assert {"pgdata", "media"} <= set(compose["volumes"])
    assert web["ports"] == ["127.0.0.1:8000:8000"]  # nothing listens beyond loopback by default
    assert (ROOT / "Dockerfile").exists()


def test_compose_file_is_valid_against_the_compose_specification() -> None:
    import json

    import jsonschema

    schema = json.loads((ROOT / "tests" / "data" / "compose-spec.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    assert [e.message for e in validator.iter_errors(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))] == []
    broken = {"services": {"web": {"image": 1, "ports": "8000", "healthcheck": {"bogus": 1}}}}
    assert len(list(validator.iter_errors(broken))) >= 3  # the schema does catch mistakes
