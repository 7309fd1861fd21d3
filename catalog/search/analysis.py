"""Text analysis for catalogue search: Chinese word segmentation, CJK bigrams and synonym expansion.

Pure functions over strings, shared by indexing and querying so that both see the same tokens.
Segmentation is rjieba (Rust jieba) with our domain words added; Latin words and codes such as
PM2.5, NH3-N, a21026, 500103 or GB3838-2002 come out of it whole and are lowercased.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import rjieba
import yaml

import schemas

SYNONYMS_PATH = Path(schemas.__file__).resolve().parent / "vocab" / "synonyms.yaml"
PINYIN_PATH = Path(schemas.__file__).resolve().parent / "vocab" / "pinyin.tsv"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORDLIKE = re.compile(rf"[0-9a-z{_CJK}]")
# Punctuation (ASCII, general, CJK, full-width) except the ``. - +`` (and full-width ``．－＋``) that
# belong inside codes such as PM2.5 or NH3-N.
_PUNCTUATION = re.compile("[!-*,/:-@\\[-`{-~\u00a0-\u00bf\u2000-\u206f\u3000-\u303f\ufe30-\ufe4f"
                          "\uff01-\uff0a\uff0c\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+")
# Function words that only add noise to a query; they are never required to match.
STOPWORDS = frozenset("的了和与及或在是等之其对按由各")
# A high frequency makes the segmenter keep a domain word whole instead of splitting it.
_DOMAIN_WORD_FREQ = 200_000


def normalize(text: str) -> str:
    """Punctuation to spaces, NFKC (full-width → half-width, subscript digits → digits), lowercase.

    Punctuation goes first: it only separates words, and without full-width punctuation most Chinese
    text is already NFKC, which skips the (slow) normalization pass.
    """
    text = _PUNCTUATION.sub(" ", text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def _is_word(token: str) -> bool:
    return _WORDLIKE.search(token) is not None


def is_cjk(text: str) -> bool:
    return _CJK_RUN.fullmatch(text) is not None


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """(synonym groups, extra segmentation words) from synonyms.yaml."""
    data = yaml.safe_load(SYNONYMS_PATH.read_text(encoding="utf-8"))
    groups = tuple(tuple(dict.fromkeys(normalize(str(t)) for t in entry["terms"])) for entry in data["entries"])
    return groups, tuple(str(w) for w in data.get("words", []))


@lru_cache(maxsize=1)
def synonym_table() -> dict[str, tuple[str, ...]]:
    """Normalized term → every spelling of its group (the term itself first)."""
    table: dict[str, tuple[str, ...]] = {}
    for group in _vocabulary()[0]:
        for term in group:
            others = tuple(t for t in group if t != term)
            table[term] = tuple(dict.fromkeys(table.get(term, (term,)) + others))
    return table


@lru_cache(maxsize=1)
def _segmenter() -> rjieba.Jieba:
    # Our own instance, so the domain words never leak into other users of rjieba's global one.
    jieba = rjieba.Jieba()
    groups, words = _vocabulary()
    for word in [*words, *(t for g in groups for t in g)]:
        if _CJK_RUN.search(word):
            jieba.add_word(word, _DOMAIN_WORD_FREQ, None)
    return jieba


def index_text(text: str) -> str:
    """Search-mode segmentation as one space-separated string, ready for a whitespace tokenizer.

    Search mode also yields the words inside a long word: "地表水水质自动监测" → 地表 地表水 水质 自动
    监测; "GB3838-2002" → gb3838 gb3838-2002.
    """
    return segment_normalized(normalize(text)) if text else ""


def segment_normalized(text: str) -> str:
    """``index_text`` for text that has already been through ``normalize``."""
    return " ".join(_segmenter().cut_for_search(text))


# Whitespace-separated pieces already segmented.  The segmenter never forms a word across
# whitespace, so segmenting piece by piece yields the same tokens; and catalogue text repeats a great
# deal (department names, data elements, district names, tags, boilerplate sentences), so most pieces
# of a document have been seen before when a whole catalogue is indexed.
_SEGMENTED: dict[str, str] = {}
SEGMENT_CACHE_SIZE = 200_000


def segment_pieces(text: str) -> str:
    """The tokens of ``segment_normalized(text)``, space-separated, using the piece cache."""
    cache = _SEGMENTED
    if len(cache) > SEGMENT_CACHE_SIZE:
        cache.clear()
    out = []
    for piece in text.split():
        tokens = cache.get(piece)
        if tokens is None:
            tokens = cache[piece] = " ".join(_segmenter().cut_for_search(piece))
        out.append(tokens)
    return " ".join(out)


def warm_up() -> None:
    """Load the dictionary now (before worker processes fork, so they share it)."""
    _segmenter()


def tokenize(text: str) -> list[str]:
    """The index tokens of ``text``: lowercased words and whole codes (PM2.5, nh3-n, a21026, 500103)."""
    return [token for token in index_text(text).split() if _is_word(token)]


def cjk_bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of every run of Chinese characters (a lone character stays a unigram).

    These let a query match part of a word the segmenter kept whole: 水质 finds 饮用水水质 even
    where the segmenter cut 饮用水 / 水质 differently.
    """
    return bigrams_normalized(normalize(text))


def bigrams_normalized(text: str) -> list[str]:
    """``cjk_bigrams`` for text that has already been through ``normalize``."""
    grams: list[str] = []
    for run in _CJK_RUN.findall(text):
        grams.extend(map(operator.add, run, run[1:]) if len(run) > 1 else (run,))
    return grams


def query_words(q: str) -> list[str]:
    """The words a user typed: precise-mode segmentation of each space-separated part, minus stopwords."""
    words: list[str] = []
    for part in normalize(q).split():
        for piece in _segmenter().cut(part):
            if _is_word(piece) and piece not in STOPWORDS:
                words.append(piece)
    return list(dict.fromkeys(words))


def expand_query(q: str) -> list[tuple[str, ...]]:
    """One group of alternative spellings per query word; a document should match one spelling per group.

    expand_query("细颗粒物 渝中区") → [("细颗粒物", "pm2.5", "a34004"), ("渝中区",)].
    An empty list means the query has nothing to search for (match everything).
    """
    q = q.strip()
    if q in ("*:*", "*"):
        return []
    table = synonym_table()
    groups = [table.get(word, (word,)) for word in query_words(q)]
    distinct: dict[frozenset[str], tuple[str, ...]] = {}
    for group in groups:                                 # "PM2.5 细颗粒物" is one requirement, not two
        distinct.setdefault(frozenset(group), group)
    return list(distinct.values())


@lru_cache(maxsize=1)
def _pinyin() -> tuple[dict[str, str], int]:
    """(reading of each character and of each word read otherwise, the longest such word's length)."""
    table: dict[str, str] = {}
    for line in PINYIN_PATH.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            text, reading = line.split("\t")
            table[text] = reading
    return table, max(len(text) for text in table)


def _reading(word: str, table: dict[str, str], longest: int) -> list[str]:
    """A word's syllables, longest listed word first (长寿区 → 长寿 + 区); other characters
    (Latin, digits) stay together as they are."""
    out: list[str] = []
    other = ""
    i = 0
    while i < len(word):
        for n in range(min(longest, len(word) - i), 0, -1):
            reading = table.get(word[i:i + n])
            if reading is not None:
                if other:
                    out.append(other)
                    other = ""
                out.append(reading)
                i += n
                break
        else:
            other += word[i]
            i += 1
    return [*out, other] if other else out


def title_collation(title: str) -> str:
    """A key that orders titles as Chinese readers expect: by their pinyin reading (toneless, syllable
    by syllable), Latin words and digits in their alphabetical place among the syllables; titles that
    read alike then by their characters.  The title is segmented first, so a character with several
    readings is read as in its word (长江 chang jiang, 市长 shi zhang)."""
    text = " ".join(unicodedata.normalize("NFKC", title).casefold().split())
    table, longest = _pinyin()
    syllables = [s for word in _segmenter().cut(text) for s in _reading(word, table, longest)]
    reading = " ".join(" ".join(syllables).split())
    return f"{reading}\x1e{text}"
