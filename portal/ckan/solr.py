"""The part of Solr's query syntax that CKAN clients put in ``q`` and ``fq``, parsed into a tree.

CKAN hands ``q`` and ``fq`` to Solr, so clients and harvesters speak Lucene syntax to it, e.g. the
CKAN harvester's ``organization:a OR organization:b``, ``-groups:x`` and
``metadata_modified:[2026-11-29T08:00:00.000000Z TO *]``.  This module reads that syntax:

    expr    := and_expr ("OR" and_expr)*
    and_expr:= unary (["AND"] unary)*              (juxtaposition means AND, as in CKAN's schema)
    unary   := ("-" | "+" | "NOT" | "!") unary | primary
    primary := "(" expr ")" | FIELD ":" value | WORD | "PHRASE" | "*:*"
    value   := WORD | "PHRASE" | "*" | ("[" | "{") bound "TO" bound ("]" | "}") | "(" values ")"

and gives a tree of ``Field``/``Text``/``Everything`` leaves under ``And``/``Or``/``Negated``.  What
the fields mean (and which are allowed where) is the caller's business: see ``query``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalog.errors import Location, Problem, ValidationFailed


@dataclass(frozen=True)
class Bounds:
    lower: str                                           # "*" for unbounded
    upper: str
    include_lower: bool
    include_upper: bool


@dataclass(frozen=True)
class Field:
    name: str
    value: str | Bounds | Node                           # a Node: ``tags:(a OR b)``, of Text leaves


@dataclass(frozen=True)
class Text:
    value: str
    phrase: bool = False


@dataclass(frozen=True)
class Everything:
    """``*:*``"""


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Negated:
    part: Node


Node = Field | Text | Everything | And | Or | Negated

_TOKEN = re.compile(r'''
    \s*(?:
      (?P<open>\() | (?P<close>\)) | (?P<range_open>[\[{]) | (?P<range_close>[\]}])
    | (?P<phrase>"(?:[^"\\]|\\.)*")
    | (?P<field>[A-Za-z_][A-Za-z0-9_.]*|\*):(?=\S)
    | (?P<word>(?:[^\s()\[\]{}"\\]|\\.)+)
    )''', re.VERBOSE)
_OPERATORS = {"AND", "OR", "NOT", "&&", "||", "TO"}


class SyntaxProblem(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].isspace():
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise SyntaxProblem(f"“{text[pos:pos + 20]}”附近无法解析|cannot read the query near {text[pos:pos + 20]!r}")
        kind = m.lastgroup or ""
        value = m[kind]
        if kind == "word" and value in _OPERATORS:
            kind = "op"
        elif kind == "word" and value in ("+", "-", "!"):
            kind = "sign"
        elif kind == "word" and value[0] in "+-!" and len(value) > 1:
            out.append(("sign", value[0]))
            value = value[1:]
            if ":" in value and re.match(r"[A-Za-z_][A-Za-z0-9_.]*:|\*:", value):
                field, rest = value.split(":", 1)
                out.append(("field", field))
                if rest:
                    out.append(("word", rest))
                pos = m.end()
                continue
        out.append((kind, value))
        pos = m.end()
    return out


def _unescape(word: str) -> str:
    return re.sub(r"\\(.)", r"\1", word)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise SyntaxProblem("查询意外结束|the query ends too early")
        self.i += 1
        return token

    def expect(self, kind: str, what: str) -> tuple[str, str]:
        token = self.take()
        if token[0] != kind:
            raise SyntaxProblem(f"此处应为{what}，而不是“{token[1]}”|expected {what} here, not {token[1]!r}")
        return token

    def parse(self) -> Node | None:
        if not self.tokens:
            return None
        node = self.expr()
        if self.peek() is not None:
            raise SyntaxProblem(f"多余的“{self.peek()[1]}”|unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return node

    def expr(self) -> Node:
        parts = [self.and_expr()]
        while self.peek() in (("op", "OR"), ("op", "||")):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.unary()]
        while (token := self.peek()) is not None and token[0] != "close" and token not in (("op", "OR"), ("op", "||")):
            if token in (("op", "AND"), ("op", "&&")):
                self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        token = self.peek()
        if token in (("sign", "-"), ("sign", "!"), ("op", "NOT")):
            self.take()
            return Negated(self.unary())
        if token == ("sign", "+"):
            self.take()
            return self.unary()
        return self.primary()

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "open":
            node = self.expr()
            self.expect("close", "“)”")
            return node
        if kind == "field":
            if value == "*":
                self.expect("word", "“*”")               # *:* — the only use of a star field
                return Everything()
            return Field(value, self.value())
        if kind == "phrase":
            return Text(_unescape(value[1:-1]), phrase=True)
        if kind == "word":
            return Text(_unescape(value))
        raise SyntaxProblem(f"此处不能出现“{value}”|{value!r} cannot stand here")

    def value(self) -> str | Bounds | Node:
        kind, value = self.take()
        if kind == "word":
            return _unescape(value)
        if kind == "phrase":
            return _unescape(value[1:-1])
        if kind == "range_open":
            lower = self._bound()
            self.expect("op", "“TO”")
            upper = self._bound()
            close = self.expect("range_close", "“]”或“}”")[1]
            return Bounds(lower, upper, value == "[", close == "]")
        if kind == "open":
            node = self.expr()
            self.expect("close", "“)”")
            return node
        raise SyntaxProblem(f"字段值不能是“{value}”|a field value cannot be {value!r}")

    def _bound(self) -> str:
        kind, value = self.take()
        if kind not in ("word", "phrase"):
            raise SyntaxProblem(f"范围边界不能是“{value}”|a range bound cannot be {value!r}")
        return _unescape(value.strip('"'))


def parse(text: str, param: str) -> Node | None:
    """The query tree of ``text`` (None when empty); a syntax error names the parameter and the place."""
    try:
        return _Parser(text).parse()
    except SyntaxProblem as exc:
        zh, en = str(exc).split("|", 1)
        raise ValidationFailed(f"参数 {param} 的查询语法有误：{zh}", f"Bad query syntax in {param}: {en}",
                               problems=[Problem("invalid_parameter", f"查询语法有误：{zh}", f"Bad query syntax: {en}",
                                                 Location(field=param))]) from None
