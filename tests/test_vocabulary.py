"""The typed vocabulary (issue 22): check kinds, verdicts and evidence are ``str`` enums (the JSON and the text
are the same as with plain strings), an unknown check kind or dependency fails when the catalogue is built, the
page's badge follows a result's Evidence (not the wording of its method), and a degenerate instance is recognised
by its notes' kind (not their English)."""
from __future__ import annotations

import dataclasses
import json
import pickle

import pytest

from conslaw.algebra import ConslawError
from conslaw.algebra.notes import Note, NoteKind
from conslaw.verification.catalogue.blueprint import evidence
from conslaw.verification.catalogue.formulas import resnet_block_sum
from conslaw.verification.catalogue.schema import CheckKind, Evidence, Instance, Result, Verdict
from conslaw.verification.catalogue.theorems import CATALOGUE, assemble, by_id


def _result(**changes) -> Result:
    base = dict(id="scratch:r", paper="tc25", title="t", statement="s", hypotheses="h", check="count",
                method="exact", failure="f")
    return Result(**{**base, **changes})


def test_enums_read_as_their_values():
    assert json.dumps({"v": Verdict.HOLDS_OUTSIDE, "c": CheckKind.LAWS_HOLD}) == \
        '{"v": "holds outside the hypotheses", "c": "laws_hold"}'
    assert f"{Verdict.NOT_PROVEN}" == str(Verdict.NOT_PROVEN) == "not proven"
    assert Verdict.FAILS == "fails" and Verdict("error") is Verdict.ERROR and Verdict.ERROR.is_failure
    assert not Verdict.HOLDS_OUTSIDE.is_failure


def test_a_result_types_its_check_kind():
    assert _result().check is CheckKind.COUNT
    assert all(isinstance(r.check, CheckKind) and isinstance(r.evidence, Evidence) for r in CATALOGUE)
    with pytest.raises(ConslawError, match="unknown check kind 'cuont'"):
        _result(check="cuont")


def test_the_catalogue_refuses_unknown_dependencies_and_twice_listed_ids():
    with pytest.raises(ConslawError, match="depends on unknown result ids tc25:nope"):
        assemble((_result(depends=("tc25:nope",)),))
    with pytest.raises(ConslawError, match="listed twice"):
        assemble((_result(), _result()))


def test_the_badge_follows_the_evidence_kind_not_the_method_text():
    entry = {"id": "scratch:x", "status": "holds", "method": "numerical words here",
             "instances": [{"certificate_check": {"status": "passed"}}]}
    assert evidence(entry) == "proved"  # a result outside the catalogue: the Result default, exact
    assert evidence({**entry, "evidence": "numerical"}) == "numeric"
    numeric = by_id()["kunin21:broken-dynamics"]
    assert numeric.evidence is Evidence.NUMERICAL
    assert evidence({**entry, "id": numeric.id, "method": "exact, says the text"}) == "numeric"


def test_degenerate_instances_are_read_from_the_notes_kind():
    inst = Instance("resnet", options=(("dim", 2), ("hidden", (2, 2)), ("subset", "all")))
    plain = {"notes": ["neuron 0 of block 1 is dead at this point (an English sentence, no kind)"]}
    assert resnet_block_sum(inst, plain).in_hypotheses
    kinded = {"notes": [Note("unit 0 of block 1 never fires", NoteKind.DEAD_UNIT)]}
    outside = resnet_block_sum(inst, kinded)
    assert not outside.in_hypotheses and "never fires" in outside.argument
    note = pickle.loads(pickle.dumps(kinded["notes"][0]))  # to a Dask worker and back
    assert note.kind is NoteKind.DEAD_UNIT and json.dumps(note) == '"unit 0 of block 1 never fires"'


def test_results_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        _result().check = "count"
