"""How good are topics?  NPMI coherence and topic diversity, measured on the corpus itself.

NPMI is gensim's `c_npmi` with sentences as the co-occurrence context (a boolean
count per sentence rather than gensim's default 10-word sliding window: both ask
"do these words appear near each other", and sentences come from the counts the
vocabulary already makes, `Vocabulary.build_with_sentences`):

* P(w) = sentences containing w / sentences; P(w1, w2) = sentences containing both;
* for every pair of distinct top terms (gensim's `s_one_one` segmentation; NPMI is
  symmetric so each unordered pair counts as both ordered pairs give the same value):
  NPMI = log((P(w1, w2) + eps) / (P(w1) P(w2))) / -log(P(w1, w2) + eps), eps = 1e-12
  as in gensim's `log_ratio_measure(normalize=True)`, so a pair that never co-occurs
  scores about -1 instead of minus infinity;
* a topic's coherence is the mean over its pairs, a model's the mean over its topics.

The reference is the corpus the model was fitted on, as the model's own vocabulary
tokenizes it: no outside corpus, so any collection can be scored.  Sentences rather
than whole articles: two words of one article are not necessarily related, two words
of one sentence mostly are, and the standard scorer (gensim's sliding window, used by
bench/topic_quality.py) agrees with that.  Diversity is the share of unique words
among all topics' top 25 words (Dieng et al. 2020): 1.0 means no two topics share a
top word.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

EPSILON = 1e-12


def presence(counts: sparse.spmatrix) -> sparse.csc_matrix:
    """(documents x terms) 0/1 matrix from counts, column-major for fast column slices."""
    matrix = sparse.csc_matrix(counts, dtype=np.float32, copy=True)
    matrix.data[:] = 1.0
    matrix.eliminate_zeros()
    return matrix


def npmi_matrix(reference: sparse.csc_matrix, term_ids: Sequence[int]) -> np.ndarray:
    """NPMI of every pair of the given terms (columns of `reference`); the diagonal is 0."""
    n_docs = reference.shape[0]
    columns = reference[:, list(term_ids)]
    joint = (columns.T @ columns).toarray().astype(np.float64) / n_docs
    single = np.diag(joint).copy()
    p_joint = joint + EPSILON
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.log(p_joint / np.outer(single, single)) / -np.log(p_joint)
    np.fill_diagonal(values, 0.0)
    return values


def topic_npmi(reference: sparse.csc_matrix, term_ids: Sequence[int]) -> float:
    """Mean NPMI over all pairs of the given terms (columns of `reference`)."""
    if len(term_ids) < 2:
        raise ValueError("NPMI needs at least two terms per topic")
    return float(np.mean(npmi_matrix(reference, term_ids)[np.triu_indices(len(term_ids), k=1)]))


def coherent_subset(reference: sparse.csc_matrix, candidate_ids: Sequence[int], n_terms: int, keep: int = 1) -> list[int]:
    """`n_terms` of a topic's candidate terms (strongest first) that go together, in
    candidate order: the `keep` strongest terms, then, one at a time, the candidate with
    the highest mean NPMI with the terms already chosen (ties to the stronger).

    Why: a topic's strongest terms by weight include words that are strong in a few of
    its articles but rarely meet the rest (one story's name, a word of one sub-theme);
    a reader judging the topic sees ten words that do not belong together.  Choosing
    among the strongest candidates by co-occurrence keeps words of the topic and
    favours those that appear together in its articles (re-ranking of topic words, in
    the spirit of Alokaili et al. 2019, "Re-ranking words to improve interpretability
    of automatically generated topics").  Keeping the strongest terms as they are
    anchors the choice on what the topic is most about, so it cannot drift to the
    words of one often-repeated sentence.
    """
    candidates = list(candidate_ids)
    if len(candidates) <= n_terms:
        return candidates
    pairs = npmi_matrix(reference, candidates)
    chosen = list(range(min(keep, n_terms)))
    while len(chosen) < n_terms:
        rest = [i for i in range(len(candidates)) if i not in chosen]
        chosen.append(max(rest, key=lambda i: pairs[i, chosen].mean()))
    return [candidates[i] for i in sorted(chosen)]


def mean_npmi(reference: sparse.csc_matrix, topics_term_ids: Sequence[Sequence[int]]) -> float:
    return float(np.mean([topic_npmi(reference, ids) for ids in topics_term_ids]))


def diversity(topics_terms: Sequence[Sequence[str]]) -> float:
    """Unique words / all words over the topics' top-word lists (pass the top 25)."""
    total = sum(len(terms) for terms in topics_terms)
    if not total:
        raise ValueError("diversity needs at least one topic term")
    return len({term for terms in topics_terms for term in terms}) / total
