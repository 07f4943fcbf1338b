"""Text from data (garments, pieces, shops, models, users) shown as text: never as links, images or markup.

`st.markdown`, `st.caption`, `st.toast` and widget labels read Markdown (links, images, Streamlit's
`:color[...]` directives, LaTeX); `st.html` reads HTML. Data goes through `md_text` (everything literal),
`model_markdown` (a model's bold, lists and headings kept; links, images, HTML, LaTeX and directives
neutralised) or `html.escape`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

_ALL_MARKUP = re.compile(r"([\\`*_{}\[\]()<>#|~:$^=&])")
_LEADING_MARK = re.compile(r"^(\s*)([-+])")  # a bullet at the start of the line
_LEADING_NUMBER = re.compile(r"^(\s*\d+)([.)])")  # "1." or "1)": an ordered list
_LINKS_AND_HTML = re.compile(r"([\\\[\]<>$:|~^&`])")
_BARE_WWW = re.compile(r"(?i)\bwww\.")


def md_text(text: object) -> str:
    """`text` escaped for Markdown so that it shows literally (one line: newlines become spaces)."""
    flat = _ALL_MARKUP.sub(r"\\\1", " ".join(str(text or "").split()))
    flat = _LEADING_NUMBER.sub(r"\1\\\2", _LEADING_MARK.sub(r"\1\\\2", flat))
    return _BARE_WWW.sub(lambda m: m.group(0)[:-1] + "\\.", flat)


def model_markdown(text: object) -> str:
    """A model's Markdown with links, images, autolinks, HTML, LaTeX and directives made literal text."""
    out = _LINKS_AND_HTML.sub(r"\\\1", str(text or ""))
    return _BARE_WWW.sub(lambda m: m.group(0)[:-1] + "\\.", out)


def escaped_stream(write_stream: Callable[[Iterator[str]], object]) -> Callable[[Iterable[str]], str]:
    """Wrap `st.write_stream`: chunks are shown through `model_markdown`, and the raw text is returned."""

    def show(chunks: Iterable[str]) -> str:
        raw: list[str] = []

        def escaped() -> Iterator[str]:
            for chunk in chunks:
                raw.append(chunk)
                yield model_markdown(chunk)

        write_stream(escaped())
        return "".join(raw)

    return show
