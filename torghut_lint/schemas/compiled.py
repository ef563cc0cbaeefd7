"""One JSON Schema verdict from two engines.

jsonschema-rs decides whether an instance is valid (compiled once, about a microsecond per
Deployment); only an invalid instance is handed to ``jsonschema``, the reference engine, whose
errors carry the paths and keywords the findings are written from. ``jsonschema`` is therefore
imported only when there is something to explain. Where jsonschema-rs cannot compile a schema
or take an instance, ``jsonschema`` decides alone. Tests hold both engines to the same verdicts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any


class SchemaResources:
    """Schemas that ``$ref``s point into (Kubernetes' ``_definitions.json``), registered once
    per engine and shared by every schema that refers to them. Given as a function, they are
    read when first needed: core kinds compile standalone (schemas.folded), so only a cache
    miss or an invalid instance to explain reads the 1.4 MB file."""

    def __init__(self, documents: list[dict[str, Any]] | Callable[[], list[dict[str, Any]]]) -> None:
        self._documents = documents

    @cached_property
    def documents(self) -> list[dict[str, Any]]:
        return self._documents() if callable(self._documents) else self._documents

    @cached_property
    def fast(self) -> Any:
        import jsonschema_rs

        return jsonschema_rs.Registry([(d["$id"], d) for d in self.documents])

    @cached_property
    def reference(self) -> Any:
        from referencing import Registry, Resource

        return Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in self.documents)


class CompiledSchema:
    """A JSON Schema (draft 2020-12 unless it says otherwise), ``$ref`` targets from ``resources``.

    ``folded`` is what jsonschema-rs compiles (see schemas.folded; None or the schema itself:
    the schema, with the registry). Beside a folded form, ``schema`` may be a function that makes
    it: only the reference engine reads it, to explain an invalid object or to decide where
    jsonschema-rs cannot, so a run whose objects are valid never makes it (a CRD's full schema,
    descriptions and all, is several times its folded form)."""

    def __init__(
        self,
        schema: dict[str, Any] | Callable[[], dict[str, Any]],
        resources: SchemaResources | None = None,
        folded: dict[str, Any] | None = None,
    ) -> None:
        if callable(schema) and folded is None:
            raise TypeError("a schema made on demand needs its folded form")
        self._schema = schema
        self._resources = resources
        self._folded = None if folded is schema else folded
        self.custom = False  # a custom resource's schema: the API server prunes nulls before validating

    @cached_property
    def schema(self) -> dict[str, Any]:
        return self._schema() if callable(self._schema) else self._schema

    @cached_property
    def _fast(self) -> Any | None:
        import jsonschema_rs

        try:
            if self._folded is not None:  # self-contained: the registry serves the original's references only
                return jsonschema_rs.validator_for(self._folded, validate_formats=False)
            registry = self._resources.fast if self._resources else None
            return jsonschema_rs.validator_for(self.schema, registry=registry, validate_formats=False)
        except (ValueError, jsonschema_rs.ReferencingError):  # ValidationError: a schema it rejects
            return None

    @cached_property
    def _reference(self) -> Any:
        import jsonschema

        cls = jsonschema.validators.validator_for(self.schema, default=jsonschema.Draft202012Validator)
        if self._resources is None:
            return cls(self.schema)
        return cls(self.schema, registry=self._resources.reference)

    def _surely_valid(self, instance: Any) -> bool:
        """jsonschema-rs only ever answers "valid" early: its "invalid" is confirmed by
        ``jsonschema`` (the two disagree on NaN, which jsonschema-rs rejects as a number)."""
        if self._fast is None:
            return False
        try:
            return self._fast.is_valid(instance)
        except ValueError:  # a value jsonschema-rs cannot represent
            return False

    def is_valid(self, instance: Any) -> bool:
        return self._surely_valid(instance) or self._reference.is_valid(instance)

    def iter_errors(self, instance: Any) -> Iterator[Any]:
        """``jsonschema`` errors (none when the instance is valid)."""
        return iter(()) if self._surely_valid(instance) else self._reference.iter_errors(instance)


_COMPILED: dict[int, CompiledSchema] = {}


def compiled(schema: dict[str, Any]) -> CompiledSchema:
    """The compiled form of a schema the program holds for its whole run (policy, config and
    template parameter schemas): compiled on first use, then reused."""
    found = _COMPILED.get(id(schema))
    if found is None or found.schema is not schema:
        found = _COMPILED[id(schema)] = CompiledSchema(schema)
    return found
