"""JSON Schema of the environment file, for editors (yaml-language-server) and CI."""

from __future__ import annotations

import json

from goldenpath.config.model import Environment

SCHEMA_ID = "https://goldenpath.dev/schemas/environment.json"


def environment_schema() -> dict:
    schema = Environment.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def environment_schema_json() -> str:
    return json.dumps(environment_schema(), indent=2, sort_keys=True) + "\n"
