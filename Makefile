# geo-mz: the two commands of the README, plus helpers. Every target is idempotent.
#   make run    set up everything, load the demo data, serve on 127.0.0.1:$(PORT)
#   make test   set up everything (no demo data), run the test suite against the real PostGIS
SHELL := /bin/bash
PORT ?= 8000
PY := .venv/bin/python
# The private cluster's URL unless DATABASE_URL points elsewhere.
DBURL = $${DATABASE_URL:-$$(scripts/pg.sh url)}

.PHONY: run test stop setup setup-test bench bench-load lint lock psql collectstatic eval backup restore

setup:
	@bash scripts/bootstrap.sh all

setup-test:
	@bash scripts/bootstrap.sh all --browser

run: setup
	@export DATABASE_URL=$(DBURL) DJANGO_SETTINGS_MODULE=geo_mz.settings.dev DJANGO_DEBUG=$${DJANGO_DEBUG:-0} GEO_MZ_DEMO=1; \
	$(PY) manage.py migrate --noinput -v 0 && \
	$(PY) manage.py load_demo_data && \
	$(PY) manage.py ensure_demo_account && \
	$(PY) manage.py collectstatic --noinput -v 0 && \
	{ $(PY) manage.py run_jobs >> var/worker.log 2>&1 & echo $$! > var/worker.pid; } && \
	echo "[geo-mz] Background worker started (var/worker.log)" && \
	echo "[geo-mz] Serving on http://127.0.0.1:$(PORT)/  (API: /api/v1/divisions/, docs: /api/docs/, admin: /admin/)" && \
	exec .venv/bin/gunicorn geo_mz.wsgi:application --bind 127.0.0.1:$(PORT) --workers 3 --timeout 120 \
	  --pid var/gunicorn.pid

test: setup-test
	@export DATABASE_URL=$(DBURL); \
	$(PY) -m pytest $(PYTEST_ARGS)

stop:
	@-[ -f var/gunicorn.pid ] && kill $$(cat var/gunicorn.pid) 2>/dev/null; rm -f var/gunicorn.pid
	@-[ -f var/worker.pid ] && kill $$(cat var/worker.pid) 2>/dev/null; rm -f var/worker.pid
	@bash scripts/pg.sh stop

bench: setup
	@export DATABASE_URL=$(DBURL); $(PY) bench/run.py

# Only the bounded load run (bench/load.py: 50 locust users, 60 s, gunicorn on the demo register).
bench-load: setup
	@export DATABASE_URL=$(DBURL); $(PY) bench/run.py load

psql: setup
	@psql "$(DBURL)"

lock:
	python3 -m venv var/lockvenv && var/lockvenv/bin/pip install -q -r requirements.in && \
	{ echo "# Fully pinned lock of requirements.in (regenerate with 'make lock'). Installed by scripts/bootstrap.sh."; \
	  var/lockvenv/bin/pip freeze | grep -v '^pip=='; } > requirements.txt; rm -rf var/lockvenv

# The matcher's quality set (eval/README.md): top-1 accuracy, wrong-match, ambiguous rates per noise kind.
eval: setup
	@export DATABASE_URL=$(DBURL); $(PY) eval/run.py $(EVAL_ARGS)

# Backups (scripts/backup.sh): a pg_dump custom-format file under var/backups/, and its restore.
backup:
	@bash scripts/backup.sh backup $(BACKUP)

restore:
	@FORCE=$(FORCE) bash scripts/backup.sh restore $(BACKUP)
