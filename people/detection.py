"""Find the people an article mentions. Pure: the registry comes in as plain entries.

* The text is folded (articles.folding) so IIya, lIya and Ilya, full-width letters and the
  middle-dot variants all match, and offsets still point into the original text.
* All aliases go into one Aho-Corasick automaton, matched leftmost-longest: the cost
  does not grow with the number of people, and `Sam Altman` wins over `Sam`,
  `埃隆·马斯克` over `马斯克`.
* A Latin alias must stand as a word of its own: `科学家Ilya离开` matches, `Ilyana`
  does not (Python's \\b treats Chinese characters as word characters, so it cannot tell).
* URLs are masked first: text inside a link's address is never a mention.
* An ambiguous alias (a first name such as Satya) counts only when the same article has
  an unambiguous mention of that person; alone it is a suggestion.
* Near misses of registered Latin names (`Yoshua Bengiol`) are suggestions; they are
  looked up through the tokens they share with registered names, so this too costs the
  same whatever the size of the registry.
* Names nobody registered (runs of capitalised Latin words, `X·Y` transliterations)
  are collected as candidates, without brands and acronyms.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

import ahocorasick
from rapidfuzz import fuzz

from articles.folding import fold

CONTEXT_CHARS = 40
MAX_NAME_LENGTH = 80
NEAR_MISS_SCORE = 88
_MIN_NEAR_MISS_TOKEN = 4

# Addresses, including ones html2text wrapped after a hyphen: never read for names.
_URL = re.compile(
    r"https?://(?:-\n[ \t]*(?=[A-Za-z0-9])|[^\s<>()（）\]])+|\]\([^)\s]{0,2000}\)|<[a-z]+:[^>\s]{0,2000}>"
)
_LATIN_WORD_CHAR = re.compile(r"[a-z0-9]")
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z'’.-]*(?:[ \t]+[A-Za-z][A-Za-z'’.-]*)*")
_CAPITALISED_NAME_WORD = re.compile(
    r"^(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)?|[A-Z]\.?|(?:Mc|Mac|De|Le|La|Di|Van|O')[A-Z][a-z]+)$"
)
_TRANSLITERATION = re.compile(r"[\u4e00-\u9fff]{1,6}[·・•‧][\u4e00-\u9fff]{1,8}")
# Words that make a capitalised run a title, an institution or a product rather than a person.
NOT_NAME_WORDS = frozenset(
    re.split(
        r"\s+",
        """
        ai agi gpt api ceo cto cfo coo vp gp lp ip vc ml llm nlp openai chatgpt google microsoft apple
        amazon meta facebook twitter tesla spacex nvidia intel ibm deepmind anthropic sequoia memo
        linkedin github youtube wechat iphone android windows the a an of and or for with in on at to by
        from is are be university institute college school lab labs laboratory research center centre
        foundation company inc ltd llc corp group team workshop conference summit paper review notebook
        blog news times post journal deep neural network networks learning machine language model models
        understanding generative pre training trained transformer reinforcement vision computer science
        computing theory alignment superalignment sentiment neuron reviews generate discovering
        classification convolutional images speech series introducing improving signal noise chat plus
        pro brain open alpha beta mixture experts jupyter python tutorial tutorials technical report
        safety safe superintelligence january february march april may june july august september
        october november december monday tuesday wednesday thursday friday saturday sunday
        """.strip(),
    )
)


@dataclass(frozen=True)
class AliasEntry:
    """One registered name of one person, as the matcher needs it."""

    key: str  # folded, as Alias.key
    person_id: int
    is_ambiguous: bool = False
    is_fuzzy: bool = False  # a Latin full or family name: its near misses are suggested


@dataclass
class PersonHits:
    person_id: int
    spans: list[tuple[int, int]] = field(default_factory=list)
    unambiguous: bool = False
    near_miss: bool = False

    @property
    def count(self) -> int:
        return len(self.spans)


@dataclass
class Detection:
    people: dict[int, PersonHits]
    candidates: dict[str, tuple[str, int]]  # folded key → (text as written, occurrences)


class Matcher:
    def __init__(self, entries: list[AliasEntry]):
        self.automaton = ahocorasick.Automaton()
        by_key: dict[str, list[AliasEntry]] = defaultdict(list)
        for entry in entries:
            if entry.key.strip():
                by_key[entry.key.strip()].append(entry)
        for key, key_entries in by_key.items():
            # A key several people share is ambiguous for each of them.
            shared = len({entry.person_id for entry in key_entries}) > 1
            self.automaton.add_word(key, (key, tuple(key_entries), shared))
        self.empty = not by_key
        if not self.empty:
            self.automaton.make_automaton()
        # Near misses: registered Latin full names, found through their tokens and 4-letter prefixes.
        self.full_names: dict[str, set[int]] = defaultdict(set)
        self.by_token: dict[str, set[str]] = defaultdict(set)
        for entry in entries:
            if entry.is_fuzzy:
                self.full_names[entry.key].add(entry.person_id)
                for token in entry.key.split():
                    if len(token) >= _MIN_NEAR_MISS_TOKEN:
                        self.by_token[token].add(entry.key)
                        self.by_token[token[:_MIN_NEAR_MISS_TOKEN]].add(entry.key)

    def detect(self, text: str) -> Detection:
        masked = mask_urls(text)
        folded = fold(masked)
        people: dict[int, PersonHits] = {}
        ambiguous: list[tuple[tuple[int, int], tuple[AliasEntry, ...]]] = []
        taken = bytearray(len(text))
        for end, (key, entries, shared) in [] if self.empty else self.automaton.iter_long(folded):
            start = end - len(key) + 1
            if not _stands_alone(folded, start, end + 1):
                continue
            taken[start : end + 1] = b"\x01" * (end + 1 - start)
            if len(entries) == 1 and not entries[0].is_ambiguous and not shared:
                hits = people.setdefault(entries[0].person_id, PersonHits(entries[0].person_id))
                hits.spans.append((start, end + 1))
                hits.unambiguous = True
            else:
                ambiguous.append(((start, end + 1), entries))
        # Ambiguous matches join the people already mentioned unambiguously; otherwise they suggest.
        for span, entries in ambiguous:
            confirmed = [
                entry for entry in entries if people.get(entry.person_id) and people[entry.person_id].unambiguous
            ]
            for entry in confirmed or entries:
                people.setdefault(entry.person_id, PersonHits(entry.person_id)).spans.append(span)
        for person_id, span in self._near_misses(masked, folded, taken):
            hits = people.setdefault(person_id, PersonHits(person_id))
            if not hits.unambiguous:
                hits.spans.append(span)
                hits.near_miss = True
        for hits in people.values():
            hits.spans.sort()
        return Detection(people=people, candidates=find_candidates(masked, taken))

    def _near_misses(self, masked: str, folded: str, taken: bytearray):
        if not self.full_names:
            return
        for run in _LATIN_RUN.finditer(masked):
            words = [
                (run.start() + word.start(), run.start() + word.end()) for word in re.finditer(r"\S+", run.group())
            ]
            for size in (3, 2, 1):
                for first in range(len(words) - size + 1):
                    start, end = words[first][0], words[first + size - 1][1]
                    if any(taken[start:end]):
                        continue
                    window = folded[start:end]
                    tokens = window.split()
                    if len(window) < 5:
                        continue
                    names = set()
                    for token in tokens:
                        names |= self.by_token.get(token, set())
                        names |= self.by_token.get(token[:_MIN_NEAR_MISS_TOKEN], set())
                    best = max(
                        ((fuzz.ratio(window, name), name) for name in names if len(name.split()) == size),
                        default=(0, ""),
                    )
                    if best[0] >= NEAR_MISS_SCORE and window != best[1]:
                        taken[start:end] = b"\x01" * (end - start)
                        for person_id in self.full_names[best[1]]:
                            yield person_id, (start, end)


def mask_urls(text: str) -> str:
    """``text`` with every URL replaced by spaces of the same length (newlines kept)."""
    return _URL.sub(lambda match: re.sub(r"[^\n]", " ", match.group()), text)


def _stands_alone(folded: str, start: int, end: int) -> bool:
    """A Latin alias must not continue into Latin letters or digits on either side."""
    if _LATIN_WORD_CHAR.match(folded[start]) and start > 0 and _LATIN_WORD_CHAR.match(folded[start - 1]):
        return False
    return not (_LATIN_WORD_CHAR.match(folded[end - 1]) and end < len(folded) and _LATIN_WORD_CHAR.match(folded[end]))


def context_around(text: str, span: tuple[int, int], width: int = CONTEXT_CHARS) -> str:
    start, end = span
    before = text[max(start - width, 0) : start]
    after = text[end : end + width]
    excerpt = f"{'…' if start > width else ''}{before}{text[start:end]}{after}{'…' if end + width < len(text) else ''}"
    return " ".join(excerpt.split())


def find_candidates(masked: str, taken: bytearray) -> dict[str, tuple[str, int]]:
    """Names that look like people's and match nobody: folded key → (as written, count)."""
    found: dict[str, list] = {}

    def add(text: str):
        key = fold(text)
        entry = found.setdefault(key, [text, 0])
        entry[1] += 1

    for run in _LATIN_RUN.finditer(masked):
        names = _name_runs(run.group(), run.start(), taken)
        for name in names:
            add(name)
    for match in _TRANSLITERATION.finditer(masked):  # at most 16 characters by construction
        if not any(taken[match.start() : match.end()]):
            add(match.group())
    return {key: (text, count) for key, (text, count) in found.items()}


def _name_runs(run: str, offset: int, taken: bytearray) -> list[str]:
    """Runs of two to four capitalised name-like words inside a Latin run, none already matched."""
    names, current = [], []
    for word in re.finditer(r"\S+", run):
        start, end = offset + word.start(), offset + word.end()
        token = word.group().strip(".,'’")
        name_like = (
            _CAPITALISED_NAME_WORD.match(word.group())
            and token.lower() not in NOT_NAME_WORDS
            and not any(taken[start:end])
        )
        if name_like:
            current.append(word.group())
            continue
        names += _complete(current)
        current = []
    return names + _complete(current)


def _complete(words: list[str]) -> list[str]:
    if 2 <= len(words) <= 4 and len(words[0].rstrip(".")) > 1 and sum(map(len, words)) <= MAX_NAME_LENGTH:
        return [" ".join(words)]
    return []
