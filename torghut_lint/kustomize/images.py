"""kustomize's images transformer: an ``images`` entry's name matched against every container
image its two walks reach, and the image rewritten with its new name, tag, digest or tag suffix.
"""

from __future__ import annotations

from typing import Any

import yaml

from torghut_lint import nodes, regex
from torghut_lint.kustomize import fieldspecs, work
from torghut_lint.parse import (
    mappings,
)

IMAGE_STEPS = 16  # an images entry tried on a container: a regular expression searched, in steps of work


# kustomize's images field specs (every kind): walked after its walk of every containers list
_IMAGE_PATHS = [
    fieldspecs.split_path(p)
    for p in (
        "spec/containers[]/image",
        "spec/initContainers[]/image",
        "spec/template/spec/containers[]/image",
        "spec/template/spec/initContainers[]/image",
    )
]


def set_images(root: yaml.Node, images: list[tuple[dict, yaml.Node, Any]]) -> bool:
    """kustomize's images transformer, one entry (with its node and pattern) after another, each
    in its two walks (an entry sees what the ones before it wrote, and its own first walk's
    writing: a ``tagSuffix`` is added twice where both walks reach): every list under a
    ``containers`` or ``initContainers`` key at any depth, then its field specs
    (:data:`_IMAGE_PATHS`); never called on a CustomResourceDefinition, which kustomize never
    rewrites. True when an image changed; raises :class:`fieldspecs.WrongKind` where kustomize
    refuses the build (an image that is a map or a list, a container that is a word)."""
    changed = False
    # the lists its first walk finds, found once: rewriting an image changes no list
    found = [
        (k.value, v)
        for holder in mappings(root)
        for k, v in holder.value
        if (k.value == "containers" or k.value == "initContainers") and isinstance(v, yaml.SequenceNode)
    ]
    for image, source, pattern in images:
        for key, listed in found:
            for container in listed.value:
                if nodes.is_null(container):
                    continue
                if not isinstance(container, yaml.MappingNode):  # kustomize's lookup expects a map
                    raise fieldspecs.WrongKind(f"an item of {key}")
                if nodes.get(container, "image") is not None:
                    changed |= _set_image(container, image, source, pattern, key)
        for path in _IMAGE_PATHS:
            emptied: list[yaml.Node] = []
            for container in fieldspecs.holders(root, path, emptied):
                changed |= _set_image(container, image, source, pattern, "/".join(path[:-1]))
            changed |= bool(emptied)
    return changed


def _set_image(container: yaml.MappingNode, image: dict, source: yaml.Node, pattern: Any, where: str) -> bool:
    """A container's image rewritten by one ``images`` entry (written untagged, as kustomize
    writes it, located at the entry); a null one is its text, as kustomize reads it."""
    current = nodes.get(container, "image")
    if not isinstance(current, yaml.ScalarNode):
        raise fieldspecs.WrongKind(f"an image of {where}", "is not a text")
    work.charge(IMAGE_STEPS)  # a pattern match, worth many steps
    return nodes.set_text(container, "image", rewrite_image(current.value, image, pattern), source, untagged=True)


def split_image(ref: str) -> tuple[str, str, str]:
    """(name, tag, digest) of an image reference as kustomize splits it (``image.Split``): at the
    first ``:`` or ``@`` after the first ``/`` (the host's port is before it), the tag up to the
    digest's ``@`` (``a/b:1:2`` is ``a/b`` tagged ``1:2``)."""
    slash = ref.find("/")
    skip = slash if slash > 0 else 0
    at, colon = ref.find("@", skip), ref.find(":", skip)
    if at < 0 and colon < 0:
        return ref, "", ""
    if at >= 0 and (colon < 0 or at < colon):
        return ref[:at], "", ref[at + 1 :]
    if at >= 0:
        return ref[:colon], ref[colon + 1 : at], ref[at + 1 :]
    return ref[:colon], ref[colon + 1 :], ""


def image_pattern(name: str):
    """How kustomize matches an images entry: its name is a regular expression (``.`` is any
    character, ``app:1`` matches ``app:1``), followed by an optional tag and digest."""
    return regex.compile("^" + name + "(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$")


def rewrite_image(ref: str, image: dict, pattern: Any = None) -> str:
    """``ref`` as an ``images`` entry rewrites it (``pattern``: the entry's, compiled)."""
    if (pattern or image_pattern(str(image["name"]))).search(ref) is None:
        return ref
    name, tag, digest = split_image(ref)
    new_name = image.get("newName") or name
    new_tag, new_digest, suffix = image.get("newTag"), image.get("digest"), image.get("tagSuffix")
    if new_tag and new_digest:  # kustomize keeps both: name:tag@digest
        tag, digest = new_tag, new_digest
    elif new_tag:
        tag, digest = new_tag, ""
    elif new_digest:
        tag, digest = "", new_digest
    elif suffix:
        tag, digest = tag + suffix, ""
    return new_name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
