"""Optional namers: an OpenAI-compatible endpoint (a fake local server), llama.cpp, fallbacks."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import synthetic_corpus

import trends
from trends import namers


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):  # noqa: N802 - http.server's name
        server = self.server
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        server.seen.append({"body": body, "auth": self.headers.get("Authorization")})
        if server.mode == "fail":
            self.send_response(500)
            self.end_headers()
            return
        if server.mode == "slow":
            time.sleep(2)
        prompt = body["messages"][-1]["content"]
        answer = server.answer(prompt)
        data = json.dumps({"choices": [{"message": {"content": answer}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.mode, httpd.seen = "ok", []
    httpd.answer = lambda prompt: '"Name: Qubit circuits."' if "qubit" in prompt else "Other"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def fitted():
    frame, emb, _ = synthetic_corpus(n_per_theme=25)
    return frame, emb, trends.ThemeModel(verbose=False).fit(frame, embeddings=emb)


def _url(server):
    return f"http://127.0.0.1:{server.server_address[1]}/v1"


def test_chat_namer_names_themes_and_sends_the_key(server, fitted, monkeypatch):
    _, _, model = fitted
    answers = iter(["Quantum circuits", "Image segmentation", "Language parsing", "Genomics"])
    server.answer = lambda prompt: next(answers)
    monkeypatch.setenv("TRENDS_TEST_KEY", "secret-key")
    namer = namers.chat(_url(server), "tiny", api_key_env="TRENDS_TEST_KEY", timeout=5)
    result = namers.apply_namer(namer, model.fit_)
    names = result.themes.set_index("theme_id").name
    assert [names[t] for t in range(4)] == [
        "Quantum circuits",
        "Image segmentation",
        "Language parsing",
        "Genomics",
    ]
    assert server.seen[0]["auth"] == "Bearer secret-key"
    assert server.seen[0]["body"]["model"] == "tiny"
    assert "Papers:" in server.seen[0]["body"]["messages"][-1]["content"]
    leaves = result.hierarchy[result.hierarchy.children.map(len) == 0]
    assert leaves.set_index("node_id").name[0] == "Quantum circuits"
    assert model.themes_.name.tolist() != result.themes.name.tolist()  # the fit is not mutated


def test_failing_endpoint_keeps_the_offline_names(server, fitted):
    _, _, model = fitted
    server.mode = "fail"
    with pytest.warns(RuntimeWarning, match="keeping the offline theme names"):
        result = namers.apply_namer(namers.chat(_url(server), "m", timeout=5), model.fit_)
    assert result.themes.name.tolist() == model.themes_.name.tolist()


def test_timeout_keeps_the_offline_names(server, fitted):
    _, _, model = fitted
    server.mode = "slow"
    t0 = time.perf_counter()
    with pytest.warns(RuntimeWarning, match="offline"):
        result = namers.apply_namer(namers.chat(_url(server), "m", timeout=0.3), model.fit_)
    assert time.perf_counter() - t0 < 10
    assert result.themes.name.tolist() == model.themes_.name.tolist()


def test_unreachable_endpoint_through_the_estimator_keeps_the_fit(fitted):
    frame, emb, model = fitted
    namer = namers.chat("http://127.0.0.1:9/v1", "m", timeout=1)
    with pytest.warns(RuntimeWarning, match="offline"):
        named = trends.ThemeModel(verbose=False, namer=namer).fit(frame, embeddings=emb)
    assert named.themes_.name.tolist() == model.themes_.name.tolist()
    assert (named.labels_ == model.labels_).all()


def test_names_that_break_the_rules_are_refused_one_by_one(fitted):
    _, _, model = fitted

    def namer(themes, papers):
        assert set(papers) == set(themes.theme_id)
        assert all(len(p) > 0 for p in papers.values())
        return [
            "Quantum computing",
            "A name that is far too long to be a heading",
            "Networks of networks",
            "Quantum computing",
        ]

    with pytest.warns(RuntimeWarning, match=r"themes \[1, 2, 3\]"):
        result = namers.apply_namer(namer, model.fit_)
    names = result.themes.name.tolist()
    assert names[0] == "Quantum computing"
    assert names[1:4] == model.themes_.name.tolist()[1:4]


def test_a_namers_name_cannot_take_the_offline_name_another_theme_keeps(fitted):
    _, _, model = fitted
    offline = model.themes_.name.tolist()[:4]

    def namer(themes, papers):
        # Theme 0 takes the offline name of theme 1, whose own answer breaks the rules,
        # so that theme 1 keeps its offline name.
        return [offline[1], "Networks of networks", "Shiny new name", "Another fresh one"]

    with pytest.warns(RuntimeWarning, match=r"themes \[0, 1\]"):
        result = namers.apply_namer(namer, model.fit_)
    names = result.themes.name.tolist()[:4]
    assert names == [offline[0], offline[1], "Shiny new name", "Another fresh one"]
    assert len(set(names)) == 4


def test_a_namer_with_the_wrong_number_of_names_is_ignored(fitted):
    _, _, model = fitted
    with pytest.warns(RuntimeWarning, match="2 names for 4 themes"):
        result = namers.apply_namer(lambda themes, papers: ["a", "b"], model.fit_)
    assert result.themes.name.tolist() == model.themes_.name.tolist()


def test_llama_cpp_without_the_package_says_what_to_install(fitted, monkeypatch):
    import sys

    _, _, model = fitted
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    with pytest.warns(RuntimeWarning, match=r"pip install 'trends\[llm\]'"):
        result = namers.apply_namer(namers.llama_cpp("/nonexistent/model.gguf"), model.fit_)
    assert result.themes.name.tolist() == model.themes_.name.tolist()


def test_clean_answers():
    assert (
        namers._clean('  "Name: Spiking neural networks."\nbecause...') == "Spiking neural networks"
    )
    assert namers._clean("**Federated learning**") == "Federated learning"
