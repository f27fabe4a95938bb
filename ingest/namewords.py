"""A file's name as the words a person calls the paper by.

People name their papers for what they are ("bvcu_checking_4471_2025-02.csv",
"keystone_mortgage_statement_2025-03.pdf") and ask by the same words ("the checking
balance at the end of February 2025", "what do we still owe on the mortgage"), while the
text inside often never says them: a bank export's rows hold dates and amounts, not
"checking" or "February". The keyword index matches these words beside each passage's
headings, and the answer layer reads them to tell which paper a question names.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from ingest.dates import MONTH_NAMES, file_months

_FILE_WORD = re.compile(r"[A-Za-z]+|\d+")


def file_terms(path: str) -> str:
    """A file's name as words, its year-month dates spelt out: `power_gas_bill_2025-02.pdf`
    is "power gas bill 2025 02 February 2025" (what a question calls it)."""
    name = PurePath(path).name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    dates = [f"{MONTH_NAMES[m - 1].title()} {y}" for y, m in file_months(stem)]
    return " ".join([*_FILE_WORD.findall(stem), *dates])


_FIGURES = re.compile(r"\d+")


def paper_name(path: str) -> str:
    """A file's name less its figures: what two versions of one paper share
    (`supply_agreement_2023.docx` and `supply_agreement_2025.docx` are both
    "supply_agreement"); "" where the name is all figures."""
    return _FIGURES.sub("", PurePath(path).stem).strip(" _-.").lower()


def name_figures(path: str) -> tuple[int, ...]:
    """The figures of a file's name in order, which date its versions
    (`statement_2025-03.pdf` is (2025, 3), after (2025, 2))."""
    return tuple(int(f) for f in _FIGURES.findall(PurePath(path).stem))
