"""Two pages of sample_docs' annual report as pypdf extracts them (wrapped lines, a heading
line each), for tests of evidence and claims that need realistic text but no index."""

from __future__ import annotations

from assistant.retrieve import Passage

ACCOUNTS = (
    "Accounts for the year\n"
    "Income for 2025 was 18,450 pounds. Subscriptions brought in 3,190 pounds, juice and honey\n"
    "sales 7,820 pounds, and donations and the Apple Day raffle 2,440 pounds.\n"
    "Expenditure was 15,920 pounds. The biggest costs were the new cider press, insurance at\n"
    "1,180 pounds, bottles and caps at 1,645 pounds, and 2,300 pounds for tree guards."
)
PRESS = (
    "The new cider press\n"
    "In September the orchard bought its own press, ending twelve years of hiring one. The\n"
    "committee chose a 90-litre hydraulic rack-and-cloth press with a stainless steel tray,\n"
    "made by Severn Vale Presses of Gloucester. It was bought on 12 September 2025 for 3,275\n"
    "pounds, most of it paid from the district council grant.\n"
    "A hydraulic press extracts about 70 percent of the juice by weight."
)
MEMBERS = "By the end of 2025 the orchard had 212 paying members, up from 180."


def passage(n: int, text: str, page: int, score: float = 0.6) -> Passage:
    return Passage(
        f"/docs/report{n}.pdf", n, 0, 0, page, page, (), text, 0, len(text), score, 0.03, [f"{n}:0"]
    )
