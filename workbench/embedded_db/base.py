"""Django's PostgreSQL backend on the embedded server, which it starts on the first connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.backends.postgresql import base, client

from workbench.embedded_db import ensure_running


class DatabaseClient(client.DatabaseClient):
    @classmethod
    def settings_to_cmd_args_env(
        cls, settings_dict: dict[str, Any], parameters: list[str]
    ) -> tuple[list[str], dict[str, str] | None]:
        # `manage.py dbshell`: psql needs the socket dir and port, which only the running server knows.
        host, port = ensure_running(Path(settings_dict["DATADIR"]), settings_dict["NAME"] or "postgres")
        return super().settings_to_cmd_args_env({**settings_dict, "HOST": host, "PORT": port}, parameters)


class DatabaseWrapper(base.DatabaseWrapper):
    client_class = DatabaseClient

    def get_connection_params(self) -> dict[str, Any]:
        # Every connection (and a pool, if configured) is made from these parameters, so
        # this is where the server must be up; its socket dir and port are known only then.
        # Django's own connections to the `postgres` database, e.g. to create the test
        # databases, come through here too.
        params = super().get_connection_params()
        params["host"], params["port"] = ensure_running(Path(self.settings_dict["DATADIR"]), params["dbname"])
        return params
