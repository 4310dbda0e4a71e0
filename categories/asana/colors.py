"""The 16 colours Asana accepts for a time tracking category, in Asana's own order."""

CATEGORY_COLORS: tuple[str, ...] = (
    "none",
    "red",
    "orange",
    "yellow-orange",
    "yellow",
    "yellow-green",
    "green",
    "blue-green",
    "aqua",
    "blue",
    "indigo",
    "purple",
    "magenta",
    "hot-pink",
    "pink",
    "cool-gray",
)

# Asana's name limit is not documented; the sandbox and the forms both enforce this one.
CATEGORY_NAME_MAX_LENGTH = 100


def color_label(color: str) -> str:
    """'yellow-orange' -> 'Yellow orange', shown next to every swatch."""
    return "No colour" if color == "none" else color.replace("-", " ").capitalize()
