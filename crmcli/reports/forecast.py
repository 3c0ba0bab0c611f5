"""`crm report forecast`: the weighted pipeline by expected close month beside a trend
forecast of monthly sales (Holt's linear exponential smoothing), and a backtest of the
trend method over the last six known months with its mean absolute percentage error."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.money import converter, rounded
from crmcli.model.orders import OWING_STATES, counts_toward_target
from crmcli.model.pipeline import is_closed_deal, weighted
from crmcli.model.views import Column, Document, Fields, Table
from crmcli.store.questions import Match

GRID = [Decimal(n) / 10 for n in range(1, 10)]
BACKTEST = 6
MAX_MONTHS = 120
"""The longest forecast: ten years ahead is already guesswork, and each month is a row."""


def _month(day: date, offset: int = 0) -> str:
    index = day.year * 12 + day.month - 1 + offset
    return f"{index // 12}-{index % 12 + 1:02d}"


def holt(series: list[Decimal], alpha: Decimal, beta: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """Level, trend and the sum of squared one-step errors of Holt's method over `series`."""
    level, trend = series[0], (series[1] - series[0]) if len(series) > 1 else Decimal(0)
    squared = Decimal(0)
    for value in series[1:]:
        predicted = level + trend
        squared += (value - predicted) ** 2
        previous = level
        level = alpha * value + (1 - alpha) * (level + trend)
        trend = beta * (level - previous) + (1 - beta) * trend
    return level, trend, squared


def fit(series: list[Decimal]) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """The (alpha, beta) on a 0.1 grid with the least squared error, and the fitted level and trend."""
    fits = ((holt(series, alpha, beta), alpha, beta) for alpha in GRID for beta in GRID)
    (level, trend, _squared), alpha, beta = min(fits, key=lambda fitted: fitted[0][2])  # the first of the least
    return alpha, beta, level, trend


def forecast(repo, months: int) -> Document:
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidValue(_("--months {months}: use a number from 1 to {most}").format(months=months, most=MAX_MONTHS))
    today = repo.clock.today()
    code = repo.config.currency
    convert = converter(code, code, repo.config.rates)
    history: dict[str, Decimal] = {}
    for order in repo.records("order", Match(one_of={"kind": ("sale",)})):
        data = order.data
        if data.get("status") in OWING_STATES and counts_toward_target(data):
            key = str(data["date"])[:7]
            history[key] = history.get(key, Decimal(0)) + convert(data["totals"]["net"], data["currency"])
    current = _month(today)
    known = sorted(key for key in history if key < current)
    if len(known) < 3:
        raise InvalidValue(_("a trend forecast needs at least three complete months of sales"))
    first = date.fromisoformat(known[0] + "-01")
    span = (today.year * 12 + today.month) - (first.year * 12 + first.month)
    labels = [_month(first, i) for i in range(span)]
    series = [history.get(label, Decimal(0)) for label in labels]
    alpha, beta, level, trend = fit(series)
    pipeline: dict[str, Decimal] = {}
    stages = repo.config.stages
    for deal in repo.records("deal"):
        data = deal.data
        if is_closed_deal(data) or not data.get("close") or data.get("amount") is None:
            continue
        key = max(str(data["close"])[:7], current)
        pipeline[key] = pipeline.get(key, Decimal(0)) + convert(weighted(data, stages), data.get("currency", code))
    rows = [{"month": _month(today, step), "trend": rounded(max(level + trend * (step + 1), Decimal(0)), code),
             "pipeline": rounded(pipeline.get(_month(today, step), Decimal(0)), code)} for step in range(months)]
    errors: list[Decimal] = []
    backtest = []
    for position in range(max(3, len(series) - BACKTEST), len(series)):
        a, b, fitted_level, fitted_trend = fit(series[:position])
        predicted = fitted_level + fitted_trend
        actual = series[position]
        backtest.append({"month": labels[position], "actual": rounded(actual, code),
                         "predicted": rounded(max(predicted, Decimal(0)), code)})
        if actual:
            errors.append(abs(actual - predicted) / actual)
    mape = sum(errors, Decimal(0)) / len(errors) * 100 if errors else None
    money = lambda key, header: Column(key, header, align="right", style="money")  # noqa: E731
    parts: list[Table | Fields] = [
        Table([Column("month", "month"), money("trend", _("trend forecast ({currency})").format(currency=code)),
               money("pipeline", _("weighted pipeline ({currency})").format(currency=code))], rows,
              title=_("Forecast · next {months} month(s)").format(months=months)),
        Table([Column("month", "month"), money("actual", N_("actual")), money("predicted", N_("predicted"))],
              backtest, title="Backtest of the trend method"),
        Fields([(N_("method"), _("Holt's linear smoothing, alpha {alpha}, beta {beta}, fitted on {count} "
                                 "months").format(alpha=alpha, beta=beta, count=len(series))),
                (N_("mean absolute % error"), f"{mape:.1f}%" if mape is not None else _("n/a"))], title="Model"),
    ]
    payload = {"currency": code, "forecast": rows, "backtest": backtest, "alpha": alpha, "beta": beta,
               "mape": rounded(mape, "USD") if mape is not None else None}
    return Document(parts, title="Forecast", payload=payload)
