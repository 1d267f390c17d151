"""JSON Schema of team (catalog) files, for editors (yaml-language-server) and CI."""

from __future__ import annotations

import json

from goldenpath.tenancy.model import Team

SCHEMA_ID = "https://goldenpath.dev/schemas/team.json"


def team_schema() -> dict:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **Team.model_json_schema(by_alias=True)}


def team_schema_json() -> str:
    return json.dumps(team_schema(), indent=2, sort_keys=True) + "\n"
