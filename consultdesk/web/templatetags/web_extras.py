from typing import Any

from django import template

register = template.Library()


@register.filter
def lookup(mapping: Any, key: str) -> Any:
    """{{ mapping|lookup:key }} for dictionaries keyed by a variable."""
    return mapping.get(key) if hasattr(mapping, "get") else None
