"""Golden: for every file of the shared corpus, the server's diagnostics are exactly what
`protolint --format json FILE` reports for it (position, severity, code, rule, message, related
locations), as VS Code (UTF-16, push) and Neovim (UTF-8, pull) receive them. A solver brings its
net files in both."""

from __future__ import annotations

import pytest
import pytest_lsp

from tests.corpus_location import REQUIRED
from tests.rules.kit import corpus
from tests.server.kit import (CLIENTS, LanguageClient, as_json, cli_json, close_doc, config, diagnostics, encoding_of,
                              json_terms, open_doc, start)

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = corpus().resolve() if corpus() else None
FILES = sorted(ROOT.rglob("*.prototxt")) if ROOT else []


@pytest.fixture(scope="module")
def cwd(tmp_path_factory):
    return tmp_path_factory.mktemp("golden")  # an empty workspace folder: no solvers found around the files


@pytest.fixture(scope="module")
def expected(cwd):
    """Every corpus file's findings from the command line, run once."""
    found = {}
    for path in FILES:
        found[path] = [d for d in cli_json([path], cwd) if d["path"] == str(path)]
    return found


@pytest_lsp.fixture(config=config(), params=CLIENTS, scope="module")
async def client(request, lsp_client: LanguageClient, cwd):
    await start(lsp_client, request.param, root=cwd)
    yield
    await lsp_client.shutdown_session()


# (Under PROTOLINT_REQUIRE_CORPUS=1 it runs, and fails, without the corpus: see tests/corpus_location.py.)
@pytest.mark.skipif(not FILES and not REQUIRED, reason="no corpus: set PROTOLINT_CORPUS or put the corpus at ../shared/corpus")
async def test_server_diagnostics_equal_the_json_output_for_the_corpus(client: LanguageClient, expected):
    encoding = encoding_of(client)
    mismatches = []
    for path in FILES:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        uri = path.as_uri()
        open_doc(client, uri, text)
        items = await diagnostics(client, uri, 1)
        close_doc(client, uri)
        if as_json(items, text, encoding) != json_terms(expected[path]):
            mismatches.append(str(path))
    assert len(FILES) > 200
    assert not mismatches, mismatches[:10]
