"""A learned classifier of residents' texts, beside the rules.

The rules (``bot.language.questions``, ``bot.language.emergency``, ``bot.language.scamcheck``) are
exact and explainable
but only know the phrases written into them. This model learns from every labelled example in
``locales/<lang>/examples/*.toml`` (docs/labelled-examples.md), in all languages at once, and
so also knows paraphrases, inflections and typos the tables never listed. A translator who adds
examples retrains it by restarting the bot: the model is keyed by the examples' bytes.

**Features** (``analyze``): on ``bot.language.textkit.tokens`` (folded words, accents gone),
character
n-grams of 2–5 letters inside each word padded with spaces (inflection, compounds, typos:
"brinner"/"brinnar" share most of them, in any script), plus each whole word (``w:``) and each
pair of neighbouring words (``b:``), for the word order that separates "jag vill ha tips" from
"jag vill inte ha tips". scikit-learn's ``TfidfVectorizer(analyzer=analyze, sublinear_tf=True)``
weighs them (1 + log tf, smoothed idf, L2 norm).

**Model**: multinomial ``LogisticRegression`` (solver saga, ``random_state`` fixed, so the
same examples give the same model) on all development examples. Chosen by stratified 5-fold
cross-validation on the development part only (never the held-out part), on 2 642 distinct
examples in 7 languages (legacy + the 2026-12 batches), over C ∈ {1, 3, 10, 30, 100} ×
class_weight ∈ {None, balanced}, and SGDClassifier(log_loss) with alpha ∈ {1e-6, 1e-5, 1e-4}:
accuracy climbs to C = 10 (0.46/0.59 at C = 1, 0.65 at 10) and is flat after (0.655 at 30,
0.651 at 100); ``class_weight="balanced"`` is one to three points better at every C and halves
the false alarms (harmless, worry and other texts called danger: 0.25 → 0.17 at C = 30), since
the many emergency rows otherwise pull unsure texts to danger; C = 30 over C = 10 for the
danger recall (0.81 against 0.78) at a point more false alarms. SGD was within a point (best
0.664, alpha 1e-5, balanced) but its one-vs-rest probabilities are not a softmax, and the
ranked guesses use the probabilities. ``min_df = 2`` gained nothing (0.647 against 0.650 at
C = 10): a typo or rare inflection seen once is what the n-grams are for. ``tol = 1e-3``
keeps training to a few seconds; the exported model equals scikit-learn's whatever the
tolerance. The figures per language: ``python -m tests.scores``.

**Inference without scikit-learn**: scikit-learn costs ~1.7 ms per call, far over the budget
of the whole understanding (0.5 ms p95). After training, the model is exported to plain NumPy
arrays (vocabulary feature → column, idf, coefficients as a features × classes matrix,
intercept, class names) and ``Model.probabilities`` computes by hand what ``predict_proba``
does: our analyzer → counts → (1 + log tf) × idf → L2 norm → dot with the coefficient rows of
the features present + intercept → softmax. tests/test_classifier.py checks the two agree on
every development example. ``python benchmarks/understanding.py --classifier`` times it.

**Cache**: training takes seconds, so the exported arrays are saved (``np.savez``, no pickles)
in ``$TRYGGHETSBOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/trygghetsbot``, else
``~/.cache/trygghetsbot``, under a SHA-256 of every example file's bytes, the feature and model
settings and the scikit-learn version. A cache that cannot be read or written is logged and the
model trained in memory. scikit-learn is imported only to train.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import tempfile
import threading
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from bot.language.examples import LOCALES_DIR, Example, example_files, load_examples
from bot.language.textkit import BoundedMemo, tokens

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

__all__ = [
    "SETTINGS",
    "Fitted",
    "Guess",
    "Model",
    "ModelSettings",
    "analyze",
    "build",
    "cache_dir",
    "classify",
    "export",
    "fit",
    "probabilities",
    "target",
    "training_examples",
    "warm",
]

log = logging.getLogger(__name__)

# Bumped whenever ``analyze`` or the classes trained change, so an old cache is not reused.
FEATURES_VERSION = 2
CHAR_NGRAMS = (2, 5)
TOP = 3
WORD_MEMO = 50_000  # words whose columns are remembered, per model

FloatArray = npt.NDArray[np.float64]

# scikit-learn's sublinear tf, 1 + log tf, for every count below 1024 (index 0 is unused): a
# table read is one NumPy call, a log and an addition are two.
_SUBLINEAR_TF: FloatArray = np.concatenate(
    ([0.0], np.log(np.arange(1, 1024, dtype=np.float64)) + 1.0)
)


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """The hyper-parameters (chosen by cross-validation, see the module docstring)."""

    c: float = 30.0
    class_weight: str | None = "balanced"
    min_df: int = 1
    solver: str = "saga"
    tol: float = 1e-3
    max_iter: int = 1000
    random_state: int = 0


SETTINGS = ModelSettings()


@dataclass(frozen=True, slots=True)
class Guess:
    """The model's label for a text, its probability, and the top labels with theirs."""

    label: str
    confidence: float
    ranked: tuple[tuple[str, float], ...]


NO_GUESS = Guess("other", 0.0, ())


def analyze(text: str) -> list[str]:
    """The features of ``text``: character 2–5-grams inside each space-padded word, each whole
    word and each pair of neighbouring words."""
    words = tokens(text)
    out: list[str] = []
    for word in words:
        out.extend(_word_features(word))
    out.extend(f"b:{first} {second}" for first, second in pairwise(words))
    return out


def _word_features(word: str) -> list[str]:
    low, high = CHAR_NGRAMS
    padded = f" {word} "
    size = len(padded)
    out = [padded[i : i + n] for n in range(low, min(high, size) + 1) for i in range(size - n + 1)]
    out.append("w:" + word)
    return out


class Model:
    """The exported classifier: plain arrays, no scikit-learn."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        idf: FloatArray,
        coef: FloatArray,
        intercept: FloatArray,
        classes: Sequence[str],
    ) -> None:
        n_features = len(vocabulary)
        if idf.shape != (n_features,) or coef.shape[0] != n_features:
            raise ValueError("the arrays do not fit the vocabulary")
        if coef.shape[1] != intercept.shape[0] or len(classes) < 2:
            raise ValueError("the coefficients do not fit the classes")
        binary = coef.shape[1] == 1
        if (len(classes) == 2) != binary:
            raise ValueError("the coefficients do not fit the classes")
        self.vocabulary = vocabulary
        self.idf = idf
        self.coef = coef  # features × classes (one column for two classes)
        self.intercept = intercept
        self.classes = tuple(classes)
        self._word_columns: BoundedMemo[str, tuple[int, ...]] = BoundedMemo(WORD_MEMO)

    def columns(self, text: str) -> list[int]:
        """The vocabulary columns of ``analyze(text)``, one per occurrence. A word's columns are
        remembered (residents reuse words), so a fresh text mostly costs its word pairs."""
        words = tokens(text)
        vocabulary, memo = self.vocabulary, self._word_columns
        out: list[int] = []
        for word in words:
            known = memo.get(word)
            if known is None:
                known = tuple(
                    column
                    for feature in _word_features(word)
                    if (column := vocabulary.get(feature)) is not None
                )
                memo.keep(word, known)
            out.extend(known)
        for first, second in pairwise(words):
            column = vocabulary.get(f"b:{first} {second}")
            if column is not None:
                out.append(column)
        return out

    def probabilities(self, text: str) -> FloatArray | None:
        """``predict_proba`` of the fitted model for ``text``; None when no feature of the
        text is known (nothing to go on)."""
        occurrences = np.array(self.columns(text), dtype=np.intp)
        n = occurrences.shape[0]
        if not n:
            return None
        # The features present and their counts (tf), by sorting the occurrences: a few NumPy
        # calls on one small array cost less than counting in Python and converting twice.
        occurrences.sort()
        first = np.empty(n, dtype=np.bool_)
        first[0] = True
        np.not_equal(occurrences[1:], occurrences[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        columns = occurrences[starts]
        weights = self.idf[columns]
        if starts.shape[0] < n:  # some feature occurs more than once: 1 + log tf
            tf = np.empty_like(starts)
            tf[:-1] = starts[1:] - starts[:-1]
            tf[-1] = n - starts[-1]
            weights *= _SUBLINEAR_TF[tf] if n < _SUBLINEAR_TF.shape[0] else np.log(tf) + 1.0
        weights /= math.sqrt(weights @ weights)
        logits = weights @ self.coef[columns]
        logits += self.intercept
        if logits.shape[0] == 1:  # two classes: a logistic, not a softmax
            positive = 1.0 / (1.0 + math.exp(-float(logits[0])))
            return np.array([1.0 - positive, positive])
        logits -= logits.max()
        np.exp(logits, out=logits)
        logits /= logits.sum()
        return logits

    def shares(self, text: str) -> dict[str, float]:
        """Each class's probability for ``text`` (empty when nothing is known of it). A worry
        is learned per topic, as ``worry:<topic>``."""
        probabilities = self.probabilities(text)
        if probabilities is None:
            return {}
        return dict(zip(self.classes, probabilities.tolist(), strict=True))

    def classify(self, text: str) -> Guess:
        grouped: dict[str, float] = {}
        for name, share in self.shares(text).items():
            label = name.partition(":")[0]
            grouped[label] = grouped.get(label, 0.0) + share
        if not grouped:
            return NO_GUESS
        ranked = tuple(sorted(grouped.items(), key=lambda item: -item[1])[:TOP])
        return Guess(ranked[0][0], ranked[0][1], ranked)

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """What ``np.savez`` stores (strings as unicode arrays, no pickles)."""
        features = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {
            "vocabulary": np.array(features, dtype=np.str_),
            "idf": self.idf,
            "coef": self.coef,
            "intercept": self.intercept,
            "classes": np.array(self.classes, dtype=np.str_),
        }

    @classmethod
    def from_arrays(cls, arrays: Any) -> Model:
        features = arrays["vocabulary"].tolist()
        return cls(
            vocabulary={feature: column for column, feature in enumerate(features)},
            idf=np.asarray(arrays["idf"], dtype=np.float64),
            coef=np.ascontiguousarray(arrays["coef"], dtype=np.float64),
            intercept=np.asarray(arrays["intercept"], dtype=np.float64),
            classes=[str(c) for c in arrays["classes"].tolist()],
        )


# --- training --------------------------------------------------------------------------------


def training_examples(examples: Sequence[Example]) -> list[Example]:
    """The examples the model learns from: each (folded text, label) once, and a text the
    former safety set called ``other`` (meaning only "not danger") while another row gives it
    a real label learns that label only."""
    labels: dict[str, set[str]] = {}
    for example in examples:
        labels.setdefault(" ".join(tokens(example.text)), set()).add(example.label)
    seen: set[tuple[str, str]] = set()
    out: list[Example] = []
    for example in examples:
        key = " ".join(tokens(example.text))
        if example.label == "other" and len(labels[key]) > 1:
            continue
        if (key, example.label) in seen:
            continue
        seen.add((key, example.label))
        out.append(example)
    return out


@dataclass(frozen=True)
class Fitted:
    """The scikit-learn objects of one training (for export, and for tests to compare)."""

    vectorizer: TfidfVectorizer
    model: LogisticRegression


def fit(texts: Sequence[str], labels: Sequence[str], settings: ModelSettings = SETTINGS) -> Fitted:
    """Train with scikit-learn (imported here only: the running bot needs just NumPy)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(
        analyzer=analyze, sublinear_tf=True, min_df=settings.min_df, dtype=np.float64
    )
    matrix = vectorizer.fit_transform(texts)
    model = LogisticRegression(
        C=settings.c,
        class_weight=settings.class_weight,
        solver=settings.solver,
        tol=settings.tol,
        max_iter=settings.max_iter,
        random_state=settings.random_state,
    )
    model.fit(matrix, list(labels))
    return Fitted(vectorizer, model)


def export(fitted: Fitted) -> Model:
    vocabulary = {str(k): int(v) for k, v in fitted.vectorizer.vocabulary_.items()}
    return Model(
        vocabulary=vocabulary,
        idf=np.asarray(fitted.vectorizer.idf_, dtype=np.float64),
        coef=np.ascontiguousarray(fitted.model.coef_.T, dtype=np.float64),
        intercept=np.asarray(fitted.model.intercept_, dtype=np.float64),
        classes=[str(c) for c in fitted.model.classes_],
    )


def target(example: Example) -> str:
    """The class an example trains: its label, and a worry's topic with it (the answer names
    what the worry is about)."""
    if example.label == "worry" and example.topic:
        return f"worry:{example.topic}"
    return example.label


def train(examples: Sequence[Example], settings: ModelSettings = SETTINGS) -> Model:
    chosen = training_examples(examples)
    return export(fit([e.text for e in chosen], [target(e) for e in chosen], settings))


# --- the cache -------------------------------------------------------------------------------


def cache_dir() -> Path:
    explicit = os.environ.get("TRYGGHETSBOT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "trygghetsbot"


def cache_key(locales_dir: Path, settings: ModelSettings = SETTINGS) -> str:
    """SHA-256 of every example file (name and bytes), the settings and scikit-learn's
    version: any change trains anew."""
    digest = hashlib.sha256()
    for path in example_files(locales_dir):
        name = path.relative_to(locales_dir).as_posix().encode()
        data = path.read_bytes()
        digest.update(b"%d:%s%d:" % (len(name), name, len(data)))
        digest.update(data)
    digest.update(repr((FEATURES_VERSION, CHAR_NGRAMS, asdict(settings))).encode())
    try:
        version = metadata.version("scikit-learn")
    except metadata.PackageNotFoundError:
        version = "none"
    digest.update(f"scikit-learn {version}".encode())
    return digest.hexdigest()


def _read_cache(path: Path) -> Model | None:
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as arrays:
            return Model.from_arrays(arrays)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.info("classifier cache %s unusable (%s); training", path, type(exc).__name__)
        return None


def _write_cache(path: Path, model: Model) -> None:
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=".classifier-", suffix=".npz")
        temporary = Path(name)
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, allow_pickle=False, **model.arrays())
        os.replace(temporary, path)
        temporary = None
        for stale in path.parent.glob("classifier-*.npz"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("classifier cache %s not written (%s)", path, type(exc).__name__)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def build(
    locales_dir: Path = LOCALES_DIR,
    cache: Path | None = None,
    settings: ModelSettings = SETTINGS,
) -> Model:
    """The model for the examples under ``locales_dir``: from the cache when it has this exact
    training, else trained (and cached)."""
    folder = cache if cache is not None else cache_dir()
    path = folder / f"classifier-{cache_key(locales_dir, settings)[:32]}.npz"
    model = _read_cache(path)
    if model is not None:
        return model
    model = train(load_examples(locales_dir), settings)
    _write_cache(path, model)
    return model


# --- the process's model ---------------------------------------------------------------------

_MODEL: Model | None = None
_LOCK = threading.Lock()
_FAILED = False


def _model() -> Model:
    global _MODEL
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                _MODEL = build()
    return _MODEL


def warm() -> None:
    """Build the model now (the app calls this at start, so no resident waits for training).
    Raises what building raises: a broken example file should stop the start."""
    _model()


def probabilities(text: object) -> dict[str, float]:
    """Each class's probability for a resident's text (``worry:<topic>`` per worry topic);
    empty when there is nothing to go on or no model. Never raises."""
    global _FAILED
    if not isinstance(text, str) or not text.strip() or _FAILED:
        return {}
    try:
        return _model().shares(text)
    except Exception:  # the rules still answer: the model must never break them
        _FAILED = True
        log.warning("the classifier could not be built or used; rules only", exc_info=True)
        return {}


def classify(text: object) -> Guess:
    """The model's guess for a resident's text; never raises (nothing to go on, or a model that
    cannot be built, is ``other`` with confidence 0)."""
    global _FAILED
    if not isinstance(text, str) or not text.strip() or _FAILED:
        return NO_GUESS
    try:
        return _model().classify(text)
    except Exception:  # the rules still answer: the model must never break them
        _FAILED = True
        log.warning("the classifier could not be built or used; rules only", exc_info=True)
        return NO_GUESS
