"""Topic models as versions from the command line: list, use, the NPMI comparison, sizes
that follow new assignments, and what `fit` says about choosing k (issue 16)."""

import json
import random
import re

import pytest

from tests.cli_helpers import creditlens, one_line_error

TOPIC_WORDS = {
    "rail": "train tickets railway station passengers high-speed rail travel ban seats carriages",
    "score": "sesame credit score points users app loans deposit rating algorithm",
    "court": "court judge ruling enforcement defaulters judgment appeal lawsuit verdict blacklist",
}


def _corpus(path, n_per_topic=10, seed=7):
    rng = random.Random(seed)
    lines = []
    for topic, words in TOPIC_WORDS.items():
        pool = words.split()
        for i in range(n_per_topic):
            sentences = [" ".join(rng.sample(pool, 6)).capitalize() + "." for _ in range(8)]
            lines.append(json.dumps({"id": f"{topic}{i}", "title": f"{topic} story {i}", "text": " ".join(sentences),
                                     "published_at": f"2024-0{1 + i % 3}-1{i % 9}"}))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("topics")
    path = folder / "t.duckdb"
    result = creditlens("ingest", "jsonl", _corpus(folder / "c.jsonl"), "--db", path, "--all-relevant")
    assert result.returncode == 0, result.stderr
    return path


def _models(db):
    out = creditlens("sql", "SELECT model_id FROM topic_models ORDER BY fitted_at", "--db", db, "--format", "csv").stdout
    return out.splitlines()[1:]


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_fit_without_k_says_it_chooses_and_auto_says_which_k_it_tried_and_why(db):
    chosen = creditlens("topics", "fit", "--db", db)
    assert chosen.returncode == 0, chosen.stderr
    assert "no --k given (nor [topics] k in the settings): choosing the number of topics as --auto does" in chosen.stdout
    auto = creditlens("topics", "fit", "--auto", "--db", db)
    assert "tried k = 4, 5, 6, 7, 8, 9 (k from 4 to 9 with at least 3 of the 30 articles per topic)" in auto.stdout
    assert re.search(r"k=4: stability -?\d\.\d{3}, NPMI -?\d\.\d{3} x diversity \d\.\d\d = quality", auto.stdout)
    assert re.search(r"chose k=\d: the grouping of articles most stable when refitted on 80% samples", auto.stdout)
    given = creditlens("topics", "fit", "--k", "3", "--db", db)
    assert "choosing" not in given.stdout and "tried k" not in given.stdout


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_list_and_use_versions_and_a_clearly_worse_fit_is_compared(db):
    creditlens("topics", "fit", "--k", "3", "--db", db)
    first = _models(db)[-1]
    # make the current model look far more coherent than any refit can be
    creditlens("sql", "UPDATE topic_models SET npmi = 0.99 WHERE model_id = ?", "--param", first, "--db", db, "--write")
    refit = creditlens("topics", "fit", "--k", "4", "--method", "lda", "--db", db)
    assert refit.returncode == 0, refit.stderr
    assert re.search(rf"note: NPMI -?\d\.\d{{3}} is clearly lower than 0\.990 of the model it replaces, {first} "
                     rf"\(nmf, k=3\); the new model is current, go back with `creditlens topics use {first}`", refit.stdout)
    listed = creditlens("topics", "list", "--db", db, env={"COLUMNS": "120"})
    assert listed.returncode == 0
    for header in ("model", "method", "k", "fitted (UTC)", "documents", "NPMI", "current"):
        assert header in listed.stdout
    rows = [line for line in listed.stdout.splitlines() if line.startswith("│")]
    assert re.search(rf"│ {first} +│ nmf +│ 3 +│ \d{{4}}-\d\d-\d\d \d\d:\d\d │ 30 +│ 0\.990 │ +│", "\n".join(rows))
    assert rows[-1].rstrip().endswith("│ yes     │") and "lda" in rows[-1]
    used = creditlens("topics", "use", first, "--db", db)
    assert used.returncode == 0 and f"current topic model: {first}" in used.stdout
    current = creditlens("sql", "SELECT model_id FROM topic_models WHERE is_current", "--db", db, "--format", "csv")
    assert current.stdout.splitlines()[1:] == [first]
    unknown = creditlens("topics", "use", "nmf-k99", "--db", db)
    assert unknown.returncode == 1 and f"no topic model 'nmf-k99'; known: " in one_line_error(unknown)


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_show_sizes_follow_new_assignments(db):
    creditlens("topics", "fit", "--k", "3", "--db", db)
    before = creditlens("topics", "show", "--db", db).stdout
    sizes = [int(n) for n in re.findall(r"│ \d +│ [^│]+│ (\d+) +│", before)]
    assert sum(sizes) == 30
    creditlens("sql", "INSERT INTO article_topics SELECT model_id, 'late' || i, 0, 0.9 FROM topic_models, range(5) t(i) "
               "WHERE is_current", "--db", db, "--write")
    after = creditlens("topics", "show", "--db", db).stdout
    assert [int(n) for n in re.findall(r"│ \d +│ [^│]+│ (\d+) +│", after)] == [sizes[0] + 5] + sizes[1:]
