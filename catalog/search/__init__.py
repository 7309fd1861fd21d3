"""Catalogue search: one small contract (``base``) and the backend chosen by ``ECODATA_SEARCH_URL``."""

from __future__ import annotations

from pathlib import Path

from ..errors import EcodataError
from .base import SearchIndex, SearchQuery, SearchResult

__all__ = ["SearchIndex", "SearchQuery", "SearchResult", "SearchBackendUnavailable", "open_index"]


class SearchBackendUnavailable(EcodataError):
    status = 501
    code = "search_backend_unavailable"


def open_index(url: str, home: Path) -> SearchIndex:
    """The search index a setting value names: empty → embedded Tantivy in ``home/search``."""
    url = (url or "").strip()
    if not url:
        from .tantivy_index import TantivyIndex

        return TantivyIndex(Path(home) / "search")
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in {"elasticsearch", "http", "https"}:
        raise SearchBackendUnavailable(
            "Elasticsearch 检索后端尚未实现，请将 ECODATA_SEARCH_URL 留空以使用内置检索索引",
            f"The Elasticsearch search backend is not built yet ({scheme}://...); leave ECODATA_SEARCH_URL "
            "empty to use the embedded Tantivy index", code="search_backend_not_built")
    raise SearchBackendUnavailable(
        f"无法识别的检索后端地址“{url}”，请留空或填写 Elasticsearch 地址",
        f"Unrecognised ECODATA_SEARCH_URL {url!r}: leave it empty (embedded index) or give an Elasticsearch URL",
        code="search_backend_unknown")
