"""The op payload tables of SPEC.md §7.5, generated from the registered msgspec types.

Why generated: a hand-written table drifts from the code the first time a field is added, and a
client author trusts the SPEC. A test compares SPEC.md with this output, so they cannot disagree.
"""

from __future__ import annotations

from msgspec import NODEFAULT
from msgspec import inspect as mi

from sync.registry import Registry

BEGIN = "<!-- op-payloads:begin (generated: python -m server.syncapi.spec_doc --write) -->"
END = "<!-- op-payloads:end -->"


def _type_text(info: mi.Type) -> str:
    if isinstance(info, mi.UnionType):
        parts = [_type_text(t) for t in info.types if not isinstance(t, mi.NoneType)]
        nullable = any(isinstance(t, mi.NoneType) for t in info.types)
        return " or ".join(parts) + (" or null" if nullable else "")
    if isinstance(info, mi.IntType):
        return "integer" + _bounds(info.ge, info.gt, info.le, info.lt)
    if isinstance(info, mi.StrType):
        rules = []
        if info.min_length is not None:
            rules.append(f"≥ {info.min_length} chars")
        if info.max_length is not None:
            rules.append(f"≤ {info.max_length} chars")
        if info.pattern is not None:
            rules.append(f"matches `{info.pattern}`")
        return "string" + (f" ({', '.join(rules)})" if rules else "")
    if isinstance(info, mi.LiteralType):
        return "one of " + ", ".join(f"`{v}`" for v in info.values)
    if isinstance(info, mi.DateType):
        return "date (YYYY-MM-DD)"
    if isinstance(info, mi.DateTimeType):
        return "RFC 3339 time"
    if isinstance(info, mi.BoolType):
        return "boolean"
    if isinstance(info, mi.ListType):
        return f"list of {_type_text(info.item_type)}" + (
            f" (≤ {info.max_length})" if info.max_length is not None else ""
        )
    if isinstance(info, mi.StructType):
        return f"object `{info.cls.__name__}`"
    return type(info).__name__.removesuffix("Type").lower()


def _bounds(ge: int | None, gt: int | None, le: int | None, lt: int | None) -> str:
    rules = []
    if ge is not None:
        rules.append(f"≥ {ge}")
    if gt is not None:
        rules.append(f"> {gt}")
    if le is not None:
        rules.append(f"≤ {le}")
    if lt is not None:
        rules.append(f"< {lt}")
    return f" ({', '.join(rules)})" if rules else ""


def _struct_table(struct: mi.StructType) -> list[str]:
    lines = ["| field | type | required | default |", "|---|---|---|---|"]
    for f in struct.fields:
        default = "" if f.required else ("null" if f.default is None else f"`{f.default}`")
        if not f.required and f.default is NODEFAULT:
            default = "(factory)"
        lines.append(f"| `{f.encode_name}` | {_type_text(f.type)} | {'yes' if f.required else 'no'} | {default} |")
    return lines


def _nested(info: mi.Type) -> list[mi.StructType]:
    if isinstance(info, mi.StructType):
        return [info]
    if isinstance(info, mi.ListType):
        return _nested(info.item_type)
    if isinstance(info, mi.UnionType):
        return [s for t in info.types for s in _nested(t)]
    return []


def payload_tables(registry: Registry) -> str:
    """Markdown: per op, its kind, version and payload fields (nested objects after it)."""
    out = [BEGIN, ""]
    for spec in registry.specs():
        if spec.name.startswith("test."):
            continue
        info = mi.type_info(spec.payload_type)
        assert isinstance(info, mi.StructType)
        out.append(f"#### `{spec.name}` — {spec.kind.value}, version {spec.version}")
        out.append("")
        if spec.description:
            out.extend([spec.description, ""])
        out.extend(_struct_table(info))
        out.append("")
        for f in info.fields:
            for nested in _nested(f.type):
                out.extend([f"`{nested.cls.__name__}`:", "", *_struct_table(nested), ""])
    out.append(END)
    return "\n".join(out)
