"""DCAT-AP 3 graphs of the catalogue and of single datasets (rdflib), with Hydra paging.

Input is the profile record (``catalog.records.dataset_record``) and the distributions the caller
may see (released artifacts only).  The open attribute maps to the EU access-right table and the
update cycle to the EU frequency table (domain-standards §4).  The share attribute (共享属性) and
anything withheld by the disclosure rules have no mapping here, so they can never be emitted.
Resources referenced by IRI are typed (dct:Frequency, dct:LicenseDocument …) as the DCAT-AP range
shapes require.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from schemas import vocab_index

DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
EU = "http://publications.europa.eu/resource/authority/"
THEME_SCHEME = URIRef(EU + "data-theme")
LANGUAGES = {"zh": "ZHO", "en": "ENG", "bo": "BOD", "ug": "UIG", "mn": "MON"}
STABLE = URIRef(EU + "planned-availability/STABLE")
# English labels of the EU concepts we reference, so a consumer without the EU tables can show them.
EU_LABELS = {"data-theme/ENVI": "Environment", "data-theme/HEAL": "Health", "data-theme/ENER": "Energy",
             "data-theme/AGRI": "Agriculture, fisheries, forestry and food", "data-theme/ECON": "Economy and finance",
             "data-theme/TECH": "Science and technology", "data-theme/GOVE": "Government and public sector",
             "planned-availability/STABLE": "stable", "data-theme": "Data theme"}
CHINA = URIRef(EU + "country/CHN")
SERIALIZATIONS = {"ttl": ("turtle", "text/turtle; charset=utf-8"),
                  "jsonld": ("json-ld", "application/ld+json"),
                  "rdf": ("pretty-xml", "application/rdf+xml")}


@dataclass(frozen=True)
class Site:
    base_url: str
    title: str
    description: str
    publisher_code: str
    publisher_name: str
    title_en: str = ""
    language: tuple[str, ...] = ("zh",)


@dataclass(frozen=True)
class Publisher:
    code: str
    name: str
    name_en: str = ""


@dataclass(frozen=True)
class Distribution:
    """One released artifact in one format, as the caller may reach it."""

    resource_id: str
    title: str
    fmt: str  # a formats.yaml id: CSV, Parquet, JSON …
    access_url: str
    download_url: str | None = None
    byte_size: int | None = None
    sha256: str | None = None
    license_id: str | None = None
    schema_url: str | None = None
    description: str = ""
    modified: datetime | None = None


@dataclass(frozen=True)
class Entry:
    record: dict[str, Any]
    publisher: Publisher
    distributions: list[Distribution] = field(default_factory=list)


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("dcatap", DCATAP), ("adms", ADMS),
                       ("vcard", VCARD), ("spdx", SPDX), ("hydra", HYDRA), ("locn", LOCN), ("skos", SKOS)):
        g.bind(prefix, ns)
    return g


def dataset_iri(site: Site, name: str) -> URIRef:
    return URIRef(f"{site.base_url}/dataset/{quote(name)}")


def add_dataset(g: Graph, site: Site, entry: Entry) -> URIRef:
    rec = entry.record
    ds = dataset_iri(site, rec["name"])
    g.add((ds, RDF.type, DCAT.Dataset))
    _text(g, ds, DCTERMS.title, rec.get("title"), rec.get("title_en"))
    _text(g, ds, DCTERMS.description, rec.get("description") or rec.get("title"), rec.get("description_en"))
    if rec.get("resource_code"):
        g.add((ds, DCTERMS.identifier, Literal(rec["resource_code"])))
    g.add((ds, DCTERMS.publisher, _agent(g, site, entry.publisher)))
    _contact(g, ds, rec.get("contact_point"))
    for word in rec.get("keywords") or []:
        g.add((ds, DCAT.keyword, Literal(word, lang="zh")))
    _themes(g, site, ds, rec.get("themes") or [])
    _spatial(g, site, ds, rec)
    _temporal(g, ds, rec.get("temporal_start"), rec.get("temporal_end"))
    _coded(g, ds, DCTERMS.accrualPeriodicity, "update_cycles", rec.get("update_cycle"), DCTERMS.Frequency)
    _coded(g, ds, DCTERMS.accessRights, "open_types", rec.get("open_type"), DCTERMS.RightsStatement)
    _dates(g, ds, rec)
    for code in rec.get("language") or ["zh"]:
        g.add((ds, DCTERMS.language, _language(g, code)))
    landing = rec.get("landing_page") or str(ds)
    g.add((ds, DCAT.landingPage, _typed(g, landing, FOAF.Document)))
    for uri in rec.get("conforms_to") or []:
        g.add((ds, DCTERMS.conformsTo, _typed(g, uri, DCTERMS.Standard)))
    if rec.get("version"):
        g.add((ds, DCAT.version, Literal(str(rec["version"]))))
    for dist in entry.distributions:
        g.add((ds, DCAT.distribution, _distribution(g, site, ds, dist, rec.get("license_id"))))
    return ds


def _text(g: Graph, node: URIRef, prop: URIRef, zh: str | None, en: str | None) -> None:
    if zh:
        g.add((node, prop, Literal(zh, lang="zh")))
    if en:
        g.add((node, prop, Literal(en, lang="en")))


def _typed(g: Graph, iri: str, cls: URIRef) -> URIRef:
    node = URIRef(iri)
    g.add((node, RDF.type, cls))
    return node


def _agent(g: Graph, site: Site, publisher: Publisher) -> URIRef:
    node = URIRef(f"{site.base_url}/organization/{quote(publisher.code)}")
    g.add((node, RDF.type, FOAF.Agent))
    g.add((node, RDF.type, FOAF.Organization))
    _text(g, node, FOAF.name, publisher.name, publisher.name_en)
    ident = BNode()
    g.add((node, ADMS.identifier, ident))
    g.add((ident, RDF.type, ADMS.Identifier))
    g.add((ident, SKOS.notation, Literal(publisher.code)))
    return node


def _contact(g: Graph, ds: URIRef, contact: dict[str, Any] | None) -> None:
    if not contact:
        return
    node = BNode()
    g.add((ds, DCAT.contactPoint, node))
    g.add((node, RDF.type, VCARD.Kind))
    g.add((node, RDF.type, VCARD.Organization))
    if contact.get("name"):
        g.add((node, VCARD.fn, Literal(contact["name"], lang="zh")))
    if contact.get("email"):
        g.add((node, VCARD.hasEmail, URIRef(f"mailto:{contact['email']}")))
    if contact.get("phone"):
        g.add((node, VCARD.hasTelephone, URIRef(f"tel:{str(contact['phone']).replace(' ', '')}")))


def _themes(g: Graph, site: Site, ds: URIRef, themes: list[str]) -> None:
    vocab = vocab_index("themes")
    for slug in themes:
        entry = vocab.get(slug)
        if entry is None:
            continue
        for iri in [entry["iri"], *entry.get("also", [])]:
            g.add((ds, DCAT.theme, _eu_concept(g, iri)))
            g.add((URIRef(iri), SKOS.inScheme, THEME_SCHEME))
        # The national classification (类/项/目) as this catalogue's own SKOS scheme.
        scheme = _typed(g, f"{site.base_url}/vocab/classification", SKOS.ConceptScheme)
        g.add((scheme, DCTERMS.title, Literal("政务信息资源分类（主题类 / 生态环保）", lang="zh")))
        concept = _typed(g, f"{site.base_url}/vocab/classification/{entry['classification_code']}", SKOS.Concept)
        g.add((concept, SKOS.inScheme, scheme))
        g.add((concept, SKOS.prefLabel, Literal(entry["zh"], lang="zh")))
        g.add((concept, SKOS.notation, Literal(entry["classification_code"])))
        g.add((ds, DCAT.theme, concept))


def _eu_concept(g: Graph, iri: str, cls: URIRef = SKOS.Concept) -> URIRef:
    node = _typed(g, iri, cls)
    label = EU_LABELS.get(iri[len(EU):]) if iri.startswith(EU) else None
    if label:
        g.add((node, DCTERMS.title if cls == SKOS.ConceptScheme else SKOS.prefLabel, Literal(label, lang="en")))
    return node


def _spatial(g: Graph, site: Site, ds: URIRef, rec: dict[str, Any]) -> None:
    g.add((ds, DCTERMS.spatial, _typed(g, str(CHINA), DCTERMS.Location)))
    districts = vocab_index("districts")
    for code in rec.get("districts") or []:
        node = _typed(g, f"{site.base_url}/vocab/district/{code}", DCTERMS.Location)
        g.add((ds, DCTERMS.spatial, node))
        if code in districts:
            g.add((node, SKOS.prefLabel, Literal(districts[code]["zh"], lang="zh")))
        g.add((node, SKOS.notation, Literal(code)))
    if rec.get("spatial"):
        import json

        area = BNode()
        g.add((ds, DCTERMS.spatial, area))
        g.add((area, RDF.type, DCTERMS.Location))
        g.add((area, LOCN.geometry, Literal(json.dumps(rec["spatial"], ensure_ascii=False),
                                            datatype=GSP.geoJSONLiteral)))


def _temporal(g: Graph, ds: URIRef, start: str | None, end: str | None) -> None:
    if not start and not end:
        return
    node = BNode()
    g.add((ds, DCTERMS.temporal, node))
    g.add((node, RDF.type, DCTERMS.PeriodOfTime))
    if start:
        g.add((node, DCAT.startDate, _date_literal(start)))
    if end:
        g.add((node, DCAT.endDate, _date_literal(end)))


def _coded(g: Graph, ds: URIRef, prop: URIRef, vocab: str, value: str | None, cls: URIRef) -> None:
    entry = vocab_index(vocab).get(value or "")
    if entry and entry.get("iri"):
        g.add((ds, prop, _typed(g, entry["iri"], cls)))


def _date_literal(value: str | date | datetime) -> Literal:
    if isinstance(value, datetime):
        return Literal(value.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    if isinstance(value, date):
        return Literal(value.isoformat(), datatype=XSD.date)
    text = str(value)
    if len(text) == 10:
        return Literal(text, datatype=XSD.date)
    return _date_literal(datetime.fromisoformat(text))


def _dates(g: Graph, ds: URIRef, rec: dict[str, Any]) -> None:
    issued = rec.get("publish_date") or rec.get("metadata_created")
    if issued:
        g.add((ds, DCTERMS.issued, _date_literal(issued)))
    if rec.get("metadata_modified"):
        g.add((ds, DCTERMS.modified, _date_literal(rec["metadata_modified"])))


def _language(g: Graph, code: str) -> URIRef:
    return _typed(g, f"{EU}language/{LANGUAGES.get(code, code.upper())}", DCTERMS.LinguisticSystem)


def _license(g: Graph, site: Site, license_id: str | None) -> URIRef | None:
    entry = vocab_index("licenses").get(license_id or "")
    if not entry:
        return None
    iri = entry.get("iri") or entry.get("url") or (site.base_url + entry["path"] if entry.get("path") else None)
    return _typed(g, iri, DCTERMS.LicenseDocument) if iri else None


def _distribution(g: Graph, site: Site, ds: URIRef, dist: Distribution, license_id: str | None) -> URIRef:
    node = URIRef(f"{ds}/resource/{quote(dist.resource_id)}#{dist.fmt.lower()}")
    g.add((node, RDF.type, DCAT.Distribution))
    _text(g, node, DCTERMS.title, dist.title, None)
    _text(g, node, DCTERMS.description, dist.description or dist.title, None)
    g.add((node, DCAT.accessURL, URIRef(dist.access_url)))
    if dist.download_url:
        g.add((node, DCAT.downloadURL, URIRef(dist.download_url)))
    fmt = vocab_index("formats").get(dist.fmt, {})
    if fmt.get("media_type"):
        g.add((node, DCAT.mediaType,
               _typed(g, f"https://www.iana.org/assignments/media-types/{fmt['media_type']}", DCTERMS.MediaType)))
    if fmt.get("iri"):
        g.add((node, DCTERMS.format, _typed(g, fmt["iri"], DCTERMS.MediaTypeOrExtent)))
    if dist.byte_size is not None:
        g.add((node, DCAT.byteSize, Literal(dist.byte_size, datatype=XSD.nonNegativeInteger)))
    if dist.sha256:
        _checksum(g, node, dist.sha256)
    licence = _license(g, site, dist.license_id or license_id)
    if licence is not None:
        g.add((node, DCTERMS.license, licence))
    g.add((node, DCATAP.availability, _eu_concept(g, str(STABLE))))
    if dist.schema_url:
        g.add((node, DCTERMS.conformsTo, _typed(g, dist.schema_url, DCTERMS.Standard)))
    if dist.modified:
        g.add((node, DCTERMS.modified, _date_literal(dist.modified)))
    return node


def _checksum(g: Graph, node: URIRef, sha256: str) -> None:
    checksum = BNode()
    g.add((node, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    # The DCAT-AP 3 vocabulary shape pins the algorithm to the https form of the SPDX namespace.
    algorithm = _typed(g, "https://spdx.org/rdf/terms#checksumAlgorithm_sha256", SPDX.ChecksumAlgorithm)
    g.add((checksum, SPDX.algorithm, algorithm))
    g.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))


def dataset_graph(site: Site, entry: Entry) -> Graph:
    g = new_graph()
    add_dataset(g, site, entry)
    return g


def serialize(g: Graph, fmt: str) -> bytes:
    rdflib_format, _ = SERIALIZATIONS[fmt]
    out = g.serialize(format=rdflib_format, encoding="utf-8")
    return out if isinstance(out, bytes) else out.encode()
