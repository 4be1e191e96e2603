"""L374 python-layer-missing-module: A Python layer without python_param.module or python_param.layer."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import has_unknown_fields


class PythonLayerMissingModule(Rule):
    code = "L374"
    name = "python-layer-missing-module"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Python",)
    summary = "A Python layer without python_param.module or python_param.layer"
    what_it_does = "Reports Python layers whose `python_param.module` or `python_param.layer` is unset or empty."
    why_it_matters = "Caffe imports the module and looks up the class by these names when it creates the layer; an empty name fails the import and aborts."
    example = 'layer { name: "loss" type: "Python" bottom: "fc" bottom: "label" top: "loss" python_param { layer: "MyLoss" } }'
    how_to_fix = 'Set python_param { module: "my_layers" layer: "MyLoss" } (the module must be on PYTHONPATH).'
    version_notes = "Needs a Caffe built with WITH_PYTHON_LAYER."
    references = (
        "src/caffe/layer_factory.cpp:292-302 (GetPythonLayer: bp::import of the module, then the class attribute)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Python",)):
            if has_unknown_fields(layer, "python_param"):
                continue
            for name in ("module", "layer"):
                node = layer.field(f"python_param.{name}")
                if node is None or node.scalar == "":
                    ctx.report_layer(layer, f'Python layer "{layer.name}" has no {name}: Caffe cannot '
                              "import the class and aborts while creating the layer — set python_param "
                              '{ module: "…" layer: "…" }', node=layer.field("python_param"))
                    break
