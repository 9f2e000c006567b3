"""The price table behind `inspect`'s cost estimate, and the user's override of it.

Prices are USD per 1M tokens, per model family, split by modality and caching the way
`response.done`'s usage is. They change: the table states its date, the report repeats it,
and `--prices FILE.json` replaces or extends entries (same shape as `DEFAULT_PRICES`)::

    {"date": "2026-01-15",
     "models": {"gpt-realtime": {"text_input": 4.0, "text_cached_input": 0.4, "text_output": 16.0,
                                 "audio_input": 32.0, "audio_cached_input": 0.4, "audio_output": 64.0}}}

A file may give only some fields of a model: the rest keep their default values.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

PRICE_FIELDS: tuple[str, ...] = (
    "text_input",
    "text_cached_input",
    "text_output",
    "audio_input",
    "audio_cached_input",
    "audio_output",
)

#: When the default table was taken from OpenAI's published pricing (openai.com/api/pricing,
#: per 1M tokens, standard tier). Not fetched at run time: the console never calls out.
DEFAULT_PRICES_DATE = "2025-10-06"
DEFAULT_PRICES_SOURCE = "OpenAI API pricing page (built-in table)"
DEFAULT_PRICES: dict[str, dict[str, float]] = {
    "gpt-realtime": {
        "text_input": 4.00, "text_cached_input": 0.40, "text_output": 16.00,
        "audio_input": 32.00, "audio_cached_input": 0.40, "audio_output": 64.00,
    },
    "gpt-realtime-mini": {
        "text_input": 0.60, "text_cached_input": 0.06, "text_output": 2.40,
        "audio_input": 10.00, "audio_cached_input": 0.30, "audio_output": 20.00,
    },
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


@dataclass
class PriceTable:
    """Prices per model family, with where they came from."""

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
            if key not in PRICE_FIELDS:
                raise PriceFileError(f"price file: unknown field {key!r} for {model!r} (known: {', '.join(PRICE_FIELDS)})")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise PriceFileError(f"price file: {model}.{key} must be a non-negative number, not {value!r}")
            entry[key] = float(value)
        missing = [k for k in PRICE_FIELDS if k not in entry]
        if missing:
            raise PriceFileError(f"price file: new model {model!r} lacks {', '.join(missing)}")
        table.models[model] = entry
    table.date = str(data.get("date") or "unknown (user price file without a date)")
    table.source = f"{os.fspath(path)} over the built-in table of {DEFAULT_PRICES_DATE}"
    return table
