"""The committed SDL (docs/graphql/schema.graphql) is the schema the gateway serves."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import parse, validate

from ladder.gateway.graphql.export import DEFAULT_PATH, sdl, write
from ladder.gateway.graphql.schema import build_schema

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_sdl_is_current():
    committed = (ROOT / DEFAULT_PATH).read_text(encoding="utf-8")

    assert committed == sdl(), (
        "docs/graphql/schema.graphql is stale: run `python -m ladder.gateway.graphql.export`"
    )


def test_the_export_writes_the_file_once(tmp_path):
    target = tmp_path / "graphql" / "schema.graphql"

    assert write(target) is True
    assert write(target) is False
    assert target.read_text(encoding="utf-8").startswith("# The GraphQL schema")
    assert "type Query {" in target.read_text(encoding="utf-8")


def test_the_readmes_example_queries_are_valid_against_the_schema():
    """The README's GraphQL guide shows documents the schema accepts."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"```graphql\n(.*?)```", readme, re.DOTALL)
    schema = build_schema(introspection=True)._schema

    assert len(examples) >= 2
    for example in examples:
        assert validate(schema, parse(example)) == [], example
