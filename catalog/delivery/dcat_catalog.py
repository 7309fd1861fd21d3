"""The DCAT-AP 3 catalogue graph: the site's dcat:Catalog, its datasets, and Hydra paging."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from .dcat import (
    CHINA,
    HYDRA,
    THEME_SCHEME,
    Entry,
    Publisher,
    Site,
    _agent,
    _date_literal,
    _eu_concept,
    _language,
    _text,
    _typed,
    add_dataset,
    new_graph,
)


def catalog_graph(site: Site, entries: Iterable[Entry], *, page: int = 1, per_page: int = 100,
                  total: int | None = None, modified: datetime | None = None) -> Graph:
    g = new_graph()
    cat = URIRef(f"{site.base_url}/catalog")
    g.add((cat, RDF.type, DCAT.Catalog))
    _text(g, cat, DCTERMS.title, site.title, site.title_en or None)
    _text(g, cat, DCTERMS.description, site.description, None)
    g.add((cat, DCTERMS.publisher, _agent(g, site, Publisher(site.publisher_code, site.publisher_name))))
    g.add((cat, FOAF.homepage, _typed(g, site.base_url + "/", FOAF.Document)))
    for code in site.language:
        g.add((cat, DCTERMS.language, _language(g, code)))
    g.add((cat, DCAT.themeTaxonomy, _eu_concept(g, str(THEME_SCHEME), SKOS.ConceptScheme)))
    g.add((cat, DCTERMS.spatial, _typed(g, str(CHINA), DCTERMS.Location)))
    if modified:
        g.add((cat, DCTERMS.modified, _date_literal(modified)))
    count = 0
    for entry in entries:
        g.add((cat, DCAT.dataset, add_dataset(g, site, entry)))
        count += 1
    _hydra(g, site, page, per_page, count if total is None else total)
    return g


def _hydra(g: Graph, site: Site, page: int, per_page: int, total: int) -> None:
    last = max(1, -(-total // per_page))
    view = URIRef(f"{site.base_url}/catalog?page={page}")
    g.add((view, RDF.type, HYDRA.PartialCollectionView))
    g.add((view, HYDRA.totalItems, Literal(total, datatype=XSD.nonNegativeInteger)))
    g.add((view, HYDRA.itemsPerPage, Literal(per_page, datatype=XSD.nonNegativeInteger)))
    g.add((view, HYDRA.first, URIRef(f"{site.base_url}/catalog?page=1")))
    g.add((view, HYDRA.last, URIRef(f"{site.base_url}/catalog?page={last}")))
    if page > 1:
        g.add((view, HYDRA.previous, URIRef(f"{site.base_url}/catalog?page={min(page - 1, last)}")))
    if page < last:
        g.add((view, HYDRA.next, URIRef(f"{site.base_url}/catalog?page={page + 1}")))
