"""Helpers shared by the importers: strict UTF-8 reading, CSV rows with line numbers, numbers,
image checks and the "raise, or skip and record" policy of `--skip-bad-rows`."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from catalog.records import CatalogData, CatalogImportError, SkippedRow

# Colour words we recognise in free text and file names (lower case). Multi-word colours are not
# needed by any source we import; "grey" is normalised to "gray".
COLOR_WORDS = (
    "black",
    "white",
    "gray",
    "grey",
    "silver",
    "gold",
    "red",
    "blue",
    "navy",
    "green",
    "olive",
    "yellow",
    "orange",
    "pink",
    "purple",
    "violet",
    "lavender",
    "brown",
    "beige",
    "khaki",
    "tan",
    "teal",
    "turquoise",
    "burgundy",
    "maroon",
    "charcoal",
    "cream",
    "ivory",
)
_COLOR_RE = re.compile(r"\b(" + "|".join(COLOR_WORDS) + r")\b", re.I)


# "navy blue" is navy, "charcoal gray" is charcoal: the second word only repeats the hue.
_SHADE_PAIR = re.compile(
    r"\b(navy|charcoal|olive|turquoise|burgundy|maroon)[ -](blue|gray|grey|green|red)\b", re.I
)
# "a red light", "white LEDs": the colour of the light, not of the product.
_LIGHT = re.compile(r"\b(" + "|".join(COLOR_WORDS) + r")[ -](lights?|leds?|lamps?|beams?)\b", re.I)


def colors_in_text(text: str) -> list[str]:
    """Distinct colour words in `text`, in order of appearance, lower case ("grey" -> "gray")."""
    text = _LIGHT.sub(" ", _SHADE_PAIR.sub(r"\1", text))
    out: list[str] = []
    for m in _COLOR_RE.finditer(text):
        c = m.group(1).lower()
        c = "gray" if c == "grey" else c
        if c not in out:
            out.append(c)
    return out


def where(file: Path | str, line: int | None = None) -> str:
    name = str(file)
    return f"{name}, line {line}" if line is not None else name


@dataclass
class Policy:
    """What to do with a bad row: raise (default) or record it in `data.skipped` and go on."""

    data: CatalogData
    skip_bad_rows: bool = False
    verify_images: bool = True
    _verified: dict[Path, str | None] = field(default_factory=dict)

    def bad(self, err: CatalogImportError, *, sku: str | None = None, product: bool = False) -> None:
        """Raise `err`, or with skip_bad_rows record it and return (the caller then skips the row). `sku`: the
        row's SKU, when it has one, so that the writer keeps what the catalog has for it (a skipped variant row
        must not delete the variant, nor a skipped product row hide the product). `product`: the row is of a products
        file, so one without a readable SKU may hold any product (a full feed then hides nothing)."""
        if not self.skip_bad_rows:
            raise err
        at = where(err.file or "", err.line)
        self.data.skipped.append(SkippedRow(at, _reason(err), f"{at}: {_reason(err, public=True)}", sku or None,
                                            bad_row=product))

    def note(self, where_: str, reason: str, public: str | None = None) -> None:
        """Something left out that is not the user's mistake to fix (e.g. a link to an unknown SKU). `public`:
        `reason` without anything read from the file, when it quotes the file (see CatalogImportError)."""
        self.data.skipped.append(SkippedRow(where_, reason, None if public is None else f"{where_}: {public}"))

    def check_image(self, path: Path, *, file: Path | str, line: int | None, field: str) -> None:
        """Raise CatalogImportError unless `path` exists (always) and opens as an image (verify_images)."""
        problem = self._verified.get(path, "")
        if problem == "":
            problem = image_problem(path, verify=self.verify_images)
            self._verified[path] = problem
        if problem:
            raise CatalogImportError(problem, file=str(file), line=line, field=field, public=_public_image_problem(problem))


def _reason(err: CatalogImportError, *, public: bool = False) -> str:
    if public:
        return f"{err.public} (field '{err.field}')" if err.field and not err.quoted_field else err.public
    return f"{err.message} (field '{err.field}')" if err.field else err.message


_IMAGE_NOT_FOUND = "image file not found"
_IMAGE_FIX = "Replace it with a valid JPEG/PNG/WebP file, or import with --skip-bad-rows to leave the product out."


def image_problem(path: Path, *, verify: bool) -> str | None:
    """None when the image is usable, else a message saying what is wrong and what to do."""
    if not path.is_file():
        return f"{_IMAGE_NOT_FOUND}: {path}. Put the file there or fix the image path."
    if not verify:
        return None
    from PIL import Image

    try:
        with Image.open(path) as im:
            im.verify()
    except Exception as e:  # PIL raises many types (OSError, SyntaxError, ValueError, ...)
        return f"image file {path} is unreadable or corrupt ({type(e).__name__}: {e}). {_IMAGE_FIX}"
    return None


def _public_image_problem(problem: str) -> str:
    """`image_problem` without the path (which the import file names)."""
    if problem.startswith(_IMAGE_NOT_FOUND):
        return f"{_IMAGE_NOT_FOUND}. Put the file where this row's image path says, or fix the path."
    return f"the image file this row names is unreadable or corrupt. {_IMAGE_FIX}"


def read_text(path: Path) -> str:
    """The whole file as text; CatalogImportError if it is not UTF-8 (a BOM is accepted)."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CatalogImportError(f"cannot read the file: {e.strerror or e}", file=str(path)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        fix = "Save/export it as UTF-8 (for example in a spreadsheet: 'CSV UTF-8') and import again."
        raise CatalogImportError(
            f"the file is not valid UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start}). {fix}",
            file=str(path),
            line=line,
            public=f"the file is not valid UTF-8 (at byte offset {e.start}). {fix}",
        ) from None


class JsonNumber(Decimal):
    """A number of a JSON file, keeping the text the file wrote: an error quotes `1e1` as written, not `1E+1`.
    (Decimal, not float or int: int() of a number thousands of digits long raises a ValueError with no line.)"""

    text: str

    def __new__(cls, text: str) -> JsonNumber:
        number = super().__new__(cls, text)
        number.text = text
        return number

    def __str__(self) -> str:
        return self.text


def read_json(path: Path) -> Any:
    text = read_text(path)
    try:
        return json.loads(text, parse_float=JsonNumber, parse_int=JsonNumber)
    except json.JSONDecodeError as e:
        raise CatalogImportError(
            f"malformed JSON: {e.msg} (column {e.colno}). Fix the JSON syntax and import again.",
            file=str(path),
            line=e.lineno,
        ) from None


@dataclass
class CsvRow:
    line: int  # 1-based physical line where the row starts
    values: dict[str, str]

    def get(self, key: str, default: str = "") -> str:
        v = self.values.get(key)
        return default if v is None else v


class CsvFile:
    """A CSV/TSV file read strictly as UTF-8, with rows keyed by header and their start line numbers."""

    def __init__(self, path: Path, *, delimiter: str = ",", text: str | None = None):
        self.path = path
        self.text = read_text(path) if text is None else text
        self.delimiter = delimiter
        self._reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=delimiter, strict=True)
        try:
            self.header = next(self._reader)
        except StopIteration:
            raise CatalogImportError(
                "the file is empty; it needs a header row and data rows", file=str(path)
            ) from None
        except csv.Error as e:
            raise CatalogImportError(f"malformed CSV header: {e}", file=str(path), line=1) from None
        self.header_line_end = self._reader.line_num

    @property
    def columns(self) -> list[str]:
        return [h.strip() for h in self.header]

    def require(self, *columns: str) -> None:
        cols = set(self.columns)
        for c in columns:
            if c not in cols:
                raise CatalogImportError(
                    f"missing required column '{c}'. The header has: {', '.join(self.columns) or '(nothing)'}. "
                    f"Add a '{c}' column to the first line.",
                    file=str(self.path),
                    line=1,
                    field=c,
                    public=f"missing required column '{c}'. Add a '{c}' column to the first line (the header).",
                )

    def rows(self, policy: Policy | None = None, *, exact_width: bool = False, key: str | None = None) -> Iterator[CsvRow]:
        """Data rows. A row with too many fields is a bad row (skipped under `policy` with
        skip_bad_rows); broken quoting stops the file, since nothing after it can be trusted. `key`: the column
        of the SKU, recorded with such a row (see `Policy.bad`).

        Without `exact_width`, empty fields past the header's last column are accepted and a short row is
        padded with empty values. With it, a row must have as many fields as the header: an unquoted value
        with the delimiter in it (a price `39,00` in a comma-separated file) shifts every column after it,
        and the row is reported as such instead of a column's value being blamed. Accepted still: a file of
        two rows or more that all have the same number of fields, more than the header only by empty fields (a
        delimiter at the end of every data line; see `_usual_width`) or fewer (trailing columns nobody fills),
        and a row that leaves out only the header's unnamed trailing columns (a header ending with a delimiter)."""
        cols = self.columns
        key_at = cols.index(key) if key in cols else None
        usual = self._usual_width() if exact_width else len(cols)
        named = len(cols)
        while named and not cols[named - 1]:
            named -= 1
        prev_end = self.header_line_end
        while True:
            start = prev_end + 1
            try:
                raw = next(self._reader)
            except StopIteration:
                return
            except csv.Error as e:
                raise CatalogImportError(
                    f"malformed CSV ({e}); check the quoting of this row (a field with a comma, quote or "
                    "line break must be enclosed in double quotes, and quotes inside doubled).",
                    file=str(self.path),
                    line=start,
                ) from None
            prev_end = self._reader.line_num
            if not raw or all(not v.strip() for v in raw):
                continue  # blank line
            err: CatalogImportError | None = None
            if exact_width:
                if len(raw) != len(cols) and len(raw) != usual and not named <= len(raw) < len(cols):
                    err = self._width_error(raw, start)
            elif len(raw) > len(cols) and any(v.strip() for v in raw[len(cols) :]):
                err = CatalogImportError(
                    f"row has {len(raw)} fields but the header has {len(cols)} columns; "
                    "quote fields that contain the delimiter",
                    file=str(self.path),
                    line=start,
                )
            if err is not None:
                if policy is None:
                    raise err
                # a misplaced delimiter shifts only the fields after it: the SKU, usually first, still names the row
                policy.bad(err, sku=raw[key_at].strip() if key_at is not None and key_at < len(raw) else None,
                           product=key is not None)
                continue
            yield CsvRow(start, {c: (raw[i] if i < len(raw) else "") for i, c in enumerate(cols)})

    def _usual_width(self) -> int:
        """The number of fields every data row has, in a file of two rows or more, when that is fewer than the
        header's columns, or more by empty fields only (a delimiter ending every line) with no number split at a
        decimal comma in any row; else the header's number of columns."""
        widths: set[int] = set()
        rows = 0
        suspect = False  # more fields than columns, but not from a delimiter ending every line
        m = len(self.header)
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter, strict=True)
        try:
            next(reader, None)
            for raw in reader:
                if raw and any(v.strip() for v in raw):
                    rows += 1
                    widths.add(len(raw))
                    suspect = suspect or any(v.strip() for v in raw[m:]) or bool(self._decimal_splits(raw))
        except csv.Error:
            pass  # rows() reports it, at its line
        if len(widths) != 1:
            return m
        width = widths.pop()
        return width if rows >= 2 and (width < m or not suspect) else m

    def _decimal_splits(self, raw: list[str]) -> list[int]:
        """Where a row of a comma-separated file may hold a number split at its decimal comma ("39", "00")."""
        if self.delimiter != "," or len(raw) <= len(self.header):
            return []
        return [
            i
            for i in range(min(len(raw) - 1, len(self.header)))
            if re.fullmatch(r"\d+", raw[i].strip()) and re.fullmatch(r"\d\d", raw[i + 1].strip())
        ]

    def _width_error(self, raw: list[str], line: int) -> CatalogImportError:
        n, m = len(raw), len(self.header)
        name = {",": "comma", ";": "semicolon", "\t": "tab"}.get(self.delimiter, f"'{self.delimiter}'")
        if n > m:
            if self.delimiter == ",":
                fix = 'a value with a comma must be quoted ("39,00" or use a dot: 39.00)'
                # a number split at its decimal comma, when there is just one, is the likely culprit
                splits = self._decimal_splits(raw)
                quoted = (
                    f"{fix}; perhaps '{raw[splits[0]].strip()},{raw[splits[0] + 1].strip()}' in column "
                    f"'{self.columns[splits[0]]}'"
                    if len(splits) == 1
                    else fix
                )
            else:
                fix = quoted = f"a value with a {name} in it must be enclosed in double quotes"
            shifted = "; the columns after it are shifted"
            fix, quoted = fix + shifted, quoted + shifted
        else:
            empty = "" if self.delimiter == "\t" else f": {self.delimiter}{self.delimiter}"
            fix = quoted = (
                f"every row needs one field per column (an empty value is still a field{empty}); "
                f"look for a missing {name} or a line break in an unquoted value"
            )
        return CatalogImportError(
            f"this row has {n} fields but the header has {m}: {quoted}",
            file=str(self.path),
            line=line,
            public=f"this row has {n} fields but the header has {m}: {fix}",
        )


def parse_decimal(
    value: Any, *, file: Path | str, line: int | None, field: str, allow_negative: bool = False
) -> Decimal:
    text = str(value).strip()
    try:
        # a plain decimal only: "1e2" and "Infinity" are not what a shop's export means by a price
        d = Decimal(text) if re.fullmatch(r"[-+]?\d+(?:\.\d+)?|[-+]?\.\d+", text) and not isinstance(value, bool) else None
    except (InvalidOperation, ValueError):
        d = None
    if d is None or not d.is_finite():
        how = "write it as a plain decimal with a dot, e.g. 19.99 (no currency sign, no thousands separator)"
        raise CatalogImportError(
            f"'{value}' is not a number; {how}",
            file=str(file),
            line=line,
            field=field,
            public=f"not a number; {how}",
        )
    if d < 0 and not allow_negative:
        raise CatalogImportError(
            f"negative value {value}; prices and quantities must be 0 or more",
            file=str(file),
            line=line,
            field=field,
            public="a negative value; prices and quantities must be 0 or more",
        )
    return d


MAX_INT = 2**31 - 1  # what an Integer column holds (PostgreSQL's is 32 bits; SQLite's 64)


def parse_int(value: Any, *, file: Path | str, line: int | None, field: str) -> int:
    d = parse_decimal(value, file=file, line=line, field=field)
    if d != d.to_integral_value():
        raise CatalogImportError(
            f"'{value}' is not a whole number", file=str(file), line=line, field=field, public="not a whole number"
        )
    if abs(d) > MAX_INT:  # else the database refuses it with a traceback that names no row
        raise CatalogImportError(f"{value} is too large for a quantity (at most {MAX_INT})", file=str(file), line=line,
                                 field=field, public=f"too large for a quantity (at most {MAX_INT})")
    return int(d)


_TRUE = {"1", "yes", "y", "true", "t", "in stock", "instock"}
_FALSE = {"0", "no", "n", "false", "f", "out of stock", "outofstock"}


def parse_bool(value: Any, *, file: Path | str, line: int | None, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CatalogImportError(
        f"'{value}' is not a yes/no value; use yes/no, true/false or 1/0",
        file=str(file),
        line=line,
        field=field,
        public="not a yes/no value; use yes/no, true/false or 1/0",
    )


MAX_PRICE = Decimal("9999999999.99")  # what Numeric(12, 2) holds


def money(d: Decimal, *, file: Path | str = "", line: int | None = None, field: str = "price") -> Decimal:
    """Prices are exact to the cent: a price with more decimals, or too large to store, is an error (never rounded
    or cut without a word)."""
    if abs(d) > MAX_PRICE:  # (first: quantize() raises InvalidOperation past 28 digits)
        raise CatalogImportError(f"{d} is too large for a price (at most {MAX_PRICE})", file=str(file) or None, line=line,
                                 field=field, public=f"too large for a price (at most {MAX_PRICE})")
    if d != d.quantize(Decimal("0.01")):
        raise CatalogImportError(f"{d} has more than 2 decimals; prices are in cents, e.g. 19.99", file=str(file) or None,
                                 line=line, field=field, public="more than 2 decimals; prices are in cents, e.g. 19.99")
    return d.quantize(Decimal("0.01"))


def split_values(text: str, sep: str) -> list[str]:
    return [v.strip() for v in text.split(sep) if v.strip()]


def dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def progress_iter(
    items: Iterable[Any], *, enabled: bool, desc: str, total: int | None = None
) -> Iterable[Any]:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, total=total, unit="row", leave=False, mininterval=0.5)
