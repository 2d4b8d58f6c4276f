# Khanij production image: the runtime requirements only (no test tools), run as a non-root user.
# docker-compose.yml runs it as web (gunicorn), worker (celery worker) and beat (celery beat).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    KHANIJ_VAR_DIR=/app/var

WORKDIR /app

# Every runtime dependency has a manylinux wheel (psycopg2-binary, shapely, pyproj, cryptography):
# no compiler in the image.
COPY requirements.txt .
RUN pip install -r requirements.txt

RUN groupadd --system khanij \
    && useradd --system --gid khanij --home-dir /app --no-create-home --shell /usr/sbin/nologin khanij

# The code stays owned by root (the app cannot rewrite itself); only var/ (static files, media) is writable.
COPY . .
RUN mkdir -p /app/var/media /app/var/private /app/var/staticfiles && chown -R khanij:khanij /app/var

USER khanij
EXPOSE 8000
# gthread: the live rooms hold server-sent event streams on threads (auctions/room/stream.py); sync workers
# would make every room fall back to polling.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--worker-class", "gthread", "--threads", "32"]
