"""Settings from the environment (prefix GENBANK_REGISTRY_) or a .env file; built on demand, never at import."""
from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GENBANK_REGISTRY_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./var/registry.db"
    # The public address for permanent links and QR codes (e.g. https://nguongen.cantho.gov.vn); unset, the
    # address each request came to is used.
    base_url: str | None = None
    default_language: str = "vi"
    secret_key: str = "change-me-in-production"
    sql_echo: bool = False
    upload_dir: str = "./var/uploads"
    upload_max_mb: int = 200
    run_worker: bool = True  # run queued imports in a thread of the web process
    # "thread": the web process runs imports itself (SQLite, or one PostgreSQL server process).
    # "procrastinate": PostgreSQL only; `genbank-registry worker` processes run them, as many as you like.
    job_queue: str = "thread"
    # Addresses or networks (comma-separated, e.g. "127.0.0.1, 10.0.0.0/8") of reverse proxies whose
    # X-Forwarded-For is believed; empty: the socket's address is the client's (sign-in limits use it).
    trusted_proxies: str = ""


def get_settings(**overrides) -> Settings:
    return Settings(**overrides)
