"""Refresh the CRD schemas bundled in the package (torghut_lint/schemas/catalog) from a checkout
of the MIT-licensed CRDs-catalog (datreeio/CRDs-catalog layout: <group>/<kind>_<version>.json).

    python scripts/refresh-crd-schemas.py PATH_TO_CATALOG [GROUP/KIND_VERSION ...]

With no schema names, every schema already bundled is refreshed; name new ones to add them
(e.g. ``traefik.io/middleware_v1alpha1``). Each is stored gzip-compressed (data, not code), and
the catalog's LICENSE is copied beside them. Nothing is downloaded: bring the checkout yourself.
"""

from __future__ import annotations

import gzip
import shutil
import sys
from pathlib import Path

BUNDLE = Path(__file__).resolve().parent.parent / "torghut_lint" / "schemas" / "catalog"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    catalog = Path(argv[0])
    names = argv[1:] or sorted(str(p.relative_to(BUNDLE)).removesuffix(".json.gz") for p in BUNDLE.rglob("*.json.gz"))
    for name in names:
        source = catalog / f"{name}.json"
        if not source.is_file():
            print(f"{source}: not in the catalog", file=sys.stderr)
            return 1
        target = BUNDLE / f"{name}.json.gz"
        target.parent.mkdir(parents=True, exist_ok=True)
        with gzip.GzipFile(target, "wb", mtime=0) as out:  # mtime 0: the same bytes on every refresh
            out.write(source.read_bytes())
    shutil.copyfile(catalog / "LICENSE", BUNDLE / "LICENSE")
    print(f"{len(names)} schema(s) bundled in {BUNDLE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
