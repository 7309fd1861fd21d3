"""Read YAML keeping the line of every key and list item, so problems can name their line."""

from __future__ import annotations

from typing import Any

import yaml

Path = tuple[str | int, ...]


class DuplicateKey(Exception):
    def __init__(self, key: str, line: int, path: Path) -> None:
        super().__init__(key)
        self.key, self.line, self.path = key, line, path


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int], duplicates: list[DuplicateKey]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                duplicates.append(DuplicateKey(key, line, path))
            seen.add(key)
            lines.setdefault(path + (key,), line)
            _walk(value_node, path + (key,), lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            _walk(item, path + (index,), lines, duplicates)


def load_with_lines(text: str) -> tuple[Any, dict[Path, int], list[DuplicateKey]]:
    """Parse one YAML document; raises yaml.YAMLError.  Returns (data, path→line, duplicate keys)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    lines: dict[Path, int] = {(): node.start_mark.line + 1}
    duplicates: list[DuplicateKey] = []
    _walk(node, (), lines, duplicates)
    return data, lines, duplicates


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of ``path`` or of its nearest ancestor that has one."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
