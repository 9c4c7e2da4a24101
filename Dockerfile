# One image for every ereg process; the command picks which: `api`, `worker`, `db upgrade`,
# `seed`, `import-qualifications FILE` (docker-compose.yml runs the first three).

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md requirements.lock worker.py ./
COPY registry registry
COPY workflows workflows
COPY activities activities
COPY starter starter
COPY infra infra
# Wheels for ereg and its runtime dependencies at the versions of requirements.lock, so that the
# final stage needs no compiler or cache. The lock also pins the dev and test extras; as
# constraints they only fix versions, and the image leaves those extras out.
RUN pip wheel --no-cache-dir --wheel-dir /wheels --constraint requirements.lock .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    EREG_DATA_DIR=/var/lib/ereg
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels ereg \
    && useradd --system --uid 10001 --home-dir /var/lib/ereg --create-home ereg
# Stateless: settings and secrets come from the environment, data lives in PostgreSQL.
USER ereg
WORKDIR /var/lib/ereg
# API, worker metrics (EREG_API_PORT, EREG_WORKER_METRICS_ADDRESS in docker-compose.yml).
EXPOSE 8000 9464
ENTRYPOINT ["ereg"]
CMD ["api"]
