# One image for every Ladder process; the Kubernetes Deployments choose the process by their
# args (deploy/k8s). The migration Job runs `python -m tools.migrate` and `tools.seed` from it.
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir "uv==0.13.8"
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY libs ./libs
COPY services ./services
COPY gateway ./gateway
# The locked workspace without the dev group, members installed as wheels (no source links).
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim
RUN useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin ladder
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY tools ./tools
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
USER 10001:10001
EXPOSE 8000
CMD ["uvicorn", "ladder.gateway.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]
