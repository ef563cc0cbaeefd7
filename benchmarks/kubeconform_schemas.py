"""Write kubeconform's offline schema layout from the schemas torghut-lint itself uses.

kubeconform reads one self-contained JSON Schema per kind (``-schema-location
DIR/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json``);
kubernetes-validate ships the same Kubernetes schemas as one file per kind referring into a shared
``_definitions.json``. This copies each kind's schema with the definitions it reaches (and only
those) inlined under ``$defs``, so both tools validate against the same schemas, offline.

    python benchmarks/kubeconform_schemas.py [VERSION]     # default 1.33; prints the directory

The output goes under benchmarks/generated (not committed); it is rebuilt when missing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "generated" / "kubeconform-schemas"
SHARED_REF = "/api/_definitions.json#/$defs/"


def _source(version: str) -> Path:
    import kubernetes_validate

    base = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    return base / f"v{version}.0-local-strict"


def _refs(value: Any, found: set[str]) -> None:
    """Definition names ``value`` refers to (in the shared file or among the definitions)."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                found.add(ref.rsplit("/", 1)[1])
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def _localised(value: Any) -> Any:
    """``value`` with refs into the shared file turned into refs into the document's own ``$defs``."""
    text = json.dumps(value)
    return json.loads(text.replace(f'"{SHARED_REF}', '"#/$defs/'))


def generate(version: str = "1.33") -> Path:
    """The layout directory's parent (what ``-schema-location`` templates start from)."""
    target = OUT / f"v{version}.0-standalone-strict"
    if target.is_dir() and any(target.iterdir()):
        return OUT
    source = _source(version)
    definitions = json.loads((source / "_definitions.json").read_text())["$defs"]
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.json")):
        if path.name in ("_definitions.json", "all.json"):
            continue
        schema = json.loads(path.read_text())
        wanted: set[str] = set()
        _refs(schema, wanted)
        todo, closure = list(wanted), set()
        while todo:  # the definitions reachable from this kind, each once (some are recursive)
            name = todo.pop()
            if name in closure or name not in definitions:
                continue
            closure.add(name)
            more: set[str] = set()
            _refs(definitions[name], more)
            todo.extend(more - closure)
        standalone = _localised(schema)
        if closure:
            standalone["$defs"] = {name: _localised(definitions[name]) for name in sorted(closure)}
        (target / path.name).write_text(json.dumps(standalone))
    return OUT


if __name__ == "__main__":
    print(generate(sys.argv[1] if len(sys.argv) > 1 else "1.33"))
