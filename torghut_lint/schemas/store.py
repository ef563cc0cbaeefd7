"""Where schemas come from, loaded lazily and compiled once per (apiVersion, kind)."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from torghut_lint.cache import Cache
from torghut_lint.schemas.compiled import CompiledSchema, SchemaResources
from torghut_lint.schemas.folded import fold, standalone
from torghut_lint.schemas.openapi import crd_versions, to_json_schema

DEFAULT_KUBERNETES_VERSION = "1.33"
# a JSON Schema (or what makes it when first asked) and its folded form (schemas.folded; None or
# the schema itself: jsonschema-rs compiles the schema as it is)
Converted = tuple[dict[str, Any] | Callable[[], dict[str, Any]], dict[str, Any] | None]
DEFINITIONS_REF = "/api/_definitions.json#/$defs/"  # how core schemas refer to a definition
BUNDLED = Path(__file__).resolve().parent / "catalog"  # CRDs-catalog schemas (MIT, LICENSE there)


class SchemaError(Exception):
    """A schema location or file that cannot be used (named in the message)."""


def _core_root() -> Path | None:
    """kubernetes-validate's bundled schemas, found without importing it (its import costs 70 ms)."""
    from importlib.util import find_spec

    spec = find_spec("kubernetes_validate")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "kubernetes-json-schema"


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def bundled_versions(root: Path, strict: bool) -> list[Path]:
    """kubernetes-validate's schema directories (strict or not), oldest first."""
    suffix = "-local-strict" if strict else "-local"
    return sorted((p for p in root.iterdir() if p.name.endswith(suffix)), key=lambda p: _version_key(p.name))


def core_kind_schema(core_dir: Path, api_version: str, kind: str) -> tuple[bytes, dict[str, Any]] | None:
    """(file bytes, schema) of a built-in kind in one of kubernetes-validate's version
    directories (``deployment-apps-v1.json``), or None when that version has no such kind."""
    short = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    path = core_dir / f"{kind.lower()}-{short}.json"
    if not path.is_file():
        return None
    data = path.read_bytes()
    schema = json.loads(data)
    enum = (schema.get("properties", {}).get("apiVersion") or {}).get("enum")
    return None if enum and api_version not in enum else (data, schema)


@dataclass
class SchemaStore:
    """Core schemas for one Kubernetes version, plus CRD schemas from directories and manifests."""

    kubernetes_version: str = DEFAULT_KUBERNETES_VERSION
    strict: bool = True
    locations: list[Path] = field(default_factory=list)
    cache: Cache = field(default_factory=lambda: Cache(None))  # converted schemas, keyed by their file's bytes
    _crds: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _validators: dict[tuple[str, str], CompiledSchema | None] = field(default_factory=dict)

    @cached_property
    def core_dir(self) -> Path | None:
        root = _core_root()
        if root is None or not root.is_dir():
            return None
        want = _version_key(self.kubernetes_version)
        versions = bundled_versions(root, self.strict)
        eligible = [p for p in versions if _version_key(p.name)[:2] <= want[:2]]
        if not eligible:
            available = ", ".join(sorted({p.name.split("-")[0][1:] for p in versions}, key=_version_key))
            raise SchemaError(f"no bundled schemas for Kubernetes {self.kubernetes_version} (available: {available})")
        return eligible[-1]

    @cached_property
    def _core_definitions(self) -> SchemaResources:
        return SchemaResources(lambda: [json.loads((self.core_dir / "_definitions.json").read_bytes())])

    def add_crd(self, crd: dict[str, Any]) -> None:
        """Register the schemas of a CustomResourceDefinition manifest."""
        for group, kind, version, schema in crd_versions(crd):
            self.add_crd_schema(f"{group}/{version}", kind, schema)

    def has_crd(self, api_version: str, kind: str) -> bool:
        """Whether a CRD registered here (of the tree, or ``--crd``) gives the kind a schema."""
        return (api_version, kind) in self._crds

    def known_beside_tree(self, api_version: str, kind: str) -> bool:
        """Whether a schema of the schema locations or the bundled catalog gives the kind one,
        which a CRD of the tree would take precedence over (a core kind's is never replaced)."""
        if self._core_schema(api_version, kind) is not None:
            return False
        return self._from_locations(api_version, kind) is not None or self._bundled(api_version, kind) is not None

    def add_crd_schema(self, api_version: str, kind: str, schema: dict[str, Any]) -> None:
        """Register one served version's openAPIV3Schema (a later one for the same kind replaces it)."""
        self._crds[(api_version, kind)] = schema

    def _from_tree(self, key: tuple[str, str]) -> Converted | None:
        """A CRD's schema as a schema file's is (:meth:`_converted`): converted and folded once,
        then taken from the cache while the CRD's schema is the same (the lab tree's fourteen CRDs
        were converted and folded again on every run)."""
        schema = self._crds.get(key)
        if schema is None:
            return None
        data = json.dumps(schema, sort_keys=True, separators=(",", ":")).encode()
        return self._converted(data, lambda _: schema)

    def _from_locations(self, api_version: str, kind: str) -> Converted | None:
        group, _, version = api_version.rpartition("/")
        for location in self.locations:
            path = location / group / f"{kind.lower()}_{version}.json"
            if path.is_file():
                try:
                    return self._converted(path.read_bytes(), lambda data: json.loads(data))
                except (OSError, ValueError) as exc:
                    raise SchemaError(f"{path}: not a readable JSON schema ({type(exc).__name__})") from exc
        return None

    def _bundled(self, api_version: str, kind: str) -> Converted | None:
        """A schema from the CRDs-catalog files bundled in the package (gzip, loaded lazily)."""
        group, _, version = api_version.rpartition("/")
        path = BUNDLED / group / f"{kind.lower()}_{version}.json.gz"
        if not group or not path.is_file():
            return None
        return self._converted(path.read_bytes(), lambda data: json.loads(gzip.decompress(data)))

    def _converted(self, data: bytes, load: Any) -> Converted:
        """An OpenAPI schema file's JSON Schema (strict or not) and its folded form. The folded
        form is made once, then taken from the cache while the file's bytes are the same; the
        JSON Schema, which only explains invalid objects, is made again from the bytes if a run
        needs it (cached too, it was most of what every process loaded). A schema that does not
        fold is cached whole: it is what jsonschema-rs compiles."""

        def schema() -> dict[str, Any]:
            return to_json_schema(load(data), self.strict)

        def convert() -> tuple[bool, dict[str, Any]]:  # (folding changed nothing, what jsonschema-rs compiles)
            full = schema()
            folded = fold(full)
            return folded is full, folded

        whole, folded = self.cache.get("schema", data, convert, "strict" if self.strict else "lax")
        return (folded, None) if whole else (schema, folded)

    def _core_schema(self, api_version: str, kind: str) -> Converted | None:
        """A core kind's schema (its references point into ``_definitions.json``) and its
        standalone form for jsonschema-rs (:func:`~torghut_lint.schemas.folded.standalone`),
        made once and then taken from the cache while both files are the same."""
        found = core_kind_schema(self.core_dir, api_version, kind) if self.core_dir is not None else None
        if found is None:
            return None
        data, schema = found
        definitions = self.core_dir / "_definitions.json"
        info = definitions.stat()  # the installed file: its identity stands for its bytes (1.4 MB)

        def make() -> dict[str, Any] | None:
            return standalone(schema, self._core_definitions.documents[0]["$defs"], DEFINITIONS_REF)

        folded = self.cache.get("core-schema", data, make, str(definitions), str(info.st_size), str(info.st_mtime_ns))
        return schema, folded  # None: compiled as it is, with the registry

    def validator(self, api_version: str, kind: str) -> CompiledSchema | None:
        """The compiled schema of the kind, or None when no schema is known anywhere."""
        key = (api_version, kind)
        if key in self._validators:
            return self._validators[key]
        validator = None
        # A core kind's schema is never replaced (a CRD in the tree for apps/v1 Deployment would
        # otherwise switch validation off); custom resources: CRDs given or in the tree, then
        # --schema-location, then the bundled catalog.
        if core := self._core_schema(api_version, kind):
            schema, folded = core
            validator = CompiledSchema(schema, self._core_definitions, folded=folded)
        elif found := (
            self._from_tree(key) or self._from_locations(api_version, kind) or self._bundled(api_version, kind)
        ):
            schema, folded = found
            validator = CompiledSchema(schema, folded=folded)
            validator.custom = True
        self._validators[key] = validator
        return validator
