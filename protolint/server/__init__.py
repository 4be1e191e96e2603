"""`protolint server`: a language server (LSP 3.17 over stdio) for prototxt files.

Built on pygls and lsprotocol, which only this package imports: the command line never loads
them. The modules: `app` (lifecycle, document sync, settings, diagnostics), `workspace` (open
documents, editor settings, configuration, solver <-> net groups), `scheduler` (when lints run
and what gets published), `analysis` (one lint and its snapshots), `positions` (LSP positions in
UTF-8/16/32), `tree` (what is at a position), and `features/` (code actions, hover, completion,
navigation, inlay hints).
"""


def main() -> None:
    from .app import main as run

    run()
