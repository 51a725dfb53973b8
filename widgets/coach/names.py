"""The coach's reading of a widget's name: is it a product, or an activity, a
contact channel or a field of work named as if it were one? The order of the rules
is in widgets/coach/__init__.py."""

import re

from .texts import EXAMPLES, FIELD_EXAMPLES, finding, quote
from .words import (
    ACTIVITY_EVENTS,
    AREAS,
    CHANNEL_HEADS,
    CHANNEL_MODIFIERS,
    COUNTABLE_ING,
    DETERMINERS,
    FIELD_FUNCTIONS,
    FIELD_HEADS,
    FIELD_SUGGESTIONS,
    LEADING_VERBS,
    LONE_FIELDS,
    MODIFIER_ING,
    NOT_GERUND,
    NOT_PLURAL,
    PART_BREAK,
    PARTICIPLES,
    PLURAL_ACTIVITIES,
    PREPOSITION_BREAK,
    PREPOSITIONS,
    PROCESS_WORDS,
    PRODUCT_NOUNS,
    REQUEST_SUGGESTIONS,
    REQUESTS,
    RETURN_KINDS,
    SUGGESTIONS,
    TASK_VERBS,
    WEBSITE,
)


def _tokens(name):
    text = re.sub(r"\([^)]*\)", " ", name.lower()).replace("\u2019", "'")
    text = re.sub(r"'s\b", "", text)
    words = re.findall(r"[a-z0-9]+(?:[-'][a-z0-9]+)*", text)
    while words and words[0] in DETERMINERS:
        words = words[1:]
    return words


def _head_at(words):
    """Where the head noun is: the last word before the first preposition, else the
    last word; participles before either are read past ("Claims not selected for a
    review", "Applications received")."""
    end = len(words) - 1
    for i, word in enumerate(words):
        if i and word in PREPOSITIONS:
            end = i - 1
            break
    while end and words[end] in PARTICIPLES:
        end -= 1
    return end


def _head(words):
    return words[_head_at(words)]


def _is_gerund(word):
    word = word.split("-")[-1]
    return (
        word.endswith("ing")
        and len(word) >= 5
        and re.search(r"[aeiouy]", word[:-3]) is not None
        and word not in NOT_GERUND
    )


def _is_plural(word):
    return (
        len(word) > 3
        and word.endswith("s")
        and not word.endswith(("ss", "us", "is", "ics"))
        and word not in NOT_PLURAL
    )


def _singular(word):
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    return word[:-1]


def _activity(code, name, word):
    example = SUGGESTIONS.get(word.split("-")[-1])
    better = f"for example {quote(example)}" if example else EXAMPLES
    return finding(code, name=quote(name), better=better)


def _is_product(word):
    """A product noun, or the plural of one ("letters")."""
    return word in PRODUCT_NOUNS or (_is_plural(word) and _singular(word) in PRODUCT_NOUNS)


def _product_in_a_part(name):
    """A name of several parts ("Compliance Reviews / Certifications - Cryptographic
    Module Validation Program") one of which names a product: the other parts name
    the program or the work around it, so the name is not called an activity."""
    parts = [_tokens(part) for part in PART_BREAK.split(name)]
    return len(parts) > 1 and any(
        _is_product(_head(words).split("-")[-1]) for words in parts if words
    )


def _sentence_case(text):
    text = " ".join(text.split()).strip(" -\u2013\u2014:,")
    return text[:1].upper() + text[1:]


def _channel(name, words, at):
    head, before = words[at], words[at - 1] if at else ""
    if WEBSITE.fullmatch(name.strip().lower()) or head in CHANNEL_HEADS:
        return finding("name-channel", name=quote(name))
    if head in ("line", "lines", "service", "services") and before in CHANNEL_MODIFIERS:
        return finding("name-channel", name=quote(name))
    return None


def _task(name):
    """A task the customer does ("Register a vessel", "Apply for a passport")."""
    found = re.match(r"(?i)\s*([a-z]+)\s+(for\s+)?(?:a|an|the|your)\s+(\S.*)", name)
    if not found:
        return None
    verb, by_for, thing = found.group(1).lower(), found.group(2), found.group(3)
    if verb not in TASK_VERBS or (by_for and verb != "apply"):
        return None
    words = _tokens(thing)
    if _is_product(_head(words).split("-")[-1]):
        better = _sentence_case(thing)
    elif TASK_VERBS[verb]:
        what = PREPOSITION_BREAK.split(thing)[0]
        better = _sentence_case(f"{what} {TASK_VERBS[verb]}")
    else:
        return finding("name-task", name=quote(name), better=EXAMPLES)
    return finding("name-task", name=quote(name), better=f"for example {quote(better)}")


def _request(name, words, at):
    """What the customer sends in: applications, requests, claims, complaints, tax returns."""
    head = words[at]
    if head not in REQUESTS and not (head == "return" and at and words[at - 1] in RETURN_KINDS):
        return None
    word = re.escape(head)
    before = re.match(rf"(?is)(.*)\b{word}\b", name).group(1)
    after = re.search(rf"(?is)\b{word}\s+for\s+(.+)", name)
    for text in (before, after.group(1) if after else ""):
        words_of = _tokens(text)
        if words_of and _is_product(_head(words_of).split("-")[-1]):
            example = _sentence_case(text)
            break
    else:
        example = REQUEST_SUGGESTIONS.get(head)
    better = f"for example {quote(example)}" if example else EXAMPLES
    return finding("name-request", name=quote(name), better=better)


def _field(name, words, at):
    """A field of work: a discipline ("Research", "Statistics") or a function of an area
    ("Emergency management", "Policy development")."""
    head, before = words[at].split("-")[-1], words[at - 1] if at else ""
    area = before in AREAS or (not before and head in LONE_FIELDS)
    if head not in FIELD_HEADS and not (head in FIELD_FUNCTIONS and area):
        return None
    example = FIELD_SUGGESTIONS.get(head) or FIELD_SUGGESTIONS.get(before)
    better = f"for example {quote(example)}" if example else FIELD_EXAMPLES
    return finding("name-field", name=quote(name), better=better)


def _name_problem(name, words, at):
    """The first rule that calls the name something other than a product, or None."""
    head, first = words[at], words[0]
    core_head = head.split("-")[-1]
    channel = _channel(name, words, at)
    if channel:
        return channel
    verb_ing = _is_gerund(first) and first not in MODIFIER_ING
    if len(words) > 1 and verb_ing and core_head not in PRODUCT_NOUNS:
        return _activity("name-gerund", name, first)
    if len(words) > 1 and first in LEADING_VERBS and (words[1] in DETERMINERS or _is_plural(head)):
        return _activity("name-process-word", name, first)
    found = _task(name) or _request(name, words, at) or _field(name, words, at)
    if found:
        return found
    if core_head in PROCESS_WORDS or core_head in ACTIVITY_EVENTS:
        return _activity("name-process-word", name, core_head)
    if core_head in PLURAL_ACTIVITIES:
        better = quote(SUGGESTIONS.get(core_head, "Inspection report"))
        return finding("name-plural-activity", name=quote(name), better=better)
    if _is_gerund(core_head) and core_head not in COUNTABLE_ING:
        return _activity("name-gerund", name, core_head)
    return None


def name_findings(name):
    """At most one finding about the name (widgets/coach/__init__.py, the order)."""
    words = _tokens(name)
    if not words:
        return [finding("name-missing")]
    at = _head_at(words)
    problem = _name_problem(name, words, at)
    if problem:
        return [] if _product_in_a_part(name) else [problem]
    core_head = words[at].split("-")[-1]
    if _is_plural(core_head):
        last = re.escape(core_head)
        singular = re.sub(
            rf"(?i)\b{last}\b(?!.*\b{last}\b)", lambda m: _singular(m.group(0)), name.strip()
        )
        if "and" in words:  # "Permits and licenses": one widget per thing handed over
            singular = _singular(core_head).capitalize()
        return [finding("name-plural", name=quote(name), better=quote(singular))]
    return []
