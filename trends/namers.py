"""Optional theme namers: a language model names the themes after the fit.

A namer is any callable ``namer(themes, papers) -> names``: ``themes`` is the theme table
(`ThemeModel.themes_` without outliers: ``theme_id``, ``name``, ``description``,
``keywords``...), ``papers`` is ``{theme id: [texts of its most typical papers]}``, and
``names`` is ``{theme id: name}`` or a list in the table's order. Two ship here:

- `chat`: any OpenAI-compatible chat endpoint (a local llama.cpp or vLLM server, or a
  hosted one), through the standard library's HTTP client; the API key is read from an
  environment variable, never passed in code;
- `llama_cpp`: a local GGUF model through ``llama-cpp-python`` (``pip install
  'trends[llm]'``).

`apply_namer` calls a namer for `trends.ThemeModel` (``namer=``): a failure, a timeout or
an unusable answer leaves the offline names in place, with a warning; the fit is never
lost. A name must obey the offline rules (at most 6 words and 48 characters, no stem
said twice, unique); a theme whose answer does not keeps its offline name.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import urllib.error
import urllib.request
import warnings

import pandas as pd

from . import naming as _naming
from ._warn import user_level
from .errors import TrendsError

N_PAPERS = 8
PROMPT = (
    "You name research themes. Below are the distinctive phrases of one theme and the "
    "beginnings of its most typical papers. Answer with one name for the theme: a noun "
    "phrase of at most 6 words that reads like a section heading (for example "
    '"Spiking neural networks" or "Federated learning systems"), keeping acronyms in '
    "their usual case. Answer with the name only."
)


class NamerError(TrendsError):
    """A namer failed: the endpoint or model could not be reached, or answered nonsense."""


def _theme_prompt(row, papers: list[str]) -> str:
    lines = [f"Distinctive phrases: {row.get('description') or ', '.join(row.get('keywords', []))}"]
    lines.append(f"Keywords: {', '.join(str(k) for k in list(row.get('keywords', []))[:10])}")
    lines.append("Papers:")
    lines += [f"- {' '.join(str(p).split())[:300]}" for p in papers[:N_PAPERS]]
    return "\n".join(lines)


def _clean(answer: str) -> str:
    """The first line of a model's answer, without quotes, a "Name:" prefix or a full stop."""
    line = next((x for x in str(answer).strip().splitlines() if x.strip()), "")
    line = line.strip().strip("\"'`*“”")
    line = re.sub(r"^\s*(theme\s+)?name\s*:\s*", "", line, flags=re.IGNORECASE)
    return line.strip().strip("\"'`*“”").rstrip(".").strip()


class chat:  # noqa: N801 - used like a function: namer=trends.namers.chat(url, model)
    """Name themes with an OpenAI-compatible chat-completions endpoint.

    Parameters
    ----------
    base_url : str
        The API root, e.g. ``"http://localhost:8080/v1"`` (llama.cpp's ``llama-server``,
        vLLM) or a hosted service's; ``/chat/completions`` is appended.
    model : str
        The model name the endpoint expects.
    api_key_env : str
        Environment variable holding the API key (sent as a bearer token when set).
    timeout : float
        Seconds to wait for each answer.
    temperature : float
        Sampling temperature (0: the most likely name).
    max_tokens : int
        Longest answer.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key_env: str = "OPENAI_API_KEY",
        timeout: float = 30.0,
        temperature: float = 0.0,
        max_tokens: int = 24,
    ):
        self.base_url = str(base_url).rstrip("/")
        self.model = model
        self.api_key_env = api_key_env
        self.timeout = timeout
        self.temperature = temperature
        self.max_tokens = max_tokens

    def __repr__(self) -> str:
        return f"trends.namers.chat({self.base_url!r}, {self.model!r})"

    def complete(self, prompt: str) -> str:
        """The endpoint's answer to one theme's prompt; `NamerError` on any failure."""
        body = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": PROMPT},
                {"role": "user", "content": prompt},
            ],
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        request = urllib.request.Request(
            f"{self.base_url}/chat/completions",
            data=json.dumps(body).encode("utf-8"),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = json.loads(response.read().decode("utf-8"))
            return str(payload["choices"][0]["message"]["content"])
        except urllib.error.HTTPError as exc:
            raise NamerError(f"{self.base_url} answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise NamerError(f"{self.base_url} could not be reached: {exc}") from exc
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise NamerError(f"{self.base_url} sent no chat completion") from exc

    def __call__(self, themes: pd.DataFrame, papers: dict) -> dict[int, str]:
        """``{theme id: name}`` for every theme of ``themes``."""
        return {
            int(row["theme_id"]): _clean(
                self.complete(_theme_prompt(row, papers.get(int(row["theme_id"]), [])))
            )
            for row in themes.to_dict(orient="records")
        }


class llama_cpp(chat):  # noqa: N801 - used like a function, as `chat`
    """Name themes with a local GGUF model through ``llama-cpp-python``.

    Parameters
    ----------
    path : str or path
        The ``.gguf`` file.
    n_ctx : int
        Context length.
    temperature, max_tokens
        As for `chat`.
    **options
        Passed to ``llama_cpp.Llama`` (e.g. ``n_threads``, ``n_gpu_layers``).
    """

    def __init__(
        self, path, *, n_ctx: int = 4096, temperature: float = 0.0, max_tokens: int = 24, **options
    ):
        self.path = str(path)
        self.n_ctx = n_ctx
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.options = options
        self._llm = None

    def __repr__(self) -> str:
        return f"trends.namers.llama_cpp({self.path!r})"

    def complete(self, prompt: str) -> str:
        """The local model's answer to one theme's prompt; `NamerError` on any failure."""
        if self._llm is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise NamerError(
                    "llama_cpp needs llama-cpp-python: pip install 'trends[llm]'"
                ) from exc
            try:
                self._llm = Llama(
                    model_path=self.path, n_ctx=self.n_ctx, verbose=False, **self.options
                )
            except (ValueError, OSError, RuntimeError) as exc:
                raise NamerError(f"could not load {self.path}: {exc}") from exc
        try:
            out = self._llm.create_chat_completion(
                messages=[
                    {"role": "system", "content": PROMPT},
                    {"role": "user", "content": prompt},
                ],
                temperature=self.temperature,
                max_tokens=self.max_tokens,
            )
            return str(out["choices"][0]["message"]["content"])
        except (KeyError, IndexError, TypeError, RuntimeError, ValueError) as exc:
            raise NamerError(f"{self.path} gave no answer: {exc}") from exc


def typical_papers(result, k: int = N_PAPERS) -> dict[int, list[str]]:
    """``{theme id: texts of its k papers closest to its centre}`` of a `ThemeFit`."""
    from .describe import closest_first

    return {
        t: [
            str(result.texts[i])
            for i in closest_first(result.embeddings, result.labels, result.centroids[t], t)[0][:k]
        ]
        for t in range(result.n_themes)
    }


def apply_namer(namer, result):
    """``result`` (a `trends.fit.ThemeFit`) with the names ``namer`` gives, where usable.

    Any exception of the namer, or an answer that is not one name per theme, keeps every
    offline name (with a warning); a single unusable name (too long, a stem said twice,
    another theme's name) keeps that theme's offline name (with a warning).
    """
    themes = result.themes
    real = themes[themes.theme_id >= 0].reset_index(drop=True)
    if real.empty:
        return result
    try:
        answer = namer(real.copy(), typical_papers(result))
        if isinstance(answer, dict):
            given = {int(t): answer.get(t, answer.get(int(t))) for t in real.theme_id}
        else:
            answer = list(answer)
            if len(answer) != len(real):
                raise NamerError(f"the namer gave {len(answer)} names for {len(real)} themes")
            given = dict(zip(real.theme_id.astype(int), answer, strict=True))
    except Exception as exc:  # noqa: BLE001 - any failure of a user's namer keeps the fit
        warnings.warn(
            f"the namer {namer!r} failed ({exc}); keeping the offline theme names",
            RuntimeWarning,
            stacklevel=user_level(),
        )
        return result
    names = dict(zip(themes.theme_id.astype(int), themes.name, strict=True))
    ids = [int(t) for t in real.theme_id]
    proposed = {t: _naming.heading(_clean(given.get(t) or "")) for t in ids}
    # A theme whose name breaks the rules keeps its offline name, and no other theme may
    # take that name; a name that clashes with one kept or taken before falls back too,
    # which may free nothing but reserve one more offline name: repeat until none clashes.
    kept = {t for t in ids if not _naming.is_name(proposed[t])}
    while True:
        used = {_naming._key(names[t]) for t in kept}
        clash = None
        for t in (t for t in ids if t not in kept):
            key = _naming._key(proposed[t])
            if key in used:
                clash = t
                break
            used.add(key)
        if clash is None:
            break
        kept.add(clash)
    names.update({t: proposed[t] for t in ids if t not in kept})
    rejected = [t for t in ids if t in kept]
    if rejected:
        warnings.warn(
            f"the namer's names for themes {rejected} break the naming rules (at most "
            f"{_naming.MAX_WORDS} words and {_naming.MAX_CHARS} characters, no stem twice, "
            "unique): they keep their offline names",
            RuntimeWarning,
            stacklevel=user_level(),
        )
    themes = themes.copy()
    themes["name"] = [names[int(t)] for t in themes.theme_id]
    tree = result.hierarchy.copy()
    if not tree.empty:
        tree["name"] = [
            names.get(int(node), name) if not children else name
            for node, name, children in zip(tree.node_id, tree.name, tree.children, strict=True)
        ]
    return dataclasses.replace(result, themes=themes, hierarchy=tree)


__all__ = ["NamerError", "apply_namer", "chat", "llama_cpp", "typical_papers"]
