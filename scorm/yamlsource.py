"""YAML loading that remembers line numbers, so every source error can name its line, and `Reader`, field
access on one mapping that reports each mistake with its file and line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from scorm.errors import SourceError


class LineDict(dict[str, Any]):
    """A mapping from a YAML file that knows its own line and each key's line (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise yaml.MarkedYAMLError(
                problem=f"the key '{key}' appears twice", problem_mark=key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml_text(text: str, path: Path, *, line_offset: int = 0) -> Any:
    """Parse YAML; a syntax error becomes a SourceError at its line."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 + line_offset if mark else None
        raise SourceError(path, line, f"not valid YAML: {error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise SourceError(path, None, f"not valid YAML: {error}") from None
    _shift_lines(data, line_offset)
    return data


def _shift_lines(data: Any, offset: int) -> None:
    if not offset:
        return
    if isinstance(data, LineDict):
        data.line += offset
        data.key_lines = {k: v + offset for k, v in data.key_lines.items()}
        for value in data.values():
            _shift_lines(value, offset)
    elif isinstance(data, LineList):
        data.line += offset
        data.item_lines = [v + offset for v in data.item_lines]
        for value in data:
            _shift_lines(value, offset)


def load_yaml_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(path, None, "file not found") from None
    except UnicodeDecodeError as error:
        raise SourceError(path, None, f"not UTF-8 text ({error.reason}); save the file as UTF-8") from None
    return load_yaml_text(text, path)


ITEM_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class Reader:
    """Field access on one YAML mapping that reports mistakes with file and line."""

    def __init__(self, path: Path, data: Any, what: str) -> None:
        if not isinstance(data, LineDict):
            raise SourceError(
                path, getattr(data, "line", None) or 1, f"{what} must be a mapping of 'key: value' lines"
            )
        self.path, self.data, self.what = path, data, what

    def line(self, key: str | None = None) -> int:
        if key is not None and key in self.data.key_lines:
            return self.data.key_lines[key]
        return self.data.line

    def fail(self, key: str | None, message: str) -> SourceError:
        return SourceError(self.path, self.line(key), f"{self.what}: {message}")

    def text(self, key: str, *, required: bool = True) -> str:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(key, f"'{key}' is missing or empty")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(key, f"'{key}' must be text")
        return str(value).strip()

    def integer(self, key: str, low: int, high: int) -> int:
        value = self.data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.fail(key, f"'{key}' must be a whole number from {low} to {high}")
        return value

    def items(self, key: str, *, required: bool = True) -> list[tuple[int, Any]]:
        value = self.data.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, LineList) or (required and not value):
            raise self.fail(key, f"'{key}' must be a list with at least one entry")
        return list(zip(value.item_lines, value, strict=True))

    def strings(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        entries = self.items(key, required=required)
        for line, entry in entries:
            if not isinstance(entry, str) or not entry.strip():
                raise SourceError(self.path, line, f"{self.what}: every entry of '{key}' must be text")
        return tuple(str(entry).strip() for _, entry in entries)

    def languages(self, key: str, default_language: str, allowed: tuple[str, ...]) -> dict[str, str]:
        value = self.data.get(key)
        if not isinstance(value, LineDict):
            raise self.fail(
                key, f"'{key}' must give the text per language, e.g. {{fi: ..., sv: ..., en: ...}}"
            )
        for lang in value:
            if lang not in allowed:
                raise SourceError(self.path, value.key_lines[lang], f"'{key}': unknown language '{lang}'")
        if not str(value.get(default_language) or "").strip():
            raise self.fail(key, f"'{key}' needs the default language '{default_language}'")
        return {lang: str(text).strip() for lang, text in value.items() if text}

    def identifier(self, key: str, pattern: re.Pattern[str] = ITEM_ID_RE) -> str:
        value = self.text(key)
        if not pattern.match(value):
            raise self.fail(key, f"'{key}' may contain only letters, digits, '-' and '_' (got '{value}')")
        return value

    def unknown_keys(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.fail(key, f"unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")


def check_sources(reader: Reader, key: str, known: set[str], *, required: bool = False) -> tuple[str, ...]:
    """The source ids listed under key; each must be one of course.yaml's. Raises SourceError."""
    ids = reader.strings(key, required=required)
    for source_id in ids:
        if source_id not in known:
            raise reader.fail(key, f"source '{source_id}' is not listed under 'sources' in course.yaml")
    return ids
