# xdept: `xdept serve` behind gunicorn, as an unprivileged user.
# Build: docker build -t xdept .   Run with PostgreSQL: docker compose up (compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Chinese glyphs for the weekly summary's charts (matplotlib's own font has none).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# The user the app runs as, and the folder it may write: the default SQLite database.
RUN useradd --create-home --uid 10001 xdept \
    && mkdir -p /data \
    && chown xdept:xdept /data

WORKDIR /app

# Dependencies first, read from pyproject.toml alone, so this layer is rebuilt only when
# they change, not on every change to the code.
COPY pyproject.toml ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['postgres']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Then the code, installed without touching the dependencies above.
COPY README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY scheduler ./scheduler
RUN pip install --no-deps .

# SQLite in the volume by default; compose.yaml points DATABASE_URL at PostgreSQL.
ENV DATABASE_URL=sqlite:////data/xdept.db \
    PORT=3000
VOLUME ["/data"]

USER xdept
EXPOSE 3000
# slim images have no curl; Python is there anyway.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"
CMD ["xdept", "serve"]
