"""Text from users' files shown as written: Rich reads ``[...]`` in a string as markup, which
ate the ``[0-9]`` of a regex in a validation hint. Every template value, file name and message
reaches the screen through :func:`plain`.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

__all__ = ["plain"]


def plain(text: str, style: str = "") -> "Text":
    """``text`` as it is, in one style; no markup is read from it."""
    from rich.text import Text  # deferred: Rich only when something is shown

    return Text(text, style=style)
