"""What a setting's spec is (:class:`Spec`) and what an entry of a table of choices is (:class:`Option`).

The specs themselves, one per setting, are in :mod:`.settings`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from .._validate import check_between, check_bool, check_choice, check_int


class Option(NamedTuple):
    """One entry of a table of choices: what the learner reads in the control, and how to make it."""

    label: str
    make: Callable[..., Any]


# kind of control -> its values' type: log-scale slider, slider, integer slider, integer box, drop-down (of
# names, or of integers and None), checkbox
KINDS = {"log": float, "float": float, "int": int, "int_text": int, "choice": str, "int_choice": int, "bool": bool}


@dataclass(frozen=True)
class Spec:
    """Everything about one setting: its control's label and kind, its default, and the values it allows.

    ``low``/``high`` bound a number (``step`` is the slider's step: of the exponent for ``"log"``),
    ``choices`` maps a choice's value to the label shown, ``readout`` is how a slider shows its value (e.g.
    ``".4g"``): a number is kept as its readout shows it, so the value a run uses is the value the learner
    reads (and a slider's value always lands on the same float, whichever front end computed it).
    ``width`` is the control's width (e.g. ``"380px"``). ``needs=(setting, value)`` says the
    setting only matters while that other setting has that value: its control is greyed out otherwise.

    Example::

        >>> lr = Spec("lr", "learning rate", "log", 0.01, low=1e-4, high=10.0, step=0.05)
        >>> lr.type, lr.check(1)
        (<class 'float'>, 1.0)
        >>> Spec("lr", "learning rate", "log", 0.01, low=1e-4, high=10.0, readout=".4g").check(0.011220184543019636)
        0.01122
        >>> lr.check(100)
        Traceback (most recent call last):
        ...
        ValueError: lr must be between 0.0001 and 10, got 100
        >>> beta = Spec("momentum", "momentum", "float", 0.9, low=0.0, high=0.99, needs=("optimizer", "momentum"))
        >>> beta.matters({"optimizer": "momentum"}), beta.matters({"optimizer": "sgd"}), lr.matters({})
        (True, False, True)
    """

    name: str
    label: str
    kind: str
    default: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: Mapping[str, str] | None = None
    readout: str | None = None
    width: str | None = None
    needs: tuple[str, Any] | None = None

    def __post_init__(self) -> None:
        check_choice("kind", self.kind, tuple(KINDS))
        self.check(self.default)

    @property
    def type(self) -> type:
        """The type of this setting's values (float, int, str or bool)."""
        return KINDS[self.kind]

    def matters(self, values: Mapping[str, Any]) -> bool:
        """Whether this setting changes a run with these ``values`` (see ``needs``); if not, its control is greyed."""
        return self.needs is None or values[self.needs[0]] == self.needs[1]

    def widget_value(self, value: Any) -> Any:
        """``value`` as the control holds it: a drop-down of integers shows None (e.g. the full batch) as 0,
        because an ipywidgets drop-down reads None as "nothing selected"."""
        return 0 if self.kind == "int_choice" and value is None else value

    def setting_value(self, widget_value: Any) -> Any:
        """The setting a control's value stands for (the inverse of ``widget_value``)."""
        return None if self.kind == "int_choice" and widget_value == 0 else widget_value

    def check(self, value: Any) -> Any:
        """Return ``value`` (a float for a float setting, as its readout shows it) when this setting allows it;
        raise a clear error if not."""
        if self.kind == "int_choice":
            if isinstance(value, bool):  # True == 1: not a batch size
                raise TypeError(f"{self.name} must be one of {', '.join(map(repr, self.choices))}, got {value!r}")
            return check_choice(self.name, value, tuple(self.choices))
        if self.type is float:
            value = check_between(self.name, value, self.low, self.high)
            return float(format(value, self.readout)) if self.readout else value
        if self.type is int:
            return check_int(self.name, value, self.low, self.high)
        if self.type is str:
            return check_choice(self.name, value, tuple(self.choices))
        return check_bool(self.name, value)
