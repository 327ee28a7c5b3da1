"""The package's words: expert names, model labels, which experts make each model, regimes.

Every layer names its experts and models here and nowhere else: the classifier's
``weights`` and contributions, the analysis's models, its reports, plots,
groupings and bias. A label renamed here is renamed everywhere.
"""

INTER = "inter"
"""Name of the inter expert in ``weights`` dicts, ``named_estimators_`` and reports."""

BASELINE = "additive baseline"
"""Name of the additive baseline in the analyzer's models and out-of-fold outputs."""

PRIOR, NORMALISER = "prior", "normaliser"
"""Names of the two non-expert terms of ``predict_contributions``."""

RESERVED = (INTER, BASELINE, PRIOR, NORMALISER)

CHANCE = "chance"
PRODUCT_INTRA = "product(intra)"
PRODUCT_ALL = "product(intra+inter)"
CALIBRATED_INTRA = "calibrated product(intra)"
CALIBRATED_ALL = "calibrated product(intra+inter)"
COMPARISON = "inter expert vs calibrated product(intra)"

REGIMES = ("intra", "inter", "both", "neither")


def baseline_of(modality):
    """The additive baseline's expert on one modality (a product of per-modality clones)."""
    return f"{BASELINE}: {modality}"


def is_reserved(name):
    return name in RESERVED or name.startswith(f"{BASELINE}:")


def intra_model(name):
    return f"intra: {name}"


def calibrated(model):
    return f"{model} (calibrated)"


def permuted_inter(name):
    """The inter expert scored with modality ``name``'s columns permuted (a pseudo-expert)."""
    return f"inter | {name} permuted"


def product_without(name):
    return f"product without {name}"


def models(intra, baselines, has_inter, ablated, additive=()):
    """Each scored model -> (the experts it multiplies, whether it is calibrated).

    ``intra`` and ``baselines`` are expert names, ``ablated`` the modalities whose
    removal from the full product is scored: their product leaves out the intra
    expert and, with an inter expert, replaces it by :func:`permuted_inter`.
    ``additive`` names more additive models (the pairwise map's, the
    decomposition's), each scored alone.
    """
    out = {CHANCE: ([], False)}
    for name in intra:
        out[intra_model(name)] = ([name], False)
        out[calibrated(intra_model(name))] = ([name], True)
    if has_inter:
        out[INTER] = ([INTER], False)
        out[calibrated(INTER)] = ([INTER], True)
        if baselines:
            out[BASELINE] = (list(baselines), False)
            out[calibrated(BASELINE)] = (list(baselines), True)
    out[PRODUCT_INTRA] = (list(intra), False)
    out[CALIBRATED_INTRA] = (list(intra), True)
    if has_inter:
        out[PRODUCT_ALL] = (list(intra) + [INTER], False)
        out[CALIBRATED_ALL] = (list(intra) + [INTER], True)
    for name in ablated:
        others = [n for n in intra if n != name]
        if has_inter:
            out[permuted_inter(name)] = ([permuted_inter(name)], False)
            others = others + [permuted_inter(name)]
        out[product_without(name)] = (others, False)
        out[calibrated(product_without(name))] = (others, True)
    for name in additive:
        out[name] = ([name], False)
        out[calibrated(name)] = ([name], True)
    return out


def full_product(has_inter):
    """The calibrated product of every expert: what an ablation is compared with."""
    return CALIBRATED_ALL if has_inter else CALIBRATED_INTRA


def regime(intra_counts, inter_counts):
    """``"intra"``, ``"inter"``, ``"both"`` or ``"neither"``: which dependencies count."""
    return {(True, True): "both", (True, False): "intra", (False, True): "inter"}.get(
        (bool(intra_counts), bool(inter_counts)), "neither")


def pair_model(a, b):
    """The additive model with modalities ``a`` and ``b`` merged into one set (may interact)."""
    return f"{BASELINE}: {a} x {b}"


def only_model(name):
    """The additive model family on modality ``name`` alone."""
    return f"{BASELINE}: {name} alone"


def without_model(name):
    """The additive model on every modality but ``name``."""
    return f"{BASELINE}: without {name}"
