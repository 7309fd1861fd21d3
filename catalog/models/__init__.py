"""The catalogue's domain model.  Importing this package registers every table."""

from . import publication  # noqa: F401  (registers the publication tables)
from .accounts import ROLES, ApiToken, Membership, Organization, User
from .base import Base, new_id, utcnow
from .datasets import (
    DATASET_STATES,
    Activity,
    CatalogChange,
    DataElement,
    Dataset,
    DatasetTag,
    Group,
    Resource,
    dataset_groups,
)
from .harvest import HarvestItem, HarvestJob, HarvestObject, HarvestSource  # noqa: F401
from .hj212 import MonitoringPoint  # noqa: F401  (registers the HJ 212 tables)

__all__ = [
    "ROLES", "DATASET_STATES", "Activity", "ApiToken", "Base", "CatalogChange", "DataElement", "Dataset",
    "DatasetTag", "Group", "Membership", "Organization", "Resource", "User", "dataset_groups", "new_id",
    "utcnow",
]
