"""The coach's word lists: the words that name products, activities, channels and
fields of work (widgets/coach/__init__.py says how the rules read them)."""

import re


# _set and _pairs run once, at import, before any test can switch a mutant on: a
# mutation of them is never tested (docs/testing.md); every word list test reads them.
def _set(words):
    return frozenset(words.split())  # pragma: no mutate


def _pairs(text):
    return dict(pair.split("=") for pair in text.split("; "))  # pragma: no mutate


# -ing nouns that name a countable thing handed over, so fine as a head noun.
COUNTABLE_ING = _set(
    "ruling listing filing finding hearing building opening drawing recording posting "
    "offering booking rating setting marking warning reading holding earning clearing "
    "crossing dwelling painting clipping printing"
)
# -ing words that only modify the noun after them ("Housing voucher").
MODIFIER_ING = COUNTABLE_ING | _set(
    "housing parking fishing hunting boating wedding training drinking mining lodging "
    "banking plumbing trucking gaming vending catering nursing camping farming driving "
    "swimming shipping mailing marketing boarding sporting logging burning blasting "
    "welding recycling towing roofing wiring heating sailing diving trapping"
)
# Words ending in -ing that are not verbs at all.
NOT_GERUND = _set("ceiling evening morning pudding awning sibling seedling herring")
PROCESS_WORDS = _set(
    "processing management administration outreach support coordination oversight "
    "operation operations service program programme assistance engagement compliance "
    "enforcement monitoring development planning implementation analysis analytics "
    "education communication communications liaison facilitation maintenance review "
    "handling delivery administering adjudication collaboration supervision assurance process"
)
# Singular events of work: the time spent, not the thing left behind.
ACTIVITY_EVENTS = _set(
    "visit meeting session workshop event call contact interaction activity effort "
    "initiative task project presentation consultation"
)
# Plural activities: they count work done ("Site visits"), not products.
PLURAL_ACTIVITIES = _set(
    "inspections visits meetings consultations trainings activities efforts initiatives "
    "investigations audits assessments evaluations reviews sessions workshops events calls "
    "contacts interactions presentations briefings projects tasks services programs programmes "
    "interventions exams examinations tests"
)
# A better name to suggest for common activity words, to make the fix concrete.
SUGGESTIONS = _pairs(
    "permitting=Air quality permit; licensing=Business license; "
    "reviewing=Plan approval; review=Plan approval; reviews=Review decision; "
    "inspecting=Inspection report; inspections=Inspection report; monitoring=Monitoring "
    "report; enforcement=Notice of violation; compliance=Compliance certificate; "
    "registering=Vehicle registration; training=Training certificate; trainings=Training "
    "certificate; sessions=Training certificate; workshops=Training certificate; "
    "briefing=Briefing paper; briefings=Briefing paper; presentations=Briefing paper; "
    "analysis=Analysis report; assistance=Grant award; support=Answer to a question; "
    "calls=Answer to a question; contacts=Answer to a question; visits=Site visit report; "
    "investigations=Investigation report; audits=Audit report; assessments=Assessment "
    "report; evaluations=Evaluation report; meetings=Meeting decision letter; "
    "consultations=Consultation advice letter; outreach=Benefit enrollment; "
    "education=Training certificate; events=Event permit; services=Benefit decision; "
    "exams=Exam result; examinations=Exam result; tests=Test result; "
    "interventions=Program completion certificate"
)
PRODUCT_NOUNS = _set(
    "permit license licence certificate certification registration report inspection "
    "payment grant award decision determination record card id title plate tag stamp "
    "passport visa refund benefit loan voucher notice order ruling letter approval "
    "authorization variance exemption waiver citation plan map copy transcript diploma "
    "badge placard sticker renewal response answer receipt statement check lease "
    "contract deed opinion forecast alert warrant judgment settlement agreement "
    "assessment estimate bill verification rebate publication"
)
NOT_PLURAL = _set(
    "news series species lens gas bus plus status census analysis diagnosis basis "
    "earnings savings proceedings minutes damages premises headquarters arrears goods "
    "contents means thanks"
)
LEADING_VERBS = _set(
    "process manage review issue conduct provide coordinate administer oversee handle "
    "perform deliver respond answer support monitor enforce"
)
DETERMINERS = _set("a an the our all any each every")
PREPOSITIONS = _set("of for to in on at from with by under about per")
# Read past when finding the head: "Claims not selected for a review" -> claims,
# "Applications received" -> applications.
PARTICIPLES = _set(
    "not related selected provided administered conducted received issued processed "
    "submitted offered delivered made"
)

# Ways to reach a service, named as if they were the service ("Benefit Enquiries
# (Contact Centre)", "Media enquiries", "In-Person Service", "Canada.ca").
CHANNEL_HEADS = _set(
    "centre center centres centers office desk helpdesk helpline hotline hub portal website "
    "enquiries inquiries correspondence"
)
# A "line" or a "service" is a channel when the word before says how it is reached.
CHANNEL_MODIFIERS = _set(
    "information help phone telephone tip contact info enquiry inquiry enquiries inquiries "
    "in-person online counter officer"
)
WEBSITE = re.compile(r"(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:ca|gov|com|org|net|us)")

# What a customer sends in, named as if it were what they get back.
REQUESTS = _set(
    "application applications request requests claim claims complaint complaints "
    "submission submissions objection objections returns"
)
# A "return" is the customer's filing when it is a tax or information return.
RETURN_KINDS = _set("tax information")
REQUEST_SUGGESTIONS = _pairs(
    "returns=Notice of assessment; return=Notice of assessment; complaint=Complaint "
    "response letter; complaints=Complaint response letter"
)

# A task the customer does ("Register a vessel"), and the product it ends in.
TASK_VERBS = _pairs(
    "register=registration; authorize=authorization; authorise=authorisation; "
    "renew=renewal; replace=replacement; request=; apply=; report=; obtain=; get="
)

# Fields of work: disciplines and functions, not things handed over.
FIELD_HEADS = _set(
    "research economics science sciences intelligence awareness expertise relations "
    "protection prevention mitigation defence defense custody promotion conservation "
    "stewardship preparedness resilience governance privacy safety security rescue "
    "mediation conciliation arbitration"
)
# Work words that name a field when an area of work comes before them ("Emergency
# management", "Policy development", "Law enforcement"); "Grant management" stays
# a process word.
FIELD_FUNCTIONS = _set(
    "management development planning response services service operations treatment "
    "dispatch resolution enforcement policy statistics"
)
# ... and alone: "Statistics", "Policy"; but "Crime statistics" are numbers handed over
# and "Insurance policy" a contract.
LONE_FIELDS = _set("statistics policy")
AREAS = FIELD_HEADS | _set(
    "emergency risk water wastewater land wildlife forest fire wildfire disaster environmental "
    "economic cyber information records media public social health community incident "
    "dispute law trade tax fiscal energy response control policy"
)
FIELD_SUGGESTIONS = _pairs(
    "research=Research report; statistics=Statistical report; policy=Policy decision "
    "letter; emergency=Emergency alert; enforcement=Notice of violation; security=Security "
    "clearance; safety=Safety certificate; relations=Answer to a media question; "
    "mediation=Settlement agreement; conciliation=Settlement agreement; dispute=Dispute "
    "decision; privacy=Personal information release; risk=Risk assessment report"
)

ACTIVITY_PHRASES = re.compile(
    r"\b(?:responsible for|in charge of|provides? support|conducts? outreach"
    r"|administers? the|(?:we|staff|our (?:office|team|staff|division|unit))"
    r" (?:process|manage|review|coordinate|oversee|administer|conduct|monitor|handle|support)"
    r"|manages|oversees|coordinates|administers|processes|conducts|monitors|facilitates)\b",
    re.IGNORECASE,
)
RECEIVES = re.compile(
    r"\b(?:receives?|receiving|gets?|obtains?|issued|given|sent|mailed|delivered|handed"
    r"|entitles?|authori[sz]es?|allows?|lets|proves?|so (?:that|they|you)|you (?:can|will))\b",
    re.IGNORECASE,
)
# Where a name of several parts breaks: "X - Y", "X : Y", "X \u2013 Y" (an en dash).
PART_BREAK = re.compile(r"\s+-\s*|-\s+|\s*[\u2013\u2014:]\s*")
# Where the object of a task ends: "a mortgage for a vessel" -> "a mortgage".
PREPOSITION_BREAK = re.compile(r"(?i)\s+(?:" + "|".join(sorted(PREPOSITIONS)) + r")\s+")
