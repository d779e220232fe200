"""What the player needs of a package version: its table of contents and run-time version.

Versions never change once imported, so a layout is cached by the version's storage key (unique for
every version ever stored, also one whose transaction was rolled back). The cache is bounded: a process
serving many courses keeps the most recently used layouts only.
"""

from __future__ import annotations

from dataclasses import dataclass

from cachetools import LRUCache

from lms_bridge.packages.models import PackageVersion
from scorm.cmi import DataModel

LAYOUT_CACHE_SIZE = 512  # a layout is a few KB; a region has tens of courses with a few versions each


@dataclass(frozen=True)
class TocItem:
    item: str
    title: str
    href: str | None  # None: a heading without content
    sco: bool
    depth: int
    mastery_score: float | None  # per cent


@dataclass(frozen=True)
class Layout:
    """What the player needs of a package version; versions never change once imported, so it is cached."""

    version_id: int
    cmi_version: str  # "1.2" or "2004"
    storage_key: str
    items: tuple[TocItem, ...]
    has_sequencing: bool

    @property
    def launchable(self) -> tuple[TocItem, ...]:
        return tuple(item for item in self.items if item.href)

    @property
    def sco_ids(self) -> tuple[str, ...]:
        return tuple(item.item for item in self.items if item.sco and item.href)

    @property
    def mastery_applies(self) -> bool:
        return any(item.mastery_score is not None for item in self.items if item.sco)

    def find(self, item_id: str | None) -> TocItem | None:
        return next((i for i in self.launchable if i.item == item_id), None) if item_id else None

    def first(self) -> TocItem:
        return self.launchable[0]

    def neighbours(self, item_id: str) -> tuple[TocItem | None, TocItem | None]:
        """The launchable items before and after one, in document order (flow navigation)."""
        items = self.launchable
        index = next(i for i, item in enumerate(items) if item.item == item_id)
        return (items[index - 1] if index else None, items[index + 1] if index + 1 < len(items) else None)


_LAYOUTS: LRUCache[str, Layout] = LRUCache(maxsize=LAYOUT_CACHE_SIZE)


def cached_layout(storage_key: str) -> Layout | None:
    """The layout of a version already seen by this process (the commit path needs no version row then)."""
    return _LAYOUTS.get(storage_key)


def layout(version: PackageVersion) -> Layout:
    """What the player needs of a package version (cached by storage key, bounded)."""
    found = cached_layout(version.storage_key)
    if found is None:
        items = tuple(
            TocItem(
                item=str(row["item"]),
                title=str(row.get("title") or row["item"]),
                href=row.get("href") or None,
                sco=bool(row.get("sco")),
                depth=int(row.get("depth") or 0),
                mastery_score=None if row.get("mastery_score") is None else float(row["mastery_score"]),
            )
            for row in version.structure
        )
        if not any(item.href for item in items):  # a manifest without a usable organization
            item = TocItem("_launch", version.title, version.launch_href, version.sco_count > 0, 0, None)
            items = (item,)
        found = Layout(
            version_id=version.id,
            cmi_version="1.2" if version.standard == "scorm12" else "2004",
            storage_key=version.storage_key,
            items=items,
            has_sequencing=version.has_sequencing,
        )
        _LAYOUTS[version.storage_key] = found
    return found


def data_model(lay: Layout) -> DataModel:
    # Lax: third-party content is not refused what scorm-again accepted from it (see scorm.cmi).
    return DataModel.for_version(lay.cmi_version, strict=False)
