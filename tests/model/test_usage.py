"""How a net is used — the one answer every rule reads (model.usage): the states Caffe builds it in,
where Backward runs, and whether its weights start from a .caffemodel."""

from __future__ import annotations

from protolint.api import default_options, lint_bytes
from protolint.linter import prepare
from protolint.model.usage import net_alone
from protolint.project import Input, lint_inputs

DATA = 'layer { name: "d" type: "Data" top: "data" top: "label" include { phase: %s } data_param { source: "db" batch_size: 8 backend: LMDB } }\n'
FC = 'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } }\n'
LOSS = 'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
INPUT = 'layer { name: "in" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } }\n'


def usage_of(text: str, path: str = "net.prototxt"):
    net = net_alone(prepare(path, text.encode(), default_options()).document.root, path=path)
    return [s.describe() for s in net.train_states()], [s.describe() for s in net.test_states()]


def test_a_train_val_net_is_trained_in_train_and_tested_in_test():
    assert usage_of(DATA % "TRAIN" + DATA % "TEST" + FC + LOSS) == (["TRAIN"], ["TEST"])


def test_a_deploy_net_is_only_built_in_test():
    # No loss: nothing trains it, and Caffe's deploy tools build it in TEST.
    assert usage_of(INPUT + FC) == ([], ["TEST"])


def test_a_net_with_only_test_data_is_never_trained():
    assert usage_of(DATA % "TEST" + FC + LOSS) == ([], ["TEST"])


NO_PHASE_DATA = 'layer { name: "d" type: "Data" top: "data" top: "label" data_param { source: "db" batch_size: 8 backend: LMDB } }\n'


def test_a_file_named_for_running_only_is_not_trained_even_with_a_loss():
    for name in ("imagenet_val.prototxt", "models/lenet_test.prototxt", "facialkp_predict.prototxt", "deploy.prototxt"):
        assert usage_of(NO_PHASE_DATA + FC + LOSS, name) == ([], ["TEST"]), name
    # A name with "train" in it, or no such word, keeps the loss's answer.
    for name in ("train_val.prototxt", "trainval_test.prototxt", "lenet.prototxt", "testnet.prototxt"):
        assert usage_of(NO_PHASE_DATA + FC + LOSS, name)[0] == ["TRAIN"], name
    # A layer that asks for the TRAIN phase says it is trained, whatever the name.
    assert usage_of(DATA % "TRAIN" + DATA % "TEST" + FC + LOSS, "val.prototxt") == (["TRAIN"], ["TEST"])


def test_a_python_loss_without_loss_weight_still_marks_the_net_as_trained():
    python_loss = ('layer { name: "loss" type: "Python" bottom: "fc" bottom: "label" top: "loss" '
                   'python_param { module: "losses" layer: "DiceLoss" } }\n')
    assert usage_of(DATA % "TRAIN" + FC + python_loss) == (["TRAIN"], [])


def test_a_solver_decides_the_states_and_the_weights(tmp_path, monkeypatch):
    import protolint.project as project

    (tmp_path / "net.prototxt").write_text(DATA % "TRAIN" + DATA % "TEST" + FC + LOSS)
    solver = tmp_path / "solver.prototxt"
    solver.write_text('net: "net.prototxt"\ntest_iter: 1\ntest_interval: 10\nbase_lr: 0.01\nlr_policy: "fixed"\n'
                      'max_iter: 10\nweights: "init.caffemodel"\ntest_state { stage: "val" }\n')
    nets = []
    real_run = project.run
    monkeypatch.setattr(project, "run", lambda p, links=None, net=None: nets.append(net) or real_run(p, links, net))
    lint_inputs([Input(str(solver), solver.read_bytes(), str(solver))], lambda _p: default_options())
    net = nets[1]
    assert [s.describe() for s in net.train_states()] == ["TRAIN"]
    assert [s.describe() for s in net.test_states()] == ["TEST #1 (stage val)"]
    assert net.pretrained and net.usage.from_solver


def test_one_fine_tuning_answer_for_every_rule(tmp_path):
    """Where a net's weights start is one answer that every rule about initial weights reads (they once
    disagreed: missing-weight-filler and the BatchNorm rule read the solver, constant-weight-filler and
    layer-frozen an option nothing set)."""
    net = (DATA % "TRAIN"
           + 'layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" '
             'convolution_param { num_output: 4 kernel_size: 1 weight_filler { type: "constant" value: 0.1 } } }\n'
           + 'layer { name: "frozen" type: "InnerProduct" bottom: "conv" top: "frozen" param { lr_mult: 0 } param { lr_mult: 0 } '
             'inner_product_param { num_output: 4 weight_filler { type: "xavier" } } }\n'
           + 'layer { name: "fc" type: "InnerProduct" bottom: "frozen" top: "fc" '
             'inner_product_param { num_output: 2 weight_filler { type: "xavier" } } }\n' + LOSS)

    def found(diagnostics):
        return {(d.rule, d.severity) for d in diagnostics if d.rule in ("constant-weight-filler", "layer-frozen")}

    alone = found(lint_bytes("net.prototxt", net.encode(), default_options()).diagnostics)
    assert alone == {("constant-weight-filler", "warning"), ("layer-frozen", "info")}
    (tmp_path / "net.prototxt").write_text(net)
    solver = tmp_path / "solver.prototxt"
    solver.write_text('net: "net.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 10\nweights: "init.caffemodel"\n')
    results = lint_inputs([Input(str(solver), solver.read_bytes(), str(solver))], lambda _p: default_options())
    assert found(d for r in results for d in r.diagnostics) == {("constant-weight-filler", "info")}
    # The same when the weights are passed on the command line: the `pretrained` setting.
    told = lint_bytes("net.prototxt", net.encode(), default_options(pretrained=True)).diagnostics
    assert found(told) == {("constant-weight-filler", "info")}
