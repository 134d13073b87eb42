"""Runs of content words, each aligned to the attributes that explain its words, with a verdict.

A run ("carbon fork", "supports Alexa") is supported when every word is explained by the data;
then it may still be contradicted: a word only a false flag explains (unless the run is
negated), a denial the value writes ("Not microwave safe."), a negated run the data affirms,
a hedge the sentence drops, "all" for what the data lists, or a value bound to another
attribute's name ("steel frame" for frame: aluminium). A verb that only binds an explained
complement ("the power bank *stores* 10000 mAh") is no claim of its own.
"""

from __future__ import annotations

import re
from collections import Counter

from lemminflect import getAllLemmas

from consumer.generation.claims.claim import Claim
from consumer.generation.claims.clauses import Run
from consumer.generation.claims.facts import Facts
from consumer.generation.claims.framing import hypernym_of, is_framing
from consumer.generation.claims.kinds import same_kind
from consumer.generation.claims.words import FLAG_PREDICATES, forms, is_function_word, tokens


NOUN_LEAD = frozenset({"a", "an", "the", "this", "these", "that", "those", "its", "their", "your", "our", "each", "every",
                       "no", "any", "some", "one", "his", "her", "my"})
"""Before these a word is a noun ("a *pump*"), not a verb."""
SUBJECTS = frozenset({"it", "this", "that", "which", "who", "he", "she", "one"})


def _is_verb_here(words: list, position: int, before: str, after: str = "") -> bool:
    """Whether the word at this position of a run is a verb, from its forms and place alone.

    A verb: a word lemminflect knows as one, not an -ing or -ed form right before more of the run
    ("*galvanised* steel", "*folding* chair" describe), not after an article ("a *pump*"), and,
    inside a run, either an -s form after its subject ("the kettle *draws*") or a base form after
    a plural one ("memory presets *store*").
    """
    word = words[position].lower
    lemmas = getAllLemmas(word)
    if "VERB" not in lemmas:
        return False
    last = position == len(words) - 1
    if word.endswith(("ing", "ed")) and not last:
        return False
    if position == 0:
        previous = re.findall(r"[a-z']+", before.lower())
        if previous and (previous[-1] in SUBJECTS or is_framing(previous[-1])) and word.endswith("s"):
            return True  # "It *supports* geofencing", "the set *meets* EN 71"
        # alone in its run ("*Control* it by voice", "*packed* with"), else only a verb-only word:
        # "*Machine* washable", "*click*-on canister" are nouns describing what follows
        return not (previous and previous[-1] in NOUN_LEAD) and (last or set(lemmas) == {"VERB"})
    third_person = word.endswith("s") and word not in lemmas["VERB"]
    object_follows = last and re.match(r"\s+(?:your|the|its|their|a|an)\b", after, re.I) is not None
    after_plural = words[position - 1].lower.endswith("s") and (set(lemmas) == {"VERB"} or object_follows)  # "presets *store* your heights"
    return third_person or after_plural or set(lemmas) == {"VERB"}


def without_binding_verbs(run: Run, explained: list, index: int, clause, sentence: str, supported_starts: list[int]):
    """The run's explanations without a verb that only binds what follows it, or None if nothing is left.

    "The power bank *stores* 10000 mAh", "the tea *contains* caffeine", "*packed with* a storage
    box", "*Control* it by voice": the verb links the product to a complement the data explains
    (a supported quantity, or explained words after it in the clause), and the claim is that
    complement, checked on its own. A verb with no complement ("It floats.", "the steel is
    galvanised") or an unexplained one ("relieves back pain") stays a claim.
    """
    found = list(explained[index])
    words = list(run.words)
    following = clause.runs[index + 1] if index + 1 < len(clause.runs) else None

    def plain_between(start: int) -> bool:
        between = sentence[run.end:start]
        return not re.search(r"[,;:()]", between) and all(is_function_word(w) or is_framing(w) for w in re.findall(r"[A-Za-z']+", between))

    complement_after_run = (following is not None and all(explained[index + 1]) and plain_between(following.start)) or any(
        start >= run.end and plain_between(start) for start in supported_starts)
    keep = []
    for position, (word, pairs) in enumerate(zip(words, found)):
        rest = found[position + 1:]
        complement = all(rest) if rest else complement_after_run
        if not pairs and complement and _is_verb_here(words, position, sentence[:run.start], sentence[run.end:]):
            continue
        keep.append(position)
    if not keep:
        return None
    run.words = [words[i] for i in keep]
    return [found[i] for i in keep]


def explanations(run: Run, facts: Facts) -> list[set[tuple[int, str]]]:
    words = [t.lower for t in run.words]
    found = [facts.explain(word) for word in words]
    for i in range(len(words) - 1):  # "wi fi" for "wifi", "finger board" for "fingerboard"
        if not found[i] or not found[i + 1]:
            pair = facts.explain_pair(words[i], words[i + 1])
            if pair:
                found[i] = found[i] or pair
                found[i + 1] = found[i + 1] or pair
    missing = [i for i, pairs in enumerate(found) if not pairs]
    if missing:  # "active noise cancelling" for ANC, "ANC" for "active noise cancelling"
        for i in missing:
            found[i] = facts.explain_initials([run.words[i].text])
        if not all(found) and len(words) >= 2:
            for start in range(len(words)):
                for end in range(min(len(words), start + 6), start + 1, -1):  # an acronym spells at most 6 words
                    pairs = facts.explain_initials([t.text for t in run.words[start:end]])
                    if pairs:
                        for i in range(start, end):
                            found[i] = found[i] or pairs
    named = {p for pairs in found for p, _ in pairs if not facts.attributes[p].pseudo}
    for i, word in enumerate(words):  # "fretboard" beside the value of ``fingerboard`` (never the title's type: "drysuit")
        if not found[i] and len(word) >= 7:
            found[i] = facts.explain_by_head(word, named)
    for i, word in enumerate(words):  # "unlined" for "lining: none": a denial, judged as "not lined"
        if not found[i] and word.startswith("un") and len(word) > 5:
            base = facts.explain(word[2:])
            if base and len(words) == 1:
                found[i] = base
                run.negated = not run.negated
    for i, word in enumerate(words):  # "metal" for "steel" in the data, never the reverse
        if not found[i]:
            specific = hypernym_of(word)
            for form in specific:
                found[i] |= {(p, "value") for p, role in facts.index.get(form, set())}
    return found


def run_claim(run: Run, found: list, sentence: str, facts: Facts, hedged: bool, context: Counter) -> Claim:
    """The verdict on one run of content words, given what explains each word and the clause around it."""
    text = run.text(sentence)
    attributes = facts.attributes

    def only(word_pairs: set[tuple[int, str]], test) -> bool:
        return bool(word_pairs) and all(test(attributes[p], role) for p, role in word_pairs)

    # a word that only a false flag, a "none" or a "no" explains, with every other word of that
    # flag's name: the data denies it ("tubeless-ready rims"; "fabric" alone is no "performance fabric")
    said = {f for t in run.words for f in forms(t.lower)}
    run_words = [t.lower for t in run.words]

    def names(word: str) -> bool:  # "charge" says nothing of ``charger_included``: a thing is not its agent noun
        return bool(forms(word) & said) and not any(is_agent_noun(word, w) or is_agent_noun(w, word) for w in run_words)

    pair_flag = _flag_of_predicate(run, facts)
    if pair_flag is not None:  # "a stand is not included": the predicate of ``stand_included``, judged with its subject
        agrees = attributes[pair_flag].flag is not run.negated
        return Claim(text, "flag", sentence, "supported" if agrees else "contradicted", attributes[pair_flag].name)
    denied = [next(iter(pairs))[0] for pairs in found if only(pairs, lambda a, role: a.denies(said))]
    denied = [p for p in denied if all(names(w) or is_framing(w) or w in FLAG_PREDICATES for w in attributes[p].name_words)]
    if denied and not (run.negated and not all(found)):
        return Claim(text, "flag", sentence, "supported" if run.negated else "contradicted", attributes[denied[0]].name)
    if not all(found):
        missing = [i for i, pairs in enumerate(found) if not pairs]
        unexplained = sentence[run.words[missing[0]].start:run.words[missing[-1]].end]
        return Claim(text, "phrase", sentence, "unsupported", None, unexplained)
    positions = {p for pairs in found for p, _ in pairs}
    sentence_forms: set[str] | None = None  # only a denial of relation words needs the sentence's words
    for p in positions:
        for denial in attributes[p].denials:  # "Not microwave safe." written in the value
            said = [word for word, pairs in zip(run.words, found) if any(forms(w) & forms(word.lower) for w in denial)]
            if run.negated and said:  # "but not in the microwave" for "Not microwave safe."
                return Claim(text, "flag", sentence, "supported", attributes[p].name)
            if len(said) < len(denial) or denial in attributes[p].conditions:
                continue
            if denial <= FLAG_PREDICATES and sentence_forms is None:
                sentence_forms = {f for t in tokens(sentence) if t.kind == "word" for f in forms(t.lower)}
            if denial <= FLAG_PREDICATES and not any(forms(w) & sentence_forms for w in attributes[p].name_words) and any(
                    q != p and not attributes[q].pseudo and not attributes[q].denials and any(forms(w) & sentence_forms for w in attributes[q].name_words)
                    for pairs in found for q, _ in pairs):
                continue  # "batteries, which are included" for battery: 2 x AA (included), not the probe's "not included"
            others = {q for word, pairs in zip(run.words, found) if word in said for q, role in pairs
                      if q != p and not attributes[q].pseudo and not any(d & {w.lower for w in said} for d in attributes[q].denials)}
            # the clause is about this attribute ("2 x AA batteries included" for controller batteries:
            # "2 x AA, not included"), not another that includes something ("the battery is included")
            if run.negated or not others or context[p] >= max(context[q] for q in others):
                return Claim(text, "flag", sentence, "supported" if run.negated else "contradicted", attributes[p].name)
    if run.negated:
        flags = [next(iter(pairs))[0] for pairs in found if only(pairs, lambda a, role: a.flag is not None and not a.denies(said) and role == "name")]
        if flags:
            return Claim(text, "flag", sentence, "contradicted", attributes[flags[0]].name)
        values = [p for pairs in found for p, role in pairs if role == "value" and not attributes[p].pseudo and not attributes[p].denials]
        if values and run.directly_negated and all(any(role == "value" and not attributes[p].pseudo and not attributes[p].denials for p, role in pairs) for pairs in found):
            return Claim(text, "flag", sentence, "contradicted", attributes[values[0]].name)  # "not cotton" for cotton
        return Claim(text, "flag", sentence, "supported", attributes[min(positions)].name)  # "the lids can't"
    if not hedged:  # a word the data says only under a hedge, said without one: "contains nuts" for "may contain traces of nuts"
        for word, pairs in zip(run.words, found):
            word_forms = forms(word.lower)
            under_hedge = [p for p, role in pairs if role == "value" and word_forms & attributes[p].hedged_forms]
            if under_hedge and len(under_hedge) == len(pairs):
                return Claim(text, "hedge", sentence, "contradicted", attributes[under_hedge[0]].name)
    if run.universal and any(not attributes[p].pseudo and role == "value" for pairs in found for p, role in pairs):
        specific = next(p for pairs in found for p, role in pairs if not attributes[p].pseudo and role == "value")
        if not re.search(rf"\b(?:{run.quantifier}|all|any|every|universal)\b", " ".join(attributes[specific].texts), re.I):
            return Claim(text, "hedge", sentence, "contradicted", attributes[specific].name)
    binding = _bound_elsewhere(run, found, facts, text)
    if binding is not None:
        return Claim(text, "binding", sentence, "contradicted", attributes[binding].name)
    best = max(positions, key=lambda p: (not attributes[p].pseudo, sum(any(q == p for q, _ in pairs) for pairs in found)))
    return Claim(text, "phrase", sentence, "supported", attributes[best].name)


def is_agent_noun(word: str, base: str) -> bool:
    """Whether word is the thing that does base: "charger" of charge or charging, "dryer" of dry."""
    stems = {base} | {lemma for found in getAllLemmas(base).values() for lemma in found}
    return any(word != stem and word in {stem + "r", stem + "er", stem + "or"} for stem in stems)


def _flag_of_predicate(run: Run, facts: Facts) -> int | None:
    """The yes/no attribute a predicate of relation words ("included", "required") completes with its subject.

    "A stand is not included" for ``stand_included: false``: the subject run names the feature, this
    run only the relation, and the attribute's name is both.
    """
    words = {t.lower for t in run.words}
    if run.pair is None or not words <= FLAG_PREDICATES:
        return None
    subject = {f for t in run.pair.words for f in forms(t.lower)}
    for position, attribute in enumerate(facts.attributes):
        if attribute.flag is None or attribute.pseudo:
            continue
        named = [w for w in attribute.name_words if w not in FLAG_PREDICATES]
        relation = [w for w in attribute.name_words if w in FLAG_PREDICATES]
        if named and all(forms(w) & subject for w in named) and (
                not relation or any(forms(w) & forms(r) for w in relation for r in words)):
            return position  # "Bluetooth is not available" for bluetooth: no; "a stand is not included" for stand_included
    return None


def _bound_elsewhere(run: Run, found: list[set[tuple[int, str]]], facts: Facts, span: str = "") -> int | None:
    """The attribute a run names but gives another attribute's value: "steel frame" for frame: aluminium.

    Within the run, when the named word is its head ("steel *frame*"), and across a copula
    ("its frame is steel"). Only a value of the same kind as the named attribute's own value
    contradicts it (kinds.py): "Colombian beans" for bean: Arabica, origin: Colombia is true.
    Title, brand and category explain without binding.
    """
    attributes = facts.attributes

    def named_by(pairs) -> set[int]:
        return {p for p, role in pairs if role == "name" and not attributes[p].pseudo and attributes[p].flag is None
                and attributes[p].value_words}

    if run.pair is not None:  # "its frame is steel": the subject names, the predicate gives values
        heads, values = named_by(explanations(run.pair, facts)[-1]), found
    else:
        heads, values = named_by(found[-1]), found[:-1]
    head_word = (run.pair.words if run.pair is not None else run.words)[-1].lower
    said = {f for t in tokens(span) if t.kind == "word" for f in forms(t.lower)}  # framing parts too: "satin-*finished*"
    for head in sorted(heads):
        for pairs in values:
            owners = {p for p, role in pairs if role == "value"}
            if not owners or owners & heads or any(attributes[p].pseudo for p in owners) or any(role == "name" for _, role in pairs):
                continue
            if any((attributes[p].name_forms - attributes[head].name_forms) & said for p in owners):
                continue  # "*satin*-finished mahogany top": bound to its own attribute, named beside it by a word the head's name lacks
            other = min(owners)
            shared = {w for w in set(attributes[head].name_words) & set(attributes[other].name_words) if not forms(w) & forms(head_word)}
            if shared or same_kind(" ".join(attributes[head].texts), " ".join(attributes[other].texts)):
                return head  # olive_material given body_material's brass; a material where another is
    return None
