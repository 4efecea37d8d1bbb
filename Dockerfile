# geo-mz web image for docker-compose users. The README's two commands do not need Docker.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# GeoDjango needs the GDAL, GEOS and PROJ shared libraries; psql for the health of the entrypoint.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gdal-bin libgdal32 postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DJANGO_SETTINGS_MODULE=geo_mz.settings.dev DATABASE_URL=postgres://x@localhost/x \
    python manage.py collectstatic --noinput -v 0

RUN useradd --system --home /app geomz && chown -R geomz /app
USER geomz
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py load_demo_data && exec gunicorn geo_mz.wsgi:application --bind 0.0.0.0:8000 --workers 3 --timeout 120"]
