"""Component styles for widgets that draw their own lines."""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget


def span_style(widget: Widget, component: str) -> Style:
    """The component's style for a span of text on a row that has its own background
    (the cursor's, say): a background only if the component sets one.

    Built from the full style because only it has alpha colours such as
    ``$text-muted`` blended; a partial style drops the alpha.
    """
    full = widget.get_component_rich_style(component)
    own_background = widget.get_component_rich_style(component, partial=True).bgcolor
    return Style(
        color=full.color,
        bgcolor=full.bgcolor if own_background else None,
        bold=full.bold,
        dim=full.dim,
        italic=full.italic,
        underline=full.underline,
        strike=full.strike,
    )
