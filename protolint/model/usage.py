"""How a net is used: the one answer every rule shares.

A net file is trained by a solver (its `net`/`train_net`), tested by one (`test_net`, or the
generic `net` for each test_iter), embedded in a solver (`net_param`, `train_net_param`,
`test_net_param`), or linted alone. That decides the states Caffe builds it in (phase, level,
stages), in which of them Backward runs (where fillers, BatchNorm statistics and gradients
matter), and whether its weights start from a .caffemodel. `decide()` works this out once per net
from what the project found (`SolverUse`: the solvers linted with a net file) and the net itself;
rules read the result from `Net.usage`.

A net linted alone is built in the states its data layers' include rules ask for; it is trained
only in a TRAIN state that has a loss, and checked only in states something builds: a deploy net
(no loss) is checked as Caffe runs it, in TEST, never in a TRAIN state nobody builds. A file named
for running only (`*_test`, `*_val`, `deploy`, `*_predict`; no "train" in the name) is not trained
even with a loss, unless a layer asks for the TRAIN phase.

Where a trained net's weights start (`initialisation(net)`): told — a solver's `weights`, or the
`pretrained` setting for weights passed as `caffe train --weights` or from Python — or read off the
text: layers without fillers that are frozen, that a released model's .caffemodel can fill, or
that form a backbone feeding a head with fillers; a file named for fine-tuning or feature
extraction. Rules about initial weights are at full severity only when
nothing says the weights are pretrained, and their messages name the evidence they used.
"""

from __future__ import annotations

import os

from .. import patterns
from ..syntax.nodes import Message
from ..values import Frozen
from .backbones import loadable_from
from .facts import BVLC_LAYER_TYPES, WEIGHT_BEARING
from .net import TEST, TRAIN, Net, NetState
from .params import lr_mult

# Plain classes, not dataclasses: creating a dataclass costs ~0.3 ms of start-up each.


class SolverUse:
    """How the solvers linted together with a net file use it (collected by project.py)."""

    def __init__(self, trained: bool = False, pretrained: bool = False, states: list[NetState] | None = None,
                 solvers: list[str] | None = None, training_solvers: list | None = None):
        self.trained = trained  # named as a solver's train net (`net` or `train_net`)
        self.pretrained = pretrained  # that solver starts from a .caffemodel (its `weights` field)
        self.states = [] if states is None else states  # the states the solvers build it in
        self.solvers = [] if solvers is None else solvers  # paths, for messages
        # (path, model.solver.Solver) of those that train it
        self.training_solvers = [] if training_solvers is None else training_solvers

    def add(self, state: NetState, solver_path: str, trained: bool, pretrained: bool = False, solver=None) -> None:
        if state not in self.states:
            self.states.append(state)
        if solver_path not in self.solvers:
            self.solvers.append(solver_path)
        if trained and solver is not None and all(s is not solver for _p, s in self.training_solvers):
            self.training_solvers.append((solver_path, solver))
        self.trained = self.trained or trained
        self.pretrained = self.pretrained or (trained and pretrained)


class Usage:
    """The states a net is built in, where it is trained, and where its weights come from."""

    def __init__(self, train_states: list[NetState], test_states: list[NetState], from_solver: bool = False,
                 solvers: list[str] | None = None, told_pretrained: bool | None = None, told_by: str = "",
                 path: str = "", training_solvers: list | None = None, solver_trained: bool = False,
                 embedded_field: object = None, embedded_role: str | None = None):
        self.train_states = train_states  # states a solver trains it in (Backward runs)
        self.test_states = test_states  # states it is only run forward in
        self.from_solver = from_solver  # the states come from a solver (linked net file or embedded net)
        self.solvers = [] if solvers is None else solvers  # paths of the solvers using a net file
        self.told_pretrained = told_pretrained  # what a solver's `weights` or the `pretrained` setting say
        self.told_by = told_by  # which of them said it, for messages
        self.path = path  # the net's file (the solver's for an embedded net)
        # (path, model.solver.Solver) of the solvers training it
        self.training_solvers = [] if training_solvers is None else training_solvers
        self.solver_trained = solver_trained  # a solver names it as its train net (whether or not it has a loss)
        self.embedded_field = embedded_field  # net_param / train_net_param / test_net_param of the solver file
        self.embedded_role = embedded_role  # "train" | "test" for an embedded net

    @property
    def states(self) -> list[NetState]:
        seen: list[NetState] = []
        for state in self.train_states + self.test_states:
            if state not in seen:
                seen.append(state)
        return seen


def decide(net: Net, solver_use: SolverUse | None = None, pretrained: bool | None = None, path: str = "") -> Usage:
    """The usage of a net file: from the solvers linked with it, else from the net alone.
    `pretrained`: what the user said about the starting weights (None: not said)."""
    told, told_by = _told(solver_use, pretrained)
    if solver_use is not None and solver_use.states:
        train = [s for s in solver_use.states if s.phase == "TRAIN"] if solver_use.trained else []
        test = [s for s in solver_use.states if s not in train]
        return Usage(train, test, True, list(solver_use.solvers), told, told_by, path,
                     list(solver_use.training_solvers), solver_use.trained)
    states = inferred_states(net)
    train = [s for s in states if s.phase == "TRAIN" and (net.has_loss_in(s) or _loss_like_in(net, s))]
    test = [s for s in states if s.phase != "TRAIN"]
    if train and named_for_running(path) and not _asks_for_train(net):
        train, test = [], test or states  # `imagenet_val.prototxt` with a loss: evaluated, not trained
    if not train and not test:
        test = states  # built for TRAIN but never trained (no loss): still checked as it is built
    return Usage(train, test, told_pretrained=told, told_by=told_by, path=path)


# Words of a file name that say the net is only run forward (tested, validated, deployed, used to
# predict or extract features); a name with "train" in it says otherwise.
_RUN_ONLY_WORDS = {"test", "val", "valid", "validation", "deploy", "predict", "prediction", "inference", "infer",
                   "eval", "evaluate", "evaluation", "extract", "features"}


_CAMEL_HUMP = patterns.compile(r"([a-z])([A-Z])")
_WORD = patterns.compile(r"[a-z]+")


def named_for_running(path: str) -> bool:
    """Whether a net file's name says it is only run forward (`lenet_test.prototxt`,
    `imagenet_val.prototxt`, `facialkp_predict.prototxt`), not trained (`train_val.prototxt`)."""
    stem = os.path.splitext(os.path.basename(path or ""))[0]
    words = _WORD.findall(_CAMEL_HUMP.sub(r"\1_\2", stem).lower())
    return bool(words) and not any("train" in w for w in words) and any(w in _RUN_ONLY_WORDS for w in words)


def _asks_for_train(net: Net) -> bool:
    """Some layer is written for the TRAIN phase only (`include { phase: TRAIN }`): meant to train."""
    return any(rule.last("phase") is not None and rule.last("phase").scalar == "TRAIN"
               for layer in net.layers for rule in layer.includes)


def _told(solver_use: SolverUse | None, setting: bool | None) -> tuple[bool | None, str]:
    if setting is not None:
        return setting, "the `pretrained` setting" if setting else "the `pretrained = false` setting"
    if solver_use is not None and solver_use.pretrained:
        return True, f"the `weights` of {', '.join(solver_use.solvers)}"
    return None, ""


class Evidence(Frozen):
    """Immutable; equal and hashed by value."""

    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str):
        self.kind = kind  # frozen-unfilled | released-model | backbone-head | file-name
        # what a message says, e.g. 'its 13 layers without fillers are named and sized like VGG-16's'
        self.text = text


class Initialisation:
    """Where a trained net's weights start."""

    def __init__(self, told: bool | None, told_by: str, evidence: list[Evidence]):
        self.told = told  # True: pretrained, False: from scratch, as a solver or the setting says
        self.told_by = told_by
        self.evidence = evidence  # read off the text: signs of fine-tuning

    def pretrained(self, ignore: tuple[str, ...] = ()) -> bool | None:
        """True when told or when the text shows fine-tuning (evidence kinds in `ignore` aside);
        False when told from scratch; None when nothing says."""
        if self.told is not None:
            return self.told
        return True if self.signs(ignore) else None

    def signs(self, ignore: tuple[str, ...] = ()) -> list[Evidence]:
        return [e for e in self.evidence if e.kind not in ignore]

    def reason(self, ignore: tuple[str, ...] = ()) -> str:
        """The evidence in words: "the solver's `weights`", "its layers ... (and ...)"."""
        if self.told is not None:
            return self.told_by
        return "; ".join(e.text for e in self.signs(ignore))


# File or net names of nets that start from trained weights: fine-tuning, or feature extraction.
_FINE_TUNE_NAME = patterns.compile(r"fine[-_ ]?tun|(?<![a-z])ft(?![a-z])|extract")


def initialisation(net: Net) -> Initialisation:
    """The evidence on where the net's weights start (memoised on the net)."""
    found = net.memo.get("initialisation")
    if found is None:
        found = net.memo["initialisation"] = _initialisation(net)
    return found


def _initialisation(net: Net) -> Initialisation:
    usage = net.usage
    evidence: list[Evidence] = []
    trained = net.trained_layers()
    weighted = [layer for layer in trained if layer.type in WEIGHT_BEARING]
    unfilled = [layer for layer in weighted if layer.field(f"{WEIGHT_BEARING[layer.type]}.weight_filler") is None]
    filled = [layer for layer in weighted if layer not in unfilled]
    frozen = [layer for layer in unfilled if lr_mult(layer, 0) == 0]
    if frozen:
        evidence.append(Evidence("frozen-unfilled", f"{_count(frozen, 'layer')} without a weight_filler "
                                                    f"{'is' if len(frozen) == 1 else 'are'} frozen (lr_mult 0) "
                                                    f"({_names(frozen)})"))
    match = loadable_from(unfilled) if len(unfilled) >= 3 else None
    if match is not None and len(match[1]) >= 3 and len(match[1]) >= 0.8 * len(unfilled):
        evidence.append(Evidence("released-model", f"{_count(match[1], 'layer')} without a weight_filler "
                                                   f"{'is' if len(match[1]) == 1 else 'are'} named and sized like "
                                                   f"{match[0]}'s ({_names(match[1])})"))
    if len(unfilled) >= 3 and filled and max(l.index for l in unfilled) < min(l.index for l in filled):
        evidence.append(Evidence("backbone-head", f"a backbone of {len(unfilled)} layers without fillers feeds "
                                                  f"{_count(filled, 'layer')} with fillers ({_names(filled)})"))
    name_field = net.root.last("name")
    names = [os.path.basename(usage.path or "").lower(), str(name_field.scalar if name_field is not None else "").lower()]
    if any(_FINE_TUNE_NAME.search(name) for name in names):
        evidence.append(Evidence("file-name", "its name says it starts from trained weights (fine-tuning or feature "
                                              "extraction)"))
    return Initialisation(usage.told_pretrained, usage.told_by, evidence)


def _count(layers, noun: str) -> str:
    return f"{len(layers)} {noun}{'s' if len(layers) != 1 else ''}"


def _names(layers, shown: int = 3) -> str:
    names = [f'"{layer.name}"' for layer in layers[:shown]]
    return ", ".join(names) + (f" and {len(layers) - shown} more" if len(layers) > shown else "")


def net_alone(root: Message, path: str = "") -> Net:
    """The model of a net file linted on its own (what tools and tests that build a net need)."""
    net = Net.from_message(root)
    net.usage = decide(net, path=path)
    return net


def looks_like_loss(layer) -> bool:
    """A layer meant as a loss that Caffe does not count as one: a Python layer without loss_weight
    named like a loss, or a type BVLC does not register named like a loss (in its fork most likely
    a LossLayer, loss_weight 1 by default)."""
    if layer.type == "Python":
        if layer.message.has("loss_weight"):
            return False
        texts = [layer.name, str(layer.get("python_param.module") or ""), str(layer.get("python_param.layer") or "")]
        return any("loss" in t.lower() for t in texts)
    return layer.type not in BVLC_LAYER_TYPES and "loss" in layer.type.lower()


def _loss_like_in(net: Net, state: NetState) -> bool:
    return any(looks_like_loss(layer) for layer in net.layers_in(state))


def inferred_states(net: Net) -> list[NetState]:
    """The states to check a net in when no solver says. Without phase-restricted data layers: TRAIN
    and TEST. Otherwise the states those layers' `include` rules ask for (phase, stages, level), so
    a train-only file is not checked as a test net and a TEST data layer that needs
    `stage: "test-on-test"` is checked with that stage. States with no source of data are skipped."""
    sources = [layer for layer in net.layers if not layer.bottoms and layer.tops]
    candidates: list[NetState] = []
    for layer in sources:
        for rule in layer.includes:
            phase = rule.last("phase")
            stages = tuple(st.scalar for st in rule.all("stage") if isinstance(st.scalar, str))
            level = rule.last("min_level")
            for name in [phase.scalar] if phase is not None and phase.scalar else ["TRAIN", "TEST"]:
                state = NetState(
                    name,
                    level.scalar if level is not None and isinstance(level.scalar, int) else 0,
                    stages,
                    label=name + (f" (stage {', '.join(stages)})" if stages else ""),
                )
                if state not in candidates:
                    candidates.append(state)
    if not candidates:
        candidates = [TRAIN, TEST]
    built = [state for state in candidates if any(layer.included_in(state) for layer in sources)]
    return built or candidates[:1]


# --- nets embedded in a solver -------------------------------------------------------------------

EMBEDDED_FIELDS = ("net_param", "train_net_param", "test_net_param")


def embedded_nets(solver, pretrained: bool | None = None, path: str = "") -> list[Net]:
    """The nets written inside a solver, each with the states the solver builds it in (Caffe does
    not upgrade these: V1 `layers` give no layers at all). `pretrained`: the setting, if given."""
    root = solver.root
    inline_tests = [f for f in root.all("test_net_param") if isinstance(f.value, Message)]
    test_files = sum(len(f.values()) for f in root.all("test_net"))
    test_iters = sum(len(f.values()) for f in root.all("test_iter"))
    has_train_spec = root.has("train_net_param") or root.has("train_net")
    nets = []
    for name in EMBEDDED_FIELDS:
        for f in root.all(name):
            if not isinstance(f.value, Message):
                continue
            net = Net.from_message(f.value, embedded=True)
            train: list[NetState] = []
            test: list[NetState] = []
            if name == "train_net_param" or (name == "net_param" and not has_train_spec):
                train.append(solver.state_from("train_state", "TRAIN"))
            if name == "test_net_param":
                index = next(i for i, t in enumerate(inline_tests) if t is f)
                test.append(solver.state_from("test_state", "TEST", index, f"TEST #{index + 1}"))
            elif name == "net_param":
                first = len(inline_tests) + test_files
                for index in range(first, max(test_iters, first)):
                    test.append(solver.state_from("test_state", "TEST", index, f"TEST #{index + 1}"))
            role = "test" if name == "test_net_param" else "train"
            told, told_by = (pretrained, "the `pretrained` setting") if pretrained is not None else (
                (True, "the solver's `weights`") if root.has("weights") else (None, ""))
            net.usage = Usage(train, test, True, told_pretrained=told, told_by=told_by, path=path,
                              training_solvers=[(path, solver)] if train else [],
                              solver_trained=bool(train), embedded_field=f, embedded_role=role)
            nets.append(net)
    return nets
