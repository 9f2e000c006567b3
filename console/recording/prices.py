"""The price table behind the cost estimates, and the user's override of it.

Two kinds of model are priced:

* **token models** (the speech-to-speech models): USD per 1M tokens, split by modality and
  caching the way `response.done`'s usage is: `text_input`, `text_cached_input`,
  `text_output`, `audio_input`, `audio_cached_input`, `audio_output`, and for models that take
  images `image_input` / `image_cached_input` (a model without them has image tokens it
  cannot price, and says so rather than counting them as free);
* **per-minute models** (`gpt-realtime-translate`, `gpt-realtime-whisper`): `audio_per_minute`,
  USD per minute of input audio streamed to them, billed by duration rather than tokens.

Prices change: the table states its date, the report repeats it, and `--prices FILE.json`
replaces or extends entries (same shape as `DEFAULT_PRICES`)::

    {"date": "2026-01-15",
     "models": {"gpt-realtime": {"text_input": 4.0, "text_cached_input": 0.4, "text_output": 16.0,
                                 "audio_input": 32.0, "audio_cached_input": 0.4, "audio_output": 64.0},
                "my-translator": {"audio_per_minute": 0.034}}}

A file may give only some fields of a known model: the rest keep their default values.
A model is priced by its exact name or a dated snapshot of it (`NAME-YYYY-MM-DD`) and nothing
else: no prefix rule, so `gpt-realtime-2.1-mini` is never priced as `gpt-realtime`.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any

#: The six token prices every token model has (USD per 1M tokens).
PRICE_FIELDS: tuple[str, ...] = (
    "text_input",
    "text_cached_input",
    "text_output",
    "audio_input",
    "audio_cached_input",
    "audio_output",
)
#: Image input prices (USD per 1M tokens), for models that take images; optional.
IMAGE_FIELDS: tuple[str, ...] = ("image_input", "image_cached_input")
#: USD per minute of input audio, for models billed by duration instead of tokens.
PER_MINUTE_FIELD = "audio_per_minute"
ALL_FIELDS: tuple[str, ...] = PRICE_FIELDS + IMAGE_FIELDS + (PER_MINUTE_FIELD,)

#: When the default table was read from OpenAI's model pages (per 1M tokens, standard tier,
#: or per minute of audio). Not fetched at run time: the console never calls out.
DEFAULT_PRICES_DATE = "2026-12-02"
DEFAULT_PRICES_SOURCE = "OpenAI model pages (built-in table)"
#: `gpt-realtime`, `gpt-realtime-mini` and the gpt-4o previews are the 2025-10-06 table's
#: entries, unchanged; their image prices were not confirmed, so they have none.
_GPT_REALTIME_2 = {
    "text_input": 4.00, "text_cached_input": 0.40, "text_output": 24.00,
    "audio_input": 32.00, "audio_cached_input": 0.40, "audio_output": 64.00,
    "image_input": 5.00, "image_cached_input": 0.50,
}
DEFAULT_PRICES: dict[str, dict[str, float]] = {
    "gpt-realtime": {
        "text_input": 4.00, "text_cached_input": 0.40, "text_output": 16.00,
        "audio_input": 32.00, "audio_cached_input": 0.40, "audio_output": 64.00,
    },
    "gpt-realtime-mini": {
        "text_input": 0.60, "text_cached_input": 0.06, "text_output": 2.40,
        "audio_input": 10.00, "audio_cached_input": 0.30, "audio_output": 20.00,
    },
    "gpt-realtime-1.5": {
        "text_input": 4.00, "text_cached_input": 0.40, "text_output": 16.00,
        "audio_input": 32.00, "audio_cached_input": 0.40, "audio_output": 64.00,
        "image_input": 5.00, "image_cached_input": 0.50,
    },
    "gpt-realtime-2": dict(_GPT_REALTIME_2),
    "gpt-realtime-2.1": dict(_GPT_REALTIME_2),
    "gpt-realtime-2.1-mini": {
        "text_input": 0.60, "text_cached_input": 0.06, "text_output": 2.40,
        "audio_input": 10.00, "audio_cached_input": 0.30, "audio_output": 20.00,
        "image_input": 0.80, "image_cached_input": 0.08,
    },
    "gpt-realtime-translate": {"audio_per_minute": 0.034},
    "gpt-realtime-whisper": {"audio_per_minute": 0.017},
    "gpt-4o-realtime-preview": {
        "text_input": 5.00, "text_cached_input": 2.50, "text_output": 20.00,
        "audio_input": 40.00, "audio_cached_input": 2.50, "audio_output": 80.00,
    },
    "gpt-4o-mini-realtime-preview": {
        "text_input": 0.60, "text_cached_input": 0.30, "text_output": 2.40,
        "audio_input": 10.00, "audio_cached_input": 0.30, "audio_output": 20.00,
    },
}


class PriceFileError(ValueError):
    """A `--prices` file that cannot be used; the message says what is wrong."""


def no_price_note(model: str | None) -> str:
    """The one sentence every report and the header use for a model without a price."""
    if not model:
        return "model unknown (no header or session.created); pass --model"
    return f"no price for model {model} (use --prices)"


def is_per_minute(prices: dict[str, float]) -> bool:
    """Whether a table entry bills by audio duration rather than by tokens."""
    return PER_MINUTE_FIELD in prices


@dataclass
class PriceTable:
    """Prices per model, with where they came from."""

    date: str = DEFAULT_PRICES_DATE
    source: str = DEFAULT_PRICES_SOURCE
    models: dict[str, dict[str, float]] = field(default_factory=lambda: {k: dict(v) for k, v in DEFAULT_PRICES.items()})

    def lookup(self, model: str | None) -> tuple[str, dict[str, float]] | None:
        """(table key, prices) for a model name: the exact key, or a key followed by a
        dated-snapshot suffix (`gpt-realtime-2025-08-28` prices as `gpt-realtime`).

        Nothing else matches: a prefix rule priced `gpt-realtime-2.1-mini` as `gpt-realtime`
        (several times too high), so an unknown model has no price and the report says so.
        """
        if not model:
            return None
        if model in self.models:
            return model, self.models[model]
        snapshot = _DATED_SNAPSHOT.fullmatch(model)
        if snapshot and snapshot.group(1) in self.models:
            return snapshot.group(1), self.models[snapshot.group(1)]
        return None


#: A model name with a dated-snapshot suffix: `NAME-YYYY-MM-DD`.
_DATED_SNAPSHOT = re.compile(r"(.+)-(\d{4}-\d{2}-\d{2})")


def load_prices(path: str | os.PathLike[str] | None) -> PriceTable:
    """The default table, overridden by the JSON file at `path` if given.

    Raises:
        PriceFileError: unreadable file, bad JSON, or values that are not non-negative numbers.
    """
    table = PriceTable()
    if path is None:
        return table
    try:
        with open(path, encoding="utf-8") as f:
            data: Any = json.load(f)
    except OSError as exc:
        raise PriceFileError(f"cannot read price file {os.fspath(path)!r}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise PriceFileError(f"price file {os.fspath(path)!r} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        raise PriceFileError(f"price file {os.fspath(path)!r} needs a 'models' object (see REPORT.md)")
    for model, prices in data["models"].items():
        if not isinstance(prices, dict):
            raise PriceFileError(f"price file: model {model!r} must map to an object of prices")
        entry = dict(table.models.get(model, {}))
        for key, value in prices.items():
            if key not in ALL_FIELDS:
                raise PriceFileError(f"price file: unknown field {key!r} for {model!r} (known: {', '.join(ALL_FIELDS)})")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise PriceFileError(f"price file: {model}.{key} must be a non-negative number, not {value!r}")
            entry[key] = float(value)
        if is_per_minute(entry) and any(k in entry for k in PRICE_FIELDS + IMAGE_FIELDS):
            raise PriceFileError(f"price file: model {model!r} mixes {PER_MINUTE_FIELD} with token prices; "
                                 "a model is billed one way")
        missing = [] if is_per_minute(entry) else [k for k in PRICE_FIELDS if k not in entry]
        if missing:
            raise PriceFileError(f"price file: new model {model!r} lacks {', '.join(missing)} "
                                 f"(or give only {PER_MINUTE_FIELD} for a model billed by audio duration)")
        table.models[model] = entry
    table.date = str(data.get("date") or "unknown (user price file without a date)")
    table.source = f"{os.fspath(path)} over the built-in table of {DEFAULT_PRICES_DATE}"
    return table
