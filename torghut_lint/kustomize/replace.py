"""kustomize's ``replacements``: a value read from one object's field copied into fields of others,
modelled as kustomize v5.5 applies them (kubectl 1.32's kustomize; the last transformer of a
kustomization, after ``images``).

Read this before changing anything: kustomize's two path walkers differ, and the difference is
where a pull request hides a value.

- The **source** is found by ``kind``/``name``/``namespace``/``group``/``version`` compared exactly
  with any id the object has had (before prefixes, suffixes and namespaces too); one object, or
  kustomize refuses the build. Its ``fieldPath`` is walked by kyaml's ``Lookup``: ``[k=v]`` picks
  the first list item whose ``k`` is exactly ``v``, a number an index; a missing, null or empty
  value refuses the build.
- Each **target**'s ``fieldPaths`` are walked by kyaml's ``PathMatcher``: ``[k=v]`` is a Go
  regular expression searched (not anchored) in the YAML text of each item's ``k``, so
  ``[name=ws]`` also selects ``ws-2`` and ``news``; ``*`` is every item; ``[=v]`` selects the
  list's items themselves, whatever follows it in the path. No target field at all refuses the
  build (unless ``options.create`` makes it).
- A scalar target keeps its type and takes the source's text: ``replicas: 1`` given ``live``
  refuses the build (go-yaml cannot decode ``live`` as an integer), ``value: "false"`` given ``3``
  is the string ``"3"``, a created field (or a name a prefix wrote: kustomize writes it untagged)
  reads its text as a plain scalar (``3`` is the integer 3, ``""`` null but in a flow map, where
  kustomize writes it back quoted). A map or list target becomes a copy of the source. kustomize
  writes into the node itself: a target that is the source's own value changes what later targets
  take. An object left without a name refuses the build.

The new value carries the source's location: the finding for a value a replacement wrote points
at the line that wrote it. What kustomize versions apply differently (a target's name written as a
pattern, which later versions match as one), what kyaml does that no manifest means (creating
under a null, ``-`` on an empty list), a ``[k=v]`` compared with a value whose YAML text is not
modelled here, and what reads or writes kustomize's own bookkeeping (an object's whole metadata or
annotations, where it keeps the names the object had while it builds) raise
:class:`~torghut_lint.kustomize.patch.Unmodelled`: blocking, with ``--render kubectl`` exact."""

from __future__ import annotations

import yaml

from torghut_lint import nodes, regex
from torghut_lint.goyaml import MISMATCH, Unencodable, is_string, plain_tag, resolve_tagged
from torghut_lint.kustomize import work
from torghut_lint.kustomize.fieldspecs import path_splitter
from torghut_lint.kustomize.namerefs import NOT_NAMESPACED, ident
from torghut_lint.kustomize.patch import Unmodelled, overwritten
from torghut_lint.kustomize.select import SelectorError, meets, selectors_of
from torghut_lint.model import Resource
from torghut_lint.parse import BINARY, CORE, PLAIN, STR, base64_text

_ID_FIELDS = ("group", "version", "kind", "name", "namespace")


class Refused(Exception):
    """What kustomize refuses: its build fails with this reason."""


def split_path(text: str) -> list[str]:
    """kyaml's SmarterPathSplitter on ``.``: ``\\.`` is a dot inside a part, a leading dot is
    dropped, ``[a.b=c.d]`` is one part and ``[a.b]`` the key ``a.b``."""
    joined = path_splitter(text, ".")
    parts: list[str] = []
    i = 0
    while i < len(joined):
        part = joined[i]
        if part.startswith("[") and not part.endswith("]"):
            bracketed = [part]
            while i < len(joined) - 1:
                i += 1
                bracketed.append(joined[i])
                if joined[i].endswith("]"):
                    break
            whole = ".".join(bracketed)
            parts.append(whole if "=" in whole else whole.strip("[]"))
        else:
            parts.append(part)
        i += 1
    return parts


def shown_path(path: str) -> str:
    """A field path (or a value) quoted in a message, or its length where it is too long or not
    printable (a message never carries arbitrary tree text; credentials in it are masked like any
    message's)."""
    return repr(path) if len(path) <= 160 and path.isprintable() else f"a field path of {len(path):,} characters"


def _index(part: str) -> int | None:
    """Go's strconv.Atoi: an optional sign and decimal digits, else None."""
    digits = part[1:] if part[:1] in "+-" else part
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    return int(part)


def _bracket(part: str) -> tuple[str, str]:
    """(field, value) of ``[field=value]``; kyaml refuses a bracket without ``=``."""
    inner = part[1:-1] if part.endswith("]") else part[1:]
    if "=" not in inner:
        raise Refused(f"path element {shown_path(part)} must be [field=value]")
    field, _, value = inner.partition("=")
    return field, value


def _is_null(node: yaml.Node | None) -> bool:
    return node is None or nodes.is_null(node)


def _kind(node: yaml.Node) -> str:
    return "map" if isinstance(node, yaml.MappingNode) else "list" if isinstance(node, yaml.SequenceNode) else "scalar"


def _kind_error(node: yaml.Node, want: str) -> Refused:
    return Refused(f"the path expects a {want} where the object has a {_kind(node)}")


# kustomize's own bookkeeping, held in an object's annotations while it builds (the names and
# namespaces it had, the prefixes it took) and dropped from its output: not modelled here
_BOOKKEEPING = ("internal.config.kubernetes.io/", "config.kubernetes.io/", "config.k8s.io/")


def _bookkeeping(parts: list[str]) -> bool:
    """Whether a path reads or writes what holds kustomize's bookkeeping: the whole object, its
    ``metadata``, its annotations, or one of kustomize's own annotations."""
    if parts[:2] in ([], ["metadata"], ["metadata", "annotations"]) and len(parts) <= 2:
        return True
    return parts[:2] == ["metadata", "annotations"] and len(parts) > 2 and parts[2].startswith(_BOOKKEEPING)


def lookup(node: yaml.Node, path: str) -> yaml.Node | None:
    """The source field (kyaml's ``Lookup``), None where the path finds nothing."""
    parts = [part for part in (p.strip() for p in split_path(path)) if part]  # kyaml drops empty parts here
    if _bookkeeping(parts):
        raise Unmodelled("a source holding kustomize's own annotations (the object, its metadata or annotations)")
    for part in parts:
        number = _index(part)
        if part == "*":
            raise Refused("a source's fieldPath cannot hold '*'")
        if part == "-":
            raise Unmodelled("'-' in a replacement source's fieldPath")
        if number is not None or part.startswith("[") and part.endswith("]"):
            if _is_null(node):
                return None
            if not isinstance(node, yaml.SequenceNode):
                raise _kind_error(node, "list")
            work.charge(len(node.value))
            if number is not None:
                if number < 0:
                    raise Refused(f"array index {number} cannot be negative")
                node = node.value[number] if number < len(node.value) else None
            else:
                key, want = _bracket(part)
                node = next((item for item in node.value if _item_is(item, key, want)), None)
        else:
            if _is_null(node):
                return None
            if not isinstance(node, yaml.MappingNode):
                raise _kind_error(node, "map")
            node = nodes.get(node, part)
        if node is None:
            return None
    return node


def _item_is(item: yaml.Node, key: str, want: str) -> bool:
    """kyaml's ElementMatcher: a primitive item whose text is ``want``, or a map item whose ``key``
    holds exactly that text (a map or list there has the text "")."""
    if not key:
        return _text(item) == want
    if not isinstance(item, yaml.MappingNode):
        return False
    value = nodes.get(item, key)
    return value is not None and not nodes.is_null(value) and _text(value) == want


def _text(node: yaml.Node) -> str:
    """A node's ``Value`` to go-yaml: a scalar's text, "" for a map or list."""
    return node.value if isinstance(node, yaml.ScalarNode) else ""


def is_empty(node: yaml.Node | None) -> bool:
    """kyaml's IsNilOrEmpty: absent, null, ``{}`` or ``[]`` (an empty string is a value)."""
    return _is_null(node) or isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.value


# -- targets -------------------------------------------------------------------------------------

# steps a target's path costs on one object, walked and written (measured against a patch's step:
# 300 replacements writing two fields of 3,000 objects ran 17 s before the budget said so)
WRITE_STEPS = 16


def target_path(path: str) -> list[str]:
    """A target's fieldPath in parts (one at least: a path of none would be the whole object)."""
    parts = split_path(path)
    if _bookkeeping(parts):
        raise Unmodelled("a target holding kustomize's own annotations (the object, its metadata or annotations)")
    return parts


Slot = tuple[yaml.Node, int, bool]  # a field's place: (its map, the pair's index) or (its list, the item's
# index), and whether it is written in flow style ({a: b}: a collection in one, or inside one)


class Matcher:
    """kyaml's PathMatcher over one object: the places a path selects, made where the target's
    ``options.create`` says so, as the kind of ``value`` (the source's)."""

    def __init__(self, options: dict, value: yaml.Node) -> None:
        self.create = _kind(value) if options.get("create") else None  # the kind a missing leaf is made as; None: none
        self.like = value  # the marks made nodes take (the source value: where the value was written)

    def targets(self, node: yaml.Node, parts: list[str]) -> list[Slot]:
        """The places the path ``parts`` (:func:`target_path`) selects in the object at ``node``."""
        work.charge(WRITE_STEPS + len(parts))
        return self.match(node, parts, None)  # type: ignore[return-value]

    def match(self, node: yaml.Node, parts: list[str], slot: Slot | None, flow: bool = False) -> list[Slot | None]:
        if not parts:
            return [slot]
        flow = flow or bool(getattr(node, "flow_style", False))
        part = parts[0]
        if part == "":
            raise Unmodelled("an empty part in a replacement target's fieldPath")
        number = _index(part)
        if number is not None and number >= 0:
            return self._at_index(node, number, parts, flow)
        if part.startswith("[") and part.endswith("]"):
            return self._matching(node, parts, flow)
        if part == "*":
            items = self._items(node)
            work.charge(len(items))
            return [
                found for i, item in enumerate(items) for found in self.match(item, parts[1:], (node, i, flow), flow)
            ]
        return self._field(node, parts, flow)

    def _items(self, node: yaml.Node) -> list[yaml.Node]:
        if _is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise _kind_error(node, "list")
        return node.value

    def _made(self, next_part: str) -> yaml.Node:
        """A node for a missing part: a list where the next part indexes one, a map where a field
        follows, the leaf's own kind at the end (kyaml's getPathPartKind)."""
        number = _index(next_part)
        if next_part.startswith("[") and next_part.endswith("]") or number is not None and number >= 0:
            kind = "list"
        elif next_part:
            kind = "map"
        else:
            kind = self.create
        if kind == "map":
            return nodes.mapping([], self.like)
        if kind == "list":
            return nodes.sequence([], self.like)
        return _untagged("", self.like)

    def _at_index(self, node: yaml.Node, number: int, parts: list[str], flow: bool) -> list[Slot | None]:
        items = self._items(node)
        if len(items) == number and self.create:
            if _is_null(node):
                raise Unmodelled("a replacement that creates an item in a null list")
            items.append(self._made(parts[1] if len(parts) > 1 else ""))
        if len(items) < number + 1:
            raise Refused(f"index {number} specified but only {len(items)} elements found")
        return self.match(items[number], parts[1:], (node, number, flow), flow)

    def _matching(self, node: yaml.Node, parts: list[str], flow: bool) -> list[Slot | None]:
        key, pattern = _bracket(parts[0])
        try:
            compiled = regex.compile(pattern)
        except regex.RegexError as exc:
            raise Refused(f"{shown_path(parts[0])} is not a valid pattern: {exc}") from None
        items = self._items(node)
        work.charge(2 * len(items))  # each item's text read and searched
        found: list[Slot | None] = []
        for i, item in enumerate(items):
            if not key:  # the items themselves, whatever the path says after them
                if compiled.search(_emitted(item)) is not None:
                    found.append((node, i, flow))
                continue
            value = nodes.get(item, key) if isinstance(item, yaml.MappingNode) else None
            if value is not None and compiled.search(_emitted(value)) is not None:
                found += self.match(item, parts[1:], (node, i, flow), flow)
        if found or not self.create:
            return found
        if _is_null(node):
            raise Unmodelled("a replacement that creates an item in a null list")
        made = _untagged(pattern, self.like)
        if compiled.search(_emitted(made)) is None:  # kyaml looks for it again, for ever
            raise Unmodelled(f"a replacement that creates {shown_path(parts[0])}, which its own pattern does not match")
        items.append(made if not key else nodes.mapping([(nodes.scalar(key, self.like), made)], self.like))
        return self._matching(node, parts, flow)

    def _field(self, node: yaml.Node, parts: list[str], flow: bool) -> list[Slot | None]:
        if _is_null(node):
            if self.create:
                raise Unmodelled(f"a replacement that creates {shown_path(parts[0])} under a null")
            return []
        if not isinstance(node, yaml.MappingNode):
            raise _kind_error(node, "map")
        work.charge(1 + len(node.value) // work.PAIRS_PER_STEP)  # the key looked up among the map's
        index = next((i for i in range(len(node.value) - 1, -1, -1) if node.value[i][0].value == parts[0]), None)
        if index is None:
            if not self.create:
                return []
            node.value.append((nodes.scalar(parts[0], self.like), self._made(parts[1] if len(parts) > 1 else "")))
            index = len(node.value) - 1
        return self.match(node.value[index][1], parts[1:], (node, index, flow), flow)


_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./")
_LITERAL = _SAFE - {"."} | {":"}  # characters that are themselves in a Go pattern


def _untagged(text: str, like: yaml.Node) -> yaml.ScalarNode:
    """A scalar kyaml makes (no tag: its text is read as a plain scalar's), with ``like``'s marks."""
    made = nodes.scalar(text, like, plain=True)
    made.untagged = True
    return made


def _emitted(node: yaml.Node) -> str:
    """The YAML text kyaml matches a ``[k=v]`` pattern against (the node encoded, trimmed), for the
    scalars whose encoding is certain; others raise Unmodelled."""
    if isinstance(node, yaml.ScalarNode) and node.tag in (PLAIN, STR) and set(node.value) <= _SAFE and node.value:
        if node.style in ("'", '"'):
            return f"{node.style}{node.value}{node.style}"
        untagged = node.tag == PLAIN or getattr(node, "untagged", False)
        if node.style in (None, "") and (untagged or is_string(node.value)):
            return node.value  # plain as read or written, or a string go-yaml would also read back as one
        if node.style in (None, ""):
            return f'"{node.value}"'  # a string that would read as another type is quoted
    raise Unmodelled(
        "a target's [field=value] pattern compared with a value not written plainly (quoted with escapes, "
        "tagged, empty, on several lines or with signs)"
    )


# -- selection -----------------------------------------------------------------------------------


def _ids(res: Resource) -> list[tuple[str, str, str, str, str]]:
    """(group, version, kind, name, namespace) of every id the object has had, as kustomize's
    MakeResIds gives them (previous kinds under the current apiVersion)."""
    api, kind, namespace, name = ident(res.node)
    group, _, version = api.rpartition("/")
    ids = [(group, version, kind, name, namespace)]
    ids += [(group, version, k, n, "" if ns == NOT_NAMESPACED else ns) for k, n, ns in res.history]
    return ids


def _namespace(namespace: str) -> str:
    """The namespace replacements compare: unset and ``default`` are one, for every kind (the ids
    they compare carry no scope)."""
    return namespace or "default"


def _selected(found: tuple[str, str, str, str, str], selector: dict) -> bool:
    for i, field in enumerate(_ID_FIELDS):
        want = selector.get(field)
        if want in (None, ""):
            continue
        have, want = found[i], str(want)
        if field == "namespace":
            have, want = _namespace(have), _namespace(want)
        if have != want:
            return False
    return True


def _as_patterns(found: tuple[str, str, str, str, str], selector: dict) -> bool:
    """How later kustomize versions (5.8 on) select a target: each field a pattern matched whole."""
    for i, field in enumerate(_ID_FIELDS):
        want = selector.get(field)
        if want in (None, ""):
            continue
        try:
            if not regex.fullmatch(str(want), found[i]):
                return False
        except regex.RegexError:
            return False
    return True


def source_of(resources: list[Resource], selector: dict) -> Resource:
    """The one object the source selects, by any id it has had."""
    matches = [r for r in resources if any(_selected(found, selector) for found in _ids(r))]
    if len(matches) != 1:
        shown = (
            ", ".join(f"{f} {shown_path(str(selector[f]))}" for f in _ID_FIELDS if selector.get(f) not in (None, ""))
            or "{}"
        )
        raise Refused(f"{'nothing' if not matches else 'more than one object'} is selected by the source ({shown})")
    return matches[0]


def targets_of(resources: list[Resource], target: dict) -> list[Resource]:
    """The objects a target selects, as kustomize 5.5 selects them; where kustomize 5.8, reading
    the target's fields as patterns, would select others, Unmodelled."""
    select = target.get("select")
    if not isinstance(select, dict):
        raise Refused("a replacement target must specify resources to select ('select')")
    rejects = [r for r in target.get("reject") or [] if isinstance(r, dict)]
    if any(_BOOKKEEPING[2] in str(s.get("annotationSelector") or "") for s in [select, *rejects]):
        raise Unmodelled("a target selected by kustomize's own annotations")
    try:
        wanted = selectors_of(select)
        unwanted = [selectors for selectors in map(selectors_of, rejects) if selectors]
    except SelectorError as exc:
        raise Refused(str(exc)) from None
    by_id = [r for r in rejects if any(r.get(f) not in (None, "") for f in _ID_FIELDS)]  # the rest reject by labels
    # a field without pattern signs reads the same as a pattern (whole-matched); a namespace does not:
    # kustomize 5.5 takes an unset one for "default", 5.8's pattern does not
    both = any(
        f == "namespace" or not set(str(v)) <= _LITERAL
        for sel in [select, *rejects]
        for f, v in sel.items()
        if f in _ID_FIELDS and v not in (None, "")
    )
    out: list[Resource] = []
    for res in resources:
        work.charge(work.IDENTITY_STEPS * (2 + len(res.history)))  # its ids, labels and annotations
        if not meets(res.node, wanted) or any(meets(res.node, selectors) for selectors in unwanted):
            continue
        ids = _ids(res)
        chosen = any(_selected(i, select) for i in ids) and not any(_selected(i, r) for r in by_id for i in ids)
        as_patterns = chosen
        if both:
            as_patterns = any(_as_patterns(i, select) for i in ids) and not any(
                _as_patterns(i, r) for r in by_id for i in ids
            )
        if chosen != as_patterns:
            raise Unmodelled(
                f"a replacement target that kustomize 5.5 and 5.8 select differently ({res.id}): later versions read "
                "its fields as patterns"
            )
        if chosen:
            out.append(res)
    return out


# -- values --------------------------------------------------------------------------------------


def refined(value: yaml.Node, options: dict) -> yaml.Node:
    """The source value, or the ``options.index``-th part of it split at ``options.delimiter``."""
    delimiter = options.get("delimiter") or ""
    if not delimiter:
        return value
    if not isinstance(value, yaml.ScalarNode):
        raise Refused("a delimiter can only be used with a scalar source")
    parts = value.value.split(delimiter)
    index = options.get("index") or 0
    if not 0 <= index < len(parts):
        raise Refused(f"options.index {index} is out of bounds for the source value")
    return yaml.ScalarNode(value.tag, parts[index], value.start_mark, value.end_mark, value.style)


def written(slot: Slot, value: yaml.Node, options: dict) -> tuple[yaml.Node, yaml.Node]:
    """``value`` written at ``slot`` as kustomize's setFieldValue writes it: a scalar keeps its type
    and takes the text, anything else becomes a copy of ``value``. Returns (the node that was
    there, the node now there): kustomize writes into the node itself, so where that node is the
    source's value, later targets take the new text."""
    holder, index, flow = slot
    current = holder.value[index][1] if isinstance(holder, yaml.MappingNode) else holder.value[index]
    delimiter = options.get("delimiter") or ""
    text = value.value if isinstance(value, yaml.ScalarNode) else ""
    if delimiter:
        if not isinstance(current, yaml.ScalarNode):
            raise Refused("a delimiter can only be used with a scalar target")
        parts = current.value.split(delimiter)
        index_option = options.get("index") or 0
        if index_option < 0:
            parts.insert(0, text)
        elif index_option >= len(parts):
            parts.append(text)
        else:
            parts[index_option] = text
        text = delimiter.join(parts)
    if isinstance(current, yaml.ScalarNode):
        # the node keeps its tag and its style (a folded target is printed as one: kustomize.printing.as_printed)
        new: yaml.Node = yaml.ScalarNode(
            _kept_tag(current, text, flow), text, value.start_mark, value.end_mark, current.style
        )
        new.untagged = new.tag == PLAIN  # it keeps no tag for the next replacement either
        if new.tag.startswith(CORE) and new.tag not in (STR, BINARY):
            kind = new.tag[len(CORE) :]
            decoded = resolve_tagged(text, kind)
            if decoded is MISMATCH:
                what = _KINDS.get(kind, f"tagged !!{kind}")
                raise Refused(
                    f"the target is {what} (a replacement keeps its type), which go-yaml cannot read "
                    f"{shown_path(text)} as"
                )
            if type(decoded) is Unencodable:
                raise Refused(f"the target takes {shown_path(text)}, which JSON cannot hold")
        if new.tag == BINARY and base64_text(text, errors="replace") is None:
            raise Refused(f"the target's value is !!binary and {shown_path(text)} is not base64; go-yaml refuses it")
        # written into the node itself: where a transformer set one node at several places (a
        # label in metadata, selector and pod template), they all take the text
        new = overwritten(current, new)
    else:
        new = nodes.copy(value)
        if isinstance(new, yaml.ScalarNode) and delimiter:
            new.value = text
    if isinstance(holder, yaml.MappingNode):  # the entry located where the value was written, as a patch's is
        key = holder.value[index][0]
        holder.value[index] = (yaml.ScalarNode(key.tag, key.value, value.start_mark, value.end_mark, key.style), new)
    else:
        holder.value[index] = new
    return current, new


_KINDS = {"int": "an integer", "float": "a number", "bool": "a boolean", "null": "null", "timestamp": "a timestamp"}


def _kept_tag(node: yaml.ScalarNode, text: str, flow: bool) -> str:
    """The type a scalar keeps when a replacement writes ``text`` into it: the tag go-yaml gave it
    (a plain scalar's resolved type), or none for one a transformer wrote untagged or the
    replacement made."""
    if getattr(node, "untagged", False):
        # no tag (written by a prefix, suffix or image, or made here): go-yaml resolves the new
        # text as a plain scalar's, "" included (null), but in a flow collection ({a: b}), where
        # kustomize writes "" back quoted (the empty string)
        return STR if not text and flow else PLAIN
    if node.tag != PLAIN:
        return node.tag
    kind = plain_tag(node.value)
    return STR if kind == "str" else CORE + kind
