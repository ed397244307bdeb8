"""conslaw's prose (titles, methods, notes: Unicode text with formulas in it) split into text and math.

The catalogue writes ``Weight decay: the laws become ψ(e^{λt}θ)`` so that a terminal shows it as is; a
LaTeX document and the blueprint page must typeset the formula.  :func:`prose_parts` cuts such a line into
runs of text and runs of mathematics (given in LaTeX: ``\\psi(e^{\\lambda t}\\theta)``); :func:`prose_latex`
writes the line for pdflatex (ASCII only: text escaped, formulas in ``$…$``) and the page renders the math
runs with KaTeX.

A word is mathematics when it holds a mathematical symbol (Greek letters, ∇, ∂, ⟨⟩, ‖, ᵀ, ², ≤, …), a
superscript, a one-letter subscript (``φ_k``, ``a_i``) or ``QQ``; one-letter words, numbers and operators
between two such words join their run (``D − r``, ``8 × 8``, ``λ = 1/2``).  Identifiers such as
``laws_at_most`` and file names stay text.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterator

#: Unicode symbol → LaTeX, inside mathematics.
MATH_SYMBOLS = {
    "α": r"\alpha ", "β": r"\beta ", "γ": r"\gamma ", "δ": r"\delta ", "ε": r"\varepsilon ", "η": r"\eta ",
    "θ": r"\theta ", "κ": r"\kappa ", "λ": r"\lambda ", "μ": r"\mu ", "π": r"\pi ", "ρ": r"\rho ", "σ": r"\sigma ",
    "τ": r"\tau ", "φ": r"\varphi ", "χ": r"\chi ", "ψ": r"\psi ", "ω": r"\omega ", "Σ": r"\sum ", "Φ": r"\Phi ",
    "Ψ": r"\Psi ", "Ω": r"\Omega ", "Λ": r"\Lambda ", "Θ": r"\Theta ", "Γ": r"\Gamma ", "Δ": r"\Delta ",
    "∇": r"\nabla ", "∂": r"\partial ", "⟨": r"\langle ", "⟩": r"\rangle ", "‖": r"\| ", "ᵀ": r"^{\top}",
    "²": "^{2}", "³": "^{3}", "⁶": "^{6}", "¹": "^{1}", "₀": "_{0}", "₁": "_{1}", "₂": "_{2}", "₃": "_{3}",
    "½": r"\tfrac{1}{2}", "−": "-", "±": r"\pm ", "×": r"\times ", "·": r"\cdot ", "≡": r"\equiv ",
    "≢": r"\not\equiv ", "≠": r"\neq ", "≤": r"\le ", "≥": r"\ge ", "⊥": r"\perp ", "⊙": r"\odot ",
    "↦": r"\mapsto ", "→": r"\to ", "∈": r"\in ", "∉": r"\notin ", "⊂": r"\subset ", "⊆": r"\subseteq ",
    "∩": r"\cap ", "∪": r"\cup ", "∞": r"\infty ", "≈": r"\approx ", "…": r"\dots ", "∘": r"\circ ",
    "⊗": r"\otimes ", "⊕": r"\oplus ", "√": r"\surd ", "∀": r"\forall ", "∃": r"\exists ", "ℝ": r"\mathbb{R}",
    "ℚ": r"\mathbb{Q}", "ℤ": r"\mathbb{Z}", "⋯": r"\cdots ",
}
#: Unicode characters of running text → LaTeX text mode (pdflatex reads ASCII).
TEXT_SYMBOLS = {
    "—": "---", "–": "--", "…": r"\dots{}", "’": "'", "‘": "`", "“": "``", "”": "''", "é": r"\'e", "è": r"\`e",
    "ï": r"\"i", "ö": r"\"o", "ü": r"\"u", "ä": r"\"a", "§": r"\S{}", "°": r"${}^\circ$", "\u00a0": "~",
}
_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "_": r"\_", "^": r"\^{}", "&": r"\&", "%": r"\%", "#": r"\#",
                 "$": r"\$", "{": r"\{", "}": r"\}", "~": r"\~{}", "<": r"\textless{}", ">": r"\textgreater{}",
                 "|": r"\textbar{}"}
#: words written upright inside mathematics
_OPERATORS = {"Lie", "sign", "span", "range", "rank", "dim", "exp", "log", "cos", "sin", "tr", "diag", "min",
              "max", "id", "ker"}
_COMBINING = {"\u0307": r"\dot", "\u0308": r"\ddot", "\u0302": r"\hat", "\u0303": r"\tilde", "\u0304": r"\bar"}

_MATH_CHARS = set(MATH_SYMBOLS) - {"…"} | set(_COMBINING)
_OPERATOR_WORDS = {"=", "<", ">", "+", "->", "≤", "≥"}
_SUBSCRIPT = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]_[A-Za-z0-9{]")
_WEAK = re.compile(r"^[(\[]?(\d+(\.\d+)?[A-Za-z]?|\d+/\d+|[=+<>*/-]|->|\.\.\.|…)[)\],;:]?$"
                   r"|^(?=.*[A-Za-z0-9])[(\[]*((?<![A-Za-z])[A-Za-z](?![A-Za-z])|[0-9()+*/=-])+[)\],;:]*$")
_FORMULA = re.compile(r"^[A-Za-z0-9()+*/=^-]*[A-Za-z]\([A-Za-z0-9+*/ -]*[+*/-][A-Za-z0-9+*/ -]*\)[A-Za-z0-9()+*/=^-]*[,;:]?$")


def _is_math(word: str) -> bool:
    return (any(c in _MATH_CHARS for c in word) or "^" in word or "QQ" in word
            or bool(re.search(r"\|[^|\s]+\|", word))
            or bool(_SUBSCRIPT.search(word)) and not re.search(r"[A-Za-z]{2,}_", word)
            or bool(_FORMULA.match(word)))


def _is_weak(word: str) -> bool:
    return bool(_WEAK.match(word)) and not re.fullmatch(r"[(\[]?\d+(\.\d+)?e-?\d+[)\],;:]*", word)


def _runs(text: str) -> Iterator[tuple[bool, str]]:
    """``(is_math, words)`` for each run of ``text``, whitespace kept with the words.

    A run is a maximal sequence of mathematical and weak words; it is mathematics when it holds a mathematical
    word or an operator.  ';' and ':' end a run outside brackets; after a ',' only a mathematical word, '…'
    or (inside brackets) a letter continues it; a word opening a parenthesis starts a new one.
    """
    words = re.split(r"(\s+)", text)
    tokens = [(words[i], words[i + 1] if i + 1 < len(words) else "") for i in range(0, len(words), 2)]
    kinds = ["math" if _is_math(w) else "weak" if _is_weak(w) else "text" for w, _ in tokens]
    groups: list[list[int]] = []
    for k, (word, _) in enumerate(tokens):
        if kinds[k] == "text":
            groups.append([k])
            continue
        prev = groups[-1][-1] if groups else None
        joins = prev is not None and kinds[prev] != "text"
        so_far = "".join(tokens[g][0] for g in groups[-1]) if joins else ""
        inside = so_far.count("(") + so_far.count("[") > so_far.count(")") + so_far.count("]")
        if joins and tokens[prev][0].endswith((";", ":")):
            joins = inside
        elif joins and tokens[prev][0].endswith(","):
            joins = (kinds[k] == "math" or word.startswith("…")
                     or inside and bool(re.fullmatch(r"[A-Za-z][)\],;:]*", word)))
        if joins and word.startswith("("):
            joins = False
        if joins:
            groups[-1].append(k)
        else:
            groups.append([k])
    for group in groups:
        strong = any(kinds[k] == "math" or tokens[k][0].strip("()[],;:") in _OPERATOR_WORDS for k in group)
        yield kinds[group[0]] != "text" and strong, "".join(tokens[k][0] + tokens[k][1] for k in group)


def _split_punctuation(math: str) -> tuple[str, str, str]:
    """A math run's leading '(' and trailing punctuation that belong to the sentence, not the formula."""
    lead = ""
    if math.startswith("(") and math.count("(") > math.count(")"):
        lead, math = "(", math[1:]
    m = re.search(r"[)]*[,;:.]*$", math)
    tail = math[m.start():] if m else ""
    core = math[:len(math) - len(tail)]
    # keep closing parentheses that close one opened inside the formula
    while tail.startswith(")") and core.count("(") > core.count(")"):
        core, tail = core + ")", tail[1:]
    return lead, core, tail


def math_latex(formula: str) -> str:
    """A formula written in Unicode (``∇⟨w, g(θ, x)⟩``, ``|θ_i|``, ``UᵀU − VᵀV``) as LaTeX mathematics."""
    out: list[str] = []
    bars = 0
    i = 0
    while i < len(formula):
        c = formula[i]
        nxt = formula[i + 1] if i + 1 < len(formula) else ""
        if nxt in _COMBINING:
            out.append(_COMBINING[nxt] + "{" + MATH_SYMBOLS.get(c, c).strip() + "}")
            i += 2
            continue
        if formula.startswith("QQ", i):
            out.append(r"\mathbb{Q}")
            i += 2
            continue
        if formula.startswith("->", i):
            out.append(r"\to ")
            i += 2
            continue
        if c == "R" and nxt == "^" and (i == 0 or not formula[i - 1].isalnum()):
            out.append(r"\mathbb{R}")
            i += 1
            continue
        if c == "|":
            out.append(r"\rvert " if bars % 2 else r"\lvert ")
            bars += 1
            i += 1
            continue
        if c.isascii() and c.isalpha():
            j = i
            while j < len(formula) and formula[j].isascii() and formula[j].isalpha():
                j += 1
            word = formula[i:j]
            if word in _OPERATORS:
                out.append(r"\mathrm{" + word + "}")
            elif len(word) > 3 and formula[j:j + 1] != "_":
                out.append(r"\text{" + word + "}")
            else:
                out.append(word)
            i = j
            continue
        if c in MATH_SYMBOLS:
            out.append(MATH_SYMBOLS[c])
        elif c in "#$%&~\\":
            out.append("\\" + c if c in "#$%&" else "")
        elif c.isascii():
            out.append(c)
        else:
            out.append(_fallback(c))
        i += 1
    return re.sub(r" +", " ", "".join(out)).strip()


def allow_breaks(math: str, after: tuple[str, ...] = (" ",)) -> str:
    """``\\allowbreak`` after each top-level (outside braces) ',' or ';' followed by one of ``after``, so that a
    long inline formula can wrap there (in TeX and in KaTeX)."""
    out, depth, i = [], 0, 0
    while i < len(math):
        c = math[i]
        if c == "\\":
            out.append(math[i:i + 2])
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        out.append(c)
        if c in ",;" and depth == 0 and math.startswith(after, i + 1):
            out.append("\\allowbreak")
        i += 1
    return "".join(out)


def _fallback(c: str) -> str:
    """A character no table knows: its ASCII decomposition, else '?' (never a raw code point)."""
    plain = unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode()
    return plain or "?"


def prose_parts(text: str) -> list[tuple[str, str]]:
    """``text`` as ``("text", words)``, ``("math", latex)`` and ``("code", command)`` parts, in order (see the
    module's docstring); a Markdown code span (```conslaw count …```) is one ``code`` part."""
    parts: list[tuple[str, str]] = []
    for n, piece in enumerate(re.split(r"`([^`]+)`", text)):
        if n % 2:
            parts.append(("code", piece))
        else:
            parts.extend(_plain_parts(piece))
    return parts


def _plain_parts(text: str) -> list[tuple[str, str]]:
    parts: list[tuple[str, str]] = []

    def add(kind: str, value: str) -> None:
        if value and parts and parts[-1][0] == kind:
            parts[-1] = (kind, parts[-1][1] + value)
        elif value:
            parts.append((kind, value))

    for is_math, chunk in _runs(text):
        if not is_math:
            add("text", chunk)
            continue
        stripped = chunk.rstrip()
        lead, core, tail = _split_punctuation(stripped)
        add("text", lead)
        if core:
            parts.append(("math", math_latex(core)))
        add("text", tail + chunk[len(stripped):])
    return parts


def text_latex(text: str) -> str:
    """Running text for pdflatex: LaTeX's special characters escaped, Unicode punctuation as ASCII LaTeX."""
    out = []
    for c in text:
        if c in _TEXT_ESCAPES:
            out.append(_TEXT_ESCAPES[c])
        elif c in TEXT_SYMBOLS:
            out.append(TEXT_SYMBOLS[c])
        elif c in MATH_SYMBOLS:
            out.append("$" + MATH_SYMBOLS[c].strip() + "$")
        elif c.isascii():
            out.append(c)
        else:
            out.append(_fallback(c))
    return "".join(out)


def prose_latex(text: str) -> str:
    """A line of conslaw's prose for pdflatex: text escaped, each formula in ``$…$`` (ASCII only)."""
    return "".join(f"${allow_breaks(v)}$" if k == "math" else code_latex(v) if k == "code" else text_latex(v)
                   for k, v in prose_parts(text))


def code_latex(command: str) -> str:
    """A command or file name in typewriter type; '-{}' keeps '--' from becoming a dash."""
    return r"\texttt{" + text_latex(command).replace("-", "-{}") + "}"


def prose_markdown(text: str) -> str:
    """A line of conslaw's prose for Markdown with math (GitHub, Jupyter): each formula in ``$…$``."""
    return "".join(f"${v}$" if k == "math" else f"`{v}`" if k == "code" else v for k, v in prose_parts(text))
