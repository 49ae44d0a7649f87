"""The system financial bridge (docs/bridge.md): :func:`bridge` and its result."""

from __future__ import annotations

from typing import Any

from localcare import _localcare


class Bridge:
    """The result of :func:`bridge`: the start, each step in declared order, the residual.

    `.table` is the `bridge` table (docs/columns.md) of the kind `steps` was (pyarrow
    when no steps were given); `.steps` the steps walked as a `bridge_steps` table, to
    edit and give back; `.explanation` the text `localcare bridge` prints, and `str()`
    of the bridge; a notebook shows it as HTML. Amounts are signed int64 pence: a
    positive step closes the gap; `.residual_pence` is the position every step leaves."""

    def __init__(self, inner: _localcare.Bridge, kind: str) -> None:
        self._inner = inner
        self._kind: str = kind

    @property
    def table(self) -> Any:
        """The `bridge` table: start, steps, residual."""
        from localcare import _out

        return _out(self._inner.table(as_dict=self._kind == "dict"), self._kind)

    @property
    def steps(self) -> Any:
        """The steps walked, as a `bridge_steps` table."""
        from localcare import _out

        return _out(self._inner.steps(as_dict=self._kind == "dict"), self._kind)

    @property
    def start_pence(self) -> int:
        return self._inner.start_pence

    @property
    def residual_pence(self) -> int:
        return self._inner.residual_pence

    @property
    def unquantified(self) -> int:
        """Steps not quantified: they move nothing."""
        return self._inner.unquantified

    @property
    def title(self) -> str | None:
        return self._inner.title

    @property
    def explanation(self) -> str:
        return self._inner.explanation

    def __len__(self) -> int:
        return len(self._inner)

    def __str__(self) -> str:
        return self.explanation

    def __repr__(self) -> str:
        return repr(self._inner)

    def _repr_html_(self) -> str:
        return self._inner._repr_html_()


def bridge(steps: Any = None, ruleset: Any = None, *, activity: Any = None) -> Bridge:
    """Walks the system financial bridge (docs/bridge.md): from the do-nothing position
    through signed steps to the residual, to the penny, each step with its source.

    `steps` is a `bridge_steps` table (`step_id`, `name`, `kind` = start, given,
    computed or unquantified, `order`, `amount_pence` or `amount` (money text such as
    `"-£434m"`), `source`); None walks the ruleset's built-in bridge (kent-medway-2017:
    the seeds'). `activity` (the table :func:`shift` takes) makes the computed step the
    shift-left model's net savings; without it a computed step is carried at the
    amount its source states. Refusals raise :class:`BridgeError` (`.row`: the steps
    row at fault), unreadable tables :class:`InputError`; no partial result."""
    from localcare import _kind, _opt_table, _ruleset

    kind = "pyarrow" if steps is None else _kind(steps)
    inner = _localcare.bridge(
        _opt_table(steps), _ruleset(ruleset), activity=_opt_table(activity)
    )
    return Bridge(inner, kind)
