"""The React console's demo tools, answered locally: `get_weather` and `set_memory`.

`get_weather` answers from a fixed table (no network, so demos and tests repeat);
`set_memory` writes into a `Memory` that the memory pane shows live.
"""

from __future__ import annotations

from typing import Any, Callable

GET_WEATHER: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "Retrieves the current weather for a city. Answers from a built-in table (no network).",
    "parameters": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "City name, e.g. Paris"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit"},
        },
        "required": ["location"],
    },
}

SET_MEMORY: dict[str, Any] = {
    "type": "function",
    "name": "set_memory",
    "description": "Saves important data about the user into memory.",
    "parameters": {
        "type": "object",
        "properties": {
            "key": {
                "type": "string",
                "description": "The key of the memory value. Always use lowercase and underscores, no other characters.",
            },
            "value": {"type": "string", "description": "Value can be anything represented as a string"},
        },
        "required": ["key", "value"],
    },
}

#: city (lower case) -> (temperature in °C, conditions, wind km/h). Fixed so tests and demos repeat.
WEATHER_TABLE: dict[str, tuple[float, str, int]] = {
    "amsterdam": (11.0, "light rain", 24),
    "berlin": (9.5, "overcast", 14),
    "london": (12.0, "drizzle", 18),
    "new york": (17.0, "clear", 11),
    "paris": (14.5, "partly cloudy", 9),
    "san francisco": (16.0, "fog", 20),
    "sydney": (23.0, "sunny", 15),
    "tokyo": (19.5, "clear", 7),
}


def get_weather(args: dict[str, Any]) -> dict[str, Any]:
    """The demo weather answer: deterministic values from `WEATHER_TABLE`, never the network."""
    location = str(args.get("location", "")).strip()
    unit = args.get("unit", "celsius")
    entry = WEATHER_TABLE.get(location.lower())
    if entry is None:
        return {
            "location": location,
            "error": "no data",
            "message": f"No weather data for {location or 'an empty location'}; known cities: "
            + ", ".join(c.title() for c in WEATHER_TABLE),
        }
    celsius, conditions, wind = entry
    temperature = round(celsius * 9 / 5 + 32, 1) if unit == "fahrenheit" else celsius
    return {
        "location": location.lower().title(),
        "temperature": temperature,
        "unit": "fahrenheit" if unit == "fahrenheit" else "celsius",
        "conditions": conditions,
        "wind_kmh": wind,
    }


class Memory:
    """The key/value store `set_memory` writes, with change notification for the memory pane."""

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}
        self._listeners: list[Callable[[str, Any], None]] = []

    def set(self, key: str, value: Any) -> None:
        """Store a value and tell every listener (key, value)."""
        self._data[key] = value
        for listener in list(self._listeners):
            listener(key, value)

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def snapshot(self) -> dict[str, Any]:
        """A copy of the whole memory, in insertion order."""
        return dict(self._data)

    def clear(self) -> None:
        """Forget everything (listeners are told with key "" and value None)."""
        self._data.clear()
        for listener in list(self._listeners):
            listener("", None)

    def subscribe(self, listener: Callable[[str, Any], None]) -> Callable[[], None]:
        """Call `listener(key, value)` on every change; returns the function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data


DEMO_DEFINITIONS: dict[str, dict[str, Any]] = {"get_weather": GET_WEATHER, "set_memory": SET_MEMORY}
