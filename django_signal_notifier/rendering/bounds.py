"""Render bounds of stored templates: output size, loop work and time, per message.

A stored template is written by staff and rendered for every recipient, so one edit must not
exhaust a worker's memory or time. Django renders each node to a string and joins them, so the
bounds are checked where that happens: every node of a compiled stored template counts one step
and (for nodes that make text rather than join their children's) its output length; every loop
iteration counts one step (through :class:`BoundedContext`); every filter's result is measured,
and the filters that could allocate without bound (``stringformat``/``floatformat`` widths,
``join``) are refused before they run. The clock is read at each step, so no thread or signal is
needed. Once a bound is passed the render stops with :class:`RenderLimitExceeded`, and stays
stopped even where Django swallows exceptions (``{% if %}`` conditions).
"""

from __future__ import annotations

import contextvars
import functools
import re
import time
from collections.abc import Callable
from typing import Any

from django.template import Context, Node, Template, defaulttags
from django.utils.translation import gettext as _

from django_signal_notifier.conf import app_settings
from django_signal_notifier.exceptions import MessageTemplateError

# A width or precision above this is refused in stringformat and floatformat ("%0100000000d").
MAX_FORMAT_WIDTH = 100


class RenderLimitExceeded(MessageTemplateError):
    """A stored template went past one of its render bounds (the message names the setting).

    ``work`` is True for the step and time bounds: the template's shape, not one recipient's
    data, is what costs, so its next renders for other recipients may stop at once.
    """

    def __init__(self, message: str, work: bool = False) -> None:
        super().__init__(message)
        self.work = work


class RenderBudget:
    """What one message may still cost: steps and seconds for the whole message, characters per part."""

    def __init__(self, max_output: int, max_steps: int, max_seconds: float) -> None:
        self.max_output = max_output
        self.max_steps = max_steps
        self.max_seconds = max_seconds
        self.started = time.monotonic()
        self.steps = 0
        self.output = 0
        self.exceeded: RenderLimitExceeded | None = None

    @classmethod
    def from_settings(cls) -> RenderBudget:
        """A budget from ``TEMPLATE_MAX_OUTPUT``, ``TEMPLATE_MAX_STEPS`` and ``TEMPLATE_MAX_SECONDS``."""
        return cls(
            int(app_settings.TEMPLATE_MAX_OUTPUT),
            int(app_settings.TEMPLATE_MAX_STEPS),
            float(app_settings.TEMPLATE_MAX_SECONDS),
        )

    def new_part(self) -> None:
        """The output bound is per part (subject, text, HTML, URL)."""
        self.output = 0

    def step(self) -> None:
        """One node rendered or one loop iteration: check the step count and the clock."""
        if self.exceeded is not None:
            raise self.exceeded
        self.steps += 1
        if self.steps > self.max_steps:
            self.fail(
                _("more than %(steps)s tags, variables and loop iterations (TEMPLATE_MAX_STEPS)")
                % {"steps": f"{self.max_steps:,}"},
                work=True,
            )
        if time.monotonic() - self.started > self.max_seconds:
            self.fail(
                _("rendering took more than %(seconds)s seconds (TEMPLATE_MAX_SECONDS)")
                % {"seconds": self.max_seconds},
                work=True,
            )

    def produced(self, length: int) -> None:
        """``length`` more characters of output in the current part."""
        self.output += length
        self.measure(self.output)

    def measure(self, length: int) -> None:
        """Refuse a value (a filter's result, a separator) longer than a whole part may be."""
        if length > self.max_output:
            self.fail(
                _("output exceeds %(limit)s characters (TEMPLATE_MAX_OUTPUT)") % {"limit": f"{self.max_output:,}"}
            )

    def fail(self, reason: str, work: bool = False) -> None:
        """Stop this render for good with ``reason`` (``work``: a step or time bound)."""
        if self.exceeded is None:
            self.exceeded = RenderLimitExceeded(
                reason + _("; shorten the template's output or loops, or raise the setting."), work
            )
        raise self.exceeded

    def check(self) -> None:
        """Raise the bound that was passed, if one was (an exception Django swallowed included)."""
        if self.exceeded is not None:
            raise self.exceeded


current_budget: contextvars.ContextVar[RenderBudget | None] = contextvars.ContextVar(
    "django_signal_notifier_render_budget", default=None
)


class BoundedContext(Context):
    """A template context whose loop iterations count against a budget (``{% for %}`` sets its variable)."""

    def __init__(self, values: dict[str, Any], autoescape: bool, budget: RenderBudget) -> None:
        super().__init__(values, autoescape=autoescape)
        self.budget = budget

    def __setitem__(self, key: Any, value: Any) -> None:
        self.budget.step()
        super().__setitem__(key, value)

    def update(self, other_dict: Any) -> Any:
        self.budget.step()
        return super().update(other_dict)


# Nodes whose output is only their children's output joined (or less): their children are counted.
_JOINING_NODES: tuple[type[Node], ...] = (
    defaulttags.ForNode,
    defaulttags.IfNode,
    defaulttags.WithNode,
    defaulttags.IfChangedNode,
    defaulttags.AutoEscapeControlNode,
    defaulttags.SpacelessNode,
)


class _BoundedNode:
    """Mixed into every node of a stored template: each render is a step, and made text is counted."""

    counts_output = True

    def render_annotated(self, context: Context) -> str:
        budget = getattr(context, "budget", None)
        if budget is None:
            return super().render_annotated(context)  # type: ignore[misc,no-any-return]
        budget.step()
        output: str = super().render_annotated(context)  # type: ignore[misc]
        if self.counts_output:
            budget.produced(len(output))
        return output


_bounded_classes: dict[type, type] = {}


def _bounded_class(node_class: type) -> type:
    bounded = _bounded_classes.get(node_class)
    if bounded is None:
        bounded = type(
            node_class.__name__,
            (_BoundedNode, node_class),
            {"counts_output": not issubclass(node_class, _JOINING_NODES), "__module__": node_class.__module__},
        )
        _bounded_classes[node_class] = bounded
    return bounded


def bound_nodes(template: Template) -> Template:
    """Make every node of a compiled template count against the render budget (in place)."""
    for node in template.nodelist.get_nodes_by_type(Node):
        if not isinstance(node, _BoundedNode):
            node.__class__ = _bounded_class(type(node))
    return template


def render_bounded(template: Template, values: dict[str, Any], autoescape: bool, budget: RenderBudget) -> str:
    """Render ``template`` within ``budget``; :class:`RenderLimitExceeded` when a bound is passed."""
    budget.new_part()
    token = current_budget.set(budget)
    try:
        output = template.render(BoundedContext(values, autoescape, budget))
    except RenderLimitExceeded:
        raise
    except Exception:
        budget.check()  # the real cause, when a bound was passed inside what failed
        raise
    finally:
        current_budget.reset(token)
    budget.check()
    return output


# -- filters ----------------------------------------------------------------------------------
_FORMAT_NUMBERS = re.compile(r"\d+")


def _refuse_wide_format(name: str, arg: Any) -> None:
    widths = [int(number) for number in _FORMAT_NUMBERS.findall(str(arg))[:4] if len(number) < 12]
    if any(width > MAX_FORMAT_WIDTH for width in widths):
        budget = current_budget.get()
        reason = _(
            '%(filter)s:"%(arg)s" pads or rounds to more than %(max)s characters; stored templates allow %(max)s'
        ) % {
            "filter": name,
            "arg": str(arg)[:40],
            "max": MAX_FORMAT_WIDTH,
        }
        if budget is not None:
            budget.fail(reason)
        raise RenderLimitExceeded(reason)


def _refuse_long_join(value: Any, arg: Any) -> None:
    budget = current_budget.get()
    if budget is None:
        return
    try:
        count = len(value)
    except TypeError:
        return
    budget.measure(max(count - 1, 0) * len(str(arg)))


_PRECHECKS: dict[str, Callable[[Any, Any], None]] = {
    "stringformat": lambda value, arg: _refuse_wide_format("stringformat", arg),
    "floatformat": lambda value, arg: _refuse_wide_format("floatformat", arg),
    "join": _refuse_long_join,
}


def bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` refused before it runs when it would allocate without bound, and its result measured."""
    precheck = _PRECHECKS.get(name)

    @functools.wraps(function)
    def bounded(value: Any, *args: Any, **kwargs: Any) -> Any:
        budget = current_budget.get()
        if budget is not None:
            for arg in args:
                if isinstance(arg, str):
                    budget.measure(len(arg))
        if precheck is not None and args:
            precheck(value, args[0])
        result = function(value, *args, **kwargs)
        if budget is not None and isinstance(result, (str, list, tuple)):
            budget.measure(len(result))
        return result

    return bounded
