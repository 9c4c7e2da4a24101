"""The mutation report (tests/mutation_report.py) that README's score comes from: the score
counts timeouts as kills and leaves out mutants no fast test reaches, a survivor named in the
explained files is not listed as to do, and an explanation whose mutants are all killed is
listed for deletion."""

from tests import mutation_report as r

STATUS = {
    "registry.codes.x_issue__mutmut_1": "killed",
    "registry.codes.x_issue__mutmut_2": "timeout",
    "registry.codes.x_issue__mutmut_3": "survived",
    "registry.codes.x_issue__mutmut_4": "survived",
    "registry.codes.x_check__mutmut_1": "no tests",
    "registry.codes.x_check__mutmut_2": "not checked",
}


def test_the_score_counts_timeouts_as_kills_and_leaves_out_the_unreached(monkeypatch):
    monkeypatch.setattr(r, "explained_patterns", lambda: [])
    text = r.report(STATUS)
    assert "mutation score: 50.0% of the 2 + 2 mutants the fast tests reach" in text
    assert "(40.0% counting the 1 no fast test reaches)" in text
    assert "other states: not checked 1" in text


def test_an_explained_survivor_is_not_to_do_and_an_explanation_of_killed_mutants_is_stale(
    monkeypatch,
):
    explained = ["registry.codes.x_issue__mutmut_3", "registry.codes.x_issue__mutmut_1"]
    monkeypatch.setattr(r, "explained_patterns", lambda: explained)
    text = r.report(STATUS)
    assert (
        "survivors: 2, explained in mutants_explained.md or mutants_explained/: 1, not yet: 1"
        in text
    )
    assert "\n  registry.codes.x_issue__mutmut_4\n" in text
    assert (
        "not surviving (killed now, or no longer made): 1\n  registry.codes.x_issue__mutmut_1\n"
        in text
    )


def test_an_explanation_of_a_mutant_not_run_yet_is_kept():
    status = {"registry.codes.x_check__mutmut_2": "not checked"}
    assert r.stale_explanations(["registry.codes.x_check__mutmut_*"], status) == []
    assert r.stale_explanations(["registry.codes.x_gone__mutmut_1"], status) == [
        "registry.codes.x_gone__mutmut_1"
    ]
