"""The experiment scripts' statistics and template filling, against independent derivations."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "experiments"))
import lib  # noqa: E402
import run_all  # noqa: E402


def _residuals(v, z):
    """Residuals of v after a least-squares line on z, solved from the normal equations."""
    n = len(v)
    sz, sv = sum(z), sum(v)
    szz, szv = sum(a * a for a in z), sum(a * b for a, b in zip(z, v))
    slope = (n * szv - sz * sv) / (n * szz - sz * sz)
    icept = (sv - slope * sz) / n
    return [b - (slope * a + icept) for a, b in zip(z, v)]


def test_partial_correlation_equals_correlation_of_residuals():
    z = [1, 2, 3, 4, 5, 6, 7, 8]
    x = [2.1, 3.9, 6.2, 8.1, 9.7, 12.4, 13.8, 16.5]
    y = [1.0, 1.5, 3.9, 3.1, 6.2, 5.0, 8.8, 7.1]
    expected = lib.pearson(_residuals(x, z), _residuals(y, z))
    assert lib.partial(x, y, z) == pytest.approx(expected, abs=1e-12)
    # x is z plus a bit of noise; with z held fixed little of x's link with y remains.
    assert abs(lib.partial(x, y, z)) < abs(lib.pearson(x, y))


def test_ranks_share_ties_and_spearman_of_a_monotone_map_is_one():
    assert lib.ranks([10, 20, 20, 5]) == [2.0, 3.5, 3.5, 1.0]
    x = [0.5, 3, 1, 8, 2]
    assert lib.spearman(x, [v ** 3 for v in x]) == pytest.approx(1.0)
    assert lib.spearman(x, [-v for v in x]) == pytest.approx(-1.0)


def test_fit_recovers_a_line():
    a, b, r2 = lib.fit([0, 1, 2, 3], [1, 3, 5, 7])
    assert (a, b, r2) == (pytest.approx(2), pytest.approx(1), pytest.approx(1))


def test_render_fills_every_key_and_refuses_an_unknown_one():
    out = run_all.render("r = {{a.b}}, slope {{c}}.\n", {"a.b": "0.987", "c": "1.02"}, "abc123")
    assert out.splitlines()[1] == "r = 0.987, slope 1.02."
    assert "abc123" in out.splitlines()[0]
    with pytest.raises(SystemExit, match="no experiment produced missing"):
        run_all.render("{{a.b}} {{missing}}", {"a.b": "1"}, "x")


def test_a_number_is_recorded_once():
    ctx = lib.Context("npusim", "/nonexistent", 1)
    ctx.put("k", 0.1234, "{:.0%}")
    assert ctx.numbers["k"] == "12%" and ctx.summary["numbers"]["k"] == 0.1234
    with pytest.raises(KeyError):
        ctx.put("k", 1.0)
