"""An aspect that puts the mandatory tags on every taggable resource in a scope."""

from __future__ import annotations

import jsii
from cdktn import Aspects, IAspect, TerraformResource
from constructs import IConstruct

MANDATORY_TAG_KEYS = ("environment", "owner", "cost-center", "managed-by")


@jsii.implements(IAspect)
class MandatoryTags:
    """Merge ``tags`` into each resource that takes tags; a resource's own tags win for other keys,
    but the mandatory keys always carry the environment's values (they are not overridable)."""

    def __init__(self, tags: dict[str, str]):
        missing = [key for key in MANDATORY_TAG_KEYS if not tags.get(key)]
        if missing:
            raise ValueError(f"MandatoryTags: missing values for {', '.join(missing)}; expected all of {MANDATORY_TAG_KEYS}")
        self.tags = dict(sorted(tags.items()))

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, TerraformResource) or not hasattr(type(node), "tags_input"):
            return
        own = getattr(node, "tags_input") or {}  # every taggable AWS resource has tags_input/tags
        setattr(node, "tags", {**own, **self.tags} if isinstance(own, dict) else dict(self.tags))

    @classmethod
    def apply(cls, scope: IConstruct, tags: dict[str, str]) -> MandatoryTags:
        aspect = cls(tags)
        Aspects.of(scope).add(aspect)
        return aspect
