# The bot, beside a Chroma server (docker-compose.yml). Models ship inside the Python wheels, so nothing
# is downloaded when the container runs.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    VERBATIM_DATA_DIR=/data/transcripts \
    VERBATIM_INDEX_DIR=/state/index \
    VERBATIM_STATE_DIR=/state/state

RUN useradd --create-home --uid 10001 verbatim
WORKDIR /app

# Dependencies in their own layer: it is rebuilt only when pyproject.toml changes, not with the code.
COPY pyproject.toml README.md ./
RUN mkdir bot retrieval && touch bot/__init__.py retrieval/__init__.py \
    && pip install . \
    && pip uninstall --yes verbatim \
    && rm -rf bot retrieval

COPY bot ./bot
COPY retrieval ./retrieval
RUN pip install --no-deps .

# The bundled interview seeds the transcripts volume on first start; the index and stats live in /state.
COPY --chown=verbatim:verbatim data/transcripts /data/transcripts
RUN mkdir -p /state/index && chown -R verbatim:verbatim /state /data

USER verbatim
VOLUME ["/data/transcripts", "/state"]
CMD ["verbatim", "run"]
