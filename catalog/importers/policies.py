"""Store policies and FAQ from a Markdown file (or a folder of them): shipping, returns, payment, contact...

Each `#`/`##`/`###` heading starts one entry; the text under it, up to the next heading, is its answer:

    ## Shipping
    We ship to the US and Canada. Orders leave within 2 business days; delivery takes 3-5 days.

    ## Do you gift-wrap?
    Yes, for $4 an order: tick "gift wrap" at checkout.

A heading ending in "?" is an FAQ entry, any other a policy. The file is the shop's whole set: importing it
again replaces the policies (an entry left out of the file is removed), so the assistant answers exactly
what the file says. The assistant quotes these entries and nothing else; it never makes up a policy.
"""

from __future__ import annotations

import re
from pathlib import Path

from catalog.importers._common import read_text, where
from catalog.records import CatalogData, CatalogImportError, DocumentRecord

_HEADING = re.compile(r"^\s{0,3}(#{1,3})\s+(.*?)\s*#*\s*$")
MAX_BODY = 4000  # characters: an answer in a chat, not a whole terms-of-service page


def slug_of(title: str) -> str:
    """'Returns & refunds' -> 'returns-refunds' (non-Latin titles keep their characters)."""
    slug = re.sub(r"[^\w]+", "-", title.lower(), flags=re.UNICODE).strip("-_")
    return slug[:200] or "policy"


def _entries(path: Path) -> list[tuple[int, DocumentRecord]]:
    """The file's entries, each with the line of its heading."""
    text = read_text(path)
    out: list[tuple[int, DocumentRecord]] = []
    title: str | None = None
    title_line = 0
    body: list[str] = []

    def close() -> None:
        if title is None:
            return
        answer = "\n".join(body).strip()
        if not answer:
            raise CatalogImportError(f"the entry '{title}' has no text under its heading; write its answer below it",
                                     file=str(path), line=title_line, public="an entry has no text under its heading")
        if len(answer) > MAX_BODY:
            raise CatalogImportError(f"the entry '{title}' is {len(answer)} characters long; keep each answer under "
                                     f"{MAX_BODY} (split it into several headings)", file=str(path), line=title_line,
                                     public=f"an entry is longer than {MAX_BODY} characters; split it into several headings")
        out.append((title_line, DocumentRecord(slug=slug_of(title), title=title, body=re.sub(r"\n{3,}", "\n\n", answer),
                                               kind="faq" if title.endswith("?") else "policy")))

    for n, line in enumerate(text.split("\n"), 1):
        m = _HEADING.match(line)
        if m and m.group(2):
            close()
            title, title_line, body = m.group(2).strip(), n, []
        elif title is None:
            if line.strip():
                raise CatalogImportError("text before the first heading; start each policy with a heading such as "
                                         "'## Shipping' and write its text below it", file=str(path), line=n)
        else:
            body.append(line.rstrip())
    close()
    return out


def load(source: Path, *, skip_bad_rows: bool = False, verify_images: bool = True, progress: bool = True) -> CatalogData:
    source = Path(source)
    files = sorted(p for p in source.iterdir() if p.suffix.lower() in (".md", ".markdown")) if source.is_dir() else [source]
    if not files:
        raise CatalogImportError("no .md files in this folder; give a Markdown file of '## Title' sections",
                                 file=str(source))
    data = CatalogData(documents_complete=True)
    seen: dict[str, tuple[str, str]] = {}  # slug -> where its heading is, title
    for path in files:
        for line, doc in _entries(path):
            if doc.slug in seen:
                first, title = seen[doc.slug]
                written = "" if title == doc.title else f" (written '{title}'; case and punctuation do not count)"
                raise CatalogImportError(f"two entries are called '{doc.title}': the first at {first}{written}; "
                                         "give each heading its own name", file=str(path), line=line,
                                         public=f"two entries have the same heading: the first at {first}; "
                                         "give each its own name")
            seen[doc.slug] = (where(path, line), doc.title)
            data.documents.append(doc)
    if not data.documents:
        raise CatalogImportError("no policies found; start each one with a heading such as '## Shipping'",
                                 file=str(files[0]))
    return data
