"""`acd ari-codegen`: turn Asterisk's ARI api-docs into frozen dataclasses.

Reads the swagger 1.2 documents Asterisk serves under `/ari/api-docs/` (or a directory
of them) and writes `acd/ari/models_generated.py`: one frozen dataclass per model, with
a `from_json` constructor that ignores unknown keys, and `EVENT_TYPES` mapping each
message `type` to its class.
"""

from __future__ import annotations

import argparse
import base64
import json
import keyword
import os
import sys
import textwrap
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["generate", "load_from_dir", "load_from_url", "main"]

_WIDTH = 100
DEFAULT_OUTPUT = Path(__file__).with_name("models_generated.py")

_PRIMITIVES: dict[str, tuple[str, str]] = {
    # swagger type -> (python annotation, converter)
    "string": ("str", "str"),
    "int": ("int", "int"),
    "long": ("int", "int"),
    "double": ("float", "float"),
    "boolean": ("bool", "bool"),
    "Date": ("str", "str"),
    "object": ("Mapping[str, Any]", "_obj"),
    "containers": ("Mapping[str, Any]", "_obj"),
}


def load_from_dir(directory: Path) -> dict[str, Mapping[str, Any]]:
    """Every `*.json` api-doc in `directory` except the resource listing."""
    docs: dict[str, Mapping[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        if path.name == "resources.json":
            continue
        docs[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    if not docs:
        raise SystemExit(f"ari-codegen: no api-docs *.json files in {directory}")
    return docs


def load_from_url(base_url: str, user: str, password: str) -> dict[str, Mapping[str, Any]]:
    """Fetch `resources.json` and every api-doc it lists from a running Asterisk."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    headers = {"Authorization": f"Basic {token}"}
    root = base_url.rstrip("/") + "/ari"

    def fetch(path: str) -> Any:
        request = urllib.request.Request(root + path, headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read().decode("utf-8"))

    listing = fetch("/api-docs/resources.json")
    docs: dict[str, Mapping[str, Any]] = {}
    for api in listing.get("apis", []):
        path = str(api["path"]).replace("{format}", "json")
        docs[Path(path).stem] = fetch(path)
    return docs


def _collect(docs: Mapping[str, Mapping[str, Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    models: dict[str, Any] = {}
    for name in sorted(docs):
        for model_id, model in docs[name].get("models", {}).items():
            models[model_id] = model
    parents: dict[str, str] = {}
    for model_id, model in models.items():
        for sub in model.get("subTypes", []):
            parents[sub] = model_id
        if "extends" in model:
            parents[model_id] = model["extends"]
    return models, parents


def _py_name(key: str) -> str:
    name = key.replace("-", "_")
    return name + "_" if keyword.iskeyword(name) else name


def _ancestors(model_id: str, parents: Mapping[str, str]) -> list[str]:
    chain: list[str] = []
    while model_id in parents:
        model_id = parents[model_id]
        chain.append(model_id)
    return chain


def _field_type(swagger_type: str, models: Mapping[str, Any]) -> tuple[str, str, bool]:
    """(annotation, converter expression, is_list) for one swagger type."""
    if swagger_type.startswith("List[") and swagger_type.endswith("]"):
        inner, conv, _ = _field_type(swagger_type[5:-1], models)
        return f"tuple[{inner}, ...]", conv, True
    if swagger_type in _PRIMITIVES:
        annotation, conv = _PRIMITIVES[swagger_type]
        return annotation, conv, False
    if swagger_type in models:
        return swagger_type, f"{swagger_type}.from_json", False
    return "Any", "_any", False


def _order(models: Mapping[str, Any], parents: Mapping[str, str]) -> list[str]:
    ordered: list[str] = []

    def visit(model_id: str) -> None:
        if model_id in ordered:
            return
        if model_id in parents and parents[model_id] in models:
            visit(parents[model_id])
        ordered.append(model_id)

    for model_id in sorted(models):
        visit(model_id)
    return ordered


def _docstring(text: str) -> str:
    first = (text or "").strip().split("\n")[0].replace('"""', "'''").replace("\\", "\\\\")
    return first or "ARI model."


def _emit_class(model_id: str, models: Mapping[str, Any], parents: Mapping[str, str]) -> list[str]:
    model = models[model_id]
    parent = parents.get(model_id)
    lines = ["", "", "@dataclass(frozen=True, kw_only=True, slots=True)"]
    lines.append(f"class {model_id}({parent}):" if parent else f"class {model_id}:")
    doc = _docstring(model.get("description", ""))
    if len(doc) + 10 <= _WIDTH:
        lines.append(f'    """{doc}"""')
    else:
        lines += ['    """', *textwrap.wrap(doc, _WIDTH - 4, initial_indent="    ",
                                           subsequent_indent="    "), '    """']
    lines.append("")
    own = model.get("properties", {})
    inherited: dict[str, Any] = {}
    for ancestor in reversed(_ancestors(model_id, parents)):
        inherited.update(models.get(ancestor, {}).get("properties", {}))
    every = {**inherited, **own}
    for key, prop in own.items():
        if key in inherited:
            continue
        annotation, _, _ = _field_type(prop["type"], models)
        if prop.get("required"):
            lines.append(f"    {_py_name(key)}: {annotation}")
        else:
            lines.append(f"    {_py_name(key)}: {annotation} | None = None")
    if not any(key not in inherited for key in own):
        lines.append("    pass" if not every else "")
    lines += [
        "",
        "    @classmethod",
        f"    def from_json(cls, d: Mapping[str, Any]) -> {model_id}:",
        "        return cls(",
    ]
    for key, prop in every.items():
        _, conv, is_list = _field_type(prop["type"], models)
        if prop.get("required"):
            value = f'_tuple(d["{key}"], {conv})' if is_list else f'{conv}(d["{key}"])'
        else:
            helper = "_opt_tuple" if is_list else "_opt"
            value = f'{helper}(d.get("{key}"), {conv})'
        line = f"            {_py_name(key)}={value},"
        if len(line) > _WIDTH:
            head, _, rest = value.partition("(")
            pad = " " * 12
            line = f"{pad}{_py_name(key)}={head}(\n{pad}    {rest[:-1]}\n{pad}),"
        lines.append(line)
    lines.append("        )")
    return [line for i, line in enumerate(lines) if line or i < 4 or lines[i - 1] != ""]


_PRELUDE = '''
"""ARI models and events, one frozen dataclass per api-docs model."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

_T = TypeVar("_T")


def _any(value: Any) -> Any:
    return value


def _obj(value: Any) -> Mapping[str, Any]:
    return dict(value)


def _opt(value: Any, conv: Callable[[Any], _T]) -> _T | None:
    return None if value is None else conv(value)


def _tuple(value: Any, conv: Callable[[Any], _T]) -> tuple[_T, ...]:
    return tuple(conv(item) for item in value)


def _opt_tuple(value: Any, conv: Callable[[Any], _T]) -> tuple[_T, ...] | None:
    return None if value is None else _tuple(value, conv)
'''


def generate(docs: Mapping[str, Mapping[str, Any]], command: str) -> str:
    """Python source for every model in `docs`."""
    models, parents = _collect(docs)
    versions = sorted({str(doc.get("apiVersion", "?")) for doc in docs.values()})
    order = _order(models, parents)
    messages = [
        m for m in order if "Message" in _ancestors(m, parents) and m not in ("Message", "Event")
    ]
    out = [
        f"# Generated by `{command}`; do not edit.",
        f"# Source: Asterisk ARI api-docs, apiVersion {', '.join(versions)}.",
        *_PRELUDE.strip("\n").split("\n"),
    ]
    for model_id in order:
        out += _emit_class(model_id, models, parents)
    out += ["", "", "# Message `type` -> class, for every concrete message in the api-docs."]
    out.append("EVENT_TYPES: dict[str, type[Message]] = {")
    out += [f'    "{m}": {m},' for m in messages]
    out += ["}", "", "__all__ = [", '    "EVENT_TYPES",']
    out += [f'    "{name}",' for name in sorted(order)]
    out += ["]", ""]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="acd ari-codegen", description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--url", help="Asterisk HTTP base, e.g. http://127.0.0.1:8088")
    source.add_argument("--from-dir", type=Path, help="directory of api-docs *.json files")
    parser.add_argument("--user", help="ARI user (password from env ARI_PASSWORD)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.url:
        password = os.environ.get("ARI_PASSWORD")
        if not args.user or password is None:
            print("ari-codegen: --url needs --user and ARI_PASSWORD in the environment",
                  file=sys.stderr)
            return 2
        docs = load_from_url(args.url, args.user, password)
        command = f"acd ari-codegen --url {args.url} --user {args.user}"
    else:
        docs = load_from_dir(args.from_dir)
        command = f"acd ari-codegen --from-dir {args.from_dir.as_posix()}"
    args.output.write_text(generate(docs, command), encoding="utf-8")
    print(f"ari-codegen: wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
