"""How good are topics?  NPMI coherence and topic diversity, measured on the corpus itself.

NPMI is gensim's `c_npmi` with documents as the co-occurrence context (gensim's
`u_mass`-style boolean document counting rather than its default 10-word sliding
window — the brief and the benchmark fix "document-level co-occurrence"):

* P(w) = documents containing w / documents; P(w1, w2) = documents containing both;
* for every pair of distinct top terms (gensim's `s_one_one` segmentation; NPMI is
  symmetric so each unordered pair counts as both ordered pairs give the same value):
  NPMI = log((P(w1, w2) + eps) / (P(w1) P(w2))) / -log(P(w1, w2) + eps), eps = 1e-12
  as in gensim's `log_ratio_measure(normalize=True)`, so a pair that never co-occurs
  scores about -1 instead of minus infinity;
* a topic's coherence is the mean over its pairs, a model's the mean over its topics.

The reference is the presence matrix of the corpus the model was fitted on, as the
model's own vocabulary tokenizes it: no outside corpus, so any collection can be
scored.  Diversity is the share of unique words among all topics' top 25 words
(Dieng et al. 2020): 1.0 means no two topics share a top word.
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


def topic_npmi(reference: sparse.csc_matrix, term_ids: Sequence[int]) -> float:
    """Mean NPMI over all pairs of the given terms (columns of `reference`)."""
    if len(term_ids) < 2:
        raise ValueError("NPMI needs at least two terms per topic")
    n_docs = reference.shape[0]
    columns = reference[:, list(term_ids)]
    joint = (columns.T @ columns).toarray().astype(np.float64) / n_docs
    single = np.diag(joint).copy()
    upper = np.triu_indices(len(term_ids), k=1)
    p_joint = joint[upper] + EPSILON
    p_product = single[upper[0]] * single[upper[1]]
    with np.errstate(divide="ignore"):
        values = np.log(p_joint / p_product) / -np.log(p_joint)
    return float(np.mean(values))


def mean_npmi(reference: sparse.csc_matrix, topics_term_ids: Sequence[Sequence[int]]) -> float:
    return float(np.mean([topic_npmi(reference, ids) for ids in topics_term_ids]))


def diversity(topics_terms: Sequence[Sequence[str]]) -> float:
    """Unique words / all words over the topics' top-word lists (pass the top 25)."""
    total = sum(len(terms) for terms in topics_terms)
    if not total:
        raise ValueError("diversity needs at least one topic term")
    return len({term for terms in topics_terms for term in terms}) / total
