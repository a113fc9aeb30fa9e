"""``store/fold``: what search compares names and notes by, and the database's
``ofcrm_fold``, which must fold as it does."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from ofcrm_tui.store.database import Database
from ofcrm_tui.store.fold import fold

# The letters of Latin-1 and Latin Extended-A (which European names are spelled in), a
# few beyond, letters typed decomposed.
LATIN = "".join(c for c in map(chr, range(0xC0, 0x180)) if c not in "×÷") + "ẞỄễṩ" + "e\u0308o\u0301"


def test_the_database_folds_as_python_does(db: Database) -> None:
    beyond = "".join(map(chr, range(0x180, 0x250)))  # Latin Extended-B: not all to ASCII
    samples = [LATIN, LATIN.lower(), LATIN.upper(), beyond, "Zoë José Renée Łukasz Straße ŒUVRE"]
    with db.engine.connect() as connection:
        for sample in samples:
            assert connection.execute(select(text("ofcrm_fold(:v)")), {"v": sample}).scalar() \
                == fold(sample), sample


def test_the_fold_of_names_people_type() -> None:
    assert fold("Zoë José Renée Łukasz") == "zoe jose renee lukasz"
    assert fold("Zoe\u0308") == "zoe"  # typed decomposed
    assert fold("Straße Æsir ØRSTED") == "strasse aesir orsted"


@given(st.text())
def test_folding_twice_is_folding_once(value: str) -> None:
    assert fold(fold(value)) == fold(value)


@given(st.text())
def test_a_fold_is_lower_case(value: str) -> None:
    assert fold(value).lower() == fold(value)


@given(st.text(alphabet=string.printable))
def test_ascii_is_only_lower_cased(value: str) -> None:
    assert fold(value) == value.lower()


@given(st.text(alphabet=LATIN + string.ascii_letters + " "))
def test_latin_letters_fold_to_ascii(value: str) -> None:
    assert fold(value).isascii()
