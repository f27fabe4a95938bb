"""The kind of value a question asks for, finer than its answer type, and whether a unit of
evidence holds one: a person's papers answer "what number do I call" with a phone number,
"what dose" with milligrams, "which model" with a model number, "how long without hot
water" with hours. SQuAD's answer types (an amount, a date, a name) cannot tell a phone
number from the premium beside it; these can, and cost a few regular expressions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.retrieve.labels import sayings_asked
from ingest.dates import date_spans

_UNITS_OF_TIME = r"(?:hours?|hrs?|days?|weeks?|fortnights?|months?|years?|minutes?|mins?)"
# A count written in words ("guaranteed for two years", "a six-month term"), as letters
# and notices write short ones.
_COUNT_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen"
    r"|twenty|thirty|forty|forty-five|sixty|ninety|a|an|a half|half an?)"
)
# What a household's meters and plans count in, by what a question names: electricity in
# kilowatt-hours, water in litres or kilolitres (gallons, cubic metres, CCF, where billed
# so), gas in cubic metres, therms or megajoules, a phone plan's data in gigabytes, a car's
# odometer in kilometres or miles. A question that names the quantity or its unit ("how
# many kilowatt-hours", "how much data", "how much water did we use") asks for a figure in
# that unit, not the charge beside it.
_MEASURES = {
    "energy": (
        r"\bhow many (?:kilowatt[- ]?hours?|kwh)\b|\bhow much (?:electricity|power|energy)\b"
        r"|\b(?:electricity|power|energy) (?:did|do|does) (?:we|i|they|you) use\b",
        r"kwh|kw/h|kilowatt[- ]?hours?|units",
    ),
    "water": (
        r"\bhow many (?:(?:kilo)?lit(?:re|er)s?|kl|gallons?|cubic met(?:re|er)s?)\b"
        r"|\bhow much water\b"
        r"|\bwater (?:did|do|does) (?:we|i|they|you) use\b",
        r"kl|l|kilolit(?:re|er)s?|lit(?:re|er)s?|gallons?|gal|m3|m³|cubic met(?:re|er)s?|ccf|hcf",
    ),
    "gas": (
        r"\bhow much gas\b|\bgas (?:did|do|does) (?:we|i|they|you) use\b"
        r"|\bhow many (?:therms?|megajoules?)\b",
        r"m3|m³|cubic met(?:re|er)s?|therms?|mj|megajoules?|ccf|kwh",
    ),
    "data": (
        r"\bhow many (?:gigabytes?|megabytes?|gb)\b|\bhow much data\b"
        r"|\bdata (?:did|do|does) \w+ use\b",
        r"gb|mb|tb|gigabytes?|megabytes?",
    ),
    "distance": (
        r"\bhow many (?:kilomet(?:re|er)s?|kms?|miles)\b|\bhow far\b|\bwhat mileage\b",
        r"km|kms|kilomet(?:re|er)s?|mi|miles",
    ),
}


def _in_units(units: str) -> re.Pattern[str]:
    """A figure in one of the units: written after it ("900 litres"), or as the value of
    a field whose label starts with the unit ("Litres delivered: 900"; not a column's
    "Average per day (kWh)", a figure of another kind in the unit)."""
    return re.compile(rf"\d\s?(?:{units})\b|(?:^|\n)\s*(?:{units})\b[^:|\n]{{0,30}}:\s*\d", re.I)


# What a figure is "per" where a paper writes the unit beside it: "per hour", "a day",
# "per kWh", "a litre". A figure asked for so is the rate, written with its unit
# ("$24.50/hr", "533 litres a day", "12.2 ¢/kWh"), not the total beside it ("48 kL at
# $2.67 per kL" is the quarter's use). Not "a month" or "a year": a premium or a rent
# asked "each month" is written "Premium: $185.00" as often as "$185 a month", and any
# paper's "Monthly rent" line would be taken for it. Each: how a question names the unit,
# how a paper writes it after a figure, and the adverb that says it alone.
_PER_UNITS = {
    "hour": (r"hour", r"hours?|hrs?|h", r"hourly"),
    "day": (r"day", r"days?|d", r"daily"),
    "night": (r"night", r"nights?", r"nightly"),
    # A bill's "units" are kilowatt-hours: "a unit of daytime electricity".
    "kwh": (
        r"kwh|kilowatt[- ]?hour|unit\s+of\s+(?:[a-z-]+\s+)?(?:electricity|power|energy)",
        r"kwh|kilowatt[- ]?hours?",
        None,
    ),
    "litre": (r"lit(?:re|er)|kl|kilolit(?:re|er)", r"l|lit(?:re|er)s?|kl|kilolit(?:re|er)s?", None),
}
# The kinds these make ("per hour"): a rate is asked beside the kind of its figure ("how
# much water a day"), and bounds it rather than being another kind it may be instead.
RATE_KINDS = frozenset(f"per {unit}" for unit in _PER_UNITS)


def _per_kind(
    asked: str, written: str, adverb: str | None
) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """What asks for a figure per the unit, and what holds one: the figure with the unit
    after it ("$18 an hour", "533 litres a day", "12.2 ¢/kWh"), or the adverb alone."""
    alone = rf"|\b(?:{adverb})\b" if adverb else ""
    return (
        re.compile(rf"\b(?:per|an?|each|every)\s+(?:{asked})\b(?!\s+ago\b)", re.I),
        re.compile(
            rf"\d[\d.,]*\s*(?:[¢c]|cents?)?\s*(?:[a-z]{{1,12}}\s+)?(?:/\s*|per\s+|an?\s+|each\s+|every\s+)"
            rf"(?:{written})\b{alone}",
            re.I,
        ),
    )


_UNITS_OF_SIZE = (
    r"(?:feet|foot|ft|inch(?:es)?|in\.|cm|mm|meters?|metres?|miles?|km|square feet|sq\.? ?ft"
    r"|acres?|lbs?|pounds|kg|gallons?|gal)"
)

# North American numbers ("(613) 555-0142", "613-555-0142"), and those of the other
# countries: a leading 0 with an area or mobile code in groups ("020 7946 0018", "(02)
# 9876 5432", "09 123 4567", "087 123 4567", "082 555 0199"), the free and shared-cost
# lines ("0800 83 83 83", "1300 123 456"), a country code ("+44 20 7946 0018", "+61 2 9876
# 5432").
PHONE_NUMBER = re.compile(
    r"\(\d{3}\)\s?\d{3}[\s.-]\d{4}\b|\b\d{3}[.-]\d{3}[.-]\d{4}\b|\b\d{3}-\d{4}\b"
    r"|\(0\d{1,4}\)\s?\d{3,4}[\s-]?\d{3,4}\b|\b0\d{1,4}(?:[\s-]\d{2,4}){2,3}\b"
    r"|\b1[38]00[\s-]?\d{3}[\s-]?\d{3}\b|\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,4}\b"
)
# A day and month with no year, as a to-do list or a letter writes a limit ("by 04/02").
_DAY_MONTH = re.compile(r"\b\d{1,2}/\d{1,2}\b")
# What follows "phone" or "ring" said as a verb ("phone them", "ring the surgery", "who do
# I phone about the boiler?"), not as a thing ("the phone plan", "the engagement ring").
_AFTER_THE_VERB = r"them|him|her|us|the|up|for|about|if|when|before|after|to"
# Each kind: what in a question asks for it, and what a value of it looks like.
_KINDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "phone": (
        # "What's the number for the vet?" (a number for someone, not "the policy number").
        # Not "How much was the phone charger?": a question of how much asks a sum; nor
        # "the total on the cell phone bill", "the phone plan": a phone that names another
        # thing (a noun after it) is not what is asked, though "phone" said as a verb asks for
        # one ("Who do I phone about the boiler?"). "Ring" only as a verb ("ring the
        # surgery"), not "the engagement ring".
        re.compile(
            r"^(?!.*\bhow (?:much|many)\b).*?"
            r"(?:\b(?:phone|telephone|fax)\b(?!\s+(?!(?:numbers?|no|lines?|is|was|of|at|on|and|or"
            rf"|a|an|back|in|{_AFTER_THE_VERB})\b)[a-z]{{3,}}\b)|\b(?:call|dial)\b"
            rf"|\bring\s+(?:{_AFTER_THE_VERB})\b"
            r"|\b(?:the|a) number (?:for|to)\b)",
            re.IGNORECASE | re.DOTALL,
        ),
        PHONE_NUMBER,
    ),
    "email": (
        re.compile(r"\be-?mail\b", re.IGNORECASE),
        re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b"),
    ),
    "dose": (
        re.compile(r"\b(?:dose|dosage|doses|milligrams?|mg)\b", re.IGNORECASE),
        re.compile(r"\b\d+(?:\.\d+)?\s?(?:mg|mcg|µg|ml|mL|IU|units?)\b"),
    ),
    "reference": (
        # An identifier asked for by its name ("which model", "the VIN", "the booking
        # reference": British papers say reference where American ones say number) or as a
        # number, ID or code ("the policy number", "Medicare #"). A thing that has a number is no
        # question for it: "the discount on the van's policy", "the checking account
        # balance", "Part B premium", "the April Medicare notice" ask for something else;
        # "phone number" asks for a phone number, "the number of payments" for a count.
        re.compile(
            r"\b(?:model|serial|vin|confirmation|reference)\b"
            r"|(?<!phone )(?<!telephone )(?<!fax )\b(?:number|id|code)\b(?!\s+of\b)"
            r"|\bno\.|#",
            re.IGNORECASE,
        ),
        # Letters and figures mixed ("AP40-G6-38", "HRC-58213-WT", "7EQ4-TR2-MK83"), or
        # figures in dashed groups ("25-0118-44721"), or in spaced groups as other
        # countries print them (an NHS number "943 476 5919", a TFN or SIN "123 456 782",
        # a Medicare card "2123 45670 1"), figures then letters (a PPSN "1234567TA"), a
        # National Insurance number ("QQ 12 34 56 C").
        re.compile(
            r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Z])[A-Z0-9]+(?:-[A-Za-z0-9]+)+\b"
            r"|\b[A-Z]{1,4}\d{3,}[A-Z0-9]*\b|\b\d+(?:-\d+){2,}\b|#\s?\d{3,}\b"
            r"|\b\d{3,4} \d{3,5}(?: \d{1,5}){1,2}\b|\b\d{6,9}[A-Z]{1,2}\b"
            r"|\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"
        ),
    ),
    # Not "percent": a report's table puts its % sign in the header, or nowhere.
    "percentile": (
        re.compile(r"\bpercentile\b", re.IGNORECASE),
        re.compile(r"\b\d{1,2}(?:st|nd|rd|th)\b", re.I),
    ),
    "duration": (
        re.compile(
            rf"\bhow long\b|\bhow many {_UNITS_OF_TIME}\b|\bhow much (?:notice|time)\b",
            re.IGNORECASE,
        ),
        re.compile(
            rf"\b(?:\d+(?:\.\d+)?(?:\s?(?:-|to)\s?\d+)?|{_COUNT_WORDS})[\s-]+{_UNITS_OF_TIME}\b",
            re.I,
        ),
    ),
    # "How often": a frequency, in any of the ways a prescription, a plan or a timetable
    # writes one ("twice a day", "every 8 hours", "fortnightly", "3 times weekly").
    "frequency": (
        # Not "how many times did we go?": a count.
        re.compile(r"\bhow often\b|\bhow frequently\b|\bhow many times (?:a|an|per|each)\b", re.I),
        re.compile(
            rf"\b(?:once|twice|thrice|(?:\d+|{_COUNT_WORDS}) times?)\b"
            rf"|\b(?:every|each|per|a) (?:\d+ |{_COUNT_WORDS} |other |second |third )?"
            rf"(?:{_UNITS_OF_TIME}|morning|night|evening|weekday|weekend|(?:mon|tues|wednes"
            r"|thurs|fri|satur|sun)day)\b"
            r"|\b(?:hourly|daily|nightly|weekly|fortnightly|monthly|quarterly|yearly"
            r"|annually|bi-?weekly|bi-?monthly)\b|\b(?:every|a|per) (?:quarter|fortnight)\b",
            re.I,
        ),
    ),
    # An interest rate asked for by name is a figure with a per cent sign (or "per cent"),
    # not the sum of interest beside it. Not "percentage": a report's table puts its %
    # sign in the header, or nowhere.
    "rate": (
        re.compile(
            r"\binterest rate\b|\brate of interest\b|\b(?:APR|AER|APY)\b"
            r"|\bwhat (?:interest )?rate\b(?!.*\b(?:hour|hourly|kwh|per)\b)",
            re.I,
        ),
        re.compile(r"\d\s?%|\bper ?cent\b", re.I),
    ),
    **{
        name: (re.compile(asks, re.I), _in_units(units))
        for name, (asks, units) in _MEASURES.items()
    },
    **{f"per {unit}": _per_kind(*forms) for unit, forms in _PER_UNITS.items()},
    "size": (
        re.compile(
            r"\bhow (?:tall|high|wide|long|deep|big|large|far|heavy)\b"
            r"|\b(?:height|width|length|size|weight|square footage)\b",
            re.IGNORECASE,
        ),
        re.compile(rf"\b\d+(?:[.,]\d+)?(?:\s?-\s?|\s)?{_UNITS_OF_SIZE}(?!\w)", re.I),
    ),
    # A deadline is a date whatever words ask for it ("the deadline for appealing" is no
    # "when" question, and a phone number beside it holds figures too).
    "deadline": (
        re.compile(r"\bdue date\b", re.I),  # a "deadline" is a limit (below)
        _DAY_MONTH,  # read below with the date reader's dates
    ),
    # "By when do we have to pay?", "When do we need to send it back?": a date a paper sets
    # as a limit ("pay by 9 May 2025", "Due date: 01/04/2025", "no later than", "before"),
    # not the day of the thing itself ("the excursion on 22 May 2025"). Not "When is the
    # boiler service due?": any paper's "Payment due by" line would hold such a date, and
    # the question is about what is due.
    "limit": (
        re.compile(
            r"\bby when\b|\bwhen (?:do|does|did|must|should) \w+(?: \w+)? (?:have|need) to\b"
            r"|\bdeadline\b|\blast day (?:to|for)\b|\bcut-?off\b|\blatest (?:date|day)\b",
            re.I,
        ),
        re.compile(
            r"\b(?:by|before|due|until|till|deadline|closing date|no later than|pay(?:able)? by"
            r"|pay before)\b[^.;|]{0,25}$",
            re.I,
        ),
    ),
    "time": (
        re.compile(r"\bwhat time\b|\bat what hour\b|\bhow early\b|\bhow late\b", re.I),
        re.compile(r"\b\d{1,2}(?::\d\d)?\s?[AaPp]\.?[Mm]\b\.?|\b\d{1,2}:\d\d\b"),
    ),
}


def attributes_asked(question: str) -> tuple[re.Pattern[str], ...]:
    """What names the attribute the question asks for, on a form or in a sentence (often
    nothing: most questions name it in their own words): "how tall" is the Height line,
    "run out" the Expiry date line (`assistant.retrieve.labels.SAYINGS`, the vocabulary
    the keyword side searches too)."""
    return tuple(s.names for s in sayings_asked(question))


# "Dad's full Medicare number": a value with its figures masked (`XXXX-XX2-MK83`,
# `****4471`) shows only part of it, so it is no full number, whatever its label.
_WHOLE_ASKED = re.compile(r"\b(?:full|whole|complete|entire|unmasked)\b", re.I)
_PHONE_WORD = re.compile(r"1-8\d\d-")
_MASKED = re.compile(r"[X*•]{3,}|[X*•]{2,}[-\s]")


@dataclass(frozen=True)
class ValueKinds:
    """The kinds of value one question asks for (often none), and whether it asks for a
    value whole (a full number, not one with its figures masked)."""

    asked: tuple[str, ...]
    whole: bool = False

    @classmethod
    def of(cls, question: str) -> ValueKinds:
        return cls(
            tuple(k for k, (asks, _) in _KINDS.items() if asks.search(question)),
            bool(_WHOLE_ASKED.search(question)),
        )

    @property
    def rates(self) -> tuple[str, ...]:
        """The rates asked for ("per hour", "per kwh")."""
        return tuple(k for k in self.asked if k in RATE_KINDS)

    def rate_words(self, question: str) -> str:
        """The words that ask the rates ("a unit of daytime electricity", "per hour"): they
        say what a figure is per, not which column holds it (a bill's "Units" is the
        count of them, its "Rate" the price asked)."""
        return " ".join(m[0] for kind in self.rates for m in _KINDS[kind][0].finditer(question))

    def held(self, text: str) -> bool | None:
        """Whether `text` holds a value of a kind asked for, written per the unit asked
        ("533 litres a day" for "how much water a day", not "48 kL" alone); None when
        none is asked."""
        if not self.asked:
            return None
        kinds = [k for k in self.asked if k not in RATE_KINDS]
        return (not kinds or any(_holds(k, text, self.whole) for k in kinds)) and all(
            _holds(k, text) for k in self.rates
        )


def _holds(kind: str, text: str, whole: bool = False) -> bool:
    """A deadline is any date the date reader reads, or a day and month with no year
    ("follow up by 04/02"); a reference is no date or toll-free number, and one asked for
    whole is none that is masked; a phone number is no date ("05-04-2025"); the other
    kinds are their patterns."""
    if kind == "deadline" and date_spans(text):
        return True
    if kind == "limit":
        # A date with a word of limit just before it ("by 9 May 2025", "Due: 01/04"), a
        # day and month with no year too ("follow up if no answer by 04/02").
        starts = [start for start, _ in date_spans(text)]
        starts += [m.start() for m in _DAY_MONTH.finditer(text)]
        return any(_KINDS[kind][1].search(text[max(0, start - 40) : start]) for start in starts)
    if kind == "reference" and whole and _MASKED.search(text):
        return False
    if kind in ("reference", "phone"):
        # A date ("2025-03-12") is no identifier or phone number, nor is a phone number
        # ("1-800-MEDICARE", "020 7946 0018") an identifier.
        dates = date_spans(text)
        phones = [m.span() for m in PHONE_NUMBER.finditer(text)] if kind == "reference" else []
        return any(
            not any(start <= m.start() < end for start, end in [*dates, *phones])
            and not (kind == "reference" and _PHONE_WORD.match(m.group()))
            for m in _KINDS[kind][1].finditer(text)
        )
    return bool(_KINDS[kind][1].search(text))
