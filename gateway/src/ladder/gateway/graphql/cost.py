"""What a document may cost, computed on the parsed document before anything runs.

GitHub's rule of thumb: every connection takes `first` (required, 1..100), and the nodes a
document can ask for — each connection's `first` times the `first`s of the connections
around it, summed over the document — are at most `MAX_NODES`. A document over it is refused
during validation, with nothing sent to any service: a GraphQL error whose
`extensions` are `{"code": "query_too_costly", "cost": …, "limit": …}`.

A connection is a field with a `first` argument. A `first` outside 1..100 (or not an integer)
costs nothing here: that field answers its own typed `InvalidArgument` without reading
anything. The computation walks the document without recursion (a generator per selection
set on an explicit stack) and prices each fragment once per type, so neither a deep document
nor fragments spread many times can make it slow or raise `RecursionError`.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
)
from graphql.language import BREAK
from strawberry.extensions import SchemaExtension

from ladder.gateway.graphql.connections import MAX_FIRST

MAX_NODES = 500_000
_CAP = 10**15  # costs beyond any limit are all the same answer: keep the integers small
_DIGITS = 9  # a longer integer literal is out of range anyway (and int() of 5,000 digits raises)

# A selection set to price: (its node, the type it selects on, the fragments on the path).
Request = tuple[SelectionSetNode, GraphQLNamedType | None, frozenset[str]]


class CostLimit(SchemaExtension):
    """Adds the cost rule, with this request's variables, to the validation rules."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        rule = _cost_rule(dict(context.variables or {}), context.operation_name)
        context.validation_rules = (*context.validation_rules, rule)
        yield


def too_costly(cost: int, node: Any = None) -> GraphQLError:
    return GraphQLError(
        f"The query could ask for {cost:,} nodes; the limit is {MAX_NODES:,}. "
        "Ask for fewer (smaller `first`, fewer nested connections).",
        nodes=node,
        extensions={
            "code": "query_too_costly",
            "cost": cost,
            "limit": MAX_NODES,
            "message_zh": f"查询可能返回 {cost} 个节点，超过上限 {MAX_NODES}",
        },
    )


def _cost_rule(variables: dict[str, Any], operation_name: str | None) -> type[ValidationRule]:
    class CostRule(ValidationRule):
        def enter_document(self, node, *_args) -> Any:
            operations = [d for d in node.definitions if isinstance(d, OperationDefinitionNode)]
            chosen = [
                op
                for op in operations
                if operation_name is None or (op.name and op.name.value == operation_name)
            ]
            if len(chosen) == 1:  # else execution says which operation is meant
                cost = Pricer(self.context, chosen[0], variables).cost()
                if cost > MAX_NODES:
                    self.report_error(too_costly(min(cost, _CAP), chosen[0]))
            return BREAK

    return CostRule


class Pricer:
    def __init__(
        self, context: Any, operation: OperationDefinitionNode, variables: dict[str, Any]
    ) -> None:
        self.context = context
        self.schema = context.schema
        self.operation = operation
        self.variables = {**_defaults(operation), **variables}
        self._fragments: dict[tuple[str, str | None], int] = {}

    def cost(self) -> int:
        root = {
            OperationType.QUERY: self.schema.query_type,
            OperationType.MUTATION: self.schema.mutation_type,
            OperationType.SUBSCRIPTION: self.schema.subscription_type,
        }[self.operation.operation]
        return self._run((self.operation.selection_set, root, frozenset()))

    def _run(self, first: Request) -> int:
        """Price `first` without recursion: each pending selection set is a generator on the
        stack, sent the cost of the selection set it asked for."""
        stack: list[Generator[Request, int, int]] = [self._price(*first)]
        sent: int | None = None
        result = 0
        while stack:
            try:
                wanted = stack[-1].send(sent)  # type: ignore[arg-type]
            except StopIteration as done:
                stack.pop()
                sent = result = done.value
                continue
            stack.append(self._price(*wanted))
            sent = None
        return result

    def _price(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, path: frozenset
    ) -> Generator[Request, int, int]:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                definition = _field(parent, selection.name.value)
                if definition is None:
                    continue  # __typename, or a field validation refuses anyway
                first = self._first(selection, definition)
                inner = 0
                if selection.selection_set is not None and first != 0:
                    child = get_named_type(definition.type)
                    inner = yield (selection.selection_set, child, path)
                if first is None:
                    total += inner
                elif first:
                    total += first * (1 + inner)
            elif isinstance(selection, InlineFragmentNode):
                on = selection.type_condition
                target = self.schema.get_type(on.name.value) if on else parent
                total += yield (selection.selection_set, target, path)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is None or name in path:
                    continue  # unknown or cyclic: refused by the standard rules
                target = self.schema.get_type(fragment.type_condition.name.value)
                key = (name, getattr(target, "name", None))
                if key not in self._fragments:
                    self._fragments[key] = yield (fragment.selection_set, target, path | {name})
                total += self._fragments[key]
            total = min(total, _CAP)
        return total

    def _first(self, node: FieldNode, definition: Any) -> int | None:
        """None for a field that is not a connection; 0 for a `first` the field refuses;
        else `first`."""
        if "first" not in definition.args:
            return None
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
            elif isinstance(value, IntValueNode) and len(value.value) <= _DIGITS:
                given = int(value.value)
            else:
                given = None
            if isinstance(given, float) and given.is_integer():
                given = int(given)  # as GraphQL's Int takes a JSON 10.0
            ok = isinstance(given, int) and not isinstance(given, bool)
            return given if ok and 1 <= given <= MAX_FIRST else 0
        return 0


def _field(parent: GraphQLNamedType | None, name: str) -> Any:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        return parent.fields.get(name)
    return None


def _defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        value = definition.default_value
        if isinstance(value, IntValueNode) and len(value.value) <= _DIGITS:
            found[definition.variable.name.value] = int(value.value)
    return found
