"""Hover and completion from the schema in use and the net model: fields (message, type, label,
default, enum values, doc), layer types (the `*_param` they read, their bottoms and tops), blobs
(producer and shape per state), a fork's schema given with the `proto` setting; completion of
field names, enum values, layer types, blob names and rule names, on half-typed text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as T

from tests.server.kit import (CLIENTS, REPOSITORY, LanguageClient, change_doc, close_doc, config, diagnostics, doc_id,
                              encoding_of, open_doc, position_of, start)
from tests.server.nets import PHASED

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("editing")
    (folder / "fork").mkdir()
    shutil.copy(REPOSITORY / "tests" / "fixtures" / "fork_caffe.proto", folder / "fork" / "caffe.proto")
    (folder / "fork" / ".protolint.toml").write_text('proto = "caffe.proto"\n')
    return folder


@pytest_lsp.fixture(config=config(), params=CLIENTS, scope="module")
async def client(request, lsp_client: LanguageClient, folder):
    await start(lsp_client, request.param, root=folder)
    yield
    await lsp_client.shutdown_session()


async def hover(client, uri, text, needle, occurrence=0, delta=1) -> str:
    result = await client.text_document_hover_async(T.HoverParams(
        text_document=doc_id(uri), position=position_of(text, needle, encoding_of(client), occurrence, delta)))
    return result.contents.value if result else ""


async def complete(client, uri, text, needle, occurrence=0, delta=0) -> list[T.CompletionItem]:
    result = await client.text_document_completion_async(T.CompletionParams(
        text_document=doc_id(uri), position=position_of(text, needle, encoding_of(client), occurrence, delta)))
    return list(result.items if isinstance(result, T.CompletionList) else result or [])


async def opened(client, folder, name, text):
    uri = (folder / name).as_uri()
    open_doc(client, uri, text)
    await diagnostics(client, uri, 1)
    return uri


async def test_hover_on_fields(client: LanguageClient, folder):
    uri = await opened(client, folder, "hover.prototxt", PHASED)
    text = await hover(client, uri, PHASED, "pool: MAX")
    assert "**pool**" in text and "`optional PoolMethod` in `PoolingParameter`" in text
    assert "default: `MAX`" in text and "`MAX` · `AVE` · `STOCHASTIC`" in text
    text = await hover(client, uri, PHASED, "stride: 2")
    assert "`repeated uint32` in `ConvolutionParameter`" in text
    text = await hover(client, uri, PHASED, "MAX", delta=1)  # the enum value
    assert "PoolMethod" in text
    text = await hover(client, uri, PHASED, "kernel_size: 3")
    assert "`optional uint32` in `PoolingParameter`" in text
    text = await hover(client, uri, PHASED, "convolution_param")
    assert "`optional ConvolutionParameter` in `LayerParameter`" in text
    close_doc(client, uri)


async def test_hover_on_a_layer_type(client: LanguageClient, folder):
    uri = await opened(client, folder, "types.prototxt", PHASED)
    text = await hover(client, uri, PHASED, '"Convolution"', delta=2)
    assert "**Convolution** — layer type" in text
    assert "reads `convolution_param` (ConvolutionParameter)" in text
    assert "this layer: bottoms `data` → tops `conv1`" in text
    text = await hover(client, uri, PHASED, '"SoftmaxWithLoss"', delta=2)
    assert "`softmax_param` (SoftmaxParameter), `loss_param` (LossParameter)" in text
    assert "takes 2 bottom(s)" in text
    close_doc(client, uri)


async def test_hover_on_a_blob_shows_its_producer_and_shape_per_state(client: LanguageClient, folder):
    uri = await opened(client, folder, "blobs.prototxt", PHASED)
    text = await hover(client, uri, PHASED, 'bottom: "conv1"', occurrence=1, delta=10)  # pool1 reads conv1
    assert "**blob `conv1`**" in text
    assert "| TEST | `relu1` (ReLU), in place | 1×64×112×112 |" in text
    assert "| TRAIN | `relu1` (ReLU), in place | 8×64×112×112 |" in text
    text = await hover(client, uri, PHASED, 'bottom: "data"', delta=10)  # conv1 reads data: two producers
    assert "| TEST | `data` (Input) | 1×3×224×224 |" in text and "| TRAIN | `data` (DummyData) | 8×3×224×224 |" in text
    text = await hover(client, uri, PHASED, 'bottom: "label"', delta=10)
    assert "| TRAIN | `data` (DummyData) | 8 |" in text
    close_doc(client, uri)


async def test_hover_reads_the_forks_schema(client: LanguageClient, folder):
    text = ('layer {\n  name: "pool"\n  type: "Pooling"\n  bottom: "x"\n  top: "pool"\n'
            '  pooling_param { pool: AVE kernel_size: 2 ceil_mode: false }\n}\n'
            'layer {\n  name: "prior"\n  type: "PriorBox"\n  bottom: "pool"\n  top: "prior"\n'
            '  prior_box_param { min_size: 30 code_type: CENTER_SIZE }\n}\n')
    uri = await opened(client, folder / "fork", "fork.prototxt", text)
    shown = await hover(client, uri, text, "ceil_mode")
    assert "`optional bool` in `PoolingParameter`" in shown and "Round the output size up" in shown
    assert "default: `true`" in shown
    shown = await hover(client, uri, text, "pool: AVE")
    assert "`MAX` · `AVE`" in shown and "STOCHASTIC" not in shown
    shown = await hover(client, uri, text, '"PriorBox"', delta=2)
    assert "reads `prior_box_param` (PriorBoxParameter)" in shown
    items = await complete(client, uri, text, "min_size")
    assert {"min_size", "code_type", "offset"} <= {i.label for i in items}
    items = await complete(client, uri, text, "CENTER_SIZE")
    assert [i.label for i in items] == ["CORNER", "CENTER_SIZE"]
    close_doc(client, uri)


async def test_completion_of_field_names(client: LanguageClient, folder):
    text = PHASED.replace("    num_output: 64\n", "    num_output: 64\n    \n")
    uri = await opened(client, folder, "fields.prototxt", text)
    items = await complete(client, uri, text, "    \n", delta=4)  # an empty line inside convolution_param
    labels = {i.label for i in items}
    assert {"kernel_size", "group", "dilation", "bias_term"} <= labels
    assert "num_output" not in labels  # written already, not repeated
    bias = next(i for i in items if i.label == "bias_term")
    assert bias.detail == "optional bool = true"
    assert "ConvolutionParameter" in bias.documentation.value
    # In a layer, the parameter blocks its type reads come first.
    half = PHASED.replace('  top: "pool1"\n', '  top: "pool1"\n  pool\n')
    change_doc(client, uri, half, 2)
    items = await complete(client, uri, half, "  pool\n", delta=6)
    first = sorted(items, key=lambda i: i.sort_text)[0]
    assert first.label == "pooling_param"
    assert first.text_edit.new_text.startswith("pooling_param {")
    close_doc(client, uri)


async def test_completion_of_values(client: LanguageClient, folder):
    text = PHASED.replace("pool: MAX", "pool: ").replace('type: "Convolution"', 'type: "Conv')
    uri = (folder / "values.prototxt").as_uri()
    open_doc(client, uri, text)
    await diagnostics(client, uri, 1)
    items = await complete(client, uri, text, "pool: ", delta=6)
    assert [i.label for i in items] == ["MAX", "AVE", "STOCHASTIC"]
    items = await complete(client, uri, text, '"Conv', delta=5)
    labels = [i.label for i in items]
    assert "Convolution" in labels and "Deconvolution" in labels and "BatchNorm" in labels
    conv = next(i for i in items if i.label == "Convolution")
    assert conv.detail == "reads convolution_param"
    assert conv.text_edit.new_text == "Convolution"
    start = conv.text_edit.range.start
    assert start == position_of(text, '"Conv', encoding_of(client), delta=1)  # replaces what was typed
    # Triggered by the colon itself: the value gets its space.
    tight = PHASED.replace("pool: MAX", "pool:")
    change_doc(client, uri, tight, 2)
    items = await complete(client, uri, tight, "pool:", delta=5)
    assert [i.text_edit.new_text for i in items] == [" MAX", " AVE", " STOCHASTIC"]
    bools = PHASED.replace("    pad: 3\n", "    bias_term: \n")
    change_doc(client, uri, bools, 3)
    items = await complete(client, uri, bools, "bias_term: ", delta=11)
    assert [i.label for i in items] == ["true", "false"]
    close_doc(client, uri)


async def test_completion_of_blob_names_follows_the_states(client: LanguageClient, folder):
    text = PHASED.replace('  bottom: "label"\n', '  bottom: "\n')
    uri = (folder / "bottoms.prototxt").as_uri()
    open_doc(client, uri, text)
    await diagnostics(client, uri, 1)
    # The loss layer is built in TRAIN only: `label` comes from the TRAIN data layer.
    items = await complete(client, uri, text, '  bottom: "\n', delta=11)
    labels = [i.label for i in items]
    assert set(labels) == {"data", "label", "conv1", "pool1", "fc"}
    # `prob` is TEST only and later: never offered; the TEST-only Softmax sees no `label`.
    text2 = PHASED.replace('  bottom: "fc"\n  top: "prob"', '  bottom: "\n  top: "prob"')
    change_doc(client, uri, text2, 2)
    await diagnostics(client, uri, 2)
    items = await complete(client, uri, text2, '  bottom: "\n', delta=11)
    assert {i.label for i in items} == {"data", "conv1", "pool1", "fc"}
    close_doc(client, uri)


async def test_completion_of_rule_names_in_suppressions(client: LanguageClient, folder):
    text = PHASED.replace('  top: "pool1"\n', '  top: "pool1"  # protolint: disable=unknown-field,missing-\n')
    uri = (folder / "rules.prototxt").as_uri()
    open_doc(client, uri, text)
    await diagnostics(client, uri, 1)
    items = await complete(client, uri, text, "missing-\n")
    labels = {i.label for i in items}
    assert {"missing-weight-filler", "missing-bias-filler", "unknown-field"} <= labels
    item = next(i for i in items if i.label == "missing-bias-filler")
    assert item.detail.startswith("F402") or item.detail.split()[0].startswith("F")
    assert item.text_edit.range.start == position_of(text, "missing-\n", encoding_of(client))
    close_doc(client, uri)


async def test_completion_on_broken_text(client: LanguageClient, folder):
    text = 'layer {\n  name: "a"\n  type: "Pooling"\n  pooling_param {\n    ker'
    uri = (folder / "broken.prototxt").as_uri()
    open_doc(client, uri, text)
    await diagnostics(client, uri, 1)
    items = await complete(client, uri, text, "ker", delta=3)
    assert {"kernel_size", "kernel_h", "kernel_w"} <= {i.label for i in items}
    close_doc(client, uri)
