"""Which Caffe release the files are meant for: the one answer every version-dependent rule reads.

Given (--caffe-version, `caffe-version` in the configuration), it is certain. Otherwise it is read
off the whole schema: each release of BVLC Caffe added messages, fields and enum values to
caffe.proto (protolint.schema.history), so a schema that has (nearly) all of a release's additions
and none of the next one's is that release. A fork mixes: it forked at some point, then backported
a few things, so the answer is a range of releases (`low`..`high`) with the evidence, and "unknown"
when the schema does not look like any BVLC caffe.proto. Rules ask `at_least(release)` and get
True, False or None (cannot tell); a guessed version never makes a finding more severe
(LintContext.version_severity).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .schema import history

if TYPE_CHECKING:  # (annotations only: a configuration's caffe-version is checked without the schema model)
    from .schema.model import Schema

RELEASES = history.RELEASES

# What appeared when in BVLC Caffe's history, as N227 reports it: layer types by the release that
# first registers them, fields by the release whose caffe.proto first has them (rc2 and later; rc1's
# fields are in every release).
TYPE_SINCE = {t: r for t, r in history.since(history.LAYER_TYPES_SINCE).items() if r != "rc2"}
_ADDED = history.added()
FIELD_SINCE = {
    tuple(name.split(".")): release
    for name, (release, _date) in _ADDED.items()
    if release != "rc1" and name.count(".") == 1 and ":" not in name
}

# Checks Caffe added on a known date (name -> YYYY-MM-DD): skipped for a Caffe older than that.
CHECK_SINCE = dict(history.CHECKS_SINCE)

MESSAGE_SINCE = {name: release for name, (release, _date) in _ADDED.items() if "." not in name and ":" not in name}

# A release counts as present when the schema has this share of what it added (forks drop a few
# things), and as absent below the second share.
_PRESENT = 0.9
_ABSENT = 0.1


class VersionError(ValueError):
    pass


def parse_version(text: str) -> str:
    value = text.strip().lower().removeprefix("v")
    aliases = {"1": "1.0", "1.0.0": "1.0", "head": "master", "latest": "master", "1.0-rc5": "rc5", "1.0-rc4": "rc4",
               "1.0-rc3": "rc3", "1.0-rc2": "rc2", "1.0-rc1": "rc1", "rc": "rc1"}
    value = aliases.get(value, value)
    if value not in RELEASES:
        raise VersionError(f"unknown Caffe version {text!r}; expected one of {', '.join(RELEASES)}")
    return value


def at_least(version: str, release: str) -> bool:
    return RELEASES.index(version) >= RELEASES.index(release)


# A plain class, not a dataclass: creating a dataclass costs ~0.3 ms of start-up.
class VersionAnswer:
    """The targeted Caffe release. `release` is the single best answer (the oldest the evidence
    allows, used where a rule must pick one); `low`..`high` is what the evidence allows. Not to be
    changed once made."""

    def __init__(self, release: str, given: bool, low: str, high: str, confidence: str, evidence: tuple[str, ...] = (),
                 newest_present: str | None = None, oldest_absent: str | None = None):
        self.release = release
        self.given = given  # from --caffe-version or the configuration
        self.low = low
        self.high = high
        # "given"; "default" (the built-in schema: BVLC master); "exact" (the schema is a release's);
        # "partial" (a fork: a range); "unknown" (no BVLC release fits).
        self.confidence = confidence
        self.evidence = evidence
        # The dates between which the schema's Caffe left BVLC master: the newest addition it has and
        # the oldest it lacks (None: no bound).
        self.newest_present = newest_present
        self.oldest_absent = oldest_absent

    @classmethod
    def of(cls, release: str) -> VersionAnswer:
        """A version that was given."""
        return cls(release, True, release, release, "given", (f"Caffe {release} was given",))

    def at_least(self, release: str) -> bool | None:
        """Whether the target is `release` or newer: None when the evidence allows both."""
        if at_least(self.low, release):
            return True
        if not at_least(self.high, release):
            return False
        return None

    def predates(self, date: str) -> bool | None:
        """Whether the schema's Caffe is older than `date` (YYYY-MM-DD), e.g. a check added then."""
        if self.given:
            return history.RELEASE_DATES[self.release] < date if self.release != "master" else False
        if self.newest_present is not None and self.newest_present >= date:
            return False
        if self.oldest_absent is not None and self.oldest_absent <= date:
            return True
        return None

    @property
    def certain(self) -> bool:
        """Given, or every release the evidence allows behaves alike (low == high)."""
        return self.given or self.low == self.high

    def describe(self) -> str:
        if self.given:
            return f"Caffe {self.release} (given)"
        if self.confidence == "default":
            return "BVLC master (the built-in schema)"
        if self.confidence == "unknown":
            return "unknown (the schema matches no BVLC release)"
        span = self.low if self.low == self.high else f"{self.low}..{self.high}"
        return f"Caffe {span}, read off the schema" + (" (a fork)" if self.confidence == "partial" else "")


def schema_elements(schema: Schema) -> frozenset[str]:
    """The schema's messages, fields and enum values, named as in protolint.schema.history."""
    cached = schema.derived.get("elements")
    if cached is not None:
        return cached
    prefix = f"{schema.package}." if schema.package else ""
    found: set[str] = set()
    for full, message in schema.messages.items():
        if message.map_entry:
            continue
        name = full.removeprefix(prefix)
        found.add(name)
        found.update(f"{name}.{f}" for f in message.fields)
    for full, enum in schema.enums.items():
        name = full.removeprefix(prefix)
        found.update(f"{name}:{v}" for v in enum.values)
    schema.derived["elements"] = frozen = frozenset(found)
    return frozen


def infer_from_schema(schema: Schema) -> VersionAnswer:
    """The release a schema belongs to, read off all of it (kept with the schema)."""
    cached = schema.derived.get("version")
    if cached is None:
        if schema.builtin:
            # protolint's own schema says nothing about the user's build: BVLC master is the
            # documented default target, taken as settled.
            cached = VersionAnswer("master", False, "master", "master", "default",
                                   ("protolint's built-in schema is BVLC master (9b89154)",),
                                   newest_present=history.RELEASE_DATES["master"])
        else:
            cached = _infer(schema_elements(schema))
        schema.derived["version"] = cached
    return cached


def _infer(present: frozenset[str]) -> VersionAnswer:
    by_release: dict[str, list[str]] = {r: [] for r in RELEASES}
    for name, (release, _date) in _ADDED.items():
        by_release[release].append(name)
    share = {r: sum(n in present for n in names) / len(names) for r, names in by_release.items() if names}
    evidence: list[str] = []
    if share["rc1"] < 0.75:
        return VersionAnswer(RELEASES[0], False, RELEASES[0], RELEASES[-1], "unknown",
                             (f"the schema has {share['rc1']:.0%} of what every BVLC caffe.proto has",))
    # low: the newest release whose additions are (nearly) all there, with every older one mostly there.
    low = "rc1"
    for release in RELEASES:
        if release not in share:
            continue
        if share[release] >= _PRESENT:
            low = release
        elif share[release] < 0.75:
            break
    # high: up to the first newer release of which (nearly) nothing is there.
    high = RELEASES[-1]
    after = RELEASES[RELEASES.index(low) + 1:]
    for release in after:
        if release in share and share[release] <= _ABSENT:
            high = RELEASES[RELEASES.index(release) - 1]
            break
    partial = [r for r in RELEASES[: RELEASES.index(high) + 1] if r in share and _ABSENT < share[r] < 1]
    for release in RELEASES:
        if release in share and release != "rc1" and 0 < share[release] < 1:
            missing = [n for n in by_release[release] if n not in present]
            has = len(by_release[release]) - len(missing)
            if has:
                evidence.append(f"has {has} of the {len(by_release[release])} schema additions of {release}"
                                + (f", lacks {', '.join(sorted(missing)[:3])}" + (" ..." if len(missing) > 3 else "")
                                   if missing else ""))
    if not evidence:
        evidence.append(f"has everything BVLC {low} added to caffe.proto" + ("" if high == RELEASES[-1] else
                        f" and nothing of {RELEASES[RELEASES.index(high) + 1]}"))
    # The fork point, by date: the newest addition it has before the first run of absences.
    dated = sorted((date, name in present) for name, (_release, date) in _ADDED.items())
    newest_present, oldest_absent = _split(dated)
    confidence = "exact" if not partial and all(share[r] in (0, 1) for r in share) else "partial"
    return VersionAnswer(low, False, low, high, confidence, tuple(evidence), newest_present, oldest_absent)


def _split(dated: list[tuple[str, bool]]) -> tuple[str | None, str | None]:
    """The cut between dates that best separates what the schema has (before) from what it lacks
    (after): the newest date present before the cut and the oldest date absent after it."""
    total_absent_after = sum(1 for _d, has in dated if not has)
    best, best_index = -1, 0
    present_before = 0
    absent_after = total_absent_after
    for index in range(len(dated) + 1):
        score = present_before + absent_after
        if score > best and (index == len(dated) or index == 0 or dated[index][0] != dated[index - 1][0]):
            best, best_index = score, index
        if index < len(dated):
            if dated[index][1]:
                present_before += 1
            else:
                absent_after -= 1
    before = [d for d, has in dated[:best_index] if has]
    after = [d for d, has in dated[best_index:] if not has]
    return (before[-1] if before else None), (after[0] if after else None)


def version_for(explicit: str | None, schema: Schema) -> VersionAnswer:
    """The one answer: the release given, else what the schema shows."""
    if explicit is not None:
        return VersionAnswer.of(explicit)
    return infer_from_schema(schema)
