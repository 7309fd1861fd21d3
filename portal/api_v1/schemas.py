"""Marshmallow schemas for the REST API (documented in the OpenAPI document)."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from catalog.search.base import SORTS


class ChecksumSchema(Schema):
    algorithm = fields.String()
    value = fields.String()


class ResourceSchema(Schema):
    class Meta:
        unknown = INCLUDE

    id = fields.String()
    name = fields.String(metadata={"description": "资源名称"})
    description = fields.String()
    url = fields.String(metadata={"description": "访问地址 (dcat:accessURL)"})
    download_url = fields.String()
    format = fields.String(metadata={"example": "CSV"})
    media_type = fields.String()
    byte_size = fields.Integer()
    checksum = fields.Nested(ChecksumSchema)
    table_schema = fields.Raw(metadata={"description": "Table Schema name in schemas/tables or inline"})


class DataElementSchema(Schema):
    class Meta:
        unknown = INCLUDE

    name = fields.String(required=True, metadata={"description": "信息项名称"})
    name_en = fields.String()
    type = fields.String(required=True, validate=validate.OneOf(list("CNYDTLMGBIF")))
    length = fields.Integer()
    unit = fields.String()
    description = fields.String()


class DatasetSchema(Schema):
    """A dataset record of the catalogue's metadata profile (schemas/profile/dataset.schema.json)."""

    class Meta:
        unknown = INCLUDE

    id = fields.String(dump_only=True)
    name = fields.String(metadata={"description": "URL 名称"})
    title = fields.String(metadata={"description": "信息资源名称"})
    title_en = fields.String()
    description = fields.String(metadata={"description": "信息资源摘要"})
    resource_code = fields.String(metadata={"description": "信息资源代码"})
    organization = fields.String(metadata={"description": "提供方部门代码"})
    share_type = fields.String(validate=validate.OneOf(["无条件共享", "有条件共享", "不予共享"]))
    open_type = fields.String(validate=validate.OneOf(["无条件开放", "有条件开放", "不予开放"]))
    update_cycle = fields.String()
    themes = fields.List(fields.String())
    keywords = fields.List(fields.String())
    districts = fields.List(fields.String())
    license_id = fields.String()
    data_elements = fields.List(fields.Nested(DataElementSchema))
    resources = fields.List(fields.Nested(ResourceSchema))
    private = fields.Boolean()
    state = fields.String()
    metadata_created = fields.String(dump_only=True)
    metadata_modified = fields.String(dump_only=True)


def _profile_fields() -> dict[str, fields.Field]:
    """Every other property of the metadata profile, so responses carry the whole record."""
    from schemas import load_profile

    declared = set(DatasetSchema._declared_fields)
    props = load_profile()["properties"]
    extra: dict[str, fields.Field] = {name: fields.Raw(metadata={"description": spec.get("title", "")})
                                      for name, spec in props.items() if name not in declared}
    extra["harvest"] = fields.Raw(dump_only=True, metadata={"description": "采集来源 (harvest provenance)"})
    return extra


DatasetSchema = type("DatasetSchema", (DatasetSchema,), {  # type: ignore[misc,assignment]
    **_profile_fields(), "__doc__": DatasetSchema.__doc__, "__module__": __name__})


class DatasetPatchSchema(DatasetSchema):  # type: ignore[misc,valid-type]
    """Some fields of a dataset record, for PATCH."""


class SearchArgsSchema(Schema):
    q = fields.String(load_default="", metadata={"description": "检索词（中文分词，支持污染物同义词）"})
    org = fields.List(fields.String(), load_default=list)
    theme = fields.List(fields.String(), load_default=list)
    tag = fields.List(fields.String(), load_default=list)
    format = fields.List(fields.String(), load_default=list)
    district = fields.List(fields.String(), load_default=list)
    update_cycle = fields.List(fields.String(), load_default=list)
    open_type = fields.List(fields.String(), load_default=list)
    license = fields.List(fields.String(), load_default=list)
    sort = fields.String(load_default="relevance", validate=validate.OneOf(SORTS),
                         metadata={"description": "排序；取值相同者按名称排序，分页稳定"})
    modified_since = fields.AwareDateTime(
        load_default=None, metadata={"description": "只列出此时间（含）之后修改的数据集，ISO 8601，须带时区"})
    modified_before = fields.AwareDateTime(
        load_default=None, metadata={"description": "只列出此时间之前修改的数据集，ISO 8601，须带时区"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=0, max=1000))


class FacetItemSchema(Schema):
    value = fields.String()
    count = fields.Integer()


class SearchResultSchema(Schema):
    count = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    results = fields.List(fields.Nested(DatasetSchema))
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetItemSchema)))


class OrganizationSchema(Schema):
    id = fields.String()
    name = fields.String()
    code = fields.String(allow_none=True)
    title = fields.String()
    title_en = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    package_count = fields.Integer()


class TokenCreateSchema(Schema):
    name = fields.String(required=True)
    expires_days = fields.Integer(validate=validate.Range(min=1, max=3650))


class TokenSchema(Schema):
    id = fields.String()
    name = fields.String()
    created = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    last_used = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    token = fields.String(metadata={"description": "Only in the response that creates the token"})
