"""Topics discovered from the articles: NMF or LDA over the news vocabulary.

A `TopicModel` is scikit-learn style (`fit`, `transform`) and records everything a
researcher needs to reproduce or audit it: every parameter (vocabulary, weighting,
model, seed, library version), the vocabulary itself, and its quality on the
training corpus (NPMI coherence and diversity, see `nlp/coherence.py`).  Every choice
below is in `params` (sections `vectorizer`, `model`, `refine`, `terms`).

Why these defaults (decided by reasoning, checked on one half of a labelled news
corpus, reported on both — see bench/RESULTS.md):

* vocabulary: names as phrases, news stop words, plurals folded (`nlp/vocabulary.py`);
  words in fewer than 3 articles cannot characterise a topic, words in more than half
  of them characterise none; at most 50,000 terms, the most frequent, so a stored
  vocabulary stays small on large corpora;
* NMF on sublinear, l2-normalised TF-IDF: sublinear term frequency stops one article
  that repeats a word 30 times from owning a topic; the document norm makes long and
  short articles count alike;
* NNDSVD initialisation: deterministic (no seed lottery between runs) and gives
  sparser, more distinct topics than random starts (random restarts were tried: five
  of six seeds reach NNDSVD's solution, the sixth a worse one, so restarts add
  nothing); topic vectors are scaled to unit length so weights compare across topics;
* then the articles are regrouped in a latent semantic space starting from NMF's
  grouping and the topics refitted to the groups (`_refined`): NMF alone files an
  article by its few most distinctive words, the regrouping by its whole vocabulary;
* each topic's top ten terms are its two strongest plus the eight among its 20
  strongest that most often share a sentence with those already chosen
  (`nlp.coherence.coherent_subset`), each written as the corpus mostly writes it;
  Kullback-Leibler NMF and class-based TF-IDF term ranking (BERTopic's) were measured
  and were less coherent (bench/RESULTS.md);
* LDA on raw counts (it models counts), batch variational Bayes, fixed seed.  It is
  offered for comparison; on news it is less coherent and more seed-sensitive.

`fit` leaves the training documents' topic weights in `document_topics` (what
`transform` would return for them, without a second pass).

Matrices stay sparse end to end (only the documents x k and k x terms factors are
dense), so 100,000 articles fit in a few GB.  `to_bytes` stores arrays and JSON in a
NumPy archive loaded without pickle, so a model blob read from a shared database
cannot run code.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sklearn
from scipy import sparse
from scipy.special import psi
from sklearn.cluster import KMeans
from sklearn.decomposition import NMF, LatentDirichletAllocation, TruncatedSVD, non_negative_factorization
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state

from nlp.coherence import coherent_subset, diversity, presence, topic_npmi
from nlp.vocabulary import VERSION as VOCABULARY_VERSION
from nlp.vocabulary import Vocabulary

METHODS = ("nmf", "lda")
COHERENCE_TERMS = 10
DIVERSITY_TERMS = 25
LABEL_TERMS = 3

VECTORIZER_DEFAULTS = {"min_df": 3, "max_df": 0.5, "max_terms": 50_000, "sublinear_tf": True}
MODEL_DEFAULTS = {
    "nmf": {"init": "nndsvd", "solver": "cd", "beta_loss": "frobenius", "alpha_W": 0.0, "l1_ratio": 0.0,
            "max_iter": 400, "tol": 1e-4},
    "lda": {"doc_topic_prior": None, "topic_word_prior": None, "learning_method": "batch", "max_iter": 30},
}
# NMF only: documents regrouped in a latent semantic space, then topics refitted to the groups
REFINE_DEFAULTS = {"refine": True, "lsa_dims": 100}
# each topic's top COHERENCE_TERMS: its anchor_terms strongest, the rest chosen for
# coherence among its term_candidates strongest (`nlp.coherence.coherent_subset`)
TERM_DEFAULTS = {"term_candidates": 20, "anchor_terms": 2}


class TopicModelError(ValueError):
    """Bad parameters, unusable input or an unreadable stored model."""


@dataclass
class Topic:
    topic_id: int
    label: str
    terms: list[str]
    weights: list[float]
    npmi: float


class TopicModel:
    """NMF or LDA topics over the news vocabulary, with recorded parameters and quality."""

    def __init__(self, method: str = "nmf", k: int = 5, random_state: int = 0, **params):
        if method not in METHODS:
            raise TopicModelError(f"unknown topic method {method!r}: expected one of {', '.join(METHODS)}")
        if not isinstance(k, int) or isinstance(k, bool) or k < 2:
            raise TopicModelError(f"number of topics k must be an integer of at least 2, got {k!r}")
        if not isinstance(random_state, int) or isinstance(random_state, bool):
            raise TopicModelError(f"random_state must be an integer, got {random_state!r}")
        known = set(VECTORIZER_DEFAULTS) | set(MODEL_DEFAULTS[method]) | set(TERM_DEFAULTS)
        known |= set(REFINE_DEFAULTS) if method == "nmf" else set()
        unknown = sorted(set(params) - known)
        if unknown:
            raise TopicModelError(
                f"unknown {method} parameter(s) {', '.join(unknown)}: expected some of {', '.join(sorted(known))}"
            )
        _check_vectorizer_params({key: params[key] for key in VECTORIZER_DEFAULTS if key in params})
        _check_topic_params(params)
        self.method, self.k, self.random_state = method, k, random_state
        self.params = {
            "method": method,
            "k": k,
            "random_state": random_state,
            "vectorizer": {key: params.get(key, value) for key, value in VECTORIZER_DEFAULTS.items()}
            | {"vocabulary_version": VOCABULARY_VERSION},
            "model": {key: params.get(key, value) for key, value in MODEL_DEFAULTS[method].items()},
            "refine": {key: params.get(key, value) for key, value in REFINE_DEFAULTS.items()} if method == "nmf"
            else {"refine": False},
            "terms": {key: params.get(key, value) for key, value in TERM_DEFAULTS.items()}
            | {"chosen_by": "npmi", "coherence_context": "sentence", "written_as": "commonest surface form"},
            "scikit-learn": sklearn.__version__,
        }
        self.vocabulary: list[str] = []
        self.npmi = float("nan")
        self.diversity = float("nan")
        self.document_topics: np.ndarray | None = None
        self._vocabulary: Vocabulary | None = None
        self._idf: np.ndarray | None = None
        self._components: np.ndarray | None = None
        self._topic_terms: np.ndarray | None = None  # k x COHERENCE_TERMS term ids, by weight
        self._topic_npmi: list[float] = []

    # fitting -----------------------------------------------------------------------

    def fit(self, texts: list[str]) -> "TopicModel":
        """Learn vocabulary and topics from `texts`; `document_topics` holds their weights."""
        texts = list(texts)
        if len(texts) < self.k:
            raise TopicModelError(f"cannot fit {self.k} topics on {len(texts)} texts")
        vectorizer = self.params["vectorizer"]
        vocabulary, counts, sentences = Vocabulary.build_with_sentences(
            texts, vectorizer["min_df"], vectorizer["max_df"], vectorizer["max_terms"])
        return self._fit_counts(vocabulary, counts, presence(sentences))

    def _fit_counts(
        self, vocabulary: Vocabulary, counts: sparse.csr_matrix, reference: sparse.csc_matrix, shared: dict | None = None
    ) -> "TopicModel":
        """Fit on counted documents; `reference` is the sentence presence matrix that
        coherence (and the choice of each topic's terms) is measured against.  Fits of
        several k on the same counts pass one `shared` dict to compute the latent
        semantic space of the documents once."""
        if counts.shape[1] < self.k:
            raise TopicModelError(f"only {counts.shape[1]} vocabulary terms for {self.k} topics")
        self._vocabulary, self.vocabulary = vocabulary, vocabulary.terms
        n_docs = counts.shape[0]
        document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
        self._idf = (np.log((1 + n_docs) / (1 + document_frequency)) + 1).astype(np.float32)
        matrix = self._weighted(counts)
        estimator = NMF if self.method == "nmf" else LatentDirichletAllocation
        model = estimator(n_components=self.k, random_state=self.random_state, **self.params["model"])
        try:
            doc_topic = model.fit_transform(matrix)
        except ValueError as exc:  # scikit-learn's check of the model parameters
            raise TopicModelError(f"bad {self.method} parameter: {str(exc).splitlines()[0]}") from exc
        if self.method == "nmf":
            components = model.components_
            if self.params["refine"]["refine"]:
                components = self._refined(matrix, doc_topic, components, {} if shared is None else shared)
            # NMF's factors are defined up to a scale per topic; fix it by giving each
            # topic vector unit length, so a document's weight on a topic is the length
            # of that topic's part of its (unit-length) TF-IDF vector, comparable
            # across topics.  The documents' weights are then those `transform` gives.
            lengths = np.linalg.norm(components, axis=1)
            lengths[lengths == 0] = 1.0
            components = (components / lengths[:, None]).astype(np.float32)
            doc_topic = self._nmf_weights(matrix, components)
        else:
            components = model.components_
        self._components = components.astype(np.float32)
        self.document_topics = _normalise_rows(doc_topic)
        terms = self.params["terms"]
        self._topic_terms = np.array([
            coherent_subset(reference, ids, COHERENCE_TERMS, keep=terms["anchor_terms"])
            for ids in self._weight_order(terms["term_candidates"])
        ], dtype=np.int64)
        top = self._top_ids(COHERENCE_TERMS)
        self._topic_npmi = [topic_npmi(reference, ids) for ids in top]
        self.npmi = float(np.mean(self._topic_npmi))
        self.diversity = diversity([[self.vocabulary[i] for i in ids] for ids in self._top_ids(DIVERSITY_TERMS)])
        return self

    def _refined(self, matrix: sparse.csr_matrix, doc_topic: np.ndarray, components: np.ndarray, shared: dict) -> np.ndarray:
        """Topic vectors refitted to a regrouping of the documents, starting from NMF's.

        Why: NMF's argmax topic is a poor clustering of articles that mix vocabularies
        (a story on music downloads is part technology, part entertainment); its
        decomposition is dominated by each article's most distinctive words.  Grouping
        the articles in a latent semantic space (truncated SVD of the TF-IDF matrix,
        unit-length document vectors: cosine similarity with the noise of rare words
        averaged out) with k-means started from NMF's grouping keeps NMF's topics but
        moves the articles NMF placed on a word or two.  Topic vectors are then fitted
        to the groups: non-negative weights of each article on the groups' centroids,
        then one non-negative least-squares step for the topic vectors given those
        weights (NMF's own update for H), so topics stay NMF topics — additive,
        sparse, read by their strongest terms — and `transform` works unchanged.
        On half A of the BBC corpus this moved NMI from 0.83 to 0.85 (bench/RESULTS.md).
        """
        n_docs, n_terms = matrix.shape
        dims = min(self.params["refine"]["lsa_dims"], n_docs - 1, n_terms - 1)
        if dims <= self.k:
            return components  # too few documents or terms for a latent space worth the name
        if "space" not in shared:
            shared["space"] = normalize(TruncatedSVD(dims, random_state=self.random_state).fit_transform(matrix))
        space = shared["space"]
        groups = doc_topic.argmax(axis=1)
        seeds = np.vstack([space[groups == t].mean(axis=0) if (groups == t).any() else space[doc_topic[:, t].argmax()]
                           for t in range(self.k)])
        groups = KMeans(self.k, init=seeds, n_init=1, random_state=self.random_state).fit(space).labels_
        membership = sparse.csr_matrix((np.ones(n_docs, dtype=matrix.dtype), (groups, np.arange(n_docs))),
                                       shape=(self.k, n_docs))
        sizes = np.maximum(np.asarray(membership.sum(axis=1)), 1.0)
        centroids = np.asarray((membership @ matrix).todense()) / sizes
        weights = self._nmf_weights(matrix, centroids.astype(matrix.dtype))
        return self._nmf_weights(matrix.T.tocsr(), np.ascontiguousarray(weights.T).astype(matrix.dtype)).T

    def _nmf_weights(self, matrix: sparse.csr_matrix, components: np.ndarray) -> np.ndarray:
        """Non-negative weights W minimising the model's loss of matrix - W components."""
        model = self.params["model"]
        weights, _, _ = non_negative_factorization(
            matrix, H=components.astype(matrix.dtype), n_components=components.shape[0], update_H=False,
            init="custom" if model["solver"] == "mu" else None, solver=model["solver"],
            beta_loss=model["beta_loss"], alpha_W=model["alpha_W"], l1_ratio=model["l1_ratio"],
            max_iter=model["max_iter"], tol=model["tol"], random_state=self.random_state,
        )
        return weights

    def _weighted(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        if self.method == "lda":
            return counts
        matrix = counts.astype(np.float32, copy=True)
        if self.params["vectorizer"]["sublinear_tf"]:
            np.log(matrix.data, out=matrix.data)
            matrix.data += 1
        matrix = matrix @ sparse.diags(self._idf)
        return normalize(matrix, norm="l2", copy=False).tocsr()

    def _weight_order(self, n_terms: int) -> list[list[int]]:
        return [list(np.argsort(-row, kind="stable")[:n_terms]) for row in self._require_fitted()]

    def _top_ids(self, n_terms: int) -> list[list[int]]:
        """Each topic's top terms: its coherent first ones (by weight), then the rest by weight."""
        orders = self._weight_order(self._require_fitted().shape[1])
        if self._topic_terms is None:  # a model stored before terms were chosen by coherence
            return [order[:n_terms] for order in orders]
        tops = []
        for chosen, order in zip(self._topic_terms.tolist(), orders):
            taken = set(chosen)
            tops.append((chosen + [i for i in order if i not in taken])[:n_terms])
        return tops

    def _require_fitted(self) -> np.ndarray:
        if self._components is None:
            raise TopicModelError("the topic model is not fitted yet: call fit() first")
        return self._components

    # using a fitted model ----------------------------------------------------------

    def transform(self, texts: list[str]) -> np.ndarray:
        """(documents x k) topic weights of new texts, each row summing to 1 (all zero
        for a text with no word of the vocabulary); the model is not refitted."""
        components = self._require_fitted()
        counts = self._vocabulary.counts(list(texts))
        if counts.shape[0] == 0:
            return np.zeros((0, self.k))
        matrix = self._weighted(counts)
        if self.method == "nmf":
            doc_topic = self._nmf_weights(matrix, components)
        else:
            empty = np.asarray(counts.sum(axis=1)).ravel() == 0
            doc_topic = self._lda().transform(counts)
            doc_topic[empty] = 0.0
        return _normalise_rows(doc_topic)

    def _lda(self) -> LatentDirichletAllocation:
        """The fitted LDA rebuilt from its topic-word matrix (scikit-learn's documented
        fitted attributes), so a model read back with `from_bytes` transforms alike."""
        lda = LatentDirichletAllocation(n_components=self.k, random_state=self.random_state, **self.params["model"])
        lda.components_ = self._components.astype(np.float64)
        lda.exp_dirichlet_component_ = np.exp(_dirichlet_expectation(lda.components_))
        prior = self.params["model"]["doc_topic_prior"]
        lda.doc_topic_prior_ = 1.0 / self.k if prior is None else prior
        lda.n_features_in_ = lda.components_.shape[1]
        lda.random_state_ = check_random_state(self.random_state)
        return lda

    def topics(self, n_terms: int = 10) -> list[Topic]:
        """Each topic's top terms with their share of the topic's weight, and a label
        made of its three strongest terms ("court / debtor / blacklist").  The first ten
        are the coherent ones chosen at fit (strongest first), any further ones follow by
        weight; terms are written as the corpus mostly writes them ("awards")."""
        components = self._require_fitted()
        topics = []
        for topic_id, ids in enumerate(self._top_ids(n_terms)):
            row = components[topic_id]
            total = float(row.sum()) or 1.0
            terms = [self._vocabulary.written(self.vocabulary[i]) for i in ids]
            topics.append(
                Topic(
                    topic_id=topic_id,
                    label=" / ".join(term.replace("_", " ") for term in terms[:LABEL_TERMS]),
                    terms=terms,
                    weights=[round(float(row[i]) / total, 6) for i in ids],
                    npmi=round(self._topic_npmi[topic_id], 6),
                )
            )
        return topics

    # storage -----------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        components = self._require_fitted()
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            components=components,
            idf=self._idf,
            vocabulary=np.array(self.vocabulary, dtype=str),
            fold_from=np.array(list(self._vocabulary.folds), dtype=str),
            fold_to=np.array(list(self._vocabulary.folds.values()), dtype=str),
            surface_from=np.array(list(self._vocabulary.surface), dtype=str),
            surface_to=np.array(list(self._vocabulary.surface.values()), dtype=str),
            topic_terms=self._topic_terms,
            topic_npmi=np.array(self._topic_npmi, dtype=np.float64),
            quality=np.array([self.npmi, self.diversity], dtype=np.float64),
            params=np.array(json.dumps(self.params)),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "TopicModel":
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                stored = {name: archive[name] for name in archive.files}
            params = json.loads(str(stored["params"]))
            vectorizer = {key: value for key, value in params["vectorizer"].items() if key in VECTORIZER_DEFAULTS}
            chosen = {key: value for section in ("refine", "terms") for key, value in params.get(section, {}).items()
                      if key in REFINE_DEFAULTS or key in TERM_DEFAULTS}
            if params["method"] != "nmf":
                chosen = {key: value for key, value in chosen.items() if key in TERM_DEFAULTS}
            model = cls(params["method"], params["k"], params["random_state"], **vectorizer, **params["model"], **chosen)
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise TopicModelError(f"stored topic model is unreadable: {exc}") from exc
        model.params = params
        model.vocabulary = [str(term) for term in stored["vocabulary"]]
        model._vocabulary = Vocabulary(
            model.vocabulary, {str(a): str(b) for a, b in zip(stored["fold_from"], stored["fold_to"])},
            {str(a): str(b) for a, b in zip(stored.get("surface_from", []), stored.get("surface_to", []))},
        )
        model._topic_terms = stored.get("topic_terms")  # absent from models stored before issue 17
        model._components = stored["components"]
        model._idf = stored["idf"]
        model._topic_npmi = [float(v) for v in stored["topic_npmi"]]
        model.npmi, model.diversity = (float(v) for v in stored["quality"])
        return model


STABILITY_ROUNDS = 3
STABILITY_SHARE = 0.8


def choose_k(
    texts: list[str], k_values: Sequence[int] = range(4, 10), method: str = "nmf", random_state: int = 0
) -> tuple[int, dict[int, dict]]:
    """Pick the number of topics whose grouping of the articles is most stable under
    resampling (stability-based model selection, Ben-Hur et al. 2002, Lange et al.
    2004; for topic models Greene, O'Callaghan and Cunningham 2014).

    For each k a model is fitted on the whole corpus and on STABILITY_ROUNDS random
    subsets of 80% of its documents; stability is the mean adjusted Rand index between
    each subset model's dominant topics and the whole model's, on the subset's
    documents.  Too few topics force unrelated themes together, and which get merged
    changes with the sample; too many split a theme, and where it splits changes too;
    at the natural k the same groups come back.  Coherence is no guide here: each
    topic's top terms are chosen for coherence (`coherent_subset`), so even a topic
    merging two themes shows ten coherent words; and the overlap of top terms
    (Greene et al.'s measure) fell steadily with k on the labelled news half it was
    tried on, where the grouping's stability drops sharply past the natural k
    (bench/RESULTS.md).  The highest stability wins, the smaller k on a tie (to 0.01).
    Quality (NPMI, diversity and their product, with the standard error of the
    product) is reported for each k alongside.  The vocabulary is built once and every
    model fitted on the same counts, so the figures are comparable.
    """
    k_values = sorted(set(k_values))
    if not k_values:
        raise TopicModelError("choose_k needs at least one value of k")
    texts = list(texts)
    probe = TopicModel(method, k_values[0], random_state)
    vectorizer = probe.params["vectorizer"]
    vocabulary, counts, sentences = Vocabulary.build_with_sentences(
        texts, vectorizer["min_df"], vectorizer["max_df"], vectorizer["max_terms"])
    reference = presence(sentences)
    rng = np.random.default_rng(random_state)
    n_docs = counts.shape[0]
    samples = [np.sort(rng.choice(n_docs, size=max(int(STABILITY_SHARE * n_docs), 1), replace=False))
               for _ in range(STABILITY_ROUNDS)]
    scores = {}
    shared: list[dict] = [{} for _ in range(len(samples) + 1)]  # per document set, across k
    for k in k_values:
        model = TopicModel(method, k, random_state)._fit_counts(vocabulary, counts, reference, shared[0])
        standard_error = float(np.std(model._topic_npmi, ddof=1) / np.sqrt(k)) * model.diversity
        dominant = model.document_topics.argmax(axis=1)
        agreement = []
        for rows, space in zip(samples, shared[1:]):
            if len(rows) < k:
                continue
            part = TopicModel(method, k, random_state)._fit_counts(vocabulary, counts[rows], reference, space)
            agreement.append(adjusted_rand_score(dominant[rows], part.document_topics.argmax(axis=1)))
        scores[k] = {
            "npmi": round(model.npmi, 6),
            "diversity": round(model.diversity, 6),
            "score": round(model.npmi * model.diversity, 6),
            "standard_error": round(standard_error, 6),
            "stability": round(float(np.mean(agreement)), 6) if agreement else float("nan"),
        }
    stable = [k for k in k_values if not np.isnan(scores[k]["stability"])]
    if not stable:
        return max(k_values, key=lambda k: scores[k]["score"]), scores
    best = max(scores[k]["stability"] for k in stable)
    return min(k for k in stable if scores[k]["stability"] >= best - 0.01), scores


def _check_vectorizer_params(params: dict) -> None:
    for key in ("min_df", "max_df"):
        value = params.get(key, 1)
        if isinstance(value, bool) or not (
            (isinstance(value, int) and value >= 1) or (isinstance(value, float) and 0.0 < value <= 1.0)
        ):
            raise TopicModelError(f"{key} must be a document count (integer >= 1) or a share (0 < float <= 1), got {value!r}")
    max_terms = params.get("max_terms")
    if max_terms is not None and (isinstance(max_terms, bool) or not isinstance(max_terms, int) or max_terms < 1):
        raise TopicModelError(f"max_terms must be a positive integer or None, got {max_terms!r}")
    if not isinstance(params.get("sublinear_tf", True), bool):
        raise TopicModelError(f"sublinear_tf must be true or false, got {params['sublinear_tf']!r}")


def _check_topic_params(params: dict) -> None:
    for key, least in (("lsa_dims", 2), ("term_candidates", 2), ("anchor_terms", 1)):
        value = params.get(key, least)
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise TopicModelError(f"{key} must be an integer of at least {least}, got {value!r}")
    if not isinstance(params.get("refine", True), bool):
        raise TopicModelError(f"refine must be true or false, got {params['refine']!r}")


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix, dtype=np.float64), where=totals > 0)


def _dirichlet_expectation(alpha: np.ndarray) -> np.ndarray:
    return psi(alpha) - psi(alpha.sum(axis=1))[:, np.newaxis]
