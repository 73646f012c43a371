"""Every event contract, by topic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class EventContract:
    """One topic: who publishes it, who consumes it, its payload model and a valid example."""

    topic: str
    model: type[BaseModel]
    producer: str
    consumers: tuple[str, ...]
    example: BaseModel
    summary: str
    version: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    def schema(self) -> dict[str, Any]:
        """The payload's JSON Schema, with the topic, producer and consumers."""
        doc = self.model.model_json_schema(mode="serialization")
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://ladder.invalid/events/{self.topic}.v{self.version}.json",
            "x-topic": self.topic,
            "x-version": self.version,
            "x-producer": self.producer,
            "x-consumers": list(self.consumers),
            "description": self.summary,
            **doc,
        }


CONTRACTS: dict[str, EventContract] = {}


def register(contract: EventContract) -> EventContract:
    if contract.topic in CONTRACTS:
        raise ValueError(f"topic {contract.topic} registered twice")
    # The example must be a valid payload: a broken example fails at import, not in a test.
    contract.model.model_validate(contract.example.model_dump(mode="json"))
    CONTRACTS[contract.topic] = contract
    return contract


def contract_for(topic: str) -> EventContract:
    """The contract of `topic` (the producer modules register on `import ladder.contracts`)."""
    return CONTRACTS[topic]


def destinations(topic: str) -> list[str]:
    """Where the producer sends `topic`: its contract's consumers (one list for both)."""
    return list(contract_for(topic).consumers)


def producers_of(topics: Iterable[str], *, consumer: str) -> dict[str, str]:
    """The producer of each topic `consumer` handles; a topic whose contract does not name
    `consumer` is an error at import (a handler for an event nobody sends it)."""
    found: dict[str, str] = {}
    for topic in topics:
        contract = contract_for(topic)
        if consumer not in contract.consumers:
            raise ValueError(f"{consumer} handles {topic}, but its contract does not name it")
        found[topic] = contract.producer
    return found
