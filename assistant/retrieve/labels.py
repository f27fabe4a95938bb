"""The words a paper's labels use for what a question asks in other words.

People ask in verbs and plain words; papers answer under labels: "When does the bus
leave?" is answered by `Departure: 8:45 AM`, "What do we still owe on the house?" by
`Outstanding principal balance`, "the last payment" by "The final payment of $630.77",
"How tall is the fence?" by `Height: 5 feet`, "When does the MOT run out?" by `Expiry
date: 21/02/2026`, "1 teaspoon" by a row labelled `1 tsp`.
No word is shared, so the keyword side, which finds rows by their labels, misses them,
and the embedding model alone places them in its thirties.

This is a general vocabulary of such question forms and the label words a person reads
them as (the verb and the field that records it, the spoken word and its abbreviation on
a form or a recipe, the names and spellings of one thing in different countries), known
of any household's papers rather than read off one set's misses, in one place for both
sides of an answer:
- the keyword side searches the label words as other forms of the question's word: they
  widen what BM25 matches and what coverage counts as held, never the vector side's
  query, and never weigh more than the question's own word (`label_forms`);
- the unit choice reads a saying's names as what the paper calls the thing asked: a line
  labelled so answers ("run out": `Expiry date: 21/02/2026`;
  `assistant.evidence.kinds.attributes_asked`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Saying:
    """One thing people ask in their own words and papers record under a label: what in a
    question says it, what names it on a paper (a label, or the words a sentence says it
    with), and the label words the keyword side searches for it."""

    asks: re.Pattern[str]
    names: re.Pattern[str]
    labels: tuple[str, ...]


# A question that asks when, from its first word ("When does it end?", "And when is it
# due?"): "How much interest when it matures?" asks a sum.
_WHEN = r"^\W*(?:(?:and|so|but|then|also)\W+)?when\b"
# Who a question says does something ("how much do we pay", "who should she call").
_WHO = r"(?:we|i|you|they|he|she)"


def _saying(asks: str, names: str, labels: tuple[str, ...] = ()) -> Saying:
    return Saying(re.compile(asks, re.I), re.compile(names, re.I), labels)


# What is paid each month: the monthly line, the instalment ("pcm" on a British tenancy),
# not the year's total beside it.
PER_MONTH = _saying(
    r"\bhow much\b.*\b(?:a|per|each|every) month\b|\b(?:a|per|each|every) month\b.*\bhow much\b"
    r"|\bmonthly\b(?=\s*(?:\?|$))",
    r"\bmonthly\b|\bper (?:month|mth|calendar month)\b|\ba month\b|\bpcm\b|\bp/m\b"
    r"|/\s?(?:month|mth|mo)\b|\b(?:each|every) month\b|\binstal?ments?\b",
    ("monthly", "instalment", "installment"),
)
# What is paid each year: the annual line, per annum ("p.a.").
PER_YEAR = _saying(
    r"\bhow much\b.*\b(?:a|per|each|every) year\b|\b(?:a|per|each|every) year\b.*\bhow much\b"
    r"|\bannually\b|\byearly\b|\bper annum\b",
    r"\bannual(?:ly)?\b|\byearly\b|\bper (?:year|annum|yr)\b|\ba year\b|\bp\.a\."
    r"|/\s?(?:year|yr)\b|\b(?:each|every) year\b",
    ("annual", "yearly", "annum"),
)
# What a question's words ask for as a form, a letter or a statement labels it. A reader
# knows these of any paper, not of one: a unit naming it is the paper's line for what is
# asked (`assistant.evidence.kinds.attributes_asked`), and its label words are searched
# beside the question's own.
SAYINGS: tuple[Saying, ...] = (
    _saying(r"\bhow (?:tall|high)\b", r"\b(?:height|tall|high)\b", ("height",)),
    _saying(r"\bhow wide\b", r"\b(?:width|wide)\b", ("width",)),
    _saying(r"\bhow deep\b", r"\b(?:depth|deep)\b", ("depth",)),
    _saying(
        r"\bhow heavy\b|\bhow much does\b.*\bweigh\b", r"\b(?:weight|weighs?|heavy)\b", ("weight",)
    ),
    _saying(r"\ballerg", r"\ballerg", ("allergies", "allergy")),
    # "Who do I make the check out to?" is the Payable to line.
    _saying(
        r"\b(?:make|made|write|written)\b.*\b(?:checks?|cheques?) (?:out )?to\b|\bpayable\b",
        r"\bpayable\b|\bpay to the order\b",
        ("payable",),
    ),
    _saying(
        r"\bhow many (?:\w+ )?(?:payments|installments|instalments)\b",
        r"\bterm\b|\bnumber of (?:payments|installments|instalments)\b",
        ("term",),
    ),
    _saying(
        r"\b(?:backup|back-up|alternate|successor|contingent)\b",
        r"\b(?:backup|back-up|alternate|successor|contingent)\b",
    ),
    _saying(
        # Not "make the check out to", which asks who a cheque is payable to.
        r"\bcheck[- ]?out\b(?!\s+to\b)|\b(?:have to|must|need to) (?:be out|leave)\b",
        r"\bcheck[- ]?out\b|\bdeparture\b",
    ),
    # What runs out expires: "When does the MOT run out?" is the Expiry date line, as are
    # "valid until" and "expires".
    _saying(
        r"\bruns? out\b|\bexpir\w*|\bvalid (?:until|till|to|through)\b|\bhow long\b.*\bvalid\b"
        r"|\bwhen(?:'s| is| are| was)\s+(?:[\w'’-]+\s+){1,4}(?<!going )(?<!coming )(?<!moving )"
        r"(?<!put )(?<!picked )up\b(?!\s+to\b)",
        r"\bexpir\w*|\bvalid (?:until|till|to|through)\b|\bvalidity\b",
        ("expiry", "expires", "expiration"),
    ),
    # A car's mileage is its odometer reading, and the other way round.
    _saying(r"\bmileage\b|\bodometer\b", r"\bmileage\b|\bodometer\b", ("odometer", "mileage")),
    # What is still owed, left to pay or outstanding is a balance ("Balance: £840.00").
    _saying(
        r"\bowe[ds]?\b|\bowing\b|\boutstanding\b|\b(?:left|still|remaining) to (?:pay|be paid)\b",
        r"\bbalance\b|\boutstanding\b|\bamount (?:due|owed|owing)\b",
        ("balance", "outstanding"),
    ),
    # What a payslip pays out is its net pay: "How much did she take home?".
    _saying(r"\btake[- ]?home\b|\btook home\b", r"\bnet\b", ("net",)),
    # What a policy covers something for is its limit (or sum insured), not its premium.
    _saying(
        r"\bcovered (?:for|up to)\b|\bcoverage\b|\binsured for\b|\bhow much cover\b",
        r"\blimits?\b|\bsum insured\b|\bcover(?:age)? (?:amount|limit)\b",
        ("limit",),
    ),
    # What was paid out of pocket is the payer's own share: "You paid", "Patient pays";
    # not a plan's out-of-pocket maximum, which is a line of its own.
    _saying(
        r"\bout[- ]of[- ]pocket\b(?![- ](?:max\w*|limit))",
        r"\byou (?:paid|pay|owe)\b|\byour (?:share|cost|portion)\b|\bpatient (?:pays|paid|"
        r"portion|share)\b",
    ),
    # What someone put or paid into a pension or a savings plan is a contribution.
    _saying(
        # "in" only where it ends the phrase: "net pay in May", "pay in total" and
        # "putting in a water heater" ask for no contribution.
        r"\b(?:put|puts|paid|pay|pays|paying)\s+into\b"
        r"|\b(?:put|paid|pay|pays)\s+in\b(?=\s*(?:\?|$|so far\b|each\b|every\b|per\b))",
        r"\bcontribut\w*",
        ("contribution", "contributions"),
    ),
    # What was put aside or set aside is what a savings table calls saved.
    _saying(
        r"\b(?:put|set|putting|setting)\s+(?:\w+\s+)?(?:aside|away)\b|\bsaved up\b",
        r"\bsaved\b|\bsavings?\b",
        ("saved", "savings"),
    ),
    # The full cost, all up, altogether: a bill's or a fee table's Total line or column, not
    # one of the parts it adds up. Not "in total" alone, which as often counts ("How many
    # payments is that in total?" is the Term, not the Total of payments); what a sum
    # "came to" is its total.
    _saying(
        r"\b(?:full|whole|overall|combined|entire)\s+(?:cost|price|amount|fee|fees|charge|bill)s?\b"
        r"|\ball[- ]up\b|\baltogether\b|\ball told\b|\b(?:come|came|comes|coming) to\b",
        r"\btotal\b",
        ("total",),
    ),
    # The general vocabulary of household papers, planned from what bills, statements,
    # payslips, policies, invoices, tax notices, school and medical papers, leases,
    # loans and pensions call things in the US, Canada, the UK, Ireland, Australia, New
    # Zealand and South Africa; not from any question set's misses. Each `names` makes
    # a row or field it labels a candidate for what is asked, so each is as narrow as
    # the papers allow: "due" alone labels both the sum and the date.
    # How much is to be paid now: the bill's sum due, not the date it is due by.
    _saying(
        r"\bhow much (?:is|will be) (?:\w+ ){0,3}(?:due|payable)\b"
        rf"|\bhow much (?:do|does|will|must|should) {_WHO} (?:have to |need to )?"
        r"pay\b(?! (?:in|for) tax)"
        rf"|\bwhat (?:do|does|will|must) {_WHO} (?:have|need) to pay\b"
        r"|\b(?:amount|total|sum) (?:due|payable|to pay)\b"
        # What a bill comes to: "How much is the electricity bill this time?", "the total
        # on this month's cell phone bill" (not one line's total on it).
        r"|\bhow much (?:is|was) (?:the|our|my|this|that)\s+(?:[\w'’-]+\s+){0,3}bill\b"
        r"|\btotal (?:on|of|for) (?:the|our|my|this|that)\s+(?:[\w'’-]+\s+){0,3}bill\b",
        r"\b(?:amount|total|balance|sum|payment)\s+(?:now\s+)?(?:due|payable)\b(?!\s+(?:date|by|on)\b)"
        r"|\b(?:total|amount) (?:to (?:pay|be paid)|owing)\b|\bplease pay\b|\bpay this amount\b",
        ("due", "payable"),
    ),
    # By when it is to be paid: the due date, a pay-by or debit date; a label that says
    # a sum is due ("Amount due", "Total due") answers how much, not when.
    _saying(
        rf"{_WHEN}.*\b(?:due|payable)\b|\bby when\b"
        r"|\bwhen (?:do|does|must|should|will) (?:we|i|you|they|he|she|it) (?:have to |need to )?"
        r"(?:pay|be paid)\b"
        r"|\b(?:deadline|last day|latest date) (?:to|for) (?:pay|payment|paying)\b"
        r"|\bwhen (?:will|is|does|was|did)\b.*\b(?:debited|collected|direct debit)\b",
        r"(?<!amount )(?<!total )(?<!balance )(?<!sum )(?<!minimum payment )\bdue\b"
        r"(?!\s+(?:amount|total|now)\b)|\bpay(?:ment)? (?:by|date)\b|\bdebit(?:ed)? (?:date|on)\b"
        r"|\b(?:collected|deducted|taken) on\b|\bpayable (?:by|on)\b"
        r"|\b(?:due|pay|paid|payment)\b[^;]{0,60}\bby\s+(?:the\s+)?(?:\d|\w+\s+\d)",
        ("due",),
    ),
    # How a bill was paid is what it says it was paid by ("Paid by check 2291").
    _saying(
        r"\bhow (?:did|do|does|was|were|will|should|can) (?:we|i|you|they|he|she|it|this|that)"
        r" (?:be )?(?:pay|paid)\b",
        r"\bpaid(?:\s*[,:]\s*|\s+(?:by|with|via)\b)|\bpayment method\b|\bmethod of payment\b"
        r"|\bpay by\b",
        ("paid by", "payment method"),
    ),
    # What is paid by the hour is a rate ("Rate: $24.50/hr", "Hourly rate").
    _saying(
        r"\b(?:an|per|each|every|by the) hour\b|\bhourly\b",
        r"\bhourly\b|\bper (?:hour|hr)\b|/\s?h(?:ou)?r\b|\brate\b",
        ("hourly", "rate"),
    ),
    PER_MONTH,
    PER_YEAR,
    # Pay before tax is gross ("Total payments" on a British payslip, "Total earnings").
    _saying(
        r"\bbefore (?:any )?(?:tax|taxes|deductions|stoppages)\b|\bpre-?tax\b",
        r"\bgross\b|\bbefore (?:tax|deductions)\b|\btotal (?:earnings|payments)\b",
        ("gross",),
    ),
    # Tax taken off pay is withheld under a name each country gives it: PAYE (UK,
    # Ireland, New Zealand, South Africa), PAYG (Australia), withholding (US); not the
    # tax code, year or reference beside it.
    _saying(
        r"\btax(?:es)?\b.*\b(?:withheld|taken|deducted|held back|stopped|came out|come out)\b"
        r"|\b(?:withheld|deducted|taken off|taken out)\b.*\btax(?:es)?\b|\bwithholding\b",
        r"\btax(?:es)?\b(?!\s*(?:code|year|period|point|file|ref\w*|number|no\b|id|district|"
        r"office|band|credits?|status|class)\b)|\bpaye\b(?!\s*ref)|\bpayg\w*|\bwithholding\b"
        r"|\bwithheld\b",
        ("paye", "payg", "withholding", "withheld"),
    ),
    # What a claim costs the insured first is the excess (UK, Ireland, Australia, New
    # Zealand, South Africa) or the deductible (US, Canada): one line, either name.
    _saying(
        r"\bexcess\b|\bdeductibles?\b", r"\bexcess\b|\bdeductibles?\b", ("excess", "deductible")
    ),
    # What insurance costs is its premium.
    _saying(
        r"\bhow much (?:is|was|does|do|did|will)\b.*\b(?:insurance|policy|cover)\b.*\bcost\b"
        r"|\bwhat (?:does|did|do|will) (?:the |our |my |his |her |their )?(?:\w+ ){0,3}"
        r"(?:insurance|policy|cover)\b.*\bcost\b"
        rf"|\bhow much (?:do|does|did|will) {_WHO} pay for (?:the |our |my |his |"
        r"her |their )?(?:\w+ ){0,3}(?:insurance|cover|policy)\b",
        r"\bpremium\b",
        ("premium",),
    ),
    # A warranty and a guarantee are one promise under two names.
    _saying(
        r"\bwarrant(?:y|ies)\b|\bguarantee[ds]?\b",
        r"\bwarrant(?:y|ies)\b|\bguarantee[ds]?\b",
        ("warranty", "guarantee"),
    ),
    # When something starts: its start, commencement or effective date, or the From of
    # a From/To pair.
    _saying(
        rf"{_WHEN}.*\b(?:start|starts|started|begin|begins|began|commence[sd]?|kicks? in"
        r"|takes? effect|took effect|comes? into (?:effect|force)|moved? in)\b"
        r"|\bfrom when\b|\bstart date\b|\bcommencement\b",
        r"\bstart\w*|\bcommenc\w*|\bbegin\w*|\beffective\b|\binception\b|^\s*from\b"
        r"|\b(?:valid|cover(?:ed)?|insured|runs?|period|term) from\b|\bmove[- ]in\b",
        ("start", "commencement", "effective"),
    ),
    # When something ends: its end, maturity, expiry or termination date, or the To of
    # a From/To pair ("Ending balance" is a sum, not an end).
    _saying(
        rf"{_WHEN}.*\b(?:end|ends|ended|finish|finishes|finished|terminates?|terminated"
        r"|matures?|matured|lapses?|lapsed)\b|\buntil when\b|\bend date\b|\bmaturity\b",
        r"\bend(?:s|ed|ing)?\b(?!\s+balance)|\bfinish\w*|\bmatur\w*|\bexpir\w*|\bterminat\w*"
        r"|\buntil\b|\btill\b|^\s*to\b|\b(?:valid|cover(?:ed)?|insured|runs?|period|term) "
        r"(?:to|through)\b|\blast day\b",
        ("end", "maturity", "expiry"),
    ),
    # What a meter read is its reading (present, current, previous, estimated), not the
    # date it was read on ("Reading date").
    _saying(
        r"\bmeter\b.*\b(?:read|say|said|show|showed|shows)\b|\bwhat did\b.*\bread\b(?!ing)",
        r"\breadings?\b(?!\s+(?:date|day)s?\b)",
        ("reading", "readings"),
    ),
    # How much was used is the usage or consumption line ("Units used", "kWh").
    _saying(
        r"\bhow (?:much|many) (?:\w+ ){0,2}(?:did|do|does|have|has|had) (?:we|i|you|they|he|she|"
        r"the \w+) (?:use|used|consume|consumed|burn|burned|burnt|go through)\b"
        r"|\bhow much (?:\w+ ){0,2}(?:was|were|is) (?:used|consumed)\b",
        r"\busage\b|\bconsum\w*|\b(?:units|amount|quantity|energy|total) used\b|^\s*units\b"
        r"|^\s*kwh\b",
        ("usage", "consumption", "units"),
    ),
    # A paper's number for an account, a policy or a member is written No., #, Ref or
    # ID ("Policy No.", "Member #", "Customer ref"); a label that says "number" says the
    # question's own word.
    _saying(
        r"\b(?:account|customer|client|policy|member(?:ship)?|invoice|contract|claim|booking|order"
        r"|patient|student|registration|licen[cs]e|certificate|receipt|meter|supply|serial|tax"
        r"|insurance|nhs|medicare|passport|vehicle|plate|confirmation|case|file|loan|card|folio"
        r"|employee|staff|payroll)\s+(?:number|no\.?|num|#|id)(?!\w)",
        r"#|\bno\.|\bno\s*$|\b(?:num|nr|ref|reference|id)\b",
        ("reference",),
    ),
    # Whom to call is the contact line: phone, tel, mobile, helpline, enquiries.
    _saying(
        rf"\bwho (?:do|should|can|could|would|must|to) (?:{_WHO} )?(?:call|ring|phone|contact"
        rf"|e-?mail|text)\b|\bhow (?:do|can|should) {_WHO} (?:contact|reach|get (?:hold of"
        r"|in touch with))\b|\bcontact (?:details|number|info\w*)\b",
        r"\bcontact\b|\bphone\b|\btel(?:ephone)?\b|\bmobile\b|\bcell\b|\bhelpline\b"
        r"|\benquir(?:y|ies)\b|\binquir(?:y|ies)\b|\bhotline\b|\bcall\b",
        ("contact", "phone", "telephone", "enquiries"),
    ),
    # Where something is held, or where to send or bring something, is an address,
    # a location or a venue line.
    _saying(
        r"\bwhere (?:is|are|was|were|will) (?:the |our |my )?(?:\w+ ){0,3}(?:held|located"
        r"|taking place|happening)\b|\bwhat(?:'s| is| was) the address\b"
        rf"|\bwhere (?:do|should|must|can|does|did) {_WHO} (?:send|post|return|mail|drop off"
        r"|deliver|report|park)\b",
        r"\baddress\w*|\blocation\b|\bvenue\b|\bwhere\b|\b(?:send|return|post|deliver) (?:to|it)\b",
        ("address", "location", "venue"),
    ),
    # How often is a frequency, or the directions on a prescription label.
    _saying(
        r"\bhow often\b|\bhow frequently\b|\bhow many times (?:a|an|per|each|every)\b",
        r"\bfrequency\b|\bhow often\b|\bdirections?\b|\binterval\b|\bschedule\b"
        r"|\b(?:once|twice|three times|four times)\b|\btimes (?:a|per|daily)\b|\bdaily\b"
        r"|\bweekly\b|\bfortnightly\b|\bquarterly\b|\bevery\b|\bnightly\b",
        ("frequency", "directions"),
    ),
    # How much of a medicine to take is its dose (strength, directions).
    _saying(
        r"\bhow (?:much|many) (?:\w+ ){0,2}(?:should|to|must|do (?:i|we|you)) (?:\w+ ){0,2}"
        r"take\b(?![- ]?home)|\bhow many (?:tablets|pills|capsules|puffs|drops"
        r"|sprays|doses)\b|\bstrength\b",
        r"\bdos(?:e|es|age|ing)\b|\bstrength\b|\bdirections?\b|\bamount to (?:take|give)\b"
        r"|^\s*take\b",
        ("dose", "dosage", "strength", "directions"),
    ),
    # The rate of interest is written APR (US, UK), AER (UK savings) or "p.a." (per annum).
    _saying(
        r"\binterest rate\b|\brate of interest\b|\bwhat rate\b",
        r"\bapr\b|\baer\b|\brate\b|\bp\.a\.|\bper annum\b",
        ("apr", "aer", "rate"),
    ),
    # When someone was paid, or a bill paid, is the pay date, the date paid (when it has
    # to be paid is its due date).
    _saying(
        rf"{_WHEN}\s+(?:was|were|did)\b.*\b(?:paid|pay(?:ments?)? (?:go|went|come|came|arrive))\b",
        r"\b(?:pay|payment|paid) date\b|\bdate (?:paid|of payment)\b|\bpaid on\b",
        ("paid",),
    ),
    # When a paper was issued is its date of issue, or the date of the bill, the
    # statement, the invoice, the letter.
    _saying(
        rf"{_WHEN}.*\b(?:issued|sent|dated|written|billed|invoiced)\b",
        r"\bissue[ds]?\b|\b(?:statement|bill|invoice|letter|notice|tax) (?:date|period)\b"
        r"|\bdated\b|\bdate of (?:issue|letter|notice)\b",
        ("issued", "issue"),
    ),
    # How much leave someone gets, or has left, is an entitlement, an allowance, a balance.
    _saying(
        r"\bhow (?:many|much) (?:days? (?:of )?)?(?:holiday|annual leave|vacation|leave|days off"
        r"|pto|sick (?:days|leave)|personal days)\b",
        r"\bentitle\w*|\ballowance\b|\bbalance\b|\bremaining\b|\baccrued\b|\bavailable\b",
        ("entitlement", "allowance", "accrued"),
    ),
    # When the bins go out is the collection day.
    _saying(
        r"\b(?:bins?|rubbish|garbage|trash|recycling|waste)\b.*\b(?:collected|picked up|go out"
        r"|emptied)\b|\bcollection day\b",
        r"\bcollect\w*|\bpick-?up\b",
        ("collection", "collected"),
    ),
    # Whose name an account or a policy is in is its holder, the insured, the name on it.
    _saying(
        r"\bwhose name\b|\bin (?:whose|the name of)\b|\b(?:account|policy|card) ?holder\b"
        r"|\bwho (?:is|was) (?:insured|covered)\b",
        r"\bholders?\b|\bpolicyholder\b|\bname of\b|\bin the name\b|^\s*name\b|\binsured\b",
        ("holder", "policyholder", "insured"),
    ),
    # What paying late costs is the late payment fee, the penalty, an overdue charge.
    _saying(
        r"\blate (?:payment|fee|charge|penalty)\b|\bpa(?:y|id|ying) late\b"
        r"|\bmiss(?:ed)? (?:a )?payment\b",
        r"\blate\b|\bpenalt\w*|\boverdue\b",
        ("late", "penalty", "overdue"),
    ),
    # How much can be borrowed or spent on a card is its limit.
    _saying(
        rf"\bhow much can {_WHO} (?:borrow|spend|charge|put on)\b|\bspending limit\b",
        r"\b(?:credit )?limit\b|\bavailable credit\b",
        ("limit",),
    ),
    # What is in an account is its balance (closing, available).
    _saying(
        rf"\bhow much (?:money )?(?:is|was|(?:do|did) {_WHO} have) (?:left )?in\b"
        r".*\b(?:account|savings|isa|checking|chequing|current|saver|super|pension|kiwisaver)\b",
        r"\bbalance\b|\bavailable\b|\bvalue\b",
        ("balance",),
    ),
    # Money back is a refund, a rebate, a credit, a reimbursement.
    _saying(
        r"\bmoney back\b|\b(?:get|got|paid|pay) (?:us |me |them |him |her )?back\b|\breimburs\w*",
        r"\brefund\w*|\brebate\w*|\bcredit\w*|\breimburs\w*",
        ("refund", "rebate", "reimbursement"),
    ),
    # A person's tax number is written by each country's name for it: TFN (Australia), IRD
    # number (New Zealand), UTR or National Insurance number (UK), PPSN (Ireland), SSN or
    # TIN (US), SIN (Canada).
    _saying(
        r"\btax (?:file |reference |identification )?(?:number|no\.?|#|id)\b"
        r"|\b(?:social security|social insurance|national insurance|ird|pps) (?:number|no\.?|#)",
        r"\btfn\b|\bird\b|\butr\b|\bssn\b|\bsin\b|\bnino\b|\bni (?:no|number)\b|\bppsn?\b"
        r"|\btin\b|\btax (?:file |reference |identification )?(?:number|no)\b"
        r"|\bsocial (?:security|insurance)\b|\bnational insurance\b",
        ("tfn", "ird", "utr", "ssn", "sin", "ppsn", "tin"),
    ),
    # When someone was born is the date of birth (DOB).
    _saying(
        rf"{_WHEN}.*\bborn\b|\bbirthday\b|\bbirth ?date\b|\bdate of birth\b",
        r"\bdate of birth\b|\bd\.?o\.?b\b|\bborn\b|\bbirth\w*",
        ("birth", "dob", "born"),
    ),
)

# Forms of a question's word that a paper's label may use instead, searched by the keyword
# side only: what they name is no line of a form of its own.
_FORMS: dict[str, tuple[str, ...]] = {
    # Times of going and coming are departures and arrivals ("annual leave" is none, so
    # a Departure line is not taken for what such a question asks).
    "leave": ("departure", "depart"),
    "leaves": ("departure", "depart"),
    "arrive": ("arrival",),
    "arrives": ("arrival",),
    # The last of a series is called its final one, and the other way round.
    "last": ("final",),
    "final": ("last",),
    # What something costs is its price.
    "cost": ("price",),
    "costs": ("price",),
    "price": ("cost",),
    # One way only: the other word names more than this one ("power of attorney", a
    # "check" that is no cheque, a "loan" that is no mortgage).
    "power": ("electricity",),
    "mortgage": ("loan",),
    "cheque": ("check",),
    "checking": ("chequing", "cheque"),
    "chequing": ("checking",),
    "insurer": ("underwriter", "underwritten"),
    "routing": ("bsb", "sort", "transit"),
    "bsb": ("routing", "sort"),
    "apr": ("interest",),
    "aer": ("interest",),
    "penalty": ("fine",),
    "semester": ("term",),
    "autumn": ("fall",),
}

# "How ADJ" asks for the measure's name, the label it sits under (`Age: 12 years`), searched
# by the keyword side. Only after "how": "the old contract" asks for no age, "a big order"
# for no size. Not lines of their own: "how big was the deposit" asks for a sum, "how long"
# for a duration as often as a length.
_MEASURES: dict[str, tuple[str, ...]] = {
    "old": ("age",),
    "far": ("distance",),
    "big": ("size",),
    "long": ("length", "duration"),
}

# Units and labels written short on forms, recipes and tables, both ways.
_SHORT = (
    ("teaspoon", "tsp"),
    ("teaspoons", "tsp"),
    ("tablespoon", "tbsp"),
    ("tablespoons", "tbsp"),
    ("minute", "min"),
    ("minutes", "min"),
    ("hour", "hr"),
    ("hours", "hrs"),
    ("ounce", "oz"),
    ("ounces", "oz"),
    ("pound", "lb"),
    ("pounds", "lbs"),
    ("foot", "ft"),
    ("feet", "ft"),
    ("account", "acct"),
    ("amount", "amt"),
    ("department", "dept"),
    ("appointment", "appt"),
    ("kilowatt", "kwh"),
    ("kilowatts", "kw"),
    ("kilolitre", "kl"),
    ("kilolitres", "kl"),
    ("kiloliter", "kl"),
    ("kiloliters", "kl"),
    ("kilometre", "km"),
    ("kilometres", "km"),
    ("kilometer", "km"),
    ("kilometers", "km"),
    ("kilogram", "kg"),
    ("kilograms", "kg"),
    ("kilos", "kg"),
    ("milligram", "mg"),
    ("milligrams", "mg"),
    ("millilitre", "ml"),
    ("millilitres", "ml"),
    ("milliliter", "ml"),
    ("milliliters", "ml"),
    ("centimetre", "cm"),
    ("centimetres", "cm"),
    ("millimetre", "mm"),
    ("millimetres", "mm"),
    ("gallon", "gal"),
    ("gallons", "gal"),
    ("square", "sq"),
    ("reference", "ref"),
    ("telephone", "tel"),
    ("phone", "tel"),
    ("mobile", "mob"),
    ("number", "num"),
    ("quantity", "qty"),
    ("average", "avg"),
    ("approximately", "approx"),
    ("estimated", "est"),
    ("previous", "prev"),
    ("balance", "bal"),
    ("payment", "pmt"),
    ("invoice", "inv"),
    ("month", "mth"),
    ("months", "mths"),
    ("year", "yr"),
    ("years", "yrs"),
    ("week", "wk"),
    ("weeks", "wks"),
    ("maximum", "max"),
    ("minimum", "min"),
    ("registration", "reg"),
    ("registration", "rego"),
    ("contribution", "contrib"),
    ("prescription", "rx"),
    ("electricity", "elec"),
    ("temperature", "temp"),
)

# One thing under the names different countries (or trades) give it, each searched as the
# others: a British payslip's pension is an Australian one's super, an American's
# paycheck a Briton's payslip, a tenancy's deposit an Australian's bond.
_NAMES = (
    ("pension", "superannuation", "super", "kiwisaver"),
    ("payslip", "paycheck", "paycheque", "paystub", "stub"),
    ("salary", "wage", "wages", "earnings"),
    ("invoice", "bill"),
    ("landlord", "lessor"),
    ("tenant", "lessee", "renter"),
    ("lease", "tenancy"),
    ("deposit", "bond"),
    ("flat", "apartment", "condo"),
    ("car", "vehicle", "motor", "auto"),
    ("doctor", "gp", "physician", "dr"),
    ("chemist", "pharmacy", "drugstore", "pharmacist"),
    ("postcode", "zip", "postal"),
    ("rubbish", "garbage", "trash", "refuse", "waste"),
    ("electricity", "electric", "hydro"),
    ("petrol", "gasoline", "fuel"),
    ("mobile", "cell", "cellphone"),
    ("holiday", "holidays", "vacation"),
    ("vet", "veterinary", "veterinarian"),
    ("dentist", "dental"),
    ("optician", "optometrist"),
    ("glasses", "spectacles", "optical", "eyewear"),
    ("crash", "collision", "accident", "accidental"),
    ("chiropodist", "podiatrist", "chiropody", "podiatry"),
    ("refund", "rebate"),
    ("fee", "charge"),
    ("fees", "charges"),
    ("medicine", "medication", "meds"),
    ("tablet", "pill", "capsule"),
    ("tablets", "pills", "capsules"),
    ("nursery", "daycare", "childcare", "creche"),
    ("excursion", "trip", "outing"),
    ("physio", "physiotherapy", "physiotherapist"),
    ("broadband", "internet", "fibre", "fiber"),
    ("lawyer", "solicitor", "attorney"),
    ("tuition", "fees"),
    ("strata", "levy", "levies"),
)

# The same word spelt the British (and Commonwealth) way and the American way.
_SPELLINGS = (
    ("licence", "license"),
    ("licences", "licenses"),
    ("tyre", "tire"),
    ("tyres", "tires"),
    ("centre", "center"),
    ("litre", "liter"),
    ("litres", "liters"),
    ("metre", "meter"),
    ("metres", "meters"),
    ("programme", "program"),
    ("enrolment", "enrollment"),
    ("enrol", "enroll"),
    ("instalment", "installment"),
    ("instalments", "installments"),
    ("colour", "color"),
    ("jewellery", "jewelry"),
    ("aluminium", "aluminum"),
    ("paediatric", "pediatric"),
    ("paediatrician", "pediatrician"),
    ("orthopaedic", "orthopedic"),
    ("anaesthetic", "anesthetic"),
    ("haemoglobin", "hemoglobin"),
    ("organisation", "organization"),
    ("authorisation", "authorization"),
    ("catalogue", "catalog"),
    ("defence", "defense"),
    ("offence", "offense"),
    ("cancelled", "canceled"),
    ("travelling", "traveling"),
    ("labour", "labor"),
    ("neighbour", "neighbor"),
    ("behaviour", "behavior"),
    ("mould", "mold"),
    ("grey", "gray"),
    ("kerb", "curb"),
    ("mum", "mom"),
    ("speciality", "specialty"),
    ("tonne", "ton"),
)

_WORD = re.compile(r"\w+", re.UNICODE)


def _both_ways(groups: Sequence[Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Each word of a group, to the others of every group it is in."""
    both: dict[str, list[str]] = {}
    for group in groups:
        for word in group:
            both.setdefault(word, []).extend(w for w in group if w != word)
    return {w: tuple(dict.fromkeys(forms)) for w, forms in both.items()}


_ABBREVIATIONS = _both_ways([*_SHORT, *_NAMES, *_SPELLINGS])
# What a paper may call a question's word by another country's name or spelling ("dentist":
# dental, "strata": levy): the topic checks count it as said (assistant/evidence/topic.py).
OTHER_NAMES = _both_ways([*_NAMES, *_SPELLINGS])


@lru_cache(maxsize=256)
def sayings_asked(question: str) -> tuple[Saying, ...]:
    """The sayings the question asks in its own words (often none). Kept per question:
    the unit choice asks it of every unit it weighs, and the vocabulary is some fifty
    patterns."""
    return tuple(s for s in SAYINGS if s.asks.search(question))


def label_forms(question: str, terms: Sequence[str]) -> dict[str, list[str]]:
    """For each of `terms` (the keyword side's words of `question`), the label words a
    paper may record it under, if any: `leave` -> departure, depart; `tall` after "how"
    -> height; "run out" -> expiry; `teaspoon` -> tsp. A saying's labels go to the first
    of the terms its words hold ("left to pay": left). A term with none is left out."""
    lowered = question.lower()
    words = _WORD.findall(lowered)
    after_how = {b for a, b in zip(words, words[1:], strict=False) if a == "how"}
    forms_of: dict[str, list[str]] = {
        term: [
            *_FORMS.get(term, ()),
            *(_MEASURES.get(term, ()) if term in after_how else ()),
            *_ABBREVIATIONS.get(term, ()),
        ]
        for term in terms
    }
    for saying in SAYINGS:
        for match in saying.asks.finditer(lowered):
            said = _WORD.findall(match.group())
            term = next((t for t in terms if t in said), None)
            if term is not None:
                forms_of[term] += saying.labels
                break
    found: dict[str, list[str]] = {}
    for term, forms in forms_of.items():
        kept = [f for f in dict.fromkeys(forms) if f != term and f not in terms]
        if kept:
            found[term] = kept
    return found
