"""YAML read with line numbers, and readers that collect every problem instead of stopping.

A user's mistake must come back as one message listing all of them, each naming the file, the
line, the key path and what was expected. So values are read from PyYAML nodes (which keep
their marks) rather than from plain dicts, and each reader records problems and carries on with
a harmless placeholder.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml

__all__ = [
    "ConfigError",
    "MapReader",
    "Problems",
    "Value",
    "load_yaml_file",
]

T = TypeVar("T")


class ConfigError(Exception):
    """The configuration has mistakes; `problems` lists each one as `file:line: key: message`."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the configuration:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


@dataclass
class Problems:
    """Errors and warnings gathered while reading, in the order found."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @staticmethod
    def _format(file: str, line: int | None, path: str, message: str) -> str:
        where = f"{file}:{line}" if line is not None else file
        return f"{where}: {path}: {message}" if path else f"{where}: {message}"

    def error(self, file: str, line: int | None, path: str, message: str) -> None:
        self.errors.append(self._format(file, line, path, message))

    def warn(self, file: str, line: int | None, path: str, message: str) -> None:
        self.warnings.append(self._format(file, line, path, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ConfigError(self.errors)


def describe(node: yaml.Node) -> str:
    """How a value looks to the user, for the `got ...` part of a message."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == "tag:yaml.org,2002:null":
        return "nothing"
    return repr(node.value)


_constructor = yaml.SafeLoader("")


def _construct_scalar(node: yaml.ScalarNode) -> object:
    return _constructor.construct_object(node, deep=True)


class Value:
    """One YAML node with its key path; typed accessors report mistakes and return placeholders."""

    def __init__(self, node: yaml.Node, path: str, file: str, problems: Problems,
                 key_line: int | None = None) -> None:
        self.node = node
        self.path = path
        self.file = file
        self.problems = problems
        self._key_line = key_line

    @property
    def line(self) -> int:
        """The value's line; for a value under a key, the key's line (where a block starts)."""
        if self._key_line is not None:
            return self._key_line
        return int(self.node.start_mark.line) + 1

    def error(self, message: str) -> None:
        self.problems.error(self.file, self.line, self.path, message)

    def warn(self, message: str) -> None:
        self.problems.warn(self.file, self.line, self.path, message)

    def expected(self, what: str) -> None:
        self.error(f"expected {what}, got {describe(self.node)}")

    def child(self, node: yaml.Node, suffix: str, key_line: int | None = None) -> Value:
        return Value(node, f"{self.path}{suffix}" if self.path else suffix.lstrip("."),
                     self.file, self.problems, key_line)

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.node, yaml.MappingNode)

    @property
    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and self.node.tag.endswith(":null")

    def _scalar(self) -> object | None:
        if not isinstance(self.node, yaml.ScalarNode) or self.is_null:
            return None
        try:
            return _construct_scalar(self.node)
        except yaml.YAMLError:
            return None

    def as_str(self, placeholder: str = "") -> str:
        """A text value; numbers are taken as written (`95598`, `0123` stay as typed)."""
        value = self._scalar()
        if isinstance(value, bool) or value is None:
            self.expected("a text value")
            return placeholder
        if isinstance(value, str):
            return value
        # Digit strings such as PINs and phone numbers: keep the source text, not int(0123).
        assert isinstance(self.node, yaml.ScalarNode)
        return str(self.node.value)

    def as_digits(self, what: str = "digits", *, allowed: str = "0123456789") -> str:
        text = self.as_str()
        if text and not all(c in allowed for c in text):
            self.error(f"expected {what} (characters {allowed}), got {text!r}")
        return text

    def as_int(self, *, low: int | None = None, high: int | None = None) -> int:
        value = self._scalar()
        if isinstance(value, bool) or not isinstance(value, int):
            self.expected("a whole number")
            return low if low is not None else 0
        self._check_range(value, low, high)
        return value

    def as_number(self, *, low: float | None = None, high: float | None = None) -> float:
        value = self._scalar()
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.expected("a number")
            return low if low is not None else 0.0
        self._check_range(value, low, high)
        return float(value)

    def _check_range(self, value: float, low: float | None, high: float | None) -> None:
        if low is not None and high is not None and not low <= value <= high:
            self.error(f"expected a number from {low:g} to {high:g}, got {value:g}")
        elif low is not None and value < low:
            self.error(f"expected a number of at least {low:g}, got {value:g}")
        elif high is not None and value > high:
            self.error(f"expected a number of at most {high:g}, got {value:g}")

    def as_bool(self) -> bool:
        value = self._scalar()
        if not isinstance(value, bool):
            self.expected("true or false")
            return False
        return value

    def as_choice(self, options: Sequence[str]) -> str:
        text = self._scalar()
        if not isinstance(text, str) or text not in options:
            self.error(f"expected one of {', '.join(options)}, got {describe(self.node)}")
            return options[0]
        return text

    def as_date(self) -> datetime.date | None:
        value = self._scalar()
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        self.expected("a date (YYYY-MM-DD)")
        return None

    def as_pattern(self) -> re.Pattern[str] | None:
        text = self.as_str()
        try:
            return re.compile(text)
        except re.error as exc:
            self.error(f"expected a regular expression, got {text!r} ({exc})")
            return None

    def as_list(self) -> list[Value]:
        """Items of a list; a single scalar counts as a one-item list."""
        if isinstance(self.node, yaml.SequenceNode):
            return [self.child(item, f"[{i}]") for i, item in enumerate(self.node.value)]
        if isinstance(self.node, yaml.ScalarNode) and not self.is_null:
            return [self]
        self.expected("a list")
        return []

    def as_strs(self) -> list[str]:
        return [item.as_str() for item in self.as_list()]

    def as_map(self) -> MapReader | None:
        if not isinstance(self.node, yaml.MappingNode):
            self.expected("a mapping")
            return None
        return MapReader(self)


class MapReader:
    """Keys of one YAML mapping. Keys read are marked used; `finish()` reports the rest."""

    def __init__(self, value: Value) -> None:
        assert isinstance(value.node, yaml.MappingNode)
        self.value = value
        self._entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        self._used: set[str] = set()
        for key_node, value_node in value.node.value:
            key = str(key_node.value)
            if key in self._entries:
                first = self._entries[key][0].start_mark.line + 1
                duplicate = value.child(key_node, f".{key}")
                duplicate.error(f"duplicate key (first given on line {first})")
                continue
            self._entries[key] = (key_node, value_node)

    @property
    def path(self) -> str:
        return self.value.path

    @property
    def line(self) -> int:
        return self.value.line

    def error(self, message: str) -> None:
        self.value.error(message)

    def keys(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def get(self, key: str) -> Value | None:
        entry = self._entries.get(key)
        self._used.add(key)
        if entry is None:
            return None
        return self.value.child(entry[1], f".{key}", entry[0].start_mark.line + 1)

    def key_value(self, key: str) -> Value | None:
        """The key itself (for errors about a name rather than its value)."""
        entry = self._entries.get(key)
        return None if entry is None else self.value.child(entry[0], f".{key}")

    def require(self, key: str, what: str) -> Value | None:
        found = self.get(key)
        if found is None:
            self.error(f"missing key '{key}' ({what})")
        return found

    def items(self) -> list[tuple[str, Value]]:
        return [(key, v) for key in self._entries if (v := self.get(key)) is not None]

    def read(self, key: str, reader: Callable[[Value], T], default: T) -> T:
        found = self.get(key)
        return default if found is None or found.is_null else reader(found)

    def text(self, key: str, default: str) -> str:
        return self.read(key, Value.as_str, default)

    def required_text(self, key: str, what: str) -> str:
        found = self.require(key, what)
        return "" if found is None else found.as_str()

    def integer(self, key: str, default: int, *, low: int | None = None,
                high: int | None = None) -> int:
        return self.read(key, lambda v: v.as_int(low=low, high=high), default)

    def number(self, key: str, default: float, *, low: float | None = None,
               high: float | None = None) -> float:
        return self.read(key, lambda v: v.as_number(low=low, high=high), default)

    def optional_number(self, key: str, *, low: float | None = None) -> float | None:
        found = self.get(key)
        return None if found is None or found.is_null else found.as_number(low=low)

    def flag(self, key: str, default: bool) -> bool:
        return self.read(key, Value.as_bool, default)

    def choice(self, key: str, options: Sequence[str], default: str) -> str:
        return self.read(key, lambda v: v.as_choice(options), default)

    def values(self, key: str) -> list[Value]:
        found = self.get(key)
        return [] if found is None or found.is_null else found.as_list()

    def strs(self, key: str) -> list[str]:
        return [item.as_str() for item in self.values(key)]

    def section(self, key: str) -> MapReader | None:
        """A nested mapping; absent or empty means defaults, so None without an error."""
        found = self.get(key)
        if found is None or found.is_null:
            return None
        return found.as_map()

    def finish(self, extra_known: Iterable[str] = ()) -> None:
        known = set(self._used) | set(extra_known)
        for key, (key_node, _) in self._entries.items():
            if key in known:
                continue
            hint = difflib.get_close_matches(key, sorted(known), n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            self.value.child(key_node, f".{key}").error(f"unknown key{suggestion}")


def load_yaml_file(path: Path, problems: Problems, display: str | None = None) -> Value | None:
    """Parse one file into a node tree; a missing file or broken YAML is recorded, not raised."""
    name = display if display is not None else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problems.error(name, None, "", f"cannot read the file ({exc.strerror or exc})")
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problems.error(name, line, "", f"invalid YAML: {exc.problem or exc.context}")
        return None
    except yaml.YAMLError as exc:
        problems.error(name, None, "", f"invalid YAML: {exc}")
        return None
    if node is None:
        problems.error(name, None, "", "the file is empty")
        return None
    return Value(node, "", name, problems)
