"""Document limits before anything runs (issue 17): cost (GitHub's rule: the product of the
nested `first`s, summed over the document, at most 500,000 nodes), depth, aliases and tokens —
each refused with a stable `extensions.code` and its limit, never a RecursionError, nothing
sent to a service.

The cost rule is priced here on a schema of nested connections made for the purpose (the
gateway's own nested connections come through the gateway below), with the gateway's own
extension."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Annotated

import pytest
import strawberry
from graphql import (
    ArgumentNode,
    FieldNode,
    InlineFragmentNode,
    IntValueNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)

from ladder.gateway.graphql.connections import Connection, offset_connection
from ladder.gateway.graphql.cost import MAX_NODES, CostLimit, Pricer
from ladder.gateway.graphql.schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS

CALLS: list[str] = []


def _page(kind: type, first: int):
    CALLS.append(kind.__name__)
    return offset_connection([kind() for _ in range(first)], 0, first, first, lambda x: x)


@strawberry.type
class Leaf:
    name: str = "leaf"


@strawberry.type
class Branch:
    @strawberry.field
    def leaves(self, first: int) -> Connection[Leaf]:
        return _page(Leaf, first)


@strawberry.type
class Tree:
    @strawberry.field
    def branches(self, first: int) -> Connection[Branch]:
        return _page(Branch, first)

    @strawberry.field
    def label(self) -> str:
        return "tree"


Thing = Annotated[Tree | Leaf, strawberry.union("Thing")]


@strawberry.type
class Query:
    @strawberry.field
    def trees(self, first: int) -> Connection[Tree]:
        return _page(Tree, first)

    @strawberry.field
    def thing(self) -> Thing:
        return Tree()


SCHEMA = strawberry.Schema(query=Query, extensions=[CostLimit])


def _run(query: str, variables: dict | None = None):
    CALLS.clear()
    return SCHEMA.execute_sync(query, variable_values=variables)


def _cost_error(result) -> dict:
    assert result.data is None
    (error,) = result.errors
    assert CALLS == [], "nothing may run before the cost is checked"
    return error.extensions


def test_the_cost_is_the_product_of_nested_firsts_summed():
    # 100 trees, each with 100 branches, each with 50 leaves: 100 + 100·100 + 100·100·50.
    query = "{ trees(first: 100) { nodes { branches(first: 100) { nodes { leaves(first: 50) {"
    query += " nodes { name } } } } } } }"

    extensions = _cost_error(_run(query))

    assert extensions == {
        "code": "query_too_costly",
        "cost": 100 + 100 * 100 + 100 * 100 * 50,
        "limit": MAX_NODES,
        "message_zh": f"查询可能返回 510100 个节点，超过上限 {MAX_NODES}",
    }


def test_a_document_under_the_limit_runs():
    query = "{ trees(first: 100) { nodes { branches(first: 100) { nodes { leaves(first: 49) {"
    query += " nodes { name } } } } } } }"  # 100 + 10,000 + 490,000 = 500,100: one over

    assert _cost_error(_run(query))["cost"] == 500_100
    result = _run(query.replace("first: 49", "first: 48"))  # 490,100
    assert result.errors is None
    assert CALLS.count("Leaf") == 100 * 100


def test_variables_and_their_defaults_are_priced():
    query = """query ($t: Int!, $b: Int = 100, $l: Int!) {
      trees(first: $t) { edges { node { branches(first: $b) { nodes { leaves(first: $l) {
        pageInfo { hasNextPage } } } } } } } }"""

    assert _cost_error(_run(query, {"t": 100, "l": 60}))["cost"] == 100 + 10_000 + 600_000
    assert _cost_error(_run(query, {"t": 100, "b": 100.0, "l": 60}))["cost"] == 610_100
    assert _run(query, {"t": 10, "l": 60}).errors is None


def test_fragments_are_priced_where_they_are_spread():
    query = """
    fragment L on Branch { leaves(first: 100) { nodes { name } } }
    fragment B on Tree { branches(first: 100) { nodes { ...L } } }
    { trees(first: 100) { nodes { ...B } } thing { ... on Tree { ...B } } }"""

    # trees: 100 + 100·100 + 100·100·100; thing (one tree): 100 + 100·100.
    assert _cost_error(_run(query))["cost"] == 1_010_100 + 10_100


def test_a_first_out_of_range_costs_nothing_the_field_refuses_it():
    query = "{ trees(first: 100000000000000000000) { nodes { branches(first: 100) { nodes {"
    query += " leaves(first: 100) { nodes { name } } } } } } }"

    result = _run(query)

    assert result.errors and "cost" not in (result.errors[0].extensions or {})


def test_fragments_spread_exponentially_are_priced_at_once():
    """Each fragment spreads the next one 8 times: 8**20 leaves' worth, priced in a moment
    (each fragment once), refused — not expanded, not a RecursionError."""
    depth = 20
    leaves = " ".join(f"a{j}: leaves(first: 1) {{ nodes {{ name }} }}" for j in range(8))
    fragments = [
        f"fragment F{i} on Branch {{ {leaves if i == depth else f'...F{i + 1} ' * 8} }}"
        for i in range(depth + 1)
    ]
    query = "\n".join(fragments) + "\n{ trees(first: 1) { nodes { branches(first: 1) { nodes {"
    query += " ...F0 } } } } }"

    began = time.perf_counter()
    extensions = _cost_error(_run(query))

    assert time.perf_counter() - began < 2
    assert extensions["cost"] > MAX_NODES


def test_a_cycle_of_fragments_is_the_standard_refusal():
    query = """fragment A on Tree { ...B } fragment B on Tree { ...A }
    { trees(first: 1) { nodes { ...A } } }"""

    result = _run(query)

    assert result.errors and any("Cannot spread fragment" in e.message for e in result.errors)


def test_a_deep_selection_is_priced_without_recursion():
    """The parser stops at 200 levels; the pricer itself walks 20,000 nested selections (a
    document built without the parser) with its own stack, never a RecursionError."""
    leaf = SelectionSetNode(selections=(FieldNode(name=NameNode(value="label")),))
    for _ in range(20_000):
        leaf = SelectionSetNode(selections=(InlineFragmentNode(selection_set=leaf),))
    top = FieldNode(
        name=NameNode(value="trees"),
        selection_set=SelectionSetNode(
            selections=(FieldNode(name=NameNode(value="nodes"), selection_set=leaf),)
        ),
        arguments=(ArgumentNode(name=NameNode(value="first"), value=IntValueNode(value="7")),),
    )
    operation = OperationDefinitionNode(
        operation=OperationType.QUERY, selection_set=SelectionSetNode(selections=(top,))
    )
    context = SimpleNamespace(schema=SCHEMA._schema, get_fragment=lambda name: None)

    assert Pricer(context, operation, {}).cost() == 7


# --- through the gateway --------------------------------------------------------------------


async def _post(gateway, query: str, variables: dict | None = None) -> dict:
    resp = await gateway.client.post(
        "/graphql", json={"query": query, "variables": variables or {}}
    )
    assert resp.status_code == 200, resp.text[:300]
    return resp.json()


async def test_too_deep_is_a_coded_error(gateway):
    deep = "{ me { a { b { c { d { e { f { g { h { i } } } } } } } } } }"

    body = await _post(gateway, deep)

    assert body["data"] is None
    (error,) = [e for e in body["errors"] if "depth" in e["message"]]
    assert error["extensions"] == {"code": "query_too_deep", "limit": MAX_DEPTH}


async def test_too_many_aliases_is_a_coded_error(gateway):
    aliases = " ".join(f"a{i}: me {{ __typename }}" for i in range(MAX_ALIASES + 1))

    body = await _post(gateway, f"{{ {aliases} }}")

    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "too_many_aliases", "limit": MAX_ALIASES}


async def test_too_many_tokens_is_a_coded_error(gateway):
    fields = " ".join("__typename" for _ in range(MAX_TOKENS + 100))

    body = await _post(gateway, f"{{ {fields} }}")

    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "too_many_tokens", "limit": MAX_TOKENS}


@pytest.mark.parametrize(
    ("depth", "code"),
    [(300, "query_too_deep"), (1_000, "query_too_deep"), (100_000, "query_too_deep")],
)
async def test_a_deep_document_is_a_coded_error_not_a_recursion_error(gateway, depth, code):
    body = await _post(gateway, "{ me { __typename " + "... on Viewer { " * depth + "}" * depth)

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == code
    assert "Recursion" not in str(body)


async def test_a_document_nested_within_the_parsers_bound_runs(gateway):
    body = await _post(gateway, "{ me { " + "... on Viewer { " * 150 + "sub" + " }" * 151 + " }")

    assert body == {"data": {"me": {}}}  # no token: Unauthenticated, which has no `sub`
